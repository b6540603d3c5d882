// A small registry client in node, for systems without skopeo: the registry token flow as docker runs it
// (GET /v2/ → 401 with a Bearer challenge → the challenge's realm with the credential → the request with the access
// token), then a push of an OCI layout's blobs and manifest and a pull check of the manifest by a second token.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciImage } from './image';

export interface BasicCredential {
  username: string;
  password: string;
}

export type RoundTrip = { ok: true; manifestDigest: string } | { ok: false; why: string };

interface Challenge {
  realm: string;
  service: string;
}

const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

class RoundTripFailure extends Error {}

/** `Bearer realm="…",service="…"` → its parameters. */
function bearerChallenge(header: string | null): Challenge {
  if (!header || !/^Bearer\s/i.test(header))
    throw new RoundTripFailure(`GET /v2/ did not ask for a Bearer token (WWW-Authenticate: ${header ?? 'none'})`);
  const params: Record<string, string> = {};
  for (const match of header.slice('Bearer'.length).matchAll(/([a-z]+)="([^"]*)"/gi))
    params[(match[1] ?? '').toLowerCase()] = match[2] ?? '';
  if (!params['realm'] || !params['service']) throw new RoundTripFailure(`the Bearer challenge names no realm or service: ${header}`);
  return { realm: params['realm'], service: params['service'] };
}

/** The status and a short piece of the body: what a failure message may show (never a request's credential). */
async function describe(response: Response): Promise<string> {
  const body = (await response.text()).replace(/\s+/g, ' ').slice(0, 300);
  return `${response.status}${body ? ` ${body}` : ''}`;
}

async function challengeOf(registryUrl: string): Promise<Challenge> {
  const response = await fetch(`${registryUrl}/v2/`);
  await response.arrayBuffer();
  if (response.status !== 401) throw new RoundTripFailure(`GET /v2/ without a credential answered ${response.status}, not 401`);
  return bearerChallenge(response.headers.get('www-authenticate'));
}

/** An access token for `scope` from the challenge's realm, asked with the credential as docker asks (GET, Basic). */
async function accessToken(challenge: Challenge, credential: BasicCredential, scope: string): Promise<string> {
  const url = new URL(challenge.realm);
  url.searchParams.set('service', challenge.service);
  url.searchParams.set('scope', scope);
  const basic = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
  const response = await fetch(url, { headers: { Authorization: `Basic ${basic}` } });
  if (response.status !== 200) throw new RoundTripFailure(`the token endpoint refused the credential: ${await describe(response)}`);
  const answer = (await response.json()) as { token?: string; access_token?: string };
  const token = answer.access_token ?? answer.token;
  if (!token) throw new RoundTripFailure('the token endpoint answered no token');
  return token;
}

async function pushBlob(registryUrl: string, repository: string, token: string, image: OciImage, digest: string): Promise<void> {
  const auth = { Authorization: `Bearer ${token}` };
  const head = await fetch(`${registryUrl}/v2/${repository}/blobs/${digest}`, { method: 'HEAD', headers: auth });
  if (head.status === 200) return;
  const started = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: auth });
  await started.arrayBuffer();
  const location = started.headers.get('location');
  if (started.status !== 202 || !location) throw new RoundTripFailure(`starting the upload of ${digest} answered ${started.status}`);
  const upload = new URL(location, registryUrl);
  upload.searchParams.set('digest', digest);
  const data = await readFile(join(image.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  const put = await fetch(upload, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: data });
  if (put.status !== 201) throw new RoundTripFailure(`uploading ${digest} answered ${await describe(put)}`);
}

/**
 * Pushes `image` to `<registryUrl>/<repository>:<tag>` with `credential` through the token flow, then checks with a
 * second, pull-only token that the registry serves the manifest under that tag. Never throws: a refusal at any step
 * is `{ ok: false, why }`, naming the step.
 */
export async function pushWithCredential(
  registryUrl: string,
  credential: BasicCredential,
  repository: string,
  image: OciImage,
  tag = image.tag
): Promise<RoundTrip> {
  try {
    const challenge = await challengeOf(registryUrl);
    const pushToken = await accessToken(challenge, credential, `repository:${repository}:pull,push`);
    for (const digest of [image.configDigest, image.layerDigest]) await pushBlob(registryUrl, repository, pushToken, image, digest);
    const manifest = await readFile(join(image.dir, 'blobs', 'sha256', image.manifestDigest.slice('sha256:'.length)));
    const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${pushToken}`, 'Content-Type': MANIFEST_TYPE },
      body: manifest
    });
    if (put.status !== 201) throw new RoundTripFailure(`putting the manifest answered ${await describe(put)}`);

    const pullToken = await accessToken(challenge, credential, `repository:${repository}:pull`);
    const head = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${pullToken}`, Accept: MANIFEST_TYPE }
    });
    const served = head.headers.get('docker-content-digest');
    if (head.status !== 200 || served !== image.manifestDigest) {
      throw new RoundTripFailure(`HEAD of ${repository}:${tag} answered ${head.status} with digest ${served ?? 'none'}`);
    }
    return { ok: true, manifestDigest: served };
  } catch (error) {
    if (error instanceof RoundTripFailure) return { ok: false, why: error.message };
    return { ok: false, why: `the registry could not be reached: ${(error as Error).message}` };
  }
}

/** The user name and password of a docker config `auths` entry (`auth` is base64 of `user:password`). */
export function credentialOfAuth(auth: string): BasicCredential {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error('the auths entry holds no user:password');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
