import { DIRECT, describeRoute, parseNoProxy, proxyFromEnvironment, proxyRefusal, singleProxy } from '../../src/lib/proxy';

const route = (env: NodeJS.ProcessEnv, target: string): string | undefined => proxyFromEnvironment(env).proxyFor(new URL(target))?.href;

describe('proxyFromEnvironment', () => {
  it('is direct without proxy variables', () => {
    expect(proxyFromEnvironment({ NO_PROXY: 'x' })).toBe(DIRECT);
  });

  it('takes https_proxy/HTTPS_PROXY for https URLs and http_proxy/HTTP_PROXY for http URLs, lower case first', () => {
    const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'plain:8080' };
    expect(route(env, 'https://myreg.azurecr.io/oauth2/exchange')).toBe('http://lower:3128/');
    expect(route(env, 'http://169.254.169.254/metadata')).toBe('http://plain:8080/');
    expect(route({ HTTPS_PROXY: 'http://p:1' }, 'http://169.254.169.254/')).toBeUndefined();
    expect(route({ HTTP_PROXY: 'http://p:1' }, 'https://login.microsoftonline.com/')).toBeUndefined();
  });

  it('never sends loopback through a proxy', () => {
    for (const target of ['https://127.0.0.1:8443/', 'http://localhost:5000/', 'https://[::1]/'])
      expect(route({ HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1' }, target)).toBeUndefined();
  });

  it.each([
    ['*', 'https://anything.example/', true],
    ['myreg.azurecr.io', 'https://myreg.azurecr.io/', true],
    ['myreg.azurecr.io', 'https://other.azurecr.io/', false],
    ['azurecr.io', 'https://myreg.azurecr.io/', true],
    ['azurecr.io', 'https://azurecr.io/', true],
    ['azurecr.io', 'https://notazurecr.io/', false],
    ['.azurecr.io', 'https://myreg.azurecr.io/', true],
    ['.azurecr.io', 'https://azurecr.io/', true],
    ['*.azurecr.io', 'https://myreg.azurecr.io/', true],
    ['MyReg.AzureCR.io', 'https://myreg.azurecr.io/', true],
    ['myreg.azurecr.io:443', 'https://myreg.azurecr.io/', true],
    ['myreg.azurecr.io:8443', 'https://myreg.azurecr.io/', false],
    ['myreg.azurecr.io:8443', 'https://myreg.azurecr.io:8443/', true],
    ['169.254.169.254', 'http://169.254.169.254/metadata', true],
    ['254.169.254', 'http://169.254.169.254/metadata', false],
    ['example.com, login.microsoftonline.com ,x', 'https://login.microsoftonline.com/t', true],
    ['', 'https://login.microsoftonline.com/', false]
  ])('NO_PROXY %j for %s: bypassed %s', (noProxy, target, bypassed) => {
    expect(parseNoProxy(noProxy)(new URL(target))).toBe(bypassed);
    expect(route({ HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1', no_proxy: noProxy }, target)).toBe(
      bypassed ? undefined : 'http://p:1/'
    );
  });

  it('keeps the password out of every message, and hands it over for masking in both spellings', () => {
    const settings = proxyFromEnvironment({ HTTPS_PROXY: 'http://ci:s3cr%40t-pw@proxy.corp:8080' });
    expect(settings.secrets.sort()).toEqual(['s3cr%40t-pw', 's3cr@t-pw']);
    const target = new URL('https://myreg.azurecr.io/oauth2/exchange');
    const proxy = settings.proxyFor(target)!;
    expect(describeRoute(settings, target)).toBe('myreg.azurecr.io: through the proxy proxy.corp:8080 (HTTPS_PROXY, with credentials)');
    for (const status of [407, 403, 503, 400]) {
      const message = proxyRefusal(settings, proxy, target, status).message;
      expect(message).toMatch(/the proxy proxy\.corp:8080 \(HTTPS_PROXY\).*myreg\.azurecr\.io/);
      expect(message).not.toMatch(/s3cr|ci:/);
    }
    expect(() => proxyFromEnvironment({ HTTPS_PROXY: 'http://ci:pw@[bad' })).toThrow(/^HTTPS_PROXY is not a proxy URL/);
    expect(() => proxyFromEnvironment({ HTTPS_PROXY: 'http://ci:pw@[bad' })).not.toThrow(/pw/);
    expect(() => proxyFromEnvironment({ https_proxy: 'socks5://ci:pw@proxy:1080' })).toThrow(
      'https_proxy names a socks5 proxy; only http:// and https:// proxies are supported'
    );
  });

  it('advises per status: credentials for 407, an exemption for 403, the far side for 5xx', () => {
    const settings = proxyFromEnvironment({ HTTPS_PROXY: 'proxy.corp:3128' });
    const target = new URL('https://login.microsoftonline.com/t/oauth2/v2.0/token');
    const proxy = settings.proxyFor(target)!;
    expect(proxyRefusal(settings, proxy, target, 407, 'Proxy Authentication Required').message).toBe(
      'the proxy proxy.corp:3128 (HTTPS_PROXY) refused the connection to login.microsoftonline.com (HTTP 407 Proxy Authentication Required): ' +
        'it wants a user name and password: give them in HTTPS_PROXY (http://user:password@host:port)'
    );
    expect(proxyRefusal(settings, proxy, target, 403).message).toBe(
      'the proxy proxy.corp:3128 (HTTPS_PROXY) refused the connection to login.microsoftonline.com (HTTP 403): ' +
        'ask for login.microsoftonline.com to be allowed, or add it to NO_PROXY if it is reachable directly'
    );
    expect(proxyRefusal(settings, proxy, target, 503).message).toBe(
      'the proxy proxy.corp:3128 (HTTPS_PROXY) could not reach login.microsoftonline.com (HTTP 503)'
    );
  });
});

describe('singleProxy (the agent proxy)', () => {
  it('bypasses what the test exempts and loopback', () => {
    const settings = singleProxy('http://u:p@agent-proxy:8888', (target) => /\.internal\b/i.test(target.href), {
      setting: 'Agent.ProxyUrl',
      credentialsSetting: 'the agent proxy settings',
      bypassSetting: 'Agent.ProxyBypassList'
    });
    expect(settings.proxyFor(new URL('https://dev.azure.com/x'))?.host).toBe('agent-proxy:8888');
    expect(settings.proxyFor(new URL('http://imds.internal/x'))).toBeUndefined();
    expect(settings.proxyFor(new URL('http://127.0.0.1:80/x'))).toBeUndefined();
    expect(settings.secrets).toEqual(['p']);
  });
});
