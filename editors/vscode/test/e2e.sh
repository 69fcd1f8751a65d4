#!/usr/bin/env bash
# End-to-end test of the VS Code extension in real VS Code (code-server 4.100.3 = VS Code 1.100.3)
# driven by playwright-core in headless Debian Chromium. One command, installs what it needs:
#
#   bash editors/vscode/test/e2e.sh            # build the .vsix (with the release server), test it
#   bash editors/vscode/test/e2e.sh --install  # only install the prerequisites
#
# Installs, once: Debian packages (chromium, and the build tools and headers code-server's
# native modules need; as root, or with sudo), code-server 4.100.3 from npm into
# .tools/code-server-4.100.3 (about 300 MB, 1-2 minutes), and the extension's npm packages.
# Evidence (screenshots, the server log, code-server's log) goes to editors/vscode/test-output/.
#
# Environment: QWEN_LS_CODE_SERVER=<dir> uses another code-server install directory;
# QWEN_LS_VSIX=<file> tests that .vsix instead of building one.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"   # editors/vscode
REPO="$(cd "$HERE/../.." && pwd)"
CODE_SERVER_VERSION=4.100.3
CS_DIR="${QWEN_LS_CODE_SERVER:-$REPO/.tools/code-server-$CODE_SERVER_VERSION}"
CODE_SERVER="$CS_DIR/node_modules/.bin/code-server"
OUT="$HERE/test-output"
APT_PACKAGES=(chromium build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep curl)

log() { printf '[e2e %s] %s\n' "$(date +%T)" "$*" >&2; }

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null || {
      log "not root and no password-less sudo: install them with apt-get, then run this again"
      return 1
    }
    sudo=(sudo -n)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_code_server() {
  if [ -x "$CODE_SERVER" ] && "$CODE_SERVER" --config /dev/null --version >/dev/null 2>&1; then
    return 0
  fi
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (takes 1-2 minutes)"
  local start=$SECONDS
  # @vscode/ripgrep's postinstall downloads ripgrep from GitHub: seed its cache with Debian's rg.
  local rgcache
  rgcache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$rgcache"
  tar czf "$rgcache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
  rm -rf "$CS_DIR.partial"
  mkdir -p "$CS_DIR.partial"
  # npm 11 needs these to run code-server's postinstall and its native module builds.
  (cd "$CS_DIR.partial" &&
    npm_config_unsafe_perm=true npm_config_yes=true npm_config_dangerously_allow_all_scripts=true \
      npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION" \
      >"$CS_DIR.install.log" 2>&1) || {
    tail -n 40 "$CS_DIR.install.log" >&2
    log "code-server install failed; full log: $CS_DIR.install.log"
    return 1
  }
  rm -rf "$CS_DIR"
  mv "$CS_DIR.partial" "$CS_DIR"
  "$CODE_SERVER" --config /dev/null --version >&2
  log "code-server installed in $((SECONDS - start)) s"
}

install_npm() {
  # Reinstall when package-lock.json changed since the last install.
  local stamp="$HERE/node_modules/.package-lock-stamp"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$HERE/package-lock.json"; then
    return 0
  fi
  log "npm ci in editors/vscode"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
  cp "$HERE/package-lock.json" "$stamp"
}

install_apt
install_code_server
install_npm
[ "${1:-}" = "--install" ] && exit 0

# The extension under test: the platform .vsix with the release server bundled.
vsix="${QWEN_LS_VSIX:-}"
if [ -z "$vsix" ]; then
  log "packaging the extension (release server bundled)"
  vsix="$(bash "$HERE/package.sh" | tail -n 1)"
fi
log "testing $vsix"

work="$(mktemp -d "${TMPDIR:-/tmp}/qwen-vscode-e2e.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/user/User" "$work/exts" "$work/home"
: >"$work/config.yaml" # an empty --config leaves ~/.config/code-server alone
cp -R "$HERE/test/e2e/fixture" "$work/workspace"
# User settings: a quiet offline VS Code; JSON validation stays on (as for users), so the test
# also shows that this server's diagnostics are told apart from VS Code's own JSON ones.
cat >"$work/user/User/settings.json" <<'JSON'
{
  "git.enabled": false,
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "telemetry.telemetryLevel": "off",
  "files.autoSave": "off",
  "editor.autoClosingBrackets": "never",
  "editor.autoClosingQuotes": "never",
  "editor.autoSurround": "never",
  "editor.autoIndent": "none",
  "qwenSettings.rules": { "trailing-comma": "warning", "no-such-rule": "off" },
  "qwenSettings.trace.server": "verbose",
  "qwenSettings.server.logLevel": "debug"
}
JSON

cs=("$CODE_SERVER" --config "$work/config.yaml" --user-data-dir "$work/user" --extensions-dir "$work/exts")
"${cs[@]}" --install-extension "$vsix" >&2
"${cs[@]}" --list-extensions --show-versions | grep -qx "qwen-settings-ls.qwen-settings-ls@$(node -p "require('$HERE/package.json').version")" || {
  log "the extension is not listed after --install-extension"
  exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT"
log "running the browser test; screenshots and logs go to $OUT"
# run.js prints "vscode-e2e: N passed, M failed" as the last line.
CODE_SERVER="$CODE_SERVER" E2E_WORK="$work" E2E_OUT="$OUT" node "$HERE/test/e2e/run.js"
