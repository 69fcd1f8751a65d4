// Settings → server options, against a mocked `vscode` configuration; package.json consistency.

import './mocks';
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { vscode, reset } from './mocks';
import { didChangeSettings, mapRules, normalizeLevel, readSettings, serverEnv } from '../../src/options';

const HERE = path.resolve(__dirname, '../../..'); // out-test/test/unit → editors/vscode
const pkg = JSON.parse(fs.readFileSync(path.join(HERE, 'package.json'), 'utf8'));
const props = pkg.contributes.configuration.properties;

function settings(values: Record<string, unknown>) {
  const state = reset();
  Object.assign(state.settings, values);
  return readSettings(vscode.workspace.getConfiguration('qwenSettings'));
}

describe('readSettings', () => {
  it('defaults: no rule overrides, generic completion on, log level warn', () => {
    assert.deepEqual(settings({}), {
      serverPath: '',
      logLevel: 'warn',
      options: { rules: {}, completion: { generic: true } },
      problems: [],
    });
  });

  it('maps rule levels, accepting short forms and any case', () => {
    const s = settings({
      rules: { 'missing-version': 'off', 'envkey-missing': 'Hint', 'trailing-comma': 'warn', 'duplicate-key': 'info', 'model-not-found': false },
      'completion.generic': false,
      'server.path': '/opt/qwen-settings-ls',
      'server.logLevel': 'DEBUG',
    });
    assert.deepEqual(s.options, {
      rules: {
        'missing-version': 'off',
        'envkey-missing': 'hint',
        'trailing-comma': 'warning',
        'duplicate-key': 'information',
        'model-not-found': 'off',
      },
      completion: { generic: false },
    });
    assert.equal(s.serverPath, '/opt/qwen-settings-ls');
    assert.equal(s.logLevel, 'debug');
    assert.deepEqual(s.problems, []);
  });

  it('drops invalid levels and says why', () => {
    const s = settings({ rules: { 'missing-version': 'loud', 'envkey-missing': 3, 'duplicate-key': 'error' } });
    assert.deepEqual(s.options.rules, { 'duplicate-key': 'error' });
    assert.equal(s.problems.length, 2);
    assert.match(s.problems[0], /"missing-version" has level "loud"/);
  });

  it('ignores a rules value that is not an object, and a bad log level', () => {
    const s = settings({ rules: ['missing-version'], 'server.logLevel': 'chatty', 'completion.generic': 'no' });
    assert.deepEqual(s.options, { rules: {}, completion: { generic: true } });
    assert.equal(s.logLevel, 'warn');
    assert.equal(s.problems.length, 2);
  });

  it('sends the options under qwenSettings on didChangeConfiguration', () => {
    const options = { rules: { 'missing-version': 'off' as const }, completion: { generic: false } };
    assert.deepEqual(didChangeSettings(options), { qwenSettings: options });
  });
});

describe('serverEnv', () => {
  it('passes the log level as QWEN_SETTINGS_LS_LOG and keeps the rest of the environment', () => {
    const base = { PATH: '/bin', QWEN_HOME: '/q', QWEN_SETTINGS_LS_LOG: 'trace' };
    assert.deepEqual(serverEnv(base, 'info'), { PATH: '/bin', QWEN_HOME: '/q', QWEN_SETTINGS_LS_LOG: 'info' });
    assert.equal(base.QWEN_SETTINGS_LS_LOG, 'trace');
  });
});

describe('normalizeLevel / mapRules', () => {
  it('knows exactly the server levels and their short forms', () => {
    assert.equal(normalizeLevel(' Warning '), 'warning');
    assert.equal(normalizeLevel('none'), 'off');
    assert.equal(normalizeLevel('fatal'), undefined);
    assert.equal(normalizeLevel(true), undefined);
    assert.deepEqual(mapRules(undefined, []), {});
    assert.deepEqual(mapRules(null, []), {});
  });
});

describe('package.json', () => {
  it('declares the settings that readSettings reads, with matching defaults', () => {
    assert.equal(props['qwenSettings.server.path'].default, '');
    assert.equal(props['qwenSettings.server.logLevel'].default, settings({}).logLevel);
    assert.equal(props['qwenSettings.completion.generic'].default, true);
    assert.deepEqual(props['qwenSettings.rules'].default, {});
    assert.deepEqual(props['qwenSettings.trace.server'].enum, ['off', 'messages', 'verbose']);
    for (const level of props['qwenSettings.rules'].additionalProperties.enum) {
      assert.equal(normalizeLevel(level), level);
    }
  });

  it('packages one property per rule of the README rule table (scripts/manifest.js)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const manifest = require(path.join(HERE, 'scripts/manifest.js'));
    const readme = fs.readFileSync(path.join(HERE, '../../README.md'), 'utf8');
    const table = readme.split('<!-- rules:start -->')[1].split('<!-- rules:end -->')[0];
    const codes = [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    assert.ok(codes.includes('unknown-protocol-key') && codes.includes('trailing-comma'));
    const rules = manifest.readmeRules(readme);
    assert.deepEqual(rules.map((r: { code: string }) => r.code), codes);
    const before = JSON.stringify(pkg);
    const packaged = manifest.withRuleProperties(pkg, rules);
    assert.equal(JSON.stringify(pkg), before, 'the input manifest is not changed');
    const setting = packaged.contributes.configuration.properties['qwenSettings.rules'];
    assert.deepEqual(Object.keys(setting.properties), codes);
    const unknown = setting.properties['unknown-protocol-key'];
    assert.deepEqual(unknown.enum, props['qwenSettings.rules'].additionalProperties.enum);
    assert.match(unknown.markdownDescription, /^Default: error\. A `modelProviders` key/);
    assert.throws(() => manifest.readmeRules('# no table'), /rules:start/);
    // The manifest in the tree lists no codes, so it cannot fall behind the server.
    assert.equal(props['qwenSettings.rules'].properties, undefined);
  });

  it('activates on .qwen/settings.json and contributes the restart command', () => {
    assert.ok(pkg.activationEvents.includes('workspaceContains:**/.qwen/settings.json'));
    assert.ok(pkg.activationEvents.includes('onLanguage:jsonc'));
    assert.deepEqual(pkg.contributes.languages, [{ id: 'jsonc', filenamePatterns: ['**/.qwen/settings.json'] }]);
    const commands = pkg.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(commands.includes('qwenSettings.restartServer'));
    assert.equal(pkg.dependencies['vscode-languageclient'], '9.0.1');
  });
});
