import { chooseAutoLoginMode } from '../../../src/core/docker/login-mode';

const servers = ['myregistry.azurecr.io', 'other0001.azurecr.io'];

it('writes the config itself where docker would read auths (no store, no helper for these registries)', () => {
  expect(chooseAutoLoginMode({}, servers).mode).toBe('config');
  expect(chooseAutoLoginMode({ auths: { 'myregistry.azurecr.io': { auth: 'eDp5' } } }, servers).mode).toBe('config');
  expect(chooseAutoLoginMode({ credHelpers: { 'unrelated.example.com': 'gcloud' } }, servers).mode).toBe('config');
});

it.each(['desktop', 'wincred', 'osxkeychain', 'pass'])('uses the credential helper where the config names credsStore %s', (store) => {
  expect(chooseAutoLoginMode({ credsStore: store }, servers)).toEqual({
    mode: 'helper',
    because: `the docker config names credsStore '${store}'`
  });
});

it('uses the credential helper where a credHelpers entry would answer for one of the registries', () => {
  expect(chooseAutoLoginMode({ credHelpers: { 'other0001.azurecr.io': 'acr-env' } }, servers)).toEqual({
    mode: 'helper',
    because: "the docker config names credHelpers 'acr-env' for other0001.azurecr.io"
  });
});
