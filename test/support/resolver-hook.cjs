// Loaded into a test's child processes with NODE_OPTIONS=--require <this file> (see resolver-hook.ts): host names
// resolve ONLY from the hosts file named by ACR_LOGIN_TEST_HOSTS (`IP name [alias…]` lines, `#` comments), and every
// other name fails as an unknown name does (`getaddrinfo ENOTFOUND name`), so a request that skips the proxy or the
// stand-ins fails instead of leaving the machine. IP literals are unaffected. Covers dns.lookup (what net, tls,
// http, https and undici's fetch call), dns.promises.lookup, util.promisify(dns.lookup), and the dns.resolve* family.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload module */
'use strict';

const dns = require('node:dns');
const fs = require('node:fs');
const net = require('node:net');
const util = require('node:util');
const { syncBuiltinESMExports } = require('node:module');

const HOSTS_ENV = 'ACR_LOGIN_TEST_HOSTS';
const INSTALLED = Symbol.for('acr-login.test.resolverHook');
// libuv's UV_EAI_NONAME: the errno of a real `getaddrinfo ENOTFOUND`.
const EAI_NONAME = -3008;

/** lowercased name without a trailing dot -> [{ address, family }] in file order */
function readHosts(path) {
  const table = new Map();
  if (!path) return table;
  const text = fs.readFileSync(path, 'utf8'); // a missing file fails the process at start: loud, not silent
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [address, ...names] = line.split(/\s+/);
    const family = net.isIP(address);
    if (family === 0) throw new Error(`${HOSTS_ENV} (${path}): not an IP address: ${address}`);
    for (const name of names) {
      const key = canonical(name);
      const entries = table.get(key) ?? [];
      entries.push({ address, family });
      table.set(key, entries);
    }
  }
  return table;
}

function canonical(name) {
  return String(name).toLowerCase().replace(/\.$/, '');
}

function familyOf(value) {
  if (value === 'IPv4') return 4;
  if (value === 'IPv6') return 6;
  return typeof value === 'number' ? value : 0;
}

function dnsError(syscall, code, errno, hostname) {
  const err = new Error(`${syscall} ${code} ${hostname}`);
  err.errno = errno;
  err.code = code;
  err.syscall = syscall;
  err.hostname = hostname;
  return err;
}

function install() {
  if (globalThis[INSTALLED]) return;
  globalThis[INSTALLED] = true;
  const hosts = readHosts(process.env[HOSTS_ENV]);

  /** [{ address, family }] for `hostname` in `family` (0: any), or undefined: not known. */
  function addressesFor(hostname, family) {
    const literal = net.isIP(hostname);
    if (literal !== 0) return [{ address: hostname, family: literal }];
    const entries = (hosts.get(canonical(hostname)) ?? []).filter((e) => family === 0 || e.family === family);
    return entries.length > 0 ? entries.map((e) => ({ ...e })) : undefined;
  }

  function normalizeOptions(options) {
    if (typeof options === 'number' || typeof options === 'string') return { family: familyOf(options), all: false };
    const o = options ?? {};
    return { family: familyOf(o.family), all: o.all === true };
  }

  /** The answer lookup gives: `[err, address, family]` or `[err, addresses]` with `all`. */
  function answer(hostname, options) {
    const { family, all } = normalizeOptions(options);
    if (!hostname) return all ? [null, []] : [null, null, family === 6 ? 6 : 4];
    const found = addressesFor(hostname, family);
    if (!found) return [dnsError('getaddrinfo', 'ENOTFOUND', EAI_NONAME, hostname)];
    return all ? [null, found] : [null, found[0].address, found[0].family];
  }

  function lookup(hostname, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    const result = answer(hostname, options);
    // As getaddrinfo answers, from libuv's thread pool: when the event loop next turns, not before the code that
    // asked has run to its end (a process busy loading code takes the answer only once it lets the loop turn).
    setImmediate(() => callback(...result));
    return {};
  }

  function lookupPromise(hostname, options) {
    const [err, address, family] = answer(hostname, options);
    if (err) return Promise.reject(err);
    return Promise.resolve(Array.isArray(address) ? address : { address, family });
  }
  Object.defineProperty(lookup, util.promisify.custom, { value: lookupPromise, configurable: true });

  // dns.resolve*: A and AAAA from the hosts file, everything else "not found", as a resolver with no zone would say.
  const RRTYPE_QUERY = { A: 'queryA', AAAA: 'queryAaaa' };
  function resolveAnswer(hostname, rrtype, options) {
    const family = rrtype === 'A' ? 4 : rrtype === 'AAAA' ? 6 : 0;
    const found = family === 0 || net.isIP(hostname) ? undefined : addressesFor(hostname, family);
    if (!found) {
      const syscall = RRTYPE_QUERY[rrtype] ?? `query${rrtype.charAt(0)}${rrtype.slice(1).toLowerCase()}`;
      return [dnsError(syscall, 'ENOTFOUND', undefined, hostname)];
    }
    return [null, options?.ttl ? found.map((e) => ({ address: e.address, ttl: 0 })) : found.map((e) => e.address)];
  }
  function callbackResolver(rrtype) {
    return function resolveFromHosts(hostname, ...rest) {
      const callback = rest.pop();
      const options = rest[0];
      const type = rrtype ?? (typeof options === 'string' ? options : 'A');
      const result = resolveAnswer(hostname, type, typeof options === 'object' ? options : undefined);
      process.nextTick(() => callback(...result));
      return {};
    };
  }
  function promiseResolver(rrtype) {
    return async function resolveFromHosts(hostname, options) {
      const type = rrtype ?? (typeof options === 'string' ? options : 'A');
      const [err, records] = resolveAnswer(hostname, type, typeof options === 'object' ? options : undefined);
      if (err) throw err;
      return records;
    };
  }
  const RESOLVERS = {
    resolve: undefined,
    resolve4: 'A',
    resolve6: 'AAAA',
    resolveAny: 'ANY',
    resolveCaa: 'CAA',
    resolveCname: 'CNAME',
    resolveMx: 'MX',
    resolveNaptr: 'NAPTR',
    resolveNs: 'NS',
    resolvePtr: 'PTR',
    resolveSoa: 'SOA',
    resolveSrv: 'SRV',
    resolveTxt: 'TXT'
  };
  const patchResolvers = (target, make) => {
    for (const [name, rrtype] of Object.entries(RESOLVERS)) if (typeof target[name] === 'function') target[name] = make(rrtype);
  };

  dns.lookup = lookup;
  dns.promises.lookup = lookupPromise;
  patchResolvers(dns, callbackResolver);
  patchResolvers(dns.promises, promiseResolver);
  patchResolvers(dns.Resolver.prototype, callbackResolver);
  patchResolvers(dns.promises.Resolver.prototype, promiseResolver);
  syncBuiltinESMExports(); // `import { lookup } from 'node:dns'` sees the same
}

install();
