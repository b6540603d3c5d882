"use strict";
exports.id = 460;
exports.ids = [460];
exports.modules = {

/***/ 5460:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  loginWithDocker: () => (/* binding */ loginWithDocker),
  logoutWithDocker: () => (/* binding */ logoutWithDocker)
});

// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __webpack_require__(7268);
// EXTERNAL MODULE: ./src/core/docker/cli.ts
var cli = __webpack_require__(8410);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
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
// EXTERNAL MODULE: ./src/core/docker/config.ts
var docker_config = __webpack_require__(4596);
;// CONCATENATED MODULE: ./src/core/docker/credential-store.ts









// login: docker hands the token to whatever credential store docker uses: the one the config names (`credsStore`, a
// `credHelpers` entry), or, for a config that holds no credentials at all, the platform's own that docker picks by
// itself when its program is on PATH (and then writes `"credsStore"` into the config). `docker login` replaces the
// user's entry for the registry in that store and `docker logout` deletes it: the entry is read before the login
// (`docker-credential-<store> get`), kept aside privately, and put back (`store`) after the logout.
const STORE_DEADLINE_MS = 30000;
/** A store's answer is one small JSON object; past this the store is stopped and its answer not used. */
const STORE_ANSWER_LIMIT = 64 * 1024;
/** What every docker-credential-* helper answers to a get for a server it holds nothing for. */
const NOT_FOUND = /credentials not found/i;
/** The store docker would use for `server` with this config, and whether docker picks it by itself (it is not named). */
function credentialStoreFor(config, server, env, os = process.platform) {
    const helper = config.credHelpers?.[server];
    if (typeof helper === 'string' && helper !== '')
        return { store: helper, picked: false };
    if (typeof config.credsStore === 'string' && config.credsStore !== '')
        return { store: config.credsStore, picked: false };
    // docker picks a store only for a config holding no credentials (no auths, credsStore or credHelpers).
    if (Object.keys(config.auths ?? {}).length > 0 || Object.keys(config.credHelpers ?? {}).length > 0)
        return undefined;
    const store = platformStore(env, os);
    return store && storeProgram(store, env, os) ? { store, picked: true } : undefined;
}
/** The store docker picks by itself: wincred on Windows, osxkeychain on macOS, pass (when set up) or secretservice on Linux. */
function platformStore(env, os) {
    if (os === 'win32')
        return 'wincred';
    if (os === 'darwin')
        return 'osxkeychain';
    if (os !== 'linux')
        return undefined;
    const passDir = env.PASSWORD_STORE_DIR || (0,external_node_path_.join)((0,paths/* userHome */.Bc)(env, os), '.password-store');
    return storeProgram('pass', env, os) && (0,external_node_fs_.existsSync)((0,external_node_path_.join)(passDir, '.gpg-id')) ? 'pass' : 'secretservice';
}
/** `docker-credential-<store>` on PATH (with PATHEXT's extensions on Windows), as docker finds it. */
function storeProgram(store, env, os = process.platform) {
    const name = `docker-credential-${store}`;
    const extensions = os === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
    for (const dir of (env.PATH ?? env.Path ?? '').split(os === 'win32' ? ';' : external_node_path_.delimiter).filter(Boolean)) {
        for (const extension of extensions) {
            const candidate = (0,external_node_path_.join)(dir, name + extension.toLowerCase());
            try {
                (0,external_node_fs_.accessSync)(candidate, os === 'win32' ? external_node_fs_.constants.F_OK : external_node_fs_.constants.X_OK);
                return candidate;
            }
            catch {
                // not here
            }
        }
    }
    return undefined;
}
/** Runs `docker-credential-<store> ACTION` with `input` on stdin, as docker does; its answer and exit code. */
function runStore(store, action, input, env) {
    const program = storeProgram(store, env);
    if (!program)
        return Promise.reject(new errors/* LoginError */.Q(`docker-credential-${store} is not on PATH`));
    return new Promise((resolve, reject) => {
        const windowsScript = process.platform === 'win32' && /\.(cmd|bat)$/i.test(program);
        const child = (0,external_node_child_process_.spawn)(windowsScript ? (env.ComSpec ?? 'cmd.exe') : program, windowsScript ? ['/d', '/s', '/c', `""${program}" ${action}"`] : [action], {
            env,
            stdio: ['pipe', 'pipe', 'ignore'],
            windowsVerbatimArguments: windowsScript
        });
        let answer = '';
        let tooLong = false;
        child.stdout.on('data', (chunk) => {
            answer += chunk.toString('utf8');
            if (answer.length > STORE_ANSWER_LIMIT) {
                tooLong = true;
                answer = '';
                child.stdout.destroy();
                child.kill('SIGKILL');
            }
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), STORE_DEADLINE_MS);
        child.on('error', (error) => {
            clearTimeout(timer);
            reject(new errors/* LoginError */.Q(`cannot run docker-credential-${store}: ${error.message}`));
        });
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve(tooLong
                ? { exitCode: -1, answer: `its answer ran over ${STORE_ANSWER_LIMIT / 1024} KiB` }
                : { exitCode: code ?? -1, answer: answer.trim() });
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(input);
    });
}
function keptStoreFile(kept) {
    return kept.replace(/\.json$/, '') + '.store.json';
}
/**
 * Before docker login: for each server docker will hand to a store, reads that store's entry (if any) and keeps it
 * aside privately for the logout. Returns the stores, by server, for the error line of a refused login.
 */
async function keepStoreEntries(configPath, written, env) {
    const config = await (0,docker_config/* readConfigFile */.RG)(configPath);
    const stores = {};
    for (const { server, kept } of written) {
        const found = credentialStoreFor(config, server, env);
        if (!found)
            continue;
        stores[server] = found.store;
        if (!kept)
            continue;
        const got = await runStore(found.store, 'get', server, env);
        let entry;
        if (got.exitCode === 0) {
            const parsed = parseEntry(got.answer);
            if (!parsed)
                throw new errors/* LoginError */.Q(`docker-credential-${found.store} answered get for ${server} with something else than a credential`);
            entry = parsed;
        }
        else if (!NOT_FOUND.test(got.answer)) {
            throw new errors/* LoginError */.Q(`cannot read the earlier entry for ${server} from docker-credential-${found.store}: ${oneLine(got.answer)}; use login: auto or login: helper, which leave the store untouched`);
        }
        const keptEntry = {
            version: 1,
            store: found.store,
            server,
            addedCredsStore: found.picked,
            ...(entry ? { entry } : {})
        };
        await (0,private_dir/* ensurePrivateDir */.rh)((0,external_node_path_.join)(kept, '..'), 'kept docker config entries');
        await (0,locked_file/* writeFileAtomic */.Zf)(keptStoreFile(kept), `${JSON.stringify(keptEntry)}\n`);
    }
    return stores;
}
/**
 * After docker logout: puts each store's earlier entry back (`store`), and takes away a `credsStore` that docker wrote
 * into a config that named none. Returns `server (store)` for each entry put back.
 */
async function restoreStoreEntries(configPath, written, env) {
    const restored = [];
    for (const { server, kept } of written) {
        if (!kept)
            continue;
        const file = keptStoreFile(kept);
        const keptEntry = (await (0,locked_file/* readJsonObject */.op)(file));
        if (!keptEntry || keptEntry.version !== 1 || keptEntry.server !== server || typeof keptEntry.store !== 'string')
            continue;
        try {
            if (keptEntry.entry) {
                const request = JSON.stringify({ ServerURL: server, Username: keptEntry.entry.Username, Secret: keptEntry.entry.Secret });
                const put = await runStore(keptEntry.store, 'store', request, env);
                if (put.exitCode !== 0)
                    throw new errors/* LoginError */.Q(`docker-credential-${keptEntry.store} refused the earlier entry for ${server}: ${oneLine(put.answer)}`);
                restored.push(`${server} (${keptEntry.store})`);
            }
            if (keptEntry.addedCredsStore) {
                const store = keptEntry.store;
                await (0,docker_config/* updateConfig */._R)(configPath, (config) => {
                    if (config.credsStore !== store)
                        return { changed: false, result: undefined };
                    delete config.credsStore;
                    return { changed: true, result: undefined };
                });
            }
        }
        finally {
            await external_node_fs_.promises.rm(file, { force: true });
        }
    }
    return restored;
}
/** The one line for a docker login a credential store refused: names the store and the way that works; undefined for others. */
function storeRefusal(store, said) {
    if (/stub received bad data/i.test(said)) {
        return `docker login cannot keep the token in ${store} (the Windows Credential Manager takes secrets of at most 2,560 bytes; ACR refresh tokens are often longer): use login: auto or login: helper, which never hand the token to a store`;
    }
    if (/user interaction is not allowed/i.test(said)) {
        return `docker login cannot keep the token in ${store}: the macOS keychain needs a logged-in desktop session, which launchd and SSH runners lack; use login: auto or login: helper, which never hand the token to a store`;
    }
    return undefined;
}
function parseEntry(text) {
    try {
        const parsed = JSON.parse(text);
        return typeof parsed.Username === 'string' && typeof parsed.Secret === 'string'
            ? { Username: parsed.Username, Secret: parsed.Secret }
            : undefined;
    }
    catch {
        return undefined;
    }
}
function oneLine(text) {
    return text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'no answer';
}
/** The one-line error for a docker login that one of these stores refused; undefined when no store is to blame. */
function refusedByStore(said, stores) {
    for (const store of new Set(Object.values(stores))) {
        const line = storeRefusal(store, said);
        if (line)
            return new errors/* LoginError */.Q(line);
    }
    return undefined;
}

// EXTERNAL MODULE: ./src/core/docker/kept.ts
var docker_kept = __webpack_require__(8358);
;// CONCATENATED MODULE: ./src/core/docker/docker-runs.ts




/**
 * The docker CLI does not lock its config file: two `docker login` runs on one config at once each
 * write back what they read, and one entry is lost. So the product's own docker runs on a config
 * hold that config's lock, one at a time, as its own writes do; a step may wait for several others.
 */
const DOCKER_RUNS_LOCK = { waitMs: 10 * 60 * 1000, staleMs: 30000 };
/** login: docker — keeps aside what docker login will replace, then runs it for each entry, all under the config's lock. */
async function dockerLoginsOn(configPath, entries, written, run, loggedIn) {
    await (0,docker_config/* withConfigLock */.E1)(configPath, async () => {
        await (0,docker_config/* keepAuthsAside */.VY)(configPath, written);
        for (const entry of entries) {
            await (0,cli/* dockerLogin */.a1)(entry, run);
            loggedIn(entry.server);
        }
    }, DOCKER_RUNS_LOCK);
}
/**
 * The logout of login: docker, under the config's lock: `docker logout` only where the entry is still
 * the one this login wrote (docker writes `auth` as base64(user:password), so its fingerprint is
 * known), then the kept entries go back; an entry another login replaced meanwhile is left to it,
 * with what this login kept handed on. Where a credsStore or credHelpers entry holds the secret, the
 * entry cannot be told apart and docker logout runs as it always did.
 */
async function dockerLogoutsOn(configPath, written, run) {
    const report = { removed: [], restored: [], changed: [], handedOn: [], loggedOut: [], failed: [] };
    await (0,docker_config/* withConfigLock */.E1)(configPath, async () => {
        for (const entry of written) {
            const { server, fingerprint, kept } = entry;
            const config = await (0,docker_config/* readConfigFile */.RG)(configPath);
            const inStore = (0,docker_config/* credsStoreOf */.ml)(config).credsStore !== undefined || config.credHelpers?.[server] !== undefined;
            const current = config.auths?.[server];
            if (!inStore && current !== undefined && !(0,docker_config/* isOurAuth */.f2)(current, fingerprint)) {
                report.changed.push(server);
                if (kept && (await (0,docker_kept/* handOn */.xg)(configPath, 'auths', server, fingerprint, kept)))
                    report.handedOn.push(server);
                if (kept)
                    await (0,docker_kept/* dropKept */.kV)(kept);
                continue;
            }
            if (inStore || current !== undefined) {
                try {
                    await (0,cli/* dockerLogout */.tX)(server, run);
                    report.loggedOut.push(server);
                }
                catch (error) {
                    report.failed.push({ server, reason: (0,errors/* describeError */.U)(error) });
                }
            }
            if (kept) {
                const { restored } = await (0,docker_config/* undoEntries */.l_)(configPath, 'auths', [entry], docker_config/* isOurAuth */.f2, true, true);
                report.restored.push(...restored);
            }
        }
    }, DOCKER_RUNS_LOCK);
    return report;
}

;// CONCATENATED MODULE: ./src/core/docker/docker-login.ts




// login: docker and its logout, loaded only by the logins that ask for it: the other modes start no docker.
/** `docker login` for each entry, a credential store's earlier entry for each registry kept aside first. */
async function loginWithDocker(configPath, entries, written, logout, platform) {
    const stores = await keepStoreEntries(configPath, written, platform.env);
    // One at a time, under the config's lock: the docker CLI does not lock its config file.
    await dockerLoginsOn(configPath, entries, logout ? written : [], platform.runDocker ?? (0,cli/* dockerRunner */.DI)(platform.env), (server) => platform.info(`docker login ${server} succeeded`)).catch((error) => {
        throw refusedByStore((0,errors/* describeError */.U)(error), stores) ?? error;
    });
}
/** `docker logout` of the entries still this login's, then the credential stores' earlier entries put back. */
async function logoutWithDocker(configPath, servers, platform) {
    const report = await dockerLogoutsOn(configPath, servers, platform.runDocker ?? (0,cli/* dockerRunner */.DI)(platform.env));
    const storesPutBack = await restoreStoreEntries(configPath, servers, platform.env);
    return { report, storesPutBack };
}


/***/ })

};
;