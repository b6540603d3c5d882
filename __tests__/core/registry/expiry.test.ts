import { lifetimeOf } from '../../../src/core/entra/jwt';
import { refreshTokenProblem, validForMs } from '../../../src/core/registry/exchange';

const jwt = (claims: Record<string, unknown>): string =>
  ['{"alg":"none"}', JSON.stringify(claims)].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';
const now = Math.floor(Date.now() / 1000);

describe('a refresh token judged by its own lifetime', () => {
  it('lifetimeOf: exp - iat, else exp less the server Date, else unknown', () => {
    expect(lifetimeOf(jwt({ iat: 1000, exp: 1000 + 10800 }))).toBe(10800000);
    expect(lifetimeOf(jwt({ exp: 20000 }), 15000 * 1000)).toBe(5000000);
    expect(lifetimeOf(jwt({ exp: 20000 }))).toBeUndefined();
    expect(lifetimeOf(jwt({ iat: 1 }))).toBeUndefined();
  });

  it('a token just issued by a registry whose clock is 4 h behind this one is fresh for its 3 hours', () => {
    const issuedByRegistry = jwt({ iat: now - 4 * 3600, exp: now - 4 * 3600 + 3 * 3600 });
    expect(refreshTokenProblem(issuedByRegistry, {})).toBeUndefined();
    expect(validForMs(issuedByRegistry, {})).toBe(3 * 3600 * 1000);
    // Of unknown age (a token handed to the helper's store), this machine's clock is all there is.
    expect(refreshTokenProblem(issuedByRegistry)).toMatch(/^expired 360[01] s ago \(by this machine's clock\)$/);
  });

  it('a token that expired before it was issued, or lives more than 7 days, is refused', () => {
    expect(refreshTokenProblem(jwt({ iat: now, exp: now - 10 }), {})).toBe("expired 10 s before it was issued (by the registry's clock)");
    expect(refreshTokenProblem(jwt({ iat: now, exp: now + 8 * 86400 }), {})).toMatch(/more than the 7 a registry grants/);
    expect(refreshTokenProblem(jwt({ exp: now + 60 }), { serverDate: (now + 120) * 1000 })).toMatch(/^expired 60 s before it was issued/);
  });
});
