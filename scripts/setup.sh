#!/usr/bin/env bash
# Installs everything the tests, the benchmark and the demo need on a fresh Debian machine (run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v docker-registry >/dev/null 2>&1 || packages+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || packages+=(skopeo)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
command -v docker >/dev/null 2>&1 || packages+=(docker.io)
if [ ${#packages[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
# npm ci rejects the lock file npm 11 writes for jest 30 (platform bindings of unrs-resolver), so install from it instead.
npm install --no-audit --no-fund
