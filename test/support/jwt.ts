// Compact JWS: sign (RS256), verify (RS256 / PS256), decode. node:crypto only.
import { constants, createHash, createPublicKey, createSign, createVerify, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

export type JwtAlgorithm = 'RS256' | 'PS256';

export interface JwtHeader {
  alg: string;
  typ?: string;
  kid?: string;
  x5t?: string;
  'x5t#S256'?: string;
  x5c?: string[];
  [extra: string]: unknown;
}

export type JwtPayload = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  signingInput: string;
  signature: Buffer;
}

export type JwtErrorReason = 'malformed' | 'algorithm' | 'signature';

export class JwtError extends Error {
  constructor(
    readonly reason: JwtErrorReason,
    message: string
  ) {
    super(message);
    this.name = 'JwtError';
  }
}

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sign `payload` with RS256. `header` extras (kid, x5t, x5c, typ …) are merged into `{alg:'RS256', typ:'JWT'}`. */
export function signJwt(payload: JwtPayload, privateKey: KeyObject, header: Partial<JwtHeader> = {}): string {
  const fullHeader: JwtHeader = { typ: 'JWT', ...header, alg: 'RS256' };
  const signingInput = `${base64url(JSON.stringify(fullHeader))}.${base64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

/** Parse without verifying. Throws JwtError('malformed'). */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw new JwtError('malformed', 'not a compact JWS');
  }
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed', 'header or payload is not JSON');
  }
  if (!isRecord(header) || typeof header['alg'] !== 'string' || !isRecord(payload)) {
    throw new JwtError('malformed', 'header or payload is not a JSON object');
  }
  return { header: header as JwtHeader, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/**
 * Verify the signature (RS256 or PS256 with salt length = 32 as RFC 7518 §3.5 requires) and return the decoded token.
 * Only the signature: time and audience checks are the caller's (each service words those errors its own way).
 */
export function verifyJwt(token: string, key: KeyObject | string, algorithms: readonly JwtAlgorithm[] = ['RS256']): DecodedJwt {
  const decoded = decodeJwt(token);
  const alg = decoded.header.alg;
  if (!(algorithms as readonly string[]).includes(alg)) {
    throw new JwtError('algorithm', `algorithm ${alg} not accepted (want ${algorithms.join(', ')})`);
  }
  const publicKey = typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key;
  const verifier = createVerify('RSA-SHA256').update(decoded.signingInput);
  const ok =
    alg === 'PS256'
      ? verifier.verify(
          { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
          decoded.signature
        )
      : verifier.verify(publicKey, decoded.signature);
  if (!ok) throw new JwtError('signature', 'signature verification failed');
  return decoded;
}

/** 'expired' / 'not-yet-valid' / undefined for a payload's exp / nbf against now (seconds), with leeway. */
export function checkTimes(payload: JwtPayload, nowSeconds: number, leewaySeconds = 0): 'expired' | 'not-yet-valid' | 'no-exp' | undefined {
  const exp = payload['exp'];
  const nbf = payload['nbf'];
  if (typeof exp !== 'number') return 'no-exp';
  if (nowSeconds > exp + leewaySeconds) return 'expired';
  if (typeof nbf === 'number' && nowSeconds + leewaySeconds < nbf) return 'not-yet-valid';
  return undefined;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** base64url SHA-256 of the SubjectPublicKeyInfo DER, shortened: a stable key id. */
  kid: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey, kid: keyId(publicKey) };
}

export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return base64url(createHash('sha256').update(der).digest()).slice(0, 27);
}

/** The signature segment of a compact JWS (useful for leak scans of truncated tokens). */
export function signatureSegment(token: string): string | undefined {
  const parts = token.split('.');
  return parts.length === 3 && parts[2] ? parts[2] : undefined;
}

/** A signing key that signs tokens as an issuer does (`kid` and `x5t` headers) and remembers each one for leak scans. */
export class TokenIssuer {
  private readonly signed: string[] = [];

  constructor(readonly key: SigningKey) {}

  sign(claims: JwtPayload): string {
    const token = signJwt(claims, this.key.privateKey, { kid: this.key.kid, x5t: this.key.kid });
    this.signed.push(token);
    return token;
  }

  /** Every token signed so far. */
  get tokens(): string[] {
    return [...this.signed];
  }
}
