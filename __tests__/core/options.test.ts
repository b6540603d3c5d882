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
    expect(options).toMatchObject({ audience: 'acr', login: 'auto', logout: true, authorityHost: 'https://login.microsoftonline.com' });
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
    [{ 'token-audience': 'graph' }, "token-audience 'graph' is not valid; use one of: acr, arm"],
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

  it('maps sovereign environments to their authority', () => {
    const sp = { 'client-id': 'c', 'tenant-id': 't', 'client-secret': 's' };
    expect(parseLoginOptions({ ...base, ...sp, environment: 'AzureChinaCloud' }, noOidc).authorityHost).toBe(
      'https://login.chinacloudapi.cn'
    );
    expect(parseLoginOptions({ ...base, ...sp, environment: 'azureusgovernment' }, noOidc).authorityHost).toBe(
      'https://login.microsoftonline.us'
    );
    expect(parseLoginOptions({ ...base, ...sp, 'authority-host': 'https://127.0.0.1:8443/' }, noOidc).authorityHost).toBe(
      'https://127.0.0.1:8443'
    );
  });

  it('checks registries before anything else', () => {
    expect(() => parseLoginOptions({ registry: 'docker.io', username: 'u', password: 'p' }, noOidc)).toThrow(
      "registry 'docker.io' refused"
    );
  });
});

describe('INPUT_NAMES', () => {
  it('are exactly the inputs action.yml declares, so every adapter reads them all', () => {
    const actionYml = readFileSync(join(__dirname, '..', '..', 'action.yml'), 'utf8');
    const inputsBlock = actionYml.split(/^inputs:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
    const declared = [...inputsBlock.matchAll(/^ {2}([a-z-]+):\s*$/gm)].map((match) => match[1]);
    expect(declared).toEqual([...INPUT_NAMES]);
  });
});
