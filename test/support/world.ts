// The whole cast, started in a fresh temp dir: Entra, GitHub and Azure DevOps OIDC, IMDS, App Service, two registries.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcrStandIn } from './acr';
import { AdoOidcStandIn } from './ado-oidc';
import { Blackhole } from './blackhole';
import { EntraStandIn } from './entra';
import { GitHubOidcStandIn } from './github-oidc';
import { buildImage, type OciImage } from './image';
import { AppServiceStandIn, ImdsStandIn } from './managed-identity';
import { createClientCertificate, createPki, issueServerCertificate, pemSecretLines, type ClientCertificate, type Pki } from './pki';
import { behindNetwork, type NamedEndpoint } from './http-util';
import { writeHostsFile } from './resolver-hook-env';
import type { SimulatedNetwork } from './network-relay';
import { RequestLog } from './request-log';
import { push as skopeoPush, pull as skopeoPull, writeAuthFile as writeDockerAuthFile, type SkopeoResult } from './skopeo';
import { signatureSegment } from './jwt';
import { secondLoopbackAddress } from './standin-platform';

export interface SecretApp {
  clientId: string;
  objectId: string;
  secret: string;
}

export interface CertApp {
  clientId: string;
  objectId: string;
  certificate: ClientCertificate;
}

export interface FederatedApp {
  clientId: string;
  objectId: string;
}

export interface RegistryRef {
  /** `127.0.0.1:PORT` / `127.0.0.2:PORT` (`127.0.0.1:PORT` where only 127.0.0.1 answers: standin-platform.ts) */
  loginServer: string;
  /** `http://<loginServer>` */
  url: string;
  host: string;
  port: number;
  /** The stand-in itself (roles, scoped tokens, admin user, registry process). */
  acr: AcrStandIn;
}

export interface World {
  dir: string;
  caCertPath: string;
  requests: RequestLog;
  /** The simulated network the stand-ins are behind, when one was asked for. */
  network: SimulatedNetwork | undefined;
  /**
   * With `publicAuthority`: the hosts file that resolves the public cloud's authority host to the Entra stand-in (give
   * it to the product's processes with resolverHookEnv); the product then needs no authority-host input.
   */
  authorityHostsFile: string | undefined;
  entra: EntraStandIn;
  tenantId: string;
  otherTenantIdThatDoesNotExist: string;
  /** Same as otherTenantIdThatDoesNotExist. */
  unknownTenantId: string;
  secretApp: SecretApp;
  certApp: CertApp;
  federatedApp: FederatedApp;
  /** Valid secret, no role on any registry. */
  noRoleApp: SecretApp;
  systemAssigned: { clientId: string; objectId: string };
  userAssigned: { clientId: string; objectId: string; resourceId: string };
  github: GitHubOidcStandIn;
  ado: AdoOidcStandIn & { serviceConnectionId: string; serviceConnectionName: string };
  imds: ImdsStandIn;
  appService: AppServiceStandIn;
  registries: { armAllowed: RegistryRef; armRefused: RegistryRef };
  /** Push/pull on `repository` only, on both registries. */
  scopedToken: { username: string; password: string; repository: string };
  /** Admin user, enabled on both registries. */
  admin: { username: string; password: string };
  blackhole: Blackhole;
  /** The OCI layout skopeo pushes. */
  image: OciImage;
  /** Every secret known to or issued by any stand-in, for leak scans (whole tokens and their signature segments). */
  secrets(): string[];
  /** Write a docker config.json for one registry; returns its path. */
  writeAuthFile(registry: { loginServer: string }, username: string, password: string): Promise<string>;
  /** skopeo copy of `image` to <loginServer>/<repository>:<tag>; resolves { ok:false } on denial, never throws. */
  push(authFile: string, registry: { loginServer: string }, repository: string, tag?: string): Promise<SkopeoResult>;
  pull(authFile: string, registry: { loginServer: string }, repository: string, tag?: string): Promise<SkopeoResult>;
  close(): Promise<void>;
}

/** An Entra-looking client secret (40 chars, `8Q~` marker). */
function clientSecret(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-';
  const bytes = randomBytes(37);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length] ?? 'x');
  return `${chars.slice(0, 3).join('')}8Q~${chars.slice(3, 37).join('')}`;
}

export interface StartWorldOptions {
  /** Keep the temp dir after close (diagnosis). Also when ACR_LOGIN_KEEP_WORLD=1. */
  keepDir?: boolean;
  /** Every stand-in behind a relay of this network (a simulated distance; counts connections and round trips). */
  network?: SimulatedNetwork;
  /**
   * Entra ID at the public cloud's authority host, https://login.microsoftonline.com (port 443 of a loopback address of
   * its own, a certificate for the name), as a login with the default inputs reaches it: MSAL then knows the
   * authority's metadata and asks for none. Reached only through `authorityHostsFile` and the resolver hook.
   */
  publicAuthority?: boolean;
}

export const PUBLIC_AUTHORITY_HOST = 'login.microsoftonline.com';

async function publicAuthority(dir: string, pki: Pki): Promise<{ host: string; named: NamedEndpoint; hostsFile: string }> {
  const host = `127.${randomInt(16, 250)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  const server = await issueServerCertificate(pki.dir, pki, 'public-authority', PUBLIC_AUTHORITY_HOST, [`DNS:${PUBLIC_AUTHORITY_HOST}`]);
  const hostsFile = await writeHostsFile(join(dir, 'hosts'), { [PUBLIC_AUTHORITY_HOST]: host });
  return {
    host,
    named: { name: PUBLIC_AUTHORITY_HOST, port: 443, tls: { serverKeyPem: server.keyPem, serverCertPem: server.certPem } },
    hostsFile
  };
}

export function startWorld(options: StartWorldOptions = {}): Promise<World> {
  return behindNetwork(options.network, () => startWorldHere(options));
}

async function startWorldHere(options: StartWorldOptions): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'acr-login-world-'));
  const requests = new RequestLog();
  const closers: (() => Promise<void>)[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.allSettled(closers.splice(0).map((c) => c()));
    await options.network?.close();
    if (!options.keepDir && process.env['ACR_LOGIN_KEEP_WORLD'] !== '1') await rm(dir, { recursive: true, force: true });
  };
  try {
    const [pki, certificate, blackhole, image] = await Promise.all([
      createPki(join(dir, 'pki')),
      createClientCertificate(join(dir, 'client-certs'), 'cert-app'),
      Blackhole.start('127.0.0.1'),
      buildImage(join(dir, 'image'), 'v1')
    ]);
    closers.push(() => blackhole.close());

    const authority = options.publicAuthority ? await publicAuthority(dir, pki) : undefined;
    const entra = await EntraStandIn.start({ pki, log: requests, ...(authority ? { host: authority.host, named: authority.named } : {}) });
    closers.push(() => entra.close());
    const tenantId = randomUUID();
    entra.addTenant(tenantId, { displayName: 'Contoso', domains: ['contoso.onmicrosoft.com'] });

    const systemAssigned = { clientId: randomUUID(), objectId: randomUUID() };
    const userAssigned = {
      clientId: randomUUID(),
      objectId: randomUUID(),
      resourceId: `/subscriptions/${randomUUID()}/resourceGroups/ci/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acr-pusher`
    };
    const miOptions = { log: requests, entra, tenantId, systemAssigned, userAssigned: [userAssigned] };

    const [github, adoBase, imds, appService, armAllowed, armRefused] = await Promise.all([
      GitHubOidcStandIn.start({ pki, log: requests, entra }),
      AdoOidcStandIn.start({ pki, log: requests, entra }),
      ImdsStandIn.start(miOptions),
      AppServiceStandIn.start(miOptions),
      AcrStandIn.start({ dir: join(dir, 'acr-arm-allowed'), log: requests, entra, host: '127.0.0.1', allowArmTokens: true }),
      AcrStandIn.start({ dir: join(dir, 'acr-arm-refused'), log: requests, entra, host: secondLoopbackAddress(), allowArmTokens: false })
    ]);
    closers.push(
      () => github.close(),
      () => adoBase.close(),
      () => imds.close(),
      () => appService.close(),
      () => armAllowed.close(),
      () => armRefused.close()
    );

    const serviceConnectionName = 'acr-push';
    const serviceConnectionId = adoBase.addServiceConnection(serviceConnectionName);
    const ado = Object.assign(adoBase, { serviceConnectionId, serviceConnectionName });

    const secretApp: SecretApp = { clientId: randomUUID(), objectId: randomUUID(), secret: clientSecret() };
    const noRoleApp: SecretApp = { clientId: randomUUID(), objectId: randomUUID(), secret: clientSecret() };
    const certApp: CertApp = { clientId: randomUUID(), objectId: randomUUID(), certificate };
    const federatedApp: FederatedApp = { clientId: randomUUID(), objectId: randomUUID() };
    entra.addApplication(tenantId, { ...secretApp, displayName: 'acr-login secret app' });
    entra.addApplication(tenantId, { ...noRoleApp, displayName: 'acr-login app without roles' });
    entra.addApplication(tenantId, {
      clientId: certApp.clientId,
      objectId: certApp.objectId,
      displayName: 'acr-login certificate app',
      certificatePem: certificate.certPem
    });
    entra.addApplication(tenantId, {
      ...federatedApp,
      displayName: 'acr-login federated app',
      federatedCredentials: [
        { name: 'github-main', issuer: github.issuer, subject: github.defaultSubject, audience: 'api://AzureADTokenExchange' },
        { name: 'ado-acr-push', issuer: ado.issuer, subject: ado.subjectFor(serviceConnectionName), audience: 'api://AzureADTokenExchange' }
      ]
    });

    const scopedToken = { username: 'ci-scoped-token', password: randomBytes(33).toString('base64'), repository: 'scoped/only-here' };
    const admin = { username: 'contosoregistry', password: randomBytes(33).toString('base64') };
    for (const acr of [armAllowed, armRefused]) {
      for (const who of [secretApp, certApp, federatedApp, systemAssigned, userAssigned]) acr.assignRole(who.objectId, 'AcrPush');
      acr.addScopedToken(scopedToken.username, scopedToken.password, [{ repository: scopedToken.repository, actions: ['pull', 'push'] }]);
      acr.enableAdminUser(admin.username, admin.password);
    }
    const ref = (acr: AcrStandIn): RegistryRef => ({ loginServer: acr.loginServer, url: acr.url, host: acr.host, port: acr.port, acr });
    const registries = { armAllowed: ref(armAllowed), armRefused: ref(armRefused) };

    const unknownTenantId = randomUUID();
    let authFiles = 0;
    const skopeoOpts = { workDir: join(dir, 'skopeo') };
    const world: World = {
      dir,
      caCertPath: pki.caCertPath,
      requests,
      network: options.network,
      authorityHostsFile: authority?.hostsFile,
      entra,
      tenantId,
      otherTenantIdThatDoesNotExist: unknownTenantId,
      unknownTenantId,
      secretApp,
      certApp,
      federatedApp,
      noRoleApp,
      systemAssigned,
      userAssigned,
      github,
      ado,
      imds,
      appService,
      registries,
      scopedToken,
      admin,
      blackhole,
      image,
      secrets() {
        const all = [
          secretApp.secret,
          noRoleApp.secret,
          ...pemSecretLines(certificate.keyPem),
          scopedToken.password,
          admin.password,
          ...entra.secrets(),
          ...github.secrets(),
          ...ado.secrets(),
          ...imds.secrets(),
          ...appService.secrets(),
          ...armAllowed.secrets(),
          ...armRefused.secrets()
        ];
        const withSignatures = all.flatMap((s) => {
          const sig = signatureSegment(s);
          return sig && sig.length >= 40 ? [s, sig] : [s];
        });
        return [...new Set(withSignatures)].filter((s) => s.length >= 8);
      },
      writeAuthFile(registry, username, password) {
        authFiles += 1;
        return writeDockerAuthFile(join(dir, 'auth', `config-${authFiles}.json`), registry.loginServer, username, password);
      },
      push(authFile, registry, repository, tag = image.tag) {
        return skopeoPush(authFile, registry.loginServer, repository, tag, image.dir, skopeoOpts, image.tag);
      },
      pull(authFile, registry, repository, tag = image.tag) {
        authFiles += 1;
        return skopeoPull(authFile, registry.loginServer, repository, tag, join(dir, 'pulled', String(authFiles)), skopeoOpts);
      },
      close: cleanup
    };
    return world;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
