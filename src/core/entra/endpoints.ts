/**
 * Where @azure/identity's managed identity requests go, found as it finds them: App Service / Functions,
 * Cloud Shell, a pod identity host, else IMDS. (Apart from token.ts, which loads @azure/identity, so that a
 * login that asks no Entra ID does not load the Entra code.)
 */
export function managedIdentityEndpoint(env: NodeJS.ProcessEnv): string {
  return env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT || env.AZURE_POD_IDENTITY_AUTHORITY_HOST || 'http://169.254.169.254';
}
