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
