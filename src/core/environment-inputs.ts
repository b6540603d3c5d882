import type { RawInputs } from './options';

/**
 * The inputs the usual Azure environment variables give, as @azure/identity reads them. A secret
 * wins over a certificate path, as in its EnvironmentCredential.
 */
export function azureEnvironmentInputs(env: NodeJS.ProcessEnv): RawInputs {
  const raw: RawInputs = {};
  const set = (name: keyof RawInputs, value: string | undefined): void => {
    if (value?.trim()) raw[name] = value.trim();
  };
  set('client-id', env.AZURE_CLIENT_ID);
  set('tenant-id', env.AZURE_TENANT_ID);
  set('authority-host', env.AZURE_AUTHORITY_HOST);
  set('client-secret', env.AZURE_CLIENT_SECRET);
  if (!raw['client-secret']) set('client-certificate', env.AZURE_CLIENT_CERTIFICATE_PATH);
  return raw;
}

/** ACR_LOGIN_DEBUG=1 (or true, yes): the command line and the credential helper print the core's debug lines on stderr. */
export function debugSwitchedOn(env: NodeJS.ProcessEnv): boolean {
  return /^(1|true|yes)$/i.test(env.ACR_LOGIN_DEBUG?.trim() ?? '');
}
