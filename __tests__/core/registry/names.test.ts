import { CLOUDS } from '../../../src/core/entra/clouds';
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
    ['127.0.0.2:5000', '127.0.0.2:5000', 'https://127.0.0.2:5000'],
    // Domain-name-label hashed login servers, regional (geo-replica) endpoints, private link names.
    ['myreg-abc123hash.azurecr.io', 'myreg-abc123hash.azurecr.io', 'https://myreg-abc123hash.azurecr.io'],
    ['MyReg-ABC123hash.AzureCR.cn', 'myreg-abc123hash.azurecr.cn', 'https://myreg-abc123hash.azurecr.cn'],
    ['myreg.eastus.geo.azurecr.io', 'myreg.eastus.geo.azurecr.io', 'https://myreg.eastus.geo.azurecr.io'],
    [
      'https://myreg-abc123hash.westeurope.geo.azurecr.io',
      'myreg-abc123hash.westeurope.geo.azurecr.io',
      'https://myreg-abc123hash.westeurope.geo.azurecr.io'
    ],
    ['myreg.privatelink.azurecr.io', 'myreg.privatelink.azurecr.io', 'https://myreg.privatelink.azurecr.io'],
    [
      'myreg.chinaeast2.data.privatelink.azurecr.cn',
      'myreg.chinaeast2.data.privatelink.azurecr.cn',
      'https://myreg.chinaeast2.data.privatelink.azurecr.cn'
    ],
    ['myreg.privatelink.azurecr.us:443', 'myreg.privatelink.azurecr.us', 'https://myreg.privatelink.azurecr.us'],
    [
      'a1234567890123456789012345678901234567890123456789.azurecr.io',
      'a1234567890123456789012345678901234567890123456789.azurecr.io',
      'https://a1234567890123456789012345678901234567890123456789.azurecr.io'
    ]
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
    // Registry names are 5 to 50 letters and digits: no punycode, no other characters, no other lengths.
    ['xn--myreg-9ua.azurecr.io', /'xn--myreg-9ua' is an internationalised \(punycode\) name; registry names are letters and digits only/],
    ['mÿregistry.azurecr.io', /'xn--mregistry-.*' is an internationalised \(punycode\) name; registry names are letters and digits only/],
    ['https://myreg.xn--eastus-9ua.geo.azurecr.io', /internationalised \(punycode\) name/],
    ['my_registry.azurecr.io', /'my_registry' is not a registry name: registry names are 5 to 50 letters and digits/],
    ['abcd.azurecr.io', /'abcd' is not a registry name/],
    ['a12345678901234567890123456789012345678901234567890.azurecr.cn', /is not a registry name/],
    ['-myreg.azurecr.io', /is not a registry name/],
    ['myreg-.azurecr.io', /is not a registry name/],
    ['myreg--abc.azurecr.io', /is not a registry name/],
    ['myreg..azurecr.io', /is not an Azure Container Registry/],
    ['.azurecr.io', /is not an Azure Container Registry/],
    ['myreg.azurecr.io.', /is not an Azure Container Registry/],
    ['myreg.-east.geo.azurecr.io', /is not an Azure Container Registry/],
    ['', /no registry given/],
    [' , \n', /no registry given/]
  ])('refuses %j', (entry, reason) => {
    expect(() => parseRegistries(entry)).toThrow(reason);
  });

  it('gives bare names the suffix of the cloud', () => {
    expect(parseRegistries('myregistry', CLOUDS[1]).map((r) => r.loginServer)).toEqual(['myregistry.azurecr.cn']);
    expect(parseRegistries('myregistry,myreg.azurecr.us', CLOUDS[2]).map((r) => r.loginServer)).toEqual([
      'myregistry.azurecr.us',
      'myreg.azurecr.us'
    ]);
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
