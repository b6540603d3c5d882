// Test PKI through the openssl CLI: a CA, a loopback server certificate, self-signed client certificates.
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from './standin-platform';

const execFileAsync = promisify(execFile);

/** Every certificate here lives three days from yesterday: long enough for any run, short if one leaks. */
const DAYS = '3';

/**
 * openssl 3.0 dates a certificate from its own clock only; run under libfaketime a day back (the `faketime` program,
 * where it is on PATH: Debian's package on Linux), the certificates are valid from yesterday, so a product run with its
 * clock hours behind (the clock-skew suite, Linux only) still trusts them. Where it is not (macOS, Windows), they are
 * valid from the second openssl made them, which the processes of the same machine's clock never run before.
 */
const FAKETIME = findOnPath('faketime');

async function openssl(args: string[], cwd: string): Promise<void> {
  const [program, programArgs] = FAKETIME ? [FAKETIME, ['-f', '-1d', 'openssl', ...args]] : ['openssl', args];
  try {
    await execFileAsync(program, programArgs, { cwd, env: FAKETIME ? { ...process.env, FAKETIME_DONT_FAKE_MONOTONIC: '1' } : process.env });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0] ?? ''} failed: ${e.stderr ?? e.message}`);
  }
}

/** A self-signed RSA 2048 certificate with these extensions, and its unencrypted PKCS#8 key. */
async function selfSigned(dir: string, keyPath: string, certPath: string, subject: string, extensions: string[]): Promise<void> {
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', DAYS, '-keyout', keyPath, '-out', certPath];
  await openssl([...args, '-subj', subject, ...extensions.flatMap((extension) => ['-addext', extension])], dir);
}

export interface Pki {
  dir: string;
  /** What tests put in NODE_EXTRA_CA_CERTS. */
  caCertPath: string;
  caCertPem: string;
  caKeyPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  serverCertPem: string;
  serverKeyPem: string;
}

/** A CA and a server certificate for localhost, 127.0.0.1, 127.0.0.2 and ::1 signed by it. */
export async function createPki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  const caKeyPath = join(dir, 'ca.key');
  const caCertPath = join(dir, 'ca.crt');
  await selfSigned(dir, caKeyPath, caCertPath, '/CN=acr-login stand-in test CA', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign'
  ]);
  const server = await issueServerCertificate(dir, { caCertPath, caKeyPath }, 'server', 'localhost', [
    'DNS:localhost',
    'IP:127.0.0.1',
    'IP:127.0.0.2',
    'IP:::1'
  ]);
  const caCertPem = await readFile(caCertPath, 'utf8');
  return {
    dir,
    caCertPath,
    caCertPem,
    caKeyPath,
    serverCertPath: server.certPath,
    serverKeyPath: server.keyPath,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem
  };
}

export interface ServerCertificate {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

/** A TLS server certificate for `altNames` (`DNS:…`, `IP:…`) signed by the CA, as `<dir>/<name>.crt` and `.key`. */
export async function issueServerCertificate(
  dir: string,
  ca: { caCertPath: string; caKeyPath: string },
  name: string,
  commonName: string,
  altNames: string[]
): Promise<ServerCertificate> {
  const keyPath = join(dir, `${name}.key`);
  const csrPath = join(dir, `${name}.csr`);
  const certPath = join(dir, `${name}.crt`);
  const extPath = join(dir, `${name}.ext`);
  await Promise.all([
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${commonName}`], dir),
    writeFile(
      extPath,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${altNames.join(',')}`,
        ''
      ].join('\n')
    )
  ]);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      csrPath,
      '-CA',
      ca.caCertPath,
      '-CAkey',
      ca.caKeyPath,
      '-CAcreateserial',
      '-sha256',
      '-days',
      DAYS,
      '-extfile',
      extPath,
      '-out',
      certPath
    ],
    dir
  );
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { certPath, keyPath, certPem, keyPem };
}

export interface ClientCertificate {
  certPem: string;
  /** PKCS#8 private key. */
  keyPem: string;
  /** Certificate followed by the PKCS#8 key: what the product's client-certificate input takes. */
  combinedPem: string;
  /** File holding combinedPem. */
  path: string;
  certPath: string;
  keyPath: string;
  /** base64url(SHA-1(DER)): Entra's `x5t`. */
  sha1Thumbprint: string;
  /** base64url(SHA-256(DER)): Entra's `x5t#S256`. */
  sha256Thumbprint: string;
  /** base64 (not url) DER, as in a JWS `x5c` entry. */
  derBase64: string;
}

/** Self-signed RSA 2048 certificate + key (service-principal certificate credential, or a token-signing certificate). */
export async function createClientCertificate(dir: string, name: string): Promise<ClientCertificate> {
  await mkdir(dir, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  const keyPath = join(dir, `${safe}.key`);
  const certPath = join(dir, `${safe}.crt`);
  const path = join(dir, `${safe}.pem`);
  await selfSigned(dir, keyPath, certPath, `/CN=${name.replace(/[/=]/g, '_')}`, ['keyUsage=critical,digitalSignature']);
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  if (!keyPem.includes('-----BEGIN PRIVATE KEY-----')) throw new Error('openssl did not write a PKCS#8 key');
  const combinedPem = `${certPem.trimEnd()}\n${keyPem.trimEnd()}\n`;
  await writeFile(path, combinedPem, { mode: 0o600 });
  const der = new X509Certificate(certPem).raw;
  return {
    certPem,
    keyPem,
    combinedPem,
    path,
    certPath,
    keyPath,
    sha1Thumbprint: createHash('sha1').update(der).digest('base64url'),
    sha256Thumbprint: createHash('sha256').update(der).digest('base64url'),
    derBase64: der.toString('base64')
  };
}

/** The base64 body lines of a PEM private key (what a CI system would register line by line as secrets). */
export function pemSecretLines(pem: string): string[] {
  const lines: string[] = [];
  let inKey = false;
  for (const raw of pem.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^-----BEGIN .*PRIVATE KEY-----$/.test(line)) inKey = true;
    else if (/^-----END .*PRIVATE KEY-----$/.test(line)) inKey = false;
    else if (inKey && line) lines.push(line);
  }
  return lines;
}

/** A server certificate for `altNames` signed by the CA that expired long ago (2020): what an expired certificate looks like to a client. */
export async function issueExpiredServerCertificate(
  dir: string,
  ca: { caCertPath: string; caKeyPath: string },
  name: string,
  altNames: string[]
): Promise<ServerCertificate> {
  const work = join(dir, `${name}-ca`);
  await mkdir(join(work, 'issued'), { recursive: true });
  const keyPath = join(dir, `${name}.key`);
  const csrPath = join(dir, `${name}.csr`);
  const certPath = join(dir, `${name}.crt`);
  const configPath = join(work, 'ca.cnf');
  await Promise.all([
    writeFile(join(work, 'index.txt'), ''),
    writeFile(join(work, 'serial'), '1000\n'),
    writeFile(
      configPath,
      [
        '[ca]',
        'default_ca = test_ca',
        '[test_ca]',
        `dir = ${work}`,
        'database = $dir/index.txt',
        'new_certs_dir = $dir/issued',
        'serial = $dir/serial',
        'default_md = sha256',
        'policy = any_name',
        'x509_extensions = server',
        'unique_subject = no',
        '[any_name]',
        'commonName = supplied',
        '[server]',
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage = serverAuth',
        `subjectAltName = ${altNames.join(',')}`,
        ''
      ].join('\n')
    ),
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${name}`], dir)
  ]);
  await openssl(
    [
      'ca',
      '-batch',
      '-config',
      configPath,
      '-cert',
      ca.caCertPath,
      '-keyfile',
      ca.caKeyPath,
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
      '-notext',
      '-in',
      csrPath,
      '-out',
      certPath
    ],
    dir
  );
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { certPath, keyPath, certPem, keyPem };
}
