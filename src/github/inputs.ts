import * as core from '@actions/core';
import { INPUT_NAMES, RawInputs } from '../core';

export function readInputs(): RawInputs {
  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) raw[name] = core.getInput(name, { trimWhitespace: false });
  return raw;
}
