import { LoginError } from '../../lib/errors';
import { dockerConfigPath } from '../docker/config';
import { HELPER_EXECUTABLE } from '../docker/cred-helpers';
import { TOKEN_USERNAME, type RegistryCredential } from '../registry/exchange';
import { helperSettingsPathFor, tokenCacheDirFor } from './paths';
import { cacheIdentityOf, readHelperSettings, type HelperSettings } from './settings';
import { cachedRefreshToken, removeCachedTokens, storeRefreshToken } from './token-cache';

/** What the credential helper's adapter gives the use case: the environment docker ran it with, and how to sign in. */
export interface CredentialHelperHost {
  env: NodeJS.ProcessEnv;
  /** Settings for a server `login: helper` never recorded, from the environment alone; undefined when it names none. */
  settingsFromEnvironment(server: string): HelperSettings | undefined;
  /** A new ACR refresh token for the server, signing in as the settings say. */
  signInAgain(server: string, settings: HelperSettings): Promise<RegistryCredential>;
  /** The cache is unusable (a full disk): the answer still goes out, this says why. */
  warning(message: string): void;
}

/**
 * One request (get, store, erase, list) of the docker credential-helper protocol: `input` is what came on stdin; the answer is what goes to
 * stdout, or undefined for "no credentials here". The settings and tokens are those of the docker config the caller
 * uses (DOCKER_CONFIG, as docker passes its environment on): each job keeps its own. A `get` renews the token when
 * less than 10 minutes are left, under the cache entry's lock.
 */
export async function answerCredentialRequest(action: string, input: string, host: CredentialHelperHost): Promise<string | undefined> {
  const configPath = dockerConfigPath(host.env);
  const settingsPath = helperSettingsPathFor(host.env, configPath);
  const cacheDir = tokenCacheDirFor(host.env, configPath);
  switch (action) {
    case 'get': {
      const serverURL = input.trim();
      const server = hostOf(serverURL);
      const settings = (await readHelperSettings(settingsPath))[server] ?? host.settingsFromEnvironment(server);
      if (!settings) return undefined;
      const token = await cachedRefreshToken(
        cacheDir,
        server,
        cacheIdentityOf(settings),
        () => host.signInAgain(server, settings),
        (message) => host.warning(message)
      );
      return `${JSON.stringify({ ServerURL: serverURL, Username: TOKEN_USERNAME, Secret: token.refreshToken })}\n`;
    }
    case 'store': {
      const request = parseStore(input);
      const server = hostOf(request.ServerURL);
      const settings = (await readHelperSettings(settingsPath))[server];
      if (!settings || request.Username !== TOKEN_USERNAME) {
        throw new LoginError(
          `${HELPER_EXECUTABLE} keeps only ACR refresh tokens of registries set up with acr-login --login helper; it signs in by itself, so docker login is not needed for ${server}`
        );
      }
      await storeRefreshToken(cacheDir, server, cacheIdentityOf(settings), request.Secret);
      return '';
    }
    case 'erase':
      await removeCachedTokens(cacheDir, [hostOf(input.trim())]);
      return '';
    case 'list': {
      const servers = Object.keys(await readHelperSettings(settingsPath));
      return `${JSON.stringify(Object.fromEntries(servers.map((server) => [server, TOKEN_USERNAME])))}\n`;
    }
    default:
      throw new LoginError(`Unknown credential action \`${action}\``);
  }
}

/**
 * docker sends the bare host (`myreg.azurecr.io`, `127.0.0.1:5000`); older clients a URL; an image
 * named `myreg.azurecr.io:443/app` the host with the https port, which names the same registry.
 */
function hostOf(serverURL: string): string {
  if (!serverURL) throw new LoginError('no credentials server URL');
  const plainHttp = /^http:\/\//i.test(serverURL);
  const withoutScheme = serverURL.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const host = (withoutScheme.split('/')[0] ?? '').toLowerCase();
  return plainHttp ? host : host.replace(/:443$/, '');
}

function parseStore(text: string): { ServerURL: string; Username: string; Secret: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LoginError('store expects the JSON {"ServerURL","Username","Secret"} on standard input');
  }
  const fields = (parsed ?? {}) as Record<string, unknown>;
  const field = (name: string): string => (typeof fields[name] === 'string' ? (fields[name] as string) : '');
  if (!field('ServerURL')) throw new LoginError('no credentials server URL');
  if (!field('Username')) throw new LoginError('no credentials username');
  return { ServerURL: field('ServerURL'), Username: field('Username'), Secret: field('Secret') };
}
