// The cast reached by the names the product really uses: Entra ID at its cloud's authority host
// (`login.chinacloudapi.cn`), the registry at `contosoreg.azurecr.cn`, GitHub's and Azure DevOps' OIDC endpoints,
// each https on port 443 of a loopback address of its own, with a certificate for its name from the test CA.
// Names resolve only from this world's hosts file: in the product's processes through the resolver hook, in
// squid (which skopeo pushes through) from its hosts_file. No test edits /etc/hosts; nothing leaves the machine.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcrStandIn } from './acr';
import { AdoOidcStandIn } from './ado-oidc';
import type { TestCloud } from './clouds';
import { EntraStandIn } from './entra';
import { GitHubOidcStandIn } from './github-oidc';
import type { NamedEndpoint, ServerTls } from './http-util';
import { buildImage, type OciImage } from './image';
import { signatureSegment } from './jwt';
import { ImdsStandIn } from './managed-identity';
import { createClientCertificate, createPki, issueServerCertificate, pemSecretLines, type ClientCertificate } from './pki';
import { startProxy, type TestProxy } from './proxy';
import { RequestLog } from './request-log';
import { resolverHookEnv, writeHostsFile, type Hosts } from './resolver-hook-env';
import { push as skopeoPush, writeAuthFile, type SkopeoResult } from './skopeo';

export const GITHUB_OIDC_NAME = 'pipelinesghubeus1.actions.githubusercontent.com';
export const AZURE_DEVOPS_NAME = 'dev.azure.com';
/** The registry's name; its login server is this + the cloud's suffix. */
export const REGISTRY_NAME = 'contosoreg';

export interface NamedApp {
  clientId: string;
  objectId: string;
}

export interface NamedWorld {
  cloud: TestCloud;
  dir: string;
  caCertPath: string;
  requests: RequestLog;
  /** Every name of this world and the loopback address it listens on. */
  hosts: Hosts;
  /** The hosts file holding `hosts` (what the resolver hook reads). */
  hostsFile: string;
  entra: EntraStandIn;
  tenantId: string;
  secretApp: NamedApp & { secret: string };
  certApp: NamedApp & { certificate: ClientCertificate };
  /** Federated credentials for the GitHub job and the Azure DevOps connection, with the cloud's federated audience. */
  federatedApp: NamedApp;
  systemAssigned: NamedApp;
  github: GitHubOidcStandIn;
  ado: AdoOidcStandIn & { serviceConnectionId: string; serviceConnectionName: string };
  imds: ImdsStandIn;
  acr: AcrStandIn;
  /** `contosoreg.azurecr.cn` */
  loginServer: string;
  /** A repository-scoped token with push and pull on `repository`. */
  scopedToken: { username: string; password: string; repository: string };
  /** squid resolving from this world's hosts file: skopeo pushes through it. */
  proxy: TestProxy;
  image: OciImage;
  /** What a product process needs to reach this world by name: the test CA and the resolver hook with these hosts. */
  productEnv(): Record<string, string>;
  secrets(): string[];
  writeAuthFile(username: string, password: string): Promise<string>;
  /** skopeo copy of the image to <loginServer>/<repository>, through the proxy; never throws. */
  push(authFile: string, repository: string): Promise<SkopeoResult>;
  close(): Promise<void>;
}

/** A loopback address of its own for each name (127.0.0.0/8 is all on lo): every stand-in can have port 443. */
function loopbackAddresses(names: string[]): Hosts {
  const taken = new Set<string>();
  const hosts: Hosts = {};
  for (const name of names) {
    let address: string;
    do address = `127.${randomInt(16, 250)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    while (taken.has(address));
    taken.add(address);
    hosts[name] = address;
  }
  return hosts;
}

function clientSecret(): string {
  return `${randomBytes(3).toString('hex').slice(0, 3)}8Q~${randomBytes(26).toString('base64url').slice(0, 34)}`;
}

export async function startNamedWorld(cloud: TestCloud, options: { keepDir?: boolean } = {}): Promise<NamedWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'acr-login-named-world-'));
  const requests = new RequestLog();
  const closers: (() => Promise<void>)[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.allSettled(closers.splice(0).map((close) => close()));
    if (!options.keepDir && process.env['ACR_LOGIN_KEEP_WORLD'] !== '1') await rm(dir, { recursive: true, force: true });
  };
  try {
    const loginServer = `${REGISTRY_NAME}${cloud.registrySuffix}`;
    const names = [cloud.authorityName, loginServer, GITHUB_OIDC_NAME, AZURE_DEVOPS_NAME];
    const hosts = loopbackAddresses(names);
    for (const alias of cloud.authorityAliases) hosts[alias] = hosts[cloud.authorityName] as string;
    const [pki, certificate, image] = await Promise.all([
      createPki(join(dir, 'pki')),
      createClientCertificate(join(dir, 'client-certs'), 'cert-app'),
      buildImage(join(dir, 'image'), 'v1')
    ]);
    const server = await issueServerCertificate(
      pki.dir,
      pki,
      'named',
      cloud.authorityName,
      Object.keys(hosts).map((name) => `DNS:${name}`)
    );
    const tls: ServerTls = { serverKeyPem: server.keyPem, serverCertPem: server.certPem };
    const at = (name: string): { host: string; named: NamedEndpoint } => ({
      host: hosts[name] as string,
      named: { name, port: 443, tls }
    });
    const hostsFile = await writeHostsFile(join(dir, 'hosts'), hosts);

    const entra = await EntraStandIn.start({ pki, log: requests, cloud, ...at(cloud.authorityName) });
    closers.push(() => entra.close());
    const tenantId = randomUUID();
    entra.addTenant(tenantId, { displayName: 'Contoso', domains: ['contoso.onmicrosoft.com'] });
    const systemAssigned = { clientId: randomUUID(), objectId: randomUUID() };

    const [github, adoBase, imds, acr, proxy] = await Promise.all([
      GitHubOidcStandIn.start({ pki, log: requests, entra, ...at(GITHUB_OIDC_NAME) }),
      AdoOidcStandIn.start({ pki, log: requests, entra, audience: cloud.federatedAudience, ...at(AZURE_DEVOPS_NAME) }),
      ImdsStandIn.start({ log: requests, entra, tenantId, systemAssigned }),
      AcrStandIn.start({ dir: join(dir, 'acr'), log: requests, entra, allowArmTokens: true, ...at(loginServer) }),
      startProxy({ hosts })
    ]);
    closers.push(
      () => github.close(),
      () => adoBase.close(),
      () => imds.close(),
      () => acr.close(),
      () => proxy.stop()
    );
    const serviceConnectionName = 'acr-push';
    const serviceConnectionId = adoBase.addServiceConnection(serviceConnectionName);
    const ado = Object.assign(adoBase, { serviceConnectionId, serviceConnectionName });

    const secretApp = { clientId: randomUUID(), objectId: randomUUID(), secret: clientSecret() };
    const certApp = { clientId: randomUUID(), objectId: randomUUID(), certificate };
    const federatedApp = { clientId: randomUUID(), objectId: randomUUID() };
    entra.addApplication(tenantId, { ...secretApp, displayName: 'secret app' });
    entra.addApplication(tenantId, { ...certApp, displayName: 'certificate app', certificatePem: certificate.certPem });
    entra.addApplication(tenantId, {
      ...federatedApp,
      displayName: 'federated app',
      federatedCredentials: [
        { name: 'github-main', issuer: github.issuer, subject: github.defaultSubject, audience: cloud.federatedAudience },
        { name: 'ado-acr-push', issuer: ado.issuer, subject: ado.subjectFor(serviceConnectionName), audience: cloud.federatedAudience }
      ]
    });
    for (const who of [secretApp, certApp, federatedApp, systemAssigned]) acr.assignRole(who.objectId, 'AcrPush');
    const scopedToken = { username: 'ci-scoped-token', password: randomBytes(33).toString('base64'), repository: 'scoped/app' };
    acr.addScopedToken(scopedToken.username, scopedToken.password, [{ repository: scopedToken.repository, actions: ['pull', 'push'] }]);

    let authFiles = 0;
    return {
      cloud,
      dir,
      caCertPath: pki.caCertPath,
      requests,
      hosts,
      hostsFile,
      entra,
      tenantId,
      secretApp,
      certApp,
      federatedApp,
      systemAssigned,
      github,
      ado,
      imds,
      acr,
      loginServer,
      scopedToken,
      proxy,
      image,
      productEnv: () => ({ NODE_EXTRA_CA_CERTS: pki.caCertPath, ...resolverHookEnv(hostsFile) }),
      secrets() {
        const all = [
          secretApp.secret,
          ...pemSecretLines(certificate.keyPem),
          ...entra.secrets(),
          ...github.secrets(),
          ...ado.secrets(),
          ...imds.secrets(),
          ...acr.secrets()
        ];
        const withSignatures = all.flatMap((secret) => {
          const signature = signatureSegment(secret);
          return signature && signature.length >= 40 ? [secret, signature] : [secret];
        });
        return [...new Set(withSignatures)].filter((secret) => secret.length >= 8);
      },
      writeAuthFile(username, password) {
        authFiles += 1;
        return writeAuthFile(join(dir, 'auth', `config-${authFiles}.json`), loginServer, username, password);
      },
      push(authFile, repository) {
        return skopeoPush(authFile, loginServer, repository, image.tag, image.dir, {
          workDir: join(dir, 'skopeo'),
          env: { HTTPS_PROXY: proxy.url }
        });
      },
      close: cleanup
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
