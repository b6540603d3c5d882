import { parseRegistries, parseRegistry, registryCloud } from '../../../src/core/registry/names';

describe('parseRegistries', () => {
  it.each([
    ['myregistry', 'myregistry.azurecr.io', 'https://myregistry.azurecr.io'],
    ['MyRegistry.AzureCR.io', 'myregistry.azurecr.io', 'https://myregistry.azurecr.io'],
    ['myreg01.azurecr.cn', 'myreg01.azurecr.cn', 'https://myreg01.azurecr.cn'],
    ['myreg01.azurecr.us', 'myreg01.azurecr.us', 'https://myreg01.azurecr.us'],
    ['https://myreg01.azurecr.io', 'myreg01.azurecr.io', 'https://myreg01.azurecr.io'],
    ['https://myreg01.azurecr.io/', 'myreg01.azurecr.io', 'https://myreg01.azurecr.io'],
    ['myreg01.westeurope.data.azurecr.io', 'myreg01.westeurope.data.azurecr.io', 'https://myreg01.westeurope.data.azurecr.io'],
    ['http://127.0.0.1:5000', '127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['http://localhost:5000', 'localhost:5000', 'http://localhost:5000'],
    ['http://[::1]:5000', '[::1]:5000', 'http://[::1]:5000'],
    ['127.0.0.2:5000', '127.0.0.2:5000', 'https://127.0.0.2:5000']
  ])('accepts %s', (entry, loginServer, baseUrl) => {
    expect(parseRegistries(entry)).toEqual([{ loginServer, baseUrl }]);
  });

  it('splits on newlines and commas, drops blanks and duplicates, keeps order', () => {
    const servers = parseRegistries('one11.azurecr.io,\n two22 \n\n,one11.azurecr.io').map((r) => r.loginServer);
    expect(servers).toEqual(['one11.azurecr.io', 'two22.azurecr.io']);
  });

  it.each([
    ['evil.com', /evil\.com is not an Azure Container Registry/],
    ['myreg.azurecr.io.evil.com', /is not an Azure Container Registry/],
    ['evilazurecr.io', /is not an Azure Container Registry/],
    ['myreg.azurecr.io-evil.com', /is not an Azure Container Registry/],
    ['myreg.notazurecr.io', /is not an Azure Container Registry/],
    ['https://user@myreg.azurecr.io', /user information/],
    ['https://user:pw@myreg.azurecr.io', /user information/],
    ['myreg.azurecr.io/path', /a path is not allowed/],
    ['https://myreg.azurecr.io/v2/', /a path is not allowed/],
    ['https://myreg.azurecr.io?x=1', /a query is not allowed/],
    ['https://myreg.azurecr.io#frag', /fragment/],
    ['http://myreg.azurecr.io', /http:\/\/ is only accepted for loopback/],
    ['http://10.0.0.1:5000', /http:\/\/ is only accepted for loopback/],
    ['ftp://myreg.azurecr.io', /scheme ftp: is not supported/],
    ['https://evil.com\\.azurecr.io', /a path is not allowed/],
    ['', /no registry given/],
    [' , \n', /no registry given/]
  ])('refuses %j', (entry, reason) => {
    expect(() => parseRegistries(entry)).toThrow(reason);
  });

  it('names the refused entry', () => {
    expect(() => parseRegistries('good1.azurecr.io,bad.example.com')).toThrow("registry 'bad.example.com' refused");
  });
});

describe('registryCloud', () => {
  it.each([
    ['myregistry', 'AzureCloud'],
    ['myreg01.westeurope.data.azurecr.io', 'AzureCloud'],
    ['MYREG01.AZURECR.CN', 'AzureChinaCloud'],
    ['https://myreg01.azurecr.us', 'AzureUSGovernment'],
    ['http://127.0.0.1:5000', undefined],
    ['localhost:5000', undefined]
  ])('%s is in %s', (entry, cloud) => {
    expect(registryCloud(parseRegistry(entry))).toBe(cloud);
  });
});
