#!/usr/bin/env bash
# Packages the VS Code extension into editors/vscode/dist/.
#
#   editors/vscode/package.sh                 # build the release server, bundle it: one .vsix
#                                             # for this platform (e.g. dist/qwen-settings-ls-linux-x64-0.1.0.vsix)
#   editors/vscode/package.sh --no-server     # no bundled server (it is then found on PATH or
#                                             # with qwenSettings.server.path): dist/qwen-settings-ls-0.1.0.vsix
#   editors/vscode/package.sh --target T --server FILE
#                                             # bundle a server built elsewhere (e.g. cross-compiled)
#                                             # for VS Code target T (linux-arm64, darwin-arm64, win32-x64, ...)
#
# Needs Node 20+ and npm; installs the extension's npm packages (@vscode/vsce among them) locally.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
bundle=1
target=""
server=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-server) bundle=0 ;;
    --target) target="$2"; shift ;;
    --server) server="$2"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# The VS Code platform target of this machine (the names `vsce package --target` accepts).
host_target() {
  local os arch
  os="$(node -p process.platform)"
  arch="$(node -p process.arch)"
  [ "$arch" = arm ] && arch=armhf
  if [ "$os" = linux ] && { [ -f /etc/alpine-release ] || ldd --version 2>&1 | grep -qi musl; }; then
    os=alpine
  fi
  echo "$os-$arch"
}

cd "$HERE"
if [ ! -x node_modules/.bin/vsce ] || ! cmp -s package-lock.json node_modules/.package-lock-stamp; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock-stamp
fi

version="$(node -p 'require("./package.json").version')"
mkdir -p dist
# The package is assembled in a staging directory: the bundled extension, the manifest with the
# README's rule codes added (scripts/manifest.js), the README, and the server.
stage="$(mktemp -d "${TMPDIR:-/tmp}/qwen-vscode-stage.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
npm run --silent bundle >&2
mkdir -p "$stage/out"
cp out/extension.js "$stage/out/"
cp README.md .vscodeignore "$stage/"
node scripts/manifest.js "$REPO/README.md" package.json "$stage/package.json"
if [ "$bundle" = 1 ]; then
  target="${target:-$(host_target)}"
  exe=qwen-settings-ls
  case "$target" in win32-*) exe=qwen-settings-ls.exe ;; esac
  if [ -z "$server" ]; then
    if [ "$target" != "$(host_target)" ]; then
      echo "package.sh: target $target is not this machine ($(host_target)); pass --server FILE" >&2
      exit 2
    fi
    (cd "$REPO" && cargo build --release --locked)
    server="$REPO/target/release/$exe"
  fi
  mkdir -p "$stage/server"
  cp "$server" "$stage/server/$exe"
  chmod 755 "$stage/server/$exe"
  out="dist/qwen-settings-ls-$target-$version.vsix"
  args=(--target "$target")
else
  [ -z "$target$server" ] || { echo "package.sh: --no-server takes no --target/--server" >&2; exit 2; }
  out="dist/qwen-settings-ls-$version.vsix"
  args=()
fi

# No LICENSE file or repository URL in this repository: say so instead of being asked (no stdin in CI).
(cd "$stage" && "$HERE/node_modules/.bin/vsce" package "${args[@]}" --no-dependencies --skip-license \
  --allow-missing-repository --out "$HERE/$out" >&2)
echo "$HERE/$out"
