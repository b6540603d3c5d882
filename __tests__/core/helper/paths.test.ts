// Where each platform's tools look: docker's home and each platform's folders for the product's own files.
import { dockerConfigPath } from '../../../src/core/docker/config';
import { helperSettingsPath, keptEntriesDir, launcherDir, loginRecordsPath, tokenCacheDir, userHome } from '../../../src/core/helper/paths';
import { cmdLauncher, pathHint } from '../../../src/core/helper/launcher';

const windows = { USERPROFILE: 'C:\\Users\\José', LOCALAPPDATA: 'C:\\Users\\José\\AppData\\Local', HOME: '/c/Users/José' };

describe('Windows', () => {
  it('the home is %USERPROFILE%, as docker has it, whatever HOME Git Bash or MSYS2 set', () => {
    expect(userHome(windows, 'win32')).toBe('C:\\Users\\José');
  });

  it('private files live under %LOCALAPPDATA%\\acr-login', () => {
    expect(tokenCacheDir(windows, 'win32')).toBe('C:\\Users\\José\\AppData\\Local\\acr-login\\cache');
    expect(helperSettingsPath(windows, 'win32')).toBe('C:\\Users\\José\\AppData\\Local\\acr-login\\helper.json');
    expect(loginRecordsPath(windows, 'win32')).toBe('C:\\Users\\José\\AppData\\Local\\acr-login\\logins.json');
    expect(launcherDir(windows, 'win32')).toBe('C:\\Users\\José\\AppData\\Local\\acr-login\\bin');
    expect(keptEntriesDir(windows, 'win32')).toBe('C:\\Users\\José\\AppData\\Local\\acr-login\\kept');
  });

  it("without LOCALAPPDATA, the profile's AppData\\Local; an XDG variable set to an absolute path still wins", () => {
    expect(tokenCacheDir({ USERPROFILE: 'D:\\u' }, 'win32')).toBe('D:\\u\\AppData\\Local\\acr-login\\cache');
    expect(tokenCacheDir({ ...windows, XDG_CACHE_HOME: 'D:\\cache' }, 'win32')).toBe('D:\\cache\\acr-login');
  });

  it('the PATH hint is for PowerShell and cmd', () => {
    expect(pathHint('C:\\t\\bin', 'win32')).toBe('PowerShell: $env:Path = "C:\\t\\bin;" + $env:Path; cmd: set PATH=C:\\t\\bin;%PATH%');
  });

  it('the .cmd launcher names node and the helper relative to itself (%~dp0), ASCII only, a % doubled; another drive whole', () => {
    const text = cmdLauncher(
      'C:\\Users\\José\\AppData\\Local\\acr-login\\bin',
      'C:\\hostedtoolcache\\node\\node.exe',
      'C:\\Users\\José\\a%b\\dist\\credential-helper.js'
    );
    expect(text).toBe(
      '@"%~dp0..\\..\\..\\..\\..\\..\\hostedtoolcache\\node\\node.exe" "%~dp0..\\..\\..\\..\\a%%b\\dist\\credential-helper.js" %*\r\n'
    );
    expect(cmdLauncher('C:\\bin', 'D:\\node.exe', 'C:\\h.js')).toBe('@"D:\\node.exe" "%~dp0..\\h.js" %*\r\n');
  });
});

describe('macOS', () => {
  const mac = { HOME: '/Users/jo' };
  it('its own folders where XDG is not set: Caches for the tokens, Application Support for the rest', () => {
    expect(tokenCacheDir(mac, 'darwin')).toBe('/Users/jo/Library/Caches/acr-login');
    expect(helperSettingsPath(mac, 'darwin')).toBe('/Users/jo/Library/Application Support/acr-login/helper.json');
    expect(launcherDir(mac, 'darwin')).toBe('/Users/jo/Library/Application Support/acr-login/bin');
    expect(tokenCacheDir({ ...mac, XDG_CACHE_HOME: '/x' }, 'darwin')).toBe('/x/acr-login');
  });
});

describe('Linux', () => {
  it('the XDG defaults under HOME, and docker config under HOME', () => {
    const linux = { HOME: '/home/jo' };
    expect(tokenCacheDir(linux, 'linux')).toBe('/home/jo/.cache/acr-login');
    expect(loginRecordsPath(linux, 'linux')).toBe('/home/jo/.local/state/acr-login/logins.json');
    expect(launcherDir(linux, 'linux')).toBe('/home/jo/.local/share/acr-login/bin');
    expect(pathHint('/home/jo/bin', 'linux')).toBe('export PATH="/home/jo/bin:$PATH"');
    if (process.platform === 'linux') expect(dockerConfigPath(linux)).toBe('/home/jo/.docker/config.json');
  });
});
