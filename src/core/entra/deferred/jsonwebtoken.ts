// What `jsonwebtoken` resolves to in this project (tsconfig.json "paths"). MSAL imports it at start-up for one
// call, `sign`, which it makes only to sign a certificate's client assertion. Evaluating jsonwebtoken (and
// semver, whose ranges it parses at import) cost every Entra login about 9 ms of CPU before its first request
// (docs/performance.md); here the real `sign` is loaded the first time a certificate is used.

type Sign = (payload: object, key: unknown, options: object) => string;

let loaded: Sign | undefined;

function sign(payload: object, key: unknown, options: object): string {
  // A path other than the bare name, so that it does not resolve back to this module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('jsonwebtoken/sign.js') as Sign;
  return loaded(payload, key, options);
}

export default { sign };
