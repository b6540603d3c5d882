/** One Azure cloud: where its Entra ID is, what its registries are called, and the audiences its tokens carry. */
export interface Cloud {
  /** The `environment` name, as azure/login and the Azure CLI spell it. */
  name: CloudName;
  /** The Entra ID authority. */
  authorityHost: string;
  /** The other host names its Entra ID answers on (MSAL knows them all). */
  authorityAliases: string[];
  /** What its registries' login servers end in. */
  registrySuffix: string;
  /** The resource of ACR-audience tokens (scope: + `/.default`). */
  acrAudience: string;
  /** The resource of ARM-audience tokens. */
  armAudience: string;
  /** The audience a federated (OIDC) token must carry to match the cloud's federated credentials. */
  federatedTokenAudience: string;
}

export const CLOUD_NAMES = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export const CLOUDS: readonly Cloud[] = [
  {
    name: 'AzureCloud',
    authorityHost: 'https://login.microsoftonline.com',
    authorityAliases: ['login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    registrySuffix: '.azurecr.io',
    acrAudience: 'https://containerregistry.azure.net',
    armAudience: 'https://management.azure.com',
    federatedTokenAudience: 'api://AzureADTokenExchange'
  },
  {
    name: 'AzureChinaCloud',
    authorityHost: 'https://login.chinacloudapi.cn',
    authorityAliases: ['login.partner.microsoftonline.cn'],
    registrySuffix: '.azurecr.cn',
    acrAudience: 'https://containerregistry.azure.cn',
    armAudience: 'https://management.chinacloudapi.cn',
    federatedTokenAudience: 'api://AzureADTokenExchangeChina'
  },
  {
    name: 'AzureUSGovernment',
    authorityHost: 'https://login.microsoftonline.us',
    authorityAliases: ['login.usgovcloudapi.net'],
    registrySuffix: '.azurecr.us',
    acrAudience: 'https://containerregistry.azure.us',
    armAudience: 'https://management.usgovcloudapi.net',
    federatedTokenAudience: 'api://AzureADTokenExchangeUSGov'
  }
];

export const PUBLIC_CLOUD = CLOUDS[0] as Cloud;

/** The cloud of an `environment` value, in any letter case. */
export function cloudNamed(name: string): Cloud | undefined {
  return CLOUDS.find((cloud) => cloud.name.toLowerCase() === name.trim().toLowerCase());
}

/** The cloud whose registries end like this host, if any. */
export function cloudOfRegistryHost(hostname: string): Cloud | undefined {
  return CLOUDS.find((cloud) => hostname.toLowerCase().endsWith(cloud.registrySuffix));
}

/** The cloud whose Entra ID answers on this host, if it is one of the known ones. */
export function cloudOfAuthorityHost(hostname: string): Cloud | undefined {
  const host = hostname.toLowerCase();
  return CLOUDS.find((cloud) => new URL(cloud.authorityHost).hostname === host || cloud.authorityAliases.includes(host));
}

/** Hosts MSAL already knows; any other authority would make it ask login.microsoftonline.com to vouch for it. */
export const WELL_KNOWN_AUTHORITIES = new Set(
  CLOUDS.flatMap((cloud) => [new URL(cloud.authorityHost).hostname, ...cloud.authorityAliases])
);
