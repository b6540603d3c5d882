import { secretValues } from '../../src/core/secrets';

describe('secretValues', () => {
  it('splits a PEM key into its lines and skips the public armour', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    expect(secretValues({ 'client-certificate': pem })).toEqual(['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7']);
  });

  it('masks the password, the client secret and the secret inside creds', () => {
    const creds = JSON.stringify({ clientId: 'c', clientSecret: 'the-secret', tenantId: 't' }, null, 2);
    const values = secretValues({ password: 'pw1', 'client-secret': 'cs1', creds });
    expect(values).toEqual(expect.arrayContaining(['pw1', 'cs1', 'the-secret', '"clientSecret": "the-secret",']));
    expect(values).not.toContain('{');
  });
});
