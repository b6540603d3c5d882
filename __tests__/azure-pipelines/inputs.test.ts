// The task's reading of its inputs and service connection, in process: the environment is set as the
// agent sets it (INPUT_*, ENDPOINT_*, SECRET_*), then src/azure-pipelines/inputs.ts is loaded afresh,
// because the task library moves those variables into its vault when it is first imported.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLoginOptions } from '../../src/core';
import { describeError } from '../../src/lib/errors';
import { DIRECT } from '../../src/lib/proxy';
import type { TaskInputs } from '../../src/azure-pipelines/inputs';
import { endpointEnv, inputEnv, ServiceConnectionEnv } from '../../test/support/task-runner';

const TENANT = randomUUID();
const CLIENT = randomUUID();
const SECRET = `Sx8Q~${randomUUID().replace(/-/g, '')}`;
const ACCESS_TOKEN = `eyJ0eXAiOiJKV1Qi.${randomUUID().replace(/-/g, '')}.sig`;
const PASSWORD = `pw-${randomUUID()}`;
const OIDC_REQUEST_URI = 'https://dev.azure.com/contoso/5c3c8a8e/_apis/distributedtask/hubs/build/plans/1/jobs/2/oidctoken';

interface Reading {
  result?: TaskInputs;
  error?: string;
  masked: string[];
  /** Everything written to stdout while reading (the task library's debug echo included). */
  printed: string;
}

let agentTemp: string;
beforeAll(() => {
  agentTemp = mkdtempSync(join(tmpdir(), 'task-inputs-'));
});
afterAll(() => rmSync(agentTemp, { recursive: true, force: true }));

/** readTaskInputs with exactly the agent's environment `env`, system.debug on, the module and the task library loaded afresh. */
function readWith(env: Record<string, string>): Reading {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) {
    if (/^(INPUT_|ENDPOINT_|SECRET_|SYSTEM_|VSTS_)/.test(name)) delete process.env[name];
  }
  Object.assign(process.env, { AGENT_TEMPDIRECTORY: agentTemp, SYSTEM_DEBUG: 'true' }, env);
  const masked: string[] = [];
  const printed: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  const reading: Reading = { masked, printed: '' };
  // The library loads the environment into its vault only on its first import in a process.
  delete (globalThis as Record<string, unknown>)._vsts_task_lib_loaded;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { readTaskInputs } = require('../../src/azure-pipelines/inputs') as typeof import('../../src/azure-pipelines/inputs');
      try {
        reading.result = readTaskInputs((secret) => masked.push(secret), DIRECT);
      } catch (error) {
        reading.error = describeError(error);
      }
    });
  } finally {
    write.mockRestore();
    process.env = saved;
  }
  reading.printed = printed.join('');
  return reading;
}

function expectNothingSecretPrinted(reading: Reading, ...secrets: string[]): void {
  for (const secret of secrets) expect(reading.printed).not.toContain(secret);
}

function task(
  inputs: Record<string, string>,
  connection?: ServiceConnectionEnv,
  extra: Record<string, string> = {}
): Record<string, string> {
  return { ...inputEnv(inputs), ...(connection ? endpointEnv(connection) : {}), ...extra };
}

/** What the agent gives a YAML job for workload identity federation. */
const agentOidc = { SYSTEM_OIDCREQUESTURI: OIDC_REQUEST_URI, SECRET_SYSTEM_ACCESSTOKEN: ACCESS_TOKEN };

// --- Docker registry connections, as the agent hands them over ---------------------------------------

function acrConnection(scheme: string, parameters: Record<string, string>, data: Record<string, string> = {}): ServiceConnectionEnv {
  return {
    id: randomUUID(),
    url: `https://${(parameters.loginServer ?? '').toLowerCase()}`,
    scheme,
    parameters,
    data: {
      registrytype: 'ACR',
      registryId: '/subscriptions/x/resourceGroups/ci/providers/Microsoft.ContainerRegistry/registries/myreg',
      ...data
    }
  };
}

function othersConnection(registry: string, username = 'ci-push-token', password = PASSWORD): ServiceConnectionEnv {
  return {
    id: randomUUID(),
    url: registry,
    scheme: 'UsernamePassword',
    parameters: { registry, username, password, email: '' },
    data: { registrytype: 'Others' }
  };
}

const spnParameters = (): Record<string, string> => ({
  loginServer: 'myreg.azurecr.io',
  serviceprincipalid: CLIENT,
  serviceprincipalkey: SECRET,
  tenantid: TENANT
});

describe('a Docker registry connection of type Azure Container Registry (containerRegistry)', () => {
  it('service principal: the login server, the secret as a client secret for an ACR-audience token, masked, never printed', () => {
    const connection = acrConnection('ServicePrincipal', spnParameters());
    const reading = readWith(task({ containerRegistry: connection.id, tokenAudience: 'acr', loginMode: 'auto' }, connection));
    expect(reading.error).toBeUndefined();
    expect(reading.result?.raw).toEqual({
      registry: 'myreg.azurecr.io',
      environment: 'AzureCloud',
      'token-audience': 'acr',
      login: 'auto',
      logout: '',
      username: '',
      password: '',
      'auth-type': 'service-principal',
      'client-id': CLIENT,
      'tenant-id': TENANT,
      'client-secret': SECRET
    });
    expect(reading.result?.federation.available).toBe(false);
    expect(reading.masked).toEqual([SECRET]);
    expectNothingSecretPrinted(reading, SECRET);
    const options = parseLoginOptions(reading.result!.raw, reading.result!.federation);
    expect(options).toMatchObject({
      registries: [{ loginServer: 'myreg.azurecr.io', baseUrl: 'https://myreg.azurecr.io' }],
      credential: { kind: 'service-principal', clientId: CLIENT, tenantId: TENANT, secret: SECRET },
      authorityHost: 'https://login.microsoftonline.com',
      audience: { choice: 'acr', resource: 'https://containerregistry.azure.net' }
    });
  });

  it('workload identity federation: the OIDC token of THIS connection, which the credential helper can ask for again', () => {
    const connection = acrConnection('WorkloadIdentityFederation', {
      loginServer: 'myreg.azurecr.io',
      serviceprincipalid: CLIENT,
      tenantid: TENANT
    });
    const reading = readWith(task({ containerRegistry: connection.id }, connection, agentOidc));
    expect(reading.error).toBeUndefined();
    expect(reading.result?.raw).toMatchObject({ 'auth-type': 'oidc', 'client-id': CLIENT, 'tenant-id': TENANT, 'token-audience': 'acr' });
    expect(reading.result?.federation).toMatchObject({
      available: true,
      setting: { kind: 'azure-devops', serviceConnectionId: connection.id }
    });
    expect(reading.masked).toEqual([ACCESS_TOKEN]);
    expectNothingSecretPrinted(reading, ACCESS_TOKEN);
  });

  it('workload identity federation without System.OidcRequestUri names the connection and what the agent lacks', () => {
    const connection = acrConnection('WorkloadIdentityFederation', {
      loginServer: 'myreg.azurecr.io',
      serviceprincipalid: CLIENT,
      tenantid: TENANT
    });
    const reading = readWith(task({ containerRegistry: connection.id }, connection, { SECRET_SYSTEM_ACCESSTOKEN: ACCESS_TOKEN }));
    expect(reading.error).toMatch(
      new RegExp(
        `^Docker registry service connection '${connection.id}' uses workload identity federation, but the agent provides no System\\.OidcRequestUri`
      )
    );
    expect(reading.masked).toEqual([ACCESS_TOKEN]);
  });

  it('managed identity: the identity of the agent machine; a tenantid in the connection changes nothing', () => {
    const connection = acrConnection('ManagedServiceIdentity', { loginServer: 'myreg.azurecr.io', tenantid: TENANT });
    const reading = readWith(task({ containerRegistry: connection.id }, connection));
    expect(reading.result?.raw).toMatchObject({ registry: 'myreg.azurecr.io', 'auth-type': 'managed-identity', 'token-audience': 'acr' });
    expect(reading.result?.raw['client-id']).toBeUndefined();
    expect(parseLoginOptions(reading.result!.raw, reading.result!.federation).credential).toEqual({ kind: 'managed-identity' });
  });

  it('the scheme comes from the authorization when the agent gives no scheme variable, else it is ServicePrincipal', () => {
    const fromAuthorization = acrConnection('ManagedServiceIdentity', { loginServer: 'myreg.azurecr.io' });
    const env = task({ containerRegistry: fromAuthorization.id }, fromAuthorization);
    delete env[`ENDPOINT_AUTH_SCHEME_${fromAuthorization.id}`];
    expect(readWith(env).result?.raw['auth-type']).toBe('managed-identity');

    const none = acrConnection('', spnParameters());
    const noScheme = task({ containerRegistry: none.id }, none);
    delete noScheme[`ENDPOINT_AUTH_SCHEME_${none.id}`];
    expect(readWith(noScheme).result?.raw['auth-type']).toBe('service-principal');
  });

  it('the login server is lower-cased, and its suffix gives the cloud', () => {
    for (const [server, cloud, authority] of [
      ['MyReg.AzureCR.io', 'AzureCloud', 'https://login.microsoftonline.com'],
      ['myreg.azurecr.cn', 'AzureChinaCloud', 'https://login.chinacloudapi.cn'],
      ['MYREG.AZURECR.US', 'AzureUSGovernment', 'https://login.microsoftonline.us']
    ]) {
      const connection = acrConnection('ServicePrincipal', { ...spnParameters(), loginServer: server as string });
      const { result } = readWith(task({ containerRegistry: connection.id }, connection));
      expect(result?.raw).toMatchObject({ registry: server?.toLowerCase(), environment: cloud });
      expect(parseLoginOptions(result!.raw, result!.federation).authorityHost).toBe(authority);
    }
  });

  it('a loopback login server has no suffix: the cloud comes from the connection data, as for Azure Resource Manager connections', () => {
    const connection = acrConnection(
      'ServicePrincipal',
      { ...spnParameters(), loginServer: 'HTTP://127.0.0.1:5000' },
      { activeDirectoryAuthority: 'https://login.example.test/' }
    );
    const { result } = readWith(task({ containerRegistry: connection.id }, connection));
    expect(result?.raw).toMatchObject({ registry: 'http://127.0.0.1:5000', 'authority-host': 'https://login.example.test/' });
    expect(result?.raw.environment).toBeUndefined();
  });

  it('with the registry input too: both are logged in to when they are in the same cloud, refused before any request otherwise', () => {
    const connection = acrConnection('ServicePrincipal', { ...spnParameters(), loginServer: 'myreg.azurecr.cn' });
    const same = readWith(task({ containerRegistry: connection.id, registry: 'other.azurecr.cn, third.azurecr.cn' }, connection));
    expect(same.result?.raw.registry).toBe('myreg.azurecr.cn\nother.azurecr.cn\nthird.azurecr.cn');
    expect(parseLoginOptions(same.result!.raw, same.result!.federation).registries.map((r) => r.loginServer)).toEqual([
      'myreg.azurecr.cn',
      'other.azurecr.cn',
      'third.azurecr.cn'
    ]);

    const mixed = readWith(task({ containerRegistry: connection.id, registry: 'other.azurecr.io' }, connection));
    expect(mixed.error).toBe(
      `registry 'other.azurecr.io' is in AzureCloud, but Docker registry service connection '${connection.id}' logs in to myreg.azurecr.cn in AzureChinaCloud: log in to each cloud in its own AcrLogin step`
    );
    expect(mixed.masked).toEqual([SECRET]);
  });

  it.each([
    [
      'no loginServer',
      { serviceprincipalid: CLIENT, serviceprincipalkey: SECRET, tenantid: TENANT },
      'ServicePrincipal',
      /\(Azure Container Registry\) has no loginServer/
    ],
    [
      'no service principal key',
      { loginServer: 'myreg.azurecr.io', serviceprincipalid: CLIENT, tenantid: TENANT },
      'ServicePrincipal',
      /\(ServicePrincipal\) has no serviceprincipalkey$/
    ],
    [
      'no tenant',
      { loginServer: 'myreg.azurecr.io', serviceprincipalid: CLIENT },
      'WorkloadIdentityFederation',
      /\(WorkloadIdentityFederation\) has no tenantid$/
    ],
    [
      'an unknown scheme',
      { loginServer: 'myreg.azurecr.io' },
      'Certificate',
      /\(Azure Container Registry\) uses the authorization scheme 'Certificate', which AcrLogin does not support; use WorkloadIdentityFederation/
    ],
    [
      'a login server that is no registry',
      { loginServer: 'myreg.example.com' },
      'ServicePrincipal',
      /is for myreg\.example\.com, which is not an Azure Container Registry login server/
    ]
  ])('%s: one line naming the connection', (_name, parameters, scheme, message) => {
    const connection = acrConnection(scheme, parameters);
    const reading = readWith(task({ containerRegistry: connection.id }, connection, agentOidc));
    expect(reading.error).toMatch(new RegExp(`^Docker registry service connection '${connection.id}'`));
    expect(reading.error).toMatch(message);
    expect(reading.error).not.toContain('\n');
    expectNothingSecretPrinted(reading, SECRET, ACCESS_TOKEN);
  });

  it('never the ARM audience: tokenAudience arm is refused with this connection', () => {
    const connection = acrConnection('ServicePrincipal', spnParameters());
    const reading = readWith(task({ containerRegistry: connection.id, tokenAudience: 'arm' }, connection));
    expect(reading.error).toMatch(/^tokenAudience arm is not available with Docker registry service connection/);
  });
});

describe('a Docker registry connection of another type (Others, Docker Hub)', () => {
  it('to an Azure Container Registry login server: its username and password as a repository-scoped token, masked', () => {
    const connection = othersConnection('https://myreg.azurecr.io');
    const reading = readWith(task({ containerRegistry: connection.id }, connection));
    expect(reading.error).toBeUndefined();
    expect(reading.result?.raw).toMatchObject({
      registry: 'https://myreg.azurecr.io',
      'auth-type': 'token',
      username: 'ci-push-token',
      password: PASSWORD
    });
    expect(reading.masked).toEqual([PASSWORD]);
    expectNothingSecretPrinted(reading, PASSWORD);
    expect(parseLoginOptions(reading.result!.raw, reading.result!.federation).credential).toEqual({
      kind: 'token',
      username: 'ci-push-token',
      password: PASSWORD
    });
  });

  it.each([
    ['Docker Hub', 'https://index.docker.io/v1/', 'index.docker.io'],
    ['another registry', 'registry.example.com:5000', 'registry.example.com'],
    ['a look-alike', 'https://myreg.azurecr.io.example.com', 'myreg.azurecr.io.example.com']
  ])('to %s: refused, naming the registry', (_name, registry, host) => {
    const connection = othersConnection(registry);
    const reading = readWith(task({ containerRegistry: connection.id }, connection));
    expect(reading.error).toBe(
      `Docker registry service connection '${connection.id}' is for ${host}, which is not an Azure Container Registry login server (*.azurecr.io, *.azurecr.cn, *.azurecr.us): AcrLogin logs in only to Azure Container Registry; keep Docker@2 for this registry`
    );
    expect(reading.masked).toEqual([PASSWORD]);
    expectNothingSecretPrinted(reading, PASSWORD);
  });

  it('an ACR login server with a path: refused with the reason', () => {
    const connection = othersConnection('https://myreg.azurecr.io/v2/');
    expect(readWith(task({ containerRegistry: connection.id }, connection)).error).toBe(
      `Docker registry service connection '${connection.id}' has registry 'https://myreg.azurecr.io/v2/', which AcrLogin refuses: a path is not allowed; give only the login server`
    );
  });

  it('without a username: one line naming the connection', () => {
    const connection = othersConnection('myreg.azurecr.io', '');
    expect(readWith(task({ containerRegistry: connection.id }, connection)).error).toBe(
      `Docker registry service connection '${connection.id}' (UsernamePassword) has no username`
    );
  });
});

describe('an Azure Resource Manager connection (azureSubscription)', () => {
  const cloudData = { environment: 'AzureCloud', activeDirectoryAuthority: 'https://login.example.test/' };

  it('workload identity federation', () => {
    const connection: ServiceConnectionEnv = {
      id: randomUUID(),
      scheme: 'WorkloadIdentityFederation',
      parameters: { serviceprincipalid: CLIENT, tenantid: TENANT },
      data: cloudData
    };
    const reading = readWith(task({ azureSubscription: connection.id, registry: 'myreg' }, connection, agentOidc));
    expect(reading.result?.raw).toMatchObject({
      registry: 'myreg',
      'auth-type': 'oidc',
      'client-id': CLIENT,
      'tenant-id': TENANT,
      'authority-host': 'https://login.example.test/'
    });
    expect(reading.result?.federation.setting).toEqual({ kind: 'azure-devops', serviceConnectionId: connection.id });
    expect(reading.masked).toEqual([ACCESS_TOKEN]);
    expectNothingSecretPrinted(reading, ACCESS_TOKEN);
  });

  it('service principal with a secret, and with a certificate whose key lines are each masked', () => {
    const key = armServicePrincipal('spnKey', { serviceprincipalkey: SECRET });
    const withKey = readWith(task({ azureSubscription: key.id, registry: 'myreg' }, key));
    expect(withKey.result?.raw).toMatchObject({ 'auth-type': 'service-principal', 'client-secret': SECRET });
    expect(withKey.masked).toEqual([SECRET]);
    expectNothingSecretPrinted(withKey, SECRET);

    const pem = [
      '-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      'BKcwggSjAgEAAoIBAQC7',
      '-----END PRIVATE KEY-----'
    ].join('\n');
    const certificate = armServicePrincipal('spnCertificate', { servicePrincipalCertificate: pem });
    const withCertificate = readWith(task({ azureSubscription: certificate.id, registry: 'myreg' }, certificate));
    expect(withCertificate.result?.raw['client-certificate']).toBe(pem);
    expect(withCertificate.masked).toEqual(['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7']);
  });

  it('managed identity, user-assigned by msiclientId', () => {
    const connection: ServiceConnectionEnv = {
      id: randomUUID(),
      scheme: 'ManagedServiceIdentity',
      parameters: { tenantid: TENANT },
      data: { ...cloudData, msiclientId: CLIENT }
    };
    const reading = readWith(task({ azureSubscription: connection.id, registry: 'myreg' }, connection));
    expect(reading.result?.raw).toMatchObject({ 'auth-type': 'managed-identity', 'client-id': CLIENT });
  });

  it('an unknown scheme, and a connection the job does not have', () => {
    const connection: ServiceConnectionEnv = { id: randomUUID(), scheme: 'PublishProfile', parameters: { tenantid: TENANT } };
    expect(readWith(task({ azureSubscription: connection.id, registry: 'myreg' }, connection)).error).toMatch(
      new RegExp(`^service connection '${connection.id}' uses the authorization scheme 'PublishProfile', which AcrLogin does not support`)
    );
    const id = randomUUID();
    expect(readWith(task({ azureSubscription: id, registry: 'myreg' })).error).toBe(
      `service connection '${id}' is not available to this job: check that azureSubscription names an Azure Resource Manager service connection and that this pipeline is authorized to use it`
    );
  });

  function armServicePrincipal(authenticationType: string, secret: Record<string, string>): ServiceConnectionEnv {
    return {
      id: randomUUID(),
      scheme: 'ServicePrincipal',
      parameters: { serviceprincipalid: CLIENT, tenantid: TENANT, authenticationType, ...secret },
      data: cloudData
    };
  }
});

describe('which credential', () => {
  it('a Docker registry connection the job does not have (not authorized): one line naming it', () => {
    const id = randomUUID();
    expect(readWith(task({ containerRegistry: id })).error).toBe(
      `Docker registry service connection '${id}' is not available to this job: check that containerRegistry names a Docker registry service connection and that this pipeline is authorized to use it`
    );
  });

  it('both connections: refused; neither and no username: refused', () => {
    const connection = acrConnection('ServicePrincipal', spnParameters());
    expect(readWith(task({ containerRegistry: connection.id, azureSubscription: randomUUID() }, connection)).error).toMatch(
      /^azureSubscription and containerRegistry are both given/
    );
    expect(readWith(task({ registry: 'myreg' })).error).toMatch(
      /^no credential given: name an Azure Resource Manager service connection in azureSubscription or a Docker registry service connection in containerRegistry, or give username and password/
    );
  });

  it('username and password win over a connection, as documented', () => {
    const connection = acrConnection('ServicePrincipal', spnParameters());
    const reading = readWith(
      task({ containerRegistry: connection.id, registry: 'myreg', username: 'ci-push-token', password: PASSWORD }, connection)
    );
    expect(reading.result?.raw).toMatchObject({ registry: 'myreg', 'auth-type': 'token', username: 'ci-push-token' });
    expect(reading.masked).toEqual([PASSWORD]);
  });
});
