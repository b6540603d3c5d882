"use strict";
exports.id = 660;
exports.ids = [660];
exports.modules = {

/***/ 8660:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  removeHelperLogin: () => (/* binding */ removeHelperLogin),
  storeForHelper: () => (/* binding */ storeForHelper)
});

// EXTERNAL MODULE: ./src/core/docker/cred-helpers.ts
var cred_helpers = __webpack_require__(7998);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __webpack_require__(7268);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/lib/locked-file.ts
var locked_file = __webpack_require__(5876);
// EXTERNAL MODULE: ./src/lib/private-dir.ts
var private_dir = __webpack_require__(1066);
// EXTERNAL MODULE: ./src/core/helper/paths.ts
var paths = __webpack_require__(4232);
// EXTERNAL MODULE: ./src/lib/replace-file.ts
var replace_file = __webpack_require__(1630);
;// CONCATENATED MODULE: ./src/core/helper/launcher.ts








/**
 * Writes the launcher (a script running this node on the helper bundle, so it works where no `node`
 * is on PATH) and makes sure docker can find it. docker runs it as this user, so its directory is
 * private to this user: nobody else can swap it. Whatever was at its name is replaced.
 */
async function installLauncher(host, env) {
    const binDir = host.binDir ?? (0,paths/* launcherDir */.OS)(env);
    const windows = process.platform === 'win32';
    const name = windows ? `${cred_helpers/* HELPER_EXECUTABLE */.cO}.cmd` : cred_helpers/* HELPER_EXECUTABLE */.cO;
    const text = windows
        ? cmdLauncher(binDir, process.execPath, host.script)
        : `#!/bin/sh\n# Written by acr-login: runs its docker credential helper.\nexec ${shellQuote(process.execPath)} ${shellQuote(host.script)} "$@"\n`;
    const target = (0,external_node_path_.join)(binDir, name);
    await (0,private_dir/* ensurePrivateDir */.rh)(binDir, 'credential helper launcher');
    const temporary = (0,locked_file/* temporaryPath */.l5)(target);
    try {
        await external_node_fs_.promises.writeFile(temporary, text, { mode: 0o700, flag: 'wx' });
        await external_node_fs_.promises.chmod(temporary, 0o700);
        await (0,replace_file/* replaceFile */.f)(temporary, target);
    }
    catch (error) {
        await external_node_fs_.promises.rm(temporary, { force: true });
        throw new errors/* LoginError */.Q(`cannot write the credential helper launcher ${target}: ${error.message}`);
    }
    const dirs = (env.PATH ?? '').split(external_node_path_.delimiter).filter(Boolean);
    if (dirs.some((dir) => (0,external_node_path_.resolve)(dir) === (0,external_node_path_.resolve)(binDir)))
        return { how: 'on-path', dir: binDir };
    if (host.addPath(binDir))
        return { how: 'added', dir: binDir };
    const other = dirs.map((dir) => (0,external_node_path_.join)(dir, name)).find(isExecutable);
    return other ? { how: 'other', path: other } : { how: 'unreachable', dir: binDir };
}
/**
 * The `.cmd` launcher. cmd.exe reads it in the OEM code page and expands every `%`, so paths are written relative to
 * the launcher itself (`%~dp0`, which cmd.exe fills in right whatever the characters): a profile folder named in
 * another script (`C:\\Users\\José`) then never appears in the file. Only a path on another drive is written whole.
 */
function cmdLauncher(binDir, node, script) {
    const fromHere = (path) => {
        const relative = external_node_path_.win32.relative(binDir, path);
        const escaped = relative.replace(/%/g, '%%');
        return external_node_path_.win32.isAbsolute(relative) ? escaped : `%~dp0${escaped}`;
    };
    return `@"${fromHere(node)}" "${fromHere(script)}" %*\r\n`;
}
/** How to put `dir` on PATH in the shells of this platform: PowerShell and cmd on Windows, a POSIX shell elsewhere. */
function pathHint(dir, os = process.platform) {
    return os === 'win32' ? `PowerShell: $env:Path = "${dir};" + $env:Path; cmd: set PATH=${dir};%PATH%` : `export PATH="${dir}:$PATH"`;
}
function isExecutable(path) {
    try {
        (0,external_node_fs_.accessSync)(path, external_node_fs_.constants.X_OK);
        return true;
    }
    catch {
        return false;
    }
}
function shellQuote(text) {
    return `'${text.replace(/'/g, `'\\''`)}'`;
}

// EXTERNAL MODULE: ./src/core/helper/settings.ts
var helper_settings = __webpack_require__(4859);
// EXTERNAL MODULE: ./src/core/docker/kept.ts
var docker_kept = __webpack_require__(8358);
// EXTERNAL MODULE: ./src/core/docker/config.ts
var config = __webpack_require__(4596);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/core/clients/auth-files.ts
var auth_files = __webpack_require__(7362);
// EXTERNAL MODULE: ./src/core/clients/entries.ts
var entries = __webpack_require__(6284);
;// CONCATENATED MODULE: ./src/core/state.ts
/** What the post step needs to undo exactly this step's logins; never holds a secret. */
const STATE_MODES = (/* unused pure expression or super */ null && (['docker', 'config', 'helper']));
function serializeState(state) {
    return JSON.stringify(state);
}
function parseState(text) {
    if (!text)
        return undefined;
    try {
        const state = JSON.parse(text);
        if (STATE_MODES.includes(state.mode) && Array.isArray(state.servers) && state.servers.every(isServerWritten))
            return state;
    }
    catch {
        // an unreadable state means nothing to undo
    }
    return undefined;
}
function isServerWritten(entry) {
    const written = entry;
    return (typeof written?.server === 'string' &&
        typeof written.fingerprint === 'string' &&
        isOptionalString(written.kept) &&
        (written.also === undefined || (Array.isArray(written.also) && written.also.every(isWrittenAlso))));
}
function isWrittenAlso(entry) {
    const also = entry;
    return typeof also?.path === 'string' && isOptionalString(also.kept) && isOptionalString(also.fingerprint);
}
function isOptionalString(value) {
    return value === undefined || typeof value === 'string';
}

// EXTERNAL MODULE: ./src/core/helper/token-cache.ts
var token_cache = __webpack_require__(5446);
;// CONCATENATED MODULE: ./src/core/helper/store.ts












/**
 * login: helper — seeds the helper's cache with the tokens just obtained, records how to sign in
 * again (no secret), puts the helper's launcher on PATH and points `credHelpers` at it.
 */
async function storeForHelper(credentials, options, platform) {
    const { env } = platform;
    const host = platform.credentialHelper;
    if (!host)
        throw new errors/* LoginError */.Q('login helper is not available here');
    const configPath = (0,config/* dockerConfigPath */.Q1)(env);
    const settingsPath = (0,paths/* helperSettingsPathFor */.E0)(env, configPath);
    const cacheDir = (0,paths/* tokenCacheDirFor */.MG)(env, configPath);
    const servers = credentials.map((credential) => credential.registry.loginServer);
    const keptDir = (0,paths/* keptEntriesDir */.eb)(env);
    // The fingerprint names this login among the others of the same config (they all write the helper's name).
    const id = `${cred_helpers/* HELPER_NAME */.Fq}:${(0,external_node_crypto_.randomBytes)(8).toString('hex')}`;
    const otherFiles = await (0,auth_files/* clientAuthFiles */.ru)(env, configPath);
    const written = servers.map((server) => {
        const kept = options.logout ? (0,docker_kept/* keptFileIn */.Ih)(keptDir) : undefined;
        return { server, fingerprint: id, ...(kept ? { kept } : {}), ...(0,entries/* writtenAlso */.ve)(otherFiles, kept) };
    });
    if (options.logout) {
        const state = { mode: 'helper', configPath, settingsPath, cacheDir, servers: written };
        await platform.saveState(serializeState(state));
    }
    const settings = {};
    for (const credential of credentials) {
        const recorded = (0,helper_settings/* helperSettingsOf */.l8)(options, credential.registry);
        settings[credential.registry.loginServer] = recorded;
        await (0,token_cache/* storeRefreshToken */.OL)(cacheDir, credential.registry.loginServer, (0,helper_settings/* cacheIdentityOf */.s8)(recorded), credential.password, credential.expiresOn);
    }
    const reach = await installLauncher(host, env);
    if (reach.how === 'added')
        platform.info(`Put ${reach.dir} on PATH for ${cred_helpers/* HELPER_EXECUTABLE */.cO}`);
    if (reach.how === 'other')
        platform.info(`docker will run ${reach.path}`);
    if (reach.how === 'unreachable') {
        platform.warning(`${cred_helpers/* HELPER_EXECUTABLE */.cO} is not on PATH: add ${reach.dir} to PATH (${pathHint(reach.dir)}) so docker, podman and skopeo find it`);
    }
    const shared = await (0,config/* withConfigLock */.E1)(configPath, async () => {
        // A login only counts itself in when its logout will run; another live login's entry is not kept aside as the user's.
        if (!options.logout) {
            await (0,helper_settings/* recordHelperSettings */.RO)(settingsPath, settings);
            await (0,cred_helpers/* writeCredHelpers */.DV)(configPath, written, true);
            return new Set();
        }
        const shared = await (0,helper_settings/* joinHelperSettings */.wb)(settingsPath, id, Object.fromEntries(written.map(({ server, kept }) => [server, { settings: settings[server], kept }])));
        await (0,cred_helpers/* writeCredHelpers */.DV)(configPath, written.map(({ server, kept }) => (shared.has(server) ? { server } : { server, kept })), true);
        return shared;
    });
    platform.info(`Wrote credHelpers for ${servers.join(', ')} to ${configPath}; ${cred_helpers/* HELPER_EXECUTABLE */.cO} renews their tokens when less than 10 minutes are left`);
    await (0,entries/* writeClientCredHelpers */.GC)(otherFiles, written, shared, platform);
    const hint = renewalHint(Object.values(settings)[0], options.credential, env);
    if (hint)
        platform.warning(hint);
}
/**
 * Undoes login: helper for these servers: the credHelpers entries that still name the helper, the
 * settings and the cached tokens. Where another live login of the same docker config holds a server
 * too, it is left to it: only this login's settings go, and what this login kept passes to it.
 */
async function removeHelperLogin(state, platform) {
    const { configPath, settingsPath, cacheDir } = state;
    if (!configPath || !settingsPath) {
        if (settingsPath)
            await (0,helper_settings/* removeHelperSettings */.qK)(settingsPath, state.servers.map((entry) => entry.server));
        if (cacheDir)
            await (0,token_cache/* removeCachedTokens */.Nc)(cacheDir, state.servers.map((entry) => entry.server));
        return;
    }
    const holders = await (0,config/* withConfigLock */.E1)(configPath, async () => {
        const id = state.servers[0]?.fingerprint ?? '';
        const holders = await (0,helper_settings/* leaveHelperSettings */.Z2)(settingsPath, id, state.servers.map((entry) => entry.server));
        const lastOut = state.servers.filter((entry) => holders.get(entry.server) === undefined);
        for (const entry of state.servers) {
            const successor = holders.get(entry.server);
            if (!successor || !entry.kept)
                continue;
            // Only the first login on the entry kept anything (the others found the helper's own entry there).
            if (successor.kept && (await (0,docker_kept/* readKept */.DL)(entry.kept, 'credHelpers', entry.server))) {
                await (0,docker_kept/* passKept */.op)(entry.kept, successor.kept, 'credHelpers', entry.server);
            }
            else
                await (0,docker_kept/* dropKept */.kV)(entry.kept);
            platform.info(`Left credHelpers ${entry.server} in ${configPath} to another login of the helper on it, still running`);
        }
        if (lastOut.length === 0)
            return holders;
        const { removed, restored, changed } = await (0,cred_helpers/* removeCredHelpers */.Sv)(configPath, lastOut, true);
        if (removed.length > 0)
            platform.info(`Removed the credHelpers entries for ${removed.join(', ')} from ${configPath}`);
        if (restored.length > 0)
            platform.info(`Put back the earlier credHelpers entries for ${restored.join(', ')} in ${configPath}`);
        for (const server of changed)
            platform.warning(`Left credHelpers ${server} in ${configPath}: it names another helper now`);
        if (cacheDir)
            await (0,token_cache/* removeCachedTokens */.Nc)(cacheDir, lastOut.map((entry) => entry.server));
        return holders;
    });
    await (0,entries/* undoClientFiles */.tp)(state, platform, holders);
}
/** Why the helper may be unable to renew a token after about 3 hours, when the environment lacks what it needs. */
function renewalHint(settings, credential, env) {
    if (!settings)
        return undefined;
    const after = 'the credential helper renews the tokens (valid about 3 hours) only';
    if (settings.authType === 'service-principal' &&
        !settings.certificatePath &&
        !env.AZURE_CLIENT_SECRET &&
        !env.AZURE_CLIENT_CERTIFICATE_PATH) {
        return `${after} if AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) is set where docker runs`;
    }
    if (settings.authType === 'oidc' && !settings.federation)
        return `${after} if AZURE_FEDERATED_TOKEN_FILE is set where docker runs`;
    if (credential.kind === 'oidc' && credential.source.renewalHint)
        return `${after} if ${credential.source.renewalHint}`;
    return undefined;
}


/***/ })

};
;