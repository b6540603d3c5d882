import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_NAMES, parseLoginOptions, RawInputs } from '../../src/core/options';
import type { FederatedTokenSource } from '../../src/core/token-source';

const noOidc: FederatedTokenSource = {
  available: false,
  unavailableHint: 'add permissions: id-token: write',
  getToken: () => Promise.reject(new Error('none'))
};
const oidc: FederatedTokenSource = { available: true, unavailableHint: '', getToken: () => Promise.resolve('assertion') };
const base: RawInputs = { registry: 'myregistry' };

describe('parseLoginOptions', () => {
  it('defaults to ACR audience, auto login, logout, public cloud', () => {
    const options = parseLoginOptions({ ...base, username: 'u', password: 'p' }, noOidc);
    expect(options).toMatchObject({
      audience: { choice: 'acr', resource: 'https://containerregistry.azure.net' },
      federatedAudience: 'api://AzureADTokenExchange',
      login: 'auto',
      logout: true,
      authorityHost: 'https://login.microsoftonline.com'
    });
    expect(options.cloud.name).toBe('AzureCloud');
    expect(options.credential).toEqual({ kind: 'token', username: 'u', password: 'p' });
  });

  it('auto picks the service principal for a secret, a certificate or creds', () => {
    expect(parseLoginOptions({ ...base, 'client-id': 'c', 'tenant-id': 't', 'client-secret': 's' }, oidc).credential).toEqual({
      kind: 'service-principal',
      clientId: 'c',
      tenantId: 't',
      secret: 's'
    });
    expect(
      parseLoginOptions({ ...base, 'client-id': 'c', 'tenant-id': 't', 'client-certificate': '/x.pem' }, oidc).credential
    ).toMatchObject({
      kind: 'service-principal',
      certificate: '/x.pem'
    });
    const creds = JSON.stringify({
      clientId: 'c',
      clientSecret: 's',
      tenantId: 't',
      subscriptionId: 'x',
      activeDirectoryEndpointUrl: 'https://login.chinacloudapi.cn'
    });
    const options = parseLoginOptions({ ...base, creds }, noOidc);
    expect(options.credential).toEqual({ kind: 'service-principal', clientId: 'c', tenantId: 't', secret: 's' });
    expect(options.authorityHost).toBe('https://login.chinacloudapi.cn');
    // A known authority names its cloud when nothing else does: the bare name takes China's suffix.
    expect(options.cloud.name).toBe('AzureChinaCloud');
    expect(options.registries[0]?.loginServer).toBe('myregistry.azurecr.cn');
  });

  it('auto picks OIDC only when the platform has a token', () => {
    expect(parseLoginOptions({ ...base, 'client-id': 'c', 'tenant-id': 't' }, oidc).credential.kind).toBe('oidc');
    expect(() => parseLoginOptions({ ...base, 'client-id': 'c', 'tenant-id': 't' }, noOidc)).toThrow(
      /OIDC is not possible: add permissions: id-token: write/
    );
  });

  it('lists the types and what each needs when nothing fits', () => {
    expect(() => parseLoginOptions(base, noOidc)).toThrow(
      /no credential inputs are given.*oidc \(client-id.*service-principal.*managed-identity.*token \(username and password/
    );
  });

  it('explains a missing OIDC token for auth-type oidc', () => {
    expect(() => parseLoginOptions({ ...base, 'auth-type': 'oidc', 'client-id': 'c', 'tenant-id': 't' }, noOidc)).toThrow(
      'auth-type oidc: add permissions: id-token: write'
    );
  });

  it('takes a user-assigned managed identity by client-id', () => {
    expect(parseLoginOptions({ ...base, 'auth-type': 'managed-identity' }, noOidc).credential).toEqual({ kind: 'managed-identity' });
    expect(parseLoginOptions({ ...base, 'auth-type': 'managed-identity', 'client-id': 'u' }, noOidc).credential).toEqual({
      kind: 'managed-identity',
      clientId: 'u'
    });
  });

  it.each([
    [{ 'auth-type': 'magic' }, "auth-type 'magic' is not valid; use one of: auto, oidc, service-principal, managed-identity, token"],
    [{ 'token-audience': 'graph' }, "token-audience 'graph' is not valid; use acr, arm, or an audience URI"],
    [{ 'token-audience': 'http://containerregistry.azure.net' }, 'is not valid; use acr, arm, or an audience URI'],
    [{ 'oidc-audience': 'api://a api://b' }, "oidc-audience 'api://a api://b' is not valid"],
    [{ login: 'podman' }, "login 'podman' is not valid; use one of: auto, docker, config, helper, none"],
    [{ logout: 'maybe' }, "logout 'maybe' is not valid; use true or false"],
    [{ username: 'u' }, 'username is given but password is empty'],
    [{ password: 'p' }, 'password is given but username is empty'],
    [{ 'auth-type': 'service-principal', 'tenant-id': '' }, 'auth-type service-principal needs tenant-id'],
    [
      { 'client-id': 'c', 'tenant-id': 't', 'client-secret': 's', 'client-certificate': 'x' },
      'give either client-secret (or creds) or client-certificate, not both'
    ],
    [{ environment: 'Mars' }, "environment 'Mars' is unknown"],
    [{ 'authority-host': 'http://login.example' }, 'must use https://']
  ])('refuses %j', (inputs, message) => {
    expect(() => parseLoginOptions({ ...base, 'client-id': 'c', 'tenant-id': 't', 'client-secret': 's', ...inputs }, noOidc)).toThrow(
      message
    );
  });

  it('never echoes malformed creds', () => {
    const creds = '{"clientId":"c","clientSecret":"hunter2-SECRET" oops';
    let message = '';
    try {
      parseLoginOptions({ ...base, creds }, noOidc);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/creds is not valid JSON/);
    expect(message).not.toContain('hunter2');
  });

  describe('the cloud: one decision before any request', () => {
    const sp = { 'client-id': 'c', 'tenant-id': 't', 'client-secret': 's' };
    const decide = (inputs: RawInputs) => parseLoginOptions({ ...sp, ...inputs }, oidc);

    it.each([
      // [inputs, cloud, authority, ACR audience, ARM audience, federated audience, login server]
      [
        { registry: 'myregistry' },
        'AzureCloud',
        'https://login.microsoftonline.com',
        'https://containerregistry.azure.net',
        'https://management.azure.com',
        'api://AzureADTokenExchange',
        'myregistry.azurecr.io'
      ],
      [
        { registry: 'myregistry', environment: 'AzureChinaCloud' },
        'AzureChinaCloud',
        'https://login.chinacloudapi.cn',
        'https://containerregistry.azure.cn',
        'https://management.chinacloudapi.cn',
        'api://AzureADTokenExchangeChina',
        'myregistry.azurecr.cn'
      ],
      [
        { registry: 'myregistry.azurecr.cn' },
        'AzureChinaCloud',
        'https://login.chinacloudapi.cn',
        'https://containerregistry.azure.cn',
        'https://management.chinacloudapi.cn',
        'api://AzureADTokenExchangeChina',
        'myregistry.azurecr.cn'
      ],
      [
        { registry: 'myregistry', environment: 'azureusgovernment' },
        'AzureUSGovernment',
        'https://login.microsoftonline.us',
        'https://containerregistry.azure.us',
        'https://management.usgovcloudapi.net',
        'api://AzureADTokenExchangeUSGov',
        'myregistry.azurecr.us'
      ],
      [
        { registry: 'https://myreg-abc123hash.eastus.geo.azurecr.us' },
        'AzureUSGovernment',
        'https://login.microsoftonline.us',
        'https://containerregistry.azure.us',
        'https://management.usgovcloudapi.net',
        'api://AzureADTokenExchangeUSGov',
        'myreg-abc123hash.eastus.geo.azurecr.us'
      ]
    ])('%j is %s', (inputs, cloud, authority, acr, arm, federated, loginServer) => {
      const options = decide(inputs);
      expect(options.cloud.name).toBe(cloud);
      expect(options.authorityHost).toBe(authority);
      expect(options.audience).toEqual({ choice: 'acr', resource: acr });
      expect(decide({ ...inputs, 'token-audience': 'ARM' }).audience).toEqual({ choice: 'arm', resource: arm });
      expect(options.federatedAudience).toBe(federated);
      expect(options.registries.map((registry) => registry.loginServer)).toEqual([loginServer]);
    });

    it('keeps a given authority, audience URI and federated audience (clouds not in the table)', () => {
      const options = decide({
        registry: 'http://127.0.0.1:5000',
        'authority-host': 'https://127.0.0.1:8443/',
        'token-audience': 'https://containerregistry.stack.example',
        'oidc-audience': 'api://CustomExchange'
      });
      expect(options.authorityHost).toBe('https://127.0.0.1:8443');
      expect(options.audience).toEqual({ choice: 'custom', resource: 'https://containerregistry.stack.example' });
      expect(options.federatedAudience).toBe('api://CustomExchange');
      expect(options.cloud.name).toBe('AzureCloud');
      expect(decide({ registry: 'myreg.azurecr.cn', 'authority-host': 'https://login.partner.microsoftonline.cn' }).authorityHost).toBe(
        'https://login.partner.microsoftonline.cn'
      );
    });

    it.each([
      [
        { registry: 'one11.azurecr.io,two22.azurecr.cn' },
        'registries of two clouds in one step: one11.azurecr.io (AzureCloud) and two22.azurecr.cn (AzureChinaCloud); log in to each cloud in its own step'
      ],
      [
        { registry: 'myreg.azurecr.io', environment: 'AzureChinaCloud' },
        'environment AzureChinaCloud contradicts registry myreg.azurecr.io (AzureCloud): they name different clouds'
      ],
      [
        { registry: 'myreg.azurecr.us', 'authority-host': 'https://login.chinacloudapi.cn' },
        'registry myreg.azurecr.us (AzureUSGovernment) contradicts authority-host https://login.chinacloudapi.cn (AzureChinaCloud)'
      ],
      [{ registry: 'myreg', environment: 'Mars' }, "environment 'Mars' is unknown; use AzureCloud, AzureChinaCloud, AzureUSGovernment"]
    ])('%j fails before any request, naming both', (inputs, message) => {
      expect(() => decide(inputs)).toThrow(message);
    });
  });

  it('checks registries before anything else', () => {
    expect(() => parseLoginOptions({ registry: 'docker.io', username: 'u', password: 'p' }, noOidc)).toThrow(
      "registry 'docker.io' refused"
    );
  });
});

describe('INPUT_NAMES', () => {
  it("are exactly the inputs action.yml declares (but the action's own job-summary), so every adapter reads them all", () => {
    const actionYml = readFileSync(join(__dirname, '..', '..', 'action.yml'), 'utf8');
    const inputsBlock = actionYml.split(/^inputs:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
    const declared = [...inputsBlock.matchAll(/^ {2}([a-z-]+):\s*$/gm)].map((match) => match[1]);
    expect(declared).toEqual([...INPUT_NAMES, 'job-summary']);
  });
});

describe('control characters', () => {
  const sp: RawInputs = { ...base, 'client-id': 'c', 'tenant-id': 't', 'client-secret': 's' };
  const refusal = (raw: RawInputs): string => {
    try {
      parseLoginOptions(raw, noOidc);
      return 'accepted';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it.each(INPUT_NAMES.filter((name) => !['registry', 'client-certificate', 'creds'].includes(name)))(
    'refuses %s with a line break, a carriage return, an escape or a C1 control, naming the input and not the value',
    (name) => {
      for (const character of ['\n', '\r', '\u001b', '\u0085']) {
        const message = refusal({ ...sp, [name]: `abc${character}::warning::forged` });
        expect(message).toMatch(new RegExp(`^${name} holds a control character \\(U\\+00`));
        expect(message).not.toContain('forged');
      }
    }
  );

  it('splits the registry list first: one per line (CRLF too) passes, a control inside an entry does not', () => {
    expect(refusal({ ...sp, registry: 'firstreg\r\nsecondreg\nthirdreg,fourthreg\n' })).toBe('accepted');
    expect(refusal({ ...sp, registry: 'firstreg\nsecond\u0007reg' })).toMatch(/^registry holds a control character \(U\+0007\)/);
  });

  it('lets a certificate and creds span lines, but not hold other controls; checks the values inside creds', () => {
    const creds = JSON.stringify({ clientId: 'c', clientSecret: 's', tenantId: 't' }, null, 2).replace(/\n/g, '\r\n');
    expect(refusal({ registry: 'myregistry', creds })).toBe('accepted');
    expect(
      refusal({ registry: 'myregistry', creds: JSON.stringify({ clientId: 'c\n::warning::x', clientSecret: 's', tenantId: 't' }) })
    ).toBe("creds' clientId holds a control character: give it on one line, without one");
    expect(refusal({ ...sp, 'client-secret': '', 'client-certificate': '-----BEGIN\r\nabc\n\u0000' })).toMatch(
      /^client-certificate holds a control character \(U\+0000\)/
    );
  });

  it('takes trailing line breaks of a block scalar as whitespace', () => {
    expect(refusal({ ...sp, 'client-secret': 'secret\n', username: '' })).toBe('accepted');
  });
});
