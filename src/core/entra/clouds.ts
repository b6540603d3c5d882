import type { Audience } from '../options';

/** The Entra authority of each cloud, by its `environment` name in lower case. */
export const CLOUD_AUTHORITIES: Record<string, string> = {
  azurecloud: 'https://login.microsoftonline.com',
  azurechinacloud: 'https://login.chinacloudapi.cn',
  azureusgovernment: 'https://login.microsoftonline.us'
};

export const SCOPES: Record<Audience, string> = {
  acr: 'https://containerregistry.azure.net/.default',
  arm: 'https://management.azure.com/.default'
};

/** Hosts MSAL already knows; any other authority would make it ask login.microsoftonline.com to vouch for it. */
export const WELL_KNOWN_AUTHORITIES = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net'
]);
