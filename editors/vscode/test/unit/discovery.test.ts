// Server discovery: setting → bundled `server/` binary → PATH → ~/.cargo/bin, on real temporary
// files (executable bits included), plus Windows rules through an injected file check.

import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, beforeEach, describe, it } from 'node:test';
import { BINARY, discoveryError, expandPath, findServer } from '../../src/discovery';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qwen-vscode-discovery-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

let n = 0;
let dir: string;
beforeEach(() => {
  dir = path.join(root, String(n++));
  fs.mkdirSync(dir);
});

function file(rel: string, mode = 0o755): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, '#!/bin/sh\n');
  fs.chmodSync(p, mode);
  return p;
}

const posix = process.platform !== 'win32';

describe('findServer', { skip: !posix && 'POSIX file modes' }, () => {
  it('prefers qwenSettings.server.path over the bundled binary and PATH', () => {
    const configured = file('custom/qwen-settings-ls');
    file(`ext/server/${BINARY}`);
    file(`bin/${BINARY}`);
    const found = findServer({
      configured,
      extensionPath: path.join(dir, 'ext'),
      env: { PATH: path.join(dir, 'bin') },
      homedir: dir,
    });
    assert.deepEqual(found, { kind: 'found', path: configured, source: 'setting' });
  });

  it('expands ~, ${userHome}, ${workspaceFolder}, ${env:X} and resolves relative paths against the workspace', () => {
    const bin = file('home/tools/qwen-settings-ls');
    const base = { extensionPath: path.join(dir, 'ext'), env: { TOOLS: path.join(dir, 'home/tools') }, homedir: path.join(dir, 'home') };
    for (const configured of ['~/tools/qwen-settings-ls', '${userHome}/tools/qwen-settings-ls', '${env:TOOLS}/qwen-settings-ls']) {
      assert.deepEqual(findServer({ ...base, configured }), { kind: 'found', path: bin, source: 'setting' }, configured);
    }
    const ws = path.join(dir, 'home');
    for (const configured of ['${workspaceFolder}/tools/qwen-settings-ls', 'tools/qwen-settings-ls', ' ./tools/qwen-settings-ls ']) {
      assert.deepEqual(findServer({ ...base, configured, workspaceFolder: ws }), { kind: 'found', path: bin, source: 'setting' }, configured);
    }
  });

  it('never falls back when the configured path is missing or not executable', () => {
    file(`ext/server/${BINARY}`);
    const base = { extensionPath: path.join(dir, 'ext'), env: {}, homedir: dir };
    const missing = path.join(dir, 'nope/qwen-settings-ls');
    assert.deepEqual(findServer({ ...base, configured: missing }), { kind: 'bad-setting', path: missing, configured: missing });
    const plain = file('plain/qwen-settings-ls', 0o644);
    assert.equal(findServer({ ...base, configured: plain }).kind, 'bad-setting');
    const directory = path.join(dir, 'ext/server');
    assert.equal(findServer({ ...base, configured: directory }).kind, 'bad-setting');
  });

  it('uses the bundled server/ binary when the setting is empty', () => {
    const bundled = file(`ext/server/${BINARY}`);
    file(`bin/${BINARY}`);
    const found = findServer({ configured: '  ', extensionPath: path.join(dir, 'ext'), env: { PATH: path.join(dir, 'bin') }, homedir: dir });
    assert.deepEqual(found, { kind: 'found', path: bundled, source: 'bundled' });
  });

  it('searches PATH in order, skipping empty entries and non-executable files', () => {
    file(`ext/server/${BINARY}`, 0o644); // unpacked without its executable bit: not usable
    file(`a/${BINARY}`, 0o644);
    const b = file(`b/${BINARY}`);
    file(`c/${BINARY}`);
    const PATH = ['', path.join(dir, 'missing'), path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'c')].join(path.delimiter);
    const found = findServer({ configured: '', extensionPath: path.join(dir, 'ext'), env: { PATH }, homedir: dir });
    assert.deepEqual(found, { kind: 'found', path: b, source: 'PATH' });
  });

  it('falls back to ~/.cargo/bin (or $CARGO_HOME/bin), where cargo install puts the binary', () => {
    const cargo = file(`home/.cargo/bin/${BINARY}`);
    const base = { configured: '', extensionPath: path.join(dir, 'ext'), homedir: path.join(dir, 'home') };
    assert.deepEqual(findServer({ ...base, env: { PATH: '/nonexistent' } }), { kind: 'found', path: cargo, source: 'cargo' });
    const custom = file(`cargo-home/bin/${BINARY}`);
    assert.deepEqual(findServer({ ...base, env: { CARGO_HOME: path.join(dir, 'cargo-home') } }), { kind: 'found', path: custom, source: 'cargo' });
  });

  it('reports what it searched and how to fix it when nothing is found', () => {
    const found = findServer({ configured: '', extensionPath: path.join(dir, 'ext'), env: { PATH: path.join(dir, 'bin') }, homedir: dir });
    assert.equal(found.kind, 'not-found');
    if (found.kind !== 'not-found') return;
    assert.deepEqual(found.searched, [path.join(dir, 'ext/server', BINARY), `${BINARY} on PATH`, path.join(dir, '.cargo/bin', BINARY)]);
    const message = discoveryError(found);
    assert.match(message, /not found/);
    assert.match(message, /cargo install --path \./);
    assert.match(message, /qwenSettings\.server\.path/);
  });
});

describe('findServer on Windows', () => {
  it('looks for qwen-settings-ls.exe in server/ and PATHEXT names on PATH', () => {
    const exists = new Set(['C:\\tools\\qwen-settings-ls.cmd']);
    const isExecutable = (p: string) => exists.has(p);
    const base = { configured: '', extensionPath: 'C:\\ext', platform: 'win32' as const, homedir: 'C:\\Users\\me', isExecutable };
    assert.deepEqual(findServer({ ...base, env: { Path: 'C:\\bin;C:\\tools', PATHEXT: '.EXE;.CMD' } }), {
      kind: 'found',
      path: 'C:\\tools\\qwen-settings-ls.cmd',
      source: 'PATH',
    });
    exists.add('C:\\ext\\server\\qwen-settings-ls.exe');
    assert.deepEqual(findServer({ ...base, env: {} }), { kind: 'found', path: 'C:\\ext\\server\\qwen-settings-ls.exe', source: 'bundled' });
  });
});

describe('expandPath', () => {
  it('leaves absolute paths alone and keeps unknown variables', () => {
    assert.equal(expandPath('/opt/qwen-settings-ls', '/home/me', '/ws', {}), '/opt/qwen-settings-ls');
    assert.equal(expandPath('${env:NOPE}/x', '/home/me', undefined, {}), '/x');
    assert.equal(expandPath('rel/x', '/home/me', undefined, {}), 'rel/x');
  });
});
