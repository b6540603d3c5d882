import * as core from './workflow-commands';
import { INPUT_NAMES, RawInputs } from '../core';

export function readInputs(): RawInputs {
  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) raw[name] = core.getInput(name, { trimWhitespace: false });
  return raw;
}
