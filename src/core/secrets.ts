import type { RawInputs } from './options';

const SECRET_INPUTS = ['client-secret', 'client-certificate', 'creds', 'password'] as const;

/**
 * The single-line strings to mask before anything is printed: masks work line by line on both
 * platforms (Azure Pipelines refuses multi-line secrets), so a PEM key or a JSON blob is split.
 */
export function secretValues(raw: RawInputs): string[] {
  const values: string[] = [];
  for (const name of SECRET_INPUTS) {
    const value = raw[name];
    if (value) values.push(...maskableLines(value));
  }
  const creds = raw.creds;
  if (creds) values.push(...credsSecretFields(creds));
  return [...new Set(values)];
}

/** The lines of a secret worth masking: PEM armour lines and punctuation are public and would garble logs. */
export function maskableLines(secret: string): string[] {
  if (!/[\r\n]/.test(secret.trim())) return secret.trim() ? [secret.trim()] : [];
  return secret
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 3 && !/^-----(BEGIN|END) [A-Z ]+-----$/.test(line) && !/^[{}[\],"']+$/.test(line));
}

function credsSecretFields(creds: string): string[] {
  try {
    const parsed: unknown = JSON.parse(creds);
    if (typeof parsed !== 'object' || parsed === null) return [];
    const secret = (parsed as Record<string, unknown>).clientSecret;
    return typeof secret === 'string' && secret ? [secret] : [];
  } catch {
    return [];
  }
}
