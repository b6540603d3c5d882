import {
  cachedRefreshToken,
  cacheIdentityOf,
  dockerConfigPath,
  HELPER_EXECUTABLE,
  helperSettingsPathFor,
  readHelperSettings,
  removeCachedTokens,
  storeRefreshToken,
  TOKEN_USERNAME,
  tokenCacheDirFor
} from '../core';
import { describeError, LoginError } from '../lib/errors';
import { exitSoon } from '../lib/exit-soon';
import { readStdin } from '../lib/stdin';
import { version } from '../../package.json';
import { settingsFromEnvironment, signInAgain } from './sign-in';

/** The answer docker, podman, buildah and skopeo take as "no credentials here, go on without". */
const NOT_FOUND = 'credentials not found in native keychain';

class NotFound extends Error {}

/**
 * The docker credential-helper protocol: the action as the only argument, the request on stdin, the
 * answer (or the error) on stdout. The settings and tokens are those of the docker config the caller
 * uses (DOCKER_CONFIG, as docker passes its environment on): each job keeps its own.
 */
async function run(action: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  const configPath = dockerConfigPath(env);
  const settingsPath = helperSettingsPathFor(env, configPath);
  const cacheDir = tokenCacheDirFor(env, configPath);
  switch (action) {
    case 'get': {
      const serverURL = (await readStdin()).trim();
      const server = hostOf(serverURL);
      const settings = (await readHelperSettings(settingsPath))[server] ?? settingsFromEnvironment(server, env);
      if (!settings) throw new NotFound();
      const token = await cachedRefreshToken(
        cacheDir,
        server,
        cacheIdentityOf(settings),
        () => signInAgain(server, settings, env),
        // Only the cache is unusable (a full disk): the answer still goes out, the reason on stderr.
        (message) => process.stderr.write(`${HELPER_EXECUTABLE}: warning: ${message.replace(/[\r\n]+/g, ' ')}\n`)
      );
      return `${JSON.stringify({ ServerURL: serverURL, Username: TOKEN_USERNAME, Secret: token.refreshToken })}\n`;
    }
    case 'store': {
      const request = parseStore(await readStdin());
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
      await removeCachedTokens(cacheDir, [hostOf((await readStdin()).trim())]);
      return '';
    case 'list': {
      const servers = Object.keys(await readHelperSettings(settingsPath));
      return `${JSON.stringify(Object.fromEntries(servers.map((server) => [server, TOKEN_USERNAME])))}\n`;
    }
    case 'version':
      return `${HELPER_EXECUTABLE} (acr-login) ${version}\n`;
    default:
      throw new LoginError(
        action ? `Unknown credential action \`${action}\`` : `Usage: ${HELPER_EXECUTABLE} <store|get|erase|list|version>`
      );
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

run(process.argv.length === 3 ? process.argv[2] : undefined, process.env)
  .then((answer) => process.stdout.write(answer))
  .catch((error: unknown) => {
    process.stdout.write(`${error instanceof NotFound ? NOT_FOUND : describeError(error)}\n`);
    process.exitCode = 1;
  })
  .finally(exitSoon);
