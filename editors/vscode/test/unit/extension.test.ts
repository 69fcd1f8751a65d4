// The extension's wiring, against the mocked `vscode` and `vscode-languageclient/node` modules:
// which documents start the server, what it is started with, the notification when there is no
// server, and how settings changes reach it.

import './mocks';
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { context, doc, MockClient, MockState, reset } from './mocks';
import { activate, deactivate, documentSelector } from '../../src/extension';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qwen-vscode-ext-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** An extension directory with a bundled (fake) server. */
const ext = path.join(root, 'ext');
const bundled = path.join(ext, 'server', 'qwen-settings-ls');
fs.mkdirSync(path.dirname(bundled), { recursive: true });
fs.writeFileSync(bundled, '#!/bin/sh\n');
fs.chmodSync(bundled, 0o755);
const bare = path.join(root, 'bare-ext');
fs.mkdirSync(bare);

const QWEN = doc('/work/proj/.qwen/settings.json');
const USER = doc('/home/me/.qwen/settings.json');
const OTHERS = [
  doc('/work/proj/settings.json'),
  doc('/work/proj/.vscode/settings.json'),
  doc('/home/me/.config/Code/User/settings.json'),
  doc('/work/proj/.qwen/settings.json.orig'),
  doc('/work/proj/.qwen/other.json', 'json'),
  doc('/work/proj/not.qwen/settings.json'),
];

let state: MockState;
const savedEnv = { ...process.env };
beforeEach(() => {
  state = reset();
  MockClient.failStart = undefined;
});
afterEach(async () => {
  await deactivate();
  process.env = { ...savedEnv };
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('activation', () => {
  it('starts no server until a .qwen/settings.json is open, and none for other JSON files', async () => {
    const ctl = await activate(context(ext));
    assert.equal(state.clients.length, 0);
    for (const d of OTHERS) state.open(d);
    await settle();
    assert.equal(state.clients.length, 0, 'other settings.json files do not start the server');
    for (const d of OTHERS) assert.equal(ctl.matches(d as never), false, d.uri.fsPath);
    state.open(QWEN);
    await settle();
    assert.equal(state.clients.length, 1);
    assert.ok(state.clients[0].started);
    state.open(USER);
    await settle();
    assert.equal(state.clients.length, 1, 'one server for all files');
    assert.equal(ctl.matches(USER as never), true);
  });

  it('starts the bundled server with the mapped options and the log level in its environment', async () => {
    state.settings = { rules: { 'missing-version': 'off', 'envkey-missing': 'warn' }, 'completion.generic': false, 'server.logLevel': 'debug' };
    state.textDocuments.push(QWEN);
    await activate(context(ext));
    const [client] = state.clients;
    assert.equal(client.id, 'qwenSettings');
    assert.equal(client.server.command, bundled);
    assert.deepEqual(client.server.args, ['--stdio']);
    assert.equal(client.server.options.env.QWEN_SETTINGS_LS_LOG, 'debug');
    assert.equal(client.server.options.env.PATH, process.env.PATH);
    assert.deepEqual(client.options.documentSelector, [{ scheme: 'file', pattern: '**/.qwen/settings.json' }]);
    assert.deepEqual(client.options.initializationOptions, {
      rules: { 'missing-version': 'off', 'envkey-missing': 'warning' },
      completion: { generic: false },
    });
    assert.equal(client.options.outputChannel.name, 'Qwen Settings');
    assert.ok(state.output.some((l) => l.includes(`starting ${bundled} (bundled)`)));
  });

  it('answers workspace/configuration for qwenSettings with the mapped options', async () => {
    state.settings = { rules: { 'trailing-comma': 'Hint' } };
    state.textDocuments.push(QWEN);
    await activate(context(ext));
    const configuration = state.clients[0].options.middleware.workspace.configuration;
    const next = () => ['from next'];
    assert.deepEqual(configuration({ items: [{ section: 'qwenSettings' }, { section: 'other' }] }, undefined, next), [
      { rules: { 'trailing-comma': 'hint' }, completion: { generic: true } },
      null,
    ]);
    assert.deepEqual(configuration({ items: [{ section: 'editor' }] }, undefined, next), ['from next']);
  });
});

describe('no server', () => {
  it('says how to fix it once, and offers to open the setting', async () => {
    process.env.PATH = path.join(root, 'empty-path');
    process.env.CARGO_HOME = path.join(root, 'no-cargo');
    state.errorAnswer = 'Open Settings';
    state.textDocuments.push(QWEN);
    await activate(context(bare));
    await settle();
    assert.equal(state.clients.length, 0);
    assert.equal(state.errors.length, 1);
    assert.match(state.errors[0], /not found.*cargo install --path \..*qwenSettings\.server\.path/s);
    assert.deepEqual(state.executed, [['workbench.action.openSettings', 'qwenSettings.server.path']]);
    state.open(USER);
    await settle();
    assert.equal(state.errors.length, 1, 'not repeated for every file');

    // Fixing the setting starts the server.
    state.change({ 'server.path': bundled });
    await settle();
    assert.equal(state.clients.length, 1);
    assert.equal(state.clients[0].server.command, bundled);
  });

  it('reports a configured path that does not exist instead of using another binary', async () => {
    state.settings = { 'server.path': '/nonexistent/qwen-settings-ls' };
    state.textDocuments.push(QWEN);
    await activate(context(ext));
    assert.equal(state.clients.length, 0);
    assert.match(state.errors[0], /"qwenSettings\.server\.path" is "\/nonexistent\/qwen-settings-ls"/);
  });

  it('reports a server that fails to start', async () => {
    MockClient.failStart = new Error('spawn EACCES');
    state.textDocuments.push(QWEN);
    await activate(context(ext));
    assert.match(state.errors[0], /could not start .*spawn EACCES/);
  });
});

describe('settings changes and commands', () => {
  it('sends changed rules to the running server without restarting it', async () => {
    state.textDocuments.push(QWEN);
    await activate(context(ext));
    await Promise.all(state.change({ rules: { 'missing-version': 'off' } }));
    const [client] = state.clients;
    assert.equal(state.clients.length, 1);
    assert.deepEqual(client.notifications, [
      {
        method: 'workspace/didChangeConfiguration',
        params: { settings: { qwenSettings: { rules: { 'missing-version': 'off' }, completion: { generic: true } } } },
      },
    ]);
  });

  it('warns about invalid rule levels once', async () => {
    state.textDocuments.push(QWEN);
    await activate(context(ext));
    await Promise.all(state.change({ rules: { 'missing-version': 'loud' } }));
    await Promise.all(state.change({ 'completion.generic': false }));
    assert.equal(state.warnings.length, 1);
    assert.match(state.warnings[0], /"missing-version" has level "loud"/);
  });

  it('restarts the server when its path or log level changes, and on the restart command', async () => {
    state.textDocuments.push(QWEN);
    await activate(context(ext));
    await Promise.all(state.change({ 'server.logLevel': 'trace' }));
    assert.equal(state.clients.length, 2);
    assert.ok(state.clients[0].stopped);
    assert.equal(state.clients[1].server.options.env.QWEN_SETTINGS_LS_LOG, 'trace');
    await state.commands.get('qwenSettings.restartServer')!();
    assert.equal(state.clients.length, 3);
    assert.ok(state.clients[1].stopped && state.clients[2].started);
    await state.commands.get('qwenSettings.showOutput')!();
    assert.equal(state.outputShown, 1);
    await deactivate();
    assert.ok(state.clients[2].stopped);
  });

  it('ignores changes to other settings', async () => {
    state.textDocuments.push(QWEN);
    await activate(context(ext));
    await Promise.all(state.configListeners.map((l) => l({ affectsConfiguration: (s: string) => s === 'editor' })));
    assert.equal(state.clients.length, 1);
    assert.deepEqual(state.clients[0].notifications, []);
  });
});

describe('documentSelector', () => {
  it('adds $QWEN_HOME/settings.json when QWEN_HOME is set elsewhere than a .qwen directory', () => {
    assert.deepEqual(documentSelector({}), [{ scheme: 'file', pattern: '**/.qwen/settings.json' }]);
    assert.deepEqual(documentSelector({ QWEN_HOME: '/opt/qwen/' }), [
      { scheme: 'file', pattern: '**/.qwen/settings.json' },
      { scheme: 'file', pattern: '/opt/qwen/settings.json' },
    ]);
    assert.equal(documentSelector({ QWEN_HOME: '/home/me/.qwen' }).length, 1);
  });
});
