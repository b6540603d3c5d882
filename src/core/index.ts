export { login } from './login';
export { logout } from './logout';
export { parseLoginOptions } from './options';
export type { FederatedTokenSource, LoginOptions, RawInputs, InputName } from './options';
export { secretValues, maskableLines } from './secrets';
export { describeError, LoginError } from './errors';
export type { Platform, OutputName } from './platform';
export { send, parseJson } from './http';
