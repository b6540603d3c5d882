#!/usr/bin/env bash
# Builds a Windows docker CLI (docker.exe) for the Windows suite under Wine, from Debian's own docker.io source (the
# 20.10 CLI, as Debian builds it for Linux, with Debian's Go packages), and the launcher the store stand-ins need there
# (test/support/windows/exe-launcher.go), into tools/docker-win/. Run as root by scripts/setup.sh; skipped when built.
# Debian does not package two Windows-only modules the CLI imports: go-winio (named pipes: this docker.exe reaches the
# test's engine over tcp:// only) and hcsshim's osversion; test/support/windows/docker-win/ stands in for them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tools/docker-win
if [ -f "$out/docker.exe" ] && [ -f "$out/exe-launcher.exe" ]; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive

# The source packages come from the same archive as the binary ones: a deb-src entry made from the machine's own.
if ! grep -Eqs '^(deb-src |Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/*; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >/etc/apt/sources.list.d/acr-login-deb-src.sources
  else
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/acr-login-deb-src.list
  fi
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends golang-go dpkg-dev \
  golang-github-azure-go-ansiterm-dev golang-github-inconshreveable-mousetrap-dev >/dev/null
apt-get build-dep -y -qq --no-install-recommends docker.io >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# golang-golang-x-sys: its binary package leaves out x/sys/windows, its source has it.
(cd "$work" && apt-get source -qq docker.io golang-golang-x-sys >/dev/null 2>&1)
src=$(echo "$work"/docker.io-*/)
export GOPATH="$work/gopath" GOCACHE="$work/cache" GO111MODULE=off GOFLAGS= CGO_ENABLED=0
# The GOPATH Debian's build makes: its Go packages, then the four components of the source in place of theirs.
mkdir -p "$GOPATH/src"
cp -rs /usr/share/gocode/src/. "$GOPATH/src/"
for component in cli:docker/cli engine:docker/docker libnetwork:docker/libnetwork swarmkit:docker/swarmkit; do
  rm -rf "$GOPATH/src/github.com/${component#*:}"
  cp -r "$src/${component%%:*}" "$GOPATH/src/github.com/${component#*:}"
done
rm -rf "$GOPATH/src/golang.org/x/sys/windows"
cp -r "$work"/golang-golang-x-sys-*/windows "$GOPATH/src/golang.org/x/sys/windows"
mkdir -p "$GOPATH/src/github.com/Microsoft/go-winio" "$GOPATH/src/github.com/Microsoft/hcsshim/osversion"
cp test/support/windows/docker-win/winio.go "$GOPATH/src/github.com/Microsoft/go-winio/"
cp test/support/windows/docker-win/osversion.go "$GOPATH/src/github.com/Microsoft/hcsshim/osversion/"

rm -rf "$out.new"
mkdir -p "$out.new"
version=$(dpkg-query -W -f '${Version}' docker.io 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' "$src/debian/changelog")
(cd "$GOPATH/src/github.com/docker/cli" &&
  GOOS=windows GOARCH=amd64 go build -ldflags "-X github.com/docker/cli/cli/version.Version=${version%%-*}" \
    -o "$OLDPWD/$out.new/docker.exe" ./cmd/docker)
GOOS=windows GOARCH=amd64 go build -o "$out.new/exe-launcher.exe" test/support/windows/exe-launcher.go
rm -rf "$out"
mv "$out.new" "$out"
