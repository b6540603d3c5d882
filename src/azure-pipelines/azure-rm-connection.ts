import { maskableLines, RawInputs } from '../core';
import { LoginError } from '../lib/errors';
import { AgentServices, agentFederation, connectionCloud, NO_FEDERATION, ServiceConnection, TaskInputs } from './service-connection';

const SUPPORTED_SCHEMES =
  'WorkloadIdentityFederation (workload identity federation), ServicePrincipal (secret or certificate) or ManagedServiceIdentity (managed identity)';

/** An Azure Resource Manager connection (`azureSubscription`) as the core's raw inputs. */
export function readAzureRmConnection(connection: ServiceConnection, base: RawInputs, secrets: string[], agent: AgentServices): TaskInputs {
  const { param, data, required } = connection;
  // An AzureRM connection without a scheme is a service principal, as the Azure tasks read it.
  switch ((connection.scheme || 'ServicePrincipal').toLowerCase()) {
    case 'workloadidentityfederation': {
      const federation = agentFederation(connection, secrets, agent);
      const raw: RawInputs = {
        ...base,
        ...connectionCloud(connection),
        'auth-type': 'oidc',
        'client-id': required('serviceprincipalid', param('serviceprincipalid')),
        'tenant-id': required('tenantid', param('tenantid'))
      };
      return { raw, federation };
    }
    case 'serviceprincipal': {
      const authenticationType = param('authenticationType') || 'spnKey';
      const raw: RawInputs = {
        ...base,
        ...connectionCloud(connection),
        'auth-type': 'service-principal',
        'client-id': param('serviceprincipalid'),
        'tenant-id': param('tenantid')
      };
      if (authenticationType.toLowerCase() === 'spncertificate') {
        raw['client-certificate'] = param('servicePrincipalCertificate');
        secrets.push(...maskableLines(raw['client-certificate']));
        required('servicePrincipalCertificate', raw['client-certificate']);
      } else if (authenticationType.toLowerCase() === 'spnkey') {
        raw['client-secret'] = param('serviceprincipalkey');
        secrets.push(...maskableLines(raw['client-secret']));
        required('serviceprincipalkey', raw['client-secret']);
      } else {
        throw new LoginError(
          `${connection.name} uses the service principal authentication type '${authenticationType}'; AcrLogin supports spnKey (secret) and spnCertificate (certificate)`
        );
      }
      required('serviceprincipalid', raw['client-id'] ?? '');
      required('tenantid', raw['tenant-id'] ?? '');
      return { raw, federation: NO_FEDERATION };
    }
    case 'managedserviceidentity': {
      const raw: RawInputs = { ...base, ...connectionCloud(connection), 'auth-type': 'managed-identity', 'client-id': data('msiclientId') };
      return { raw, federation: NO_FEDERATION };
    }
    default:
      throw new LoginError(
        `${connection.name} uses the authorization scheme '${connection.scheme}', which AcrLogin does not support; use ${SUPPORTED_SCHEMES}`
      );
  }
}
