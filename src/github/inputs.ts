import * as core from './workflow-commands';
import type { InputName, RawInputs } from '../core';

const INPUT_NAMES: InputName[] = [
  'registry',
  'auth-type',
  'client-id',
  'tenant-id',
  'client-secret',
  'client-certificate',
  'creds',
  'authority-host',
  'environment',
  'token-audience',
  'username',
  'password',
  'login',
  'logout'
];

export function readInputs(): RawInputs {
  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) raw[name] = core.getInput(name, { trimWhitespace: false });
  return raw;
}
