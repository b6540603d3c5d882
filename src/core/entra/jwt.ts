/** The claims of a JWT, read without verifying it: only to learn what the issuer said (exp, tid, oid). */
export function readClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The `exp` claim as a date; undefined when absent or not a representable date. */
export function expiryOf(token: string): Date | undefined {
  const exp = readClaims(token).exp;
  if (typeof exp !== 'number') return undefined;
  const date = new Date(exp * 1000);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

/**
 * How long a token just received is valid by its issuer's own clock: `exp - iat`, else `exp` less the
 * server's `Date` (ms since the epoch); undefined when neither tells. Counted from when it arrived, this is
 * its expiry by this machine's clock, however far that clock is from the issuer's.
 */
export function lifetimeOf(token: string, serverDate?: number): number | undefined {
  const { exp, iat } = readClaims(token);
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  if (typeof iat === 'number' && Number.isFinite(iat)) return (exp - iat) * 1000;
  if (serverDate !== undefined && Number.isFinite(serverDate)) return exp * 1000 - serverDate;
  return undefined;
}
