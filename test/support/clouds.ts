// The clouds as the stand-ins play them: written from Microsoft's documentation (see ../shared/acr-protocol.md),
// on purpose not imported from the product, so that a wrong value in the product's table fails a test.

export interface TestCloud {
  /** The `environment` name. */
  name: 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment';
  /** Host name of the cloud's Entra ID. */
  authorityName: string;
  /**
   * The other names of the same Entra ID. MSAL sends its requests to the cloud's `preferred_network`
   * (in Azure China: login.partner.microsoftonline.cn, whatever authority it is given).
   */
  authorityAliases: string[];
  /** What the cloud's login servers end in. */
  registrySuffix: string;
  /** Resource (scope without /.default) of ACR-audience tokens: the token's `aud`. */
  acrAudience: string;
  /** Resource of ARM-audience tokens; tokens carry it with a trailing slash. */
  armAudience: string;
  /** The audience the cloud's federated credentials expect in an OIDC token. */
  federatedAudience: string;
  /** The `iss` of the access tokens the cloud's Entra ID issues for a tenant. */
  tokenIssuer(tenantId: string): string;
}

export const PUBLIC: TestCloud = {
  name: 'AzureCloud',
  authorityName: 'login.microsoftonline.com',
  authorityAliases: [],
  registrySuffix: '.azurecr.io',
  acrAudience: 'https://containerregistry.azure.net',
  armAudience: 'https://management.azure.com',
  federatedAudience: 'api://AzureADTokenExchange',
  tokenIssuer: (tenantId) => `https://sts.windows.net/${tenantId}/`
};

export const CHINA: TestCloud = {
  name: 'AzureChinaCloud',
  authorityName: 'login.chinacloudapi.cn',
  authorityAliases: ['login.partner.microsoftonline.cn'],
  registrySuffix: '.azurecr.cn',
  acrAudience: 'https://containerregistry.azure.cn',
  armAudience: 'https://management.chinacloudapi.cn',
  federatedAudience: 'api://AzureADTokenExchangeChina',
  tokenIssuer: (tenantId) => `https://sts.chinacloudapi.cn/${tenantId}/`
};

export const US_GOVERNMENT: TestCloud = {
  name: 'AzureUSGovernment',
  authorityName: 'login.microsoftonline.us',
  authorityAliases: [],
  registrySuffix: '.azurecr.us',
  acrAudience: 'https://containerregistry.azure.us',
  armAudience: 'https://management.usgovcloudapi.net',
  federatedAudience: 'api://AzureADTokenExchangeUSGov',
  tokenIssuer: (tenantId) => `https://login.microsoftonline.us/${tenantId}/`
};

export const TEST_CLOUDS: readonly TestCloud[] = [PUBLIC, CHINA, US_GOVERNMENT];
