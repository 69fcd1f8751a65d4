// Scenarios of the conformance suite: each is a sandbox (files under a fresh HOME and a project
// directory outside it), an exported environment, and the CLI exit code expected. The runner runs
// `qwen -p hi` and `qwen-settings-ls doctor --format json` there and compares what doctor
// predicts with what the mock endpoint receives.
//
// Paths are relative to the sandbox root: `home/` is HOME, `work/proj/` the project (the working
// directory unless `cwd` says otherwise). In file contents and exported values, `{PORT}` is the
// mock's port and `{BASE}` is `http://127.0.0.1:{PORT}/v1`. Objects are written as JSON.
//
// Every key value is distinct and ends in four distinct characters, so that the masked key alone
// (`sk-…XXXX`) tells which source the CLI read it from.

export const KEYS = {
  exported: 'sk-exported-000000EXP1',
  projectEnv: 'sk-project-dotenv-PRJ2',
  projectQwenEnv: 'sk-project-qwen-env-PQW3',
  homeQwenEnv: 'sk-home-qwen-env-00HQW4',
  homeEnv: 'sk-home-dotenv-0000HOM5',
  workspace: 'sk-workspace-settings-WSP6',
  user: 'sk-user-settings-000USR7',
  first: 'sk-first-entry-0000FST8',
  second: 'sk-second-entry-000SEC9',
  ghost: 'sk-ghost-provider-GHSa',
  custom: 'sk-custom-provider-CUSb',
  anthropic: 'sk-ant-api03-mock-ANTc',
};

const BASE = '{BASE}';
const WS = 'work/proj/.qwen/settings.json';
const USER = 'home/.qwen/settings.json';

/** A settings file: `"$version": 4` first, so the CLI leaves it untouched on disk. */
function settings(body) {
  return { $version: 4, ...body };
}

/** The usual workspace file: one openai entry `m1` at the mock whose key is read from `K`. */
function oneEntry(extra = {}, entry = {}) {
  return settings({
    modelProviders: { openai: [{ id: 'm1', baseUrl: BASE, envKey: 'K', ...entry }] },
    security: { auth: { selectedType: 'openai' } },
    model: { name: 'm1' },
    ...extra,
  });
}

export const SCENARIOS = [
  // --- precedence: exported > .env files > settings env ---
  {
    name: 'exported-beats-dotenv-and-settings',
    about: 'K exported, in <project>/.env and in settings env: the exported value is sent',
    files: {
      [WS]: oneEntry({ env: { K: KEYS.workspace } }),
      'work/proj/.env': `K=${KEYS.projectEnv}\n`,
    },
    exported: { K: KEYS.exported },
  },
  {
    name: 'empty-exported-is-unset-settings',
    about: 'K="" exported and K in settings env: the empty value counts as unset',
    files: { [WS]: oneEntry({ env: { K: KEYS.workspace } }) },
    exported: { K: '' },
  },
  {
    name: 'empty-exported-is-unset-dotenv',
    about: 'K="" exported, K in <project>/.env and settings env: the .env value is sent',
    files: {
      [WS]: oneEntry({ env: { K: KEYS.workspace } }),
      'work/proj/.env': `K=${KEYS.projectEnv}\n`,
    },
    exported: { K: '' },
  },
  {
    name: 'project-dotenv-beats-home-dotenv-and-settings',
    about: 'K in <project>/.env, ~/.qwen/.env and settings env: the project .env wins',
    files: {
      [WS]: oneEntry({ env: { K: KEYS.workspace } }),
      'work/proj/.env': `K=${KEYS.projectEnv}\n`,
      'home/.qwen/.env': `K=${KEYS.homeQwenEnv}\n`,
    },
  },
  {
    name: 'qwen-dotenv-hides-project-dotenv',
    about: '<project>/.qwen/.env exists (other vars only): the sibling <project>/.env is not loaded, settings env fills K',
    files: {
      [WS]: oneEntry({ env: { K: KEYS.workspace } }),
      'work/proj/.qwen/.env': 'UNRELATED=1\n',
      'work/proj/.env': `K=${KEYS.projectEnv}\n`,
    },
  },
  {
    name: 'qwen-dotenv-beats-project-dotenv',
    about: 'K in <project>/.qwen/.env and <project>/.env: .qwen/.env wins',
    files: {
      [WS]: oneEntry(),
      'work/proj/.qwen/.env': `K=${KEYS.projectQwenEnv}\n`,
      'work/proj/.env': `K=${KEYS.projectEnv}\n`,
    },
  },
  {
    name: 'project-dotenv-and-home-qwen-dotenv-both-load',
    about: '<project>/.env has other vars only, ~/.qwen/.env has K: both are loaded, K from ~/.qwen/.env',
    files: {
      [WS]: oneEntry(),
      'work/proj/.env': 'UNRELATED=1\n',
      'home/.qwen/.env': `K=${KEYS.homeQwenEnv}\n`,
    },
  },
  {
    name: 'home-qwen-dotenv-beats-home-dotenv',
    about: 'K in ~/.qwen/.env and ~/.env: ~/.qwen/.env wins',
    files: {
      [WS]: oneEntry(),
      'home/.qwen/.env': `K=${KEYS.homeQwenEnv}\n`,
      'home/.env': `K=${KEYS.homeEnv}\n`,
    },
  },
  {
    name: 'home-dotenv-fills-gap',
    about: '~/.qwen/.env has other vars only, ~/.env has K: K from ~/.env',
    files: {
      [WS]: oneEntry(),
      'home/.qwen/.env': 'UNRELATED=1\n',
      'home/.env': `K=${KEYS.homeEnv}\n`,
    },
  },
  {
    name: 'workspace-env-beats-user-env',
    about: 'K in user settings env and workspace settings env: workspace wins',
    files: {
      [USER]: settings({ env: { K: KEYS.user } }),
      [WS]: oneEntry({ env: { K: KEYS.workspace } }),
    },
  },
  {
    name: 'user-scope-only',
    about: 'no workspace settings: provider, selection and K all in ~/.qwen/settings.json',
    files: {
      [USER]: oneEntry({ env: { K: KEYS.user } }),
      'work/proj/README': 'a project without .qwen\n',
    },
  },
  {
    name: 'resolvable-envkey-beats-exported-openai-key',
    about: 'OPENAI_API_KEY exported, envKey K defined in settings env: K is sent',
    files: { [WS]: oneEntry({ env: { K: KEYS.workspace } }) },
    exported: { OPENAI_API_KEY: KEYS.exported },
  },

  // --- interpolation ---
  {
    name: 'interpolation-baseurl-and-envkey',
    about: 'baseUrl "http://127.0.0.1:${MOCK_PORT}/${API_VERSION}", envKey "${KEY_NAME}": parts from exported, <project>/.env, settings env and ~/.qwen/.env',
    files: {
      [WS]: settings({
        modelProviders: {
          openai: [
            {
              id: 'm1',
              baseUrl: 'http://127.0.0.1:${MOCK_PORT}/${API_VERSION}',
              envKey: '${KEY_NAME}',
            },
          ],
        },
        env: { KEY_NAME: 'REAL_KEY' },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'm1' },
      }),
      'work/proj/.env': 'API_VERSION=v1\n',
      'home/.qwen/.env': `REAL_KEY=${KEYS.homeQwenEnv}\n`,
    },
    exported: { MOCK_PORT: '{PORT}' },
  },
  {
    name: 'interpolation-bare-dollar',
    about: 'baseUrl "$MOCK_BASE" (no braces) from settings env, envKey "$KEY_NAME" exported',
    files: {
      [WS]: settings({
        modelProviders: { openai: [{ id: 'm1', baseUrl: '$MOCK_BASE', envKey: '$KEY_NAME' }] },
        env: { MOCK_BASE: BASE, K2: KEYS.workspace },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'm1' },
      }),
    },
    exported: { KEY_NAME: 'K2' },
  },

  // --- model selection ---
  {
    name: 'model-name-selects-second-entry',
    about: 'model.name names the second openai entry: its id and its envKey are used',
    files: {
      [WS]: settings({
        modelProviders: {
          openai: [
            { id: 'first-model', baseUrl: BASE, envKey: 'K1' },
            { id: 'second-model', baseUrl: BASE, envKey: 'K2' },
          ],
        },
        env: { K1: KEYS.first, K2: KEYS.second },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'second-model' },
      }),
    },
  },
  {
    name: 'model-name-matches-nothing',
    about: 'model.name matches no id: the first entry is used silently',
    files: {
      [WS]: settings({
        modelProviders: {
          openai: [
            { id: 'first-model', baseUrl: BASE, envKey: 'K1' },
            { id: 'second-model', baseUrl: BASE, envKey: 'K2' },
          ],
        },
        env: { K1: KEYS.first, K2: KEYS.second },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'no-such-model' },
      }),
    },
  },
  {
    name: 'duplicate-id-and-baseurl-first-wins',
    about: 'two entries with the same id and baseUrl but different envKeys: the first, with its envKey',
    files: {
      [WS]: settings({
        modelProviders: {
          openai: [
            { id: 'dup', baseUrl: BASE, envKey: 'K1' },
            { id: 'dup', baseUrl: BASE, envKey: 'K2' },
          ],
        },
        env: { K1: KEYS.first, K2: KEYS.second },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'dup' },
      }),
    },
  },
  {
    name: 'unknown-protocol-key-ignored',
    about: 'model.name names an entry under "openai-compatible" (not a protocol, no mapping): ignored, the openai entry runs',
    files: {
      [WS]: settings({
        modelProviders: {
          'openai-compatible': [{ id: 'ghost-model', baseUrl: BASE, envKey: 'KG' }],
          openai: [{ id: 'real-model', baseUrl: BASE, envKey: 'K' }],
        },
        env: { KG: KEYS.ghost, K: KEYS.workspace },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'ghost-model' },
      }),
    },
  },
  {
    name: 'provider-protocol-maps-custom-id',
    about: 'a custom provider id mapped to openai by providerProtocol: its entry is selectable',
    files: {
      [WS]: settings({
        modelProviders: {
          myproxy: [{ id: 'custom-model', baseUrl: BASE, envKey: 'KC' }],
        },
        providerProtocol: { myproxy: 'openai' },
        env: { KC: KEYS.custom },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'custom-model' },
      }),
    },
  },
  {
    name: 'envkey-literal-secret-falls-back',
    about: 'envKey holds a key, OPENAI_API_KEY is in settings env: the CLI sends OPENAI_API_KEY',
    files: {
      [WS]: settings({
        modelProviders: {
          openai: [{ id: 'm1', baseUrl: BASE, envKey: 'sk-4f9a8b7c6d5e4f3a2b1c0d9e8f7aLITd' }],
        },
        env: { OPENAI_API_KEY: KEYS.workspace },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'm1' },
      }),
    },
  },
  {
    name: 'envkey-invalid-name-falls-back',
    about: 'envKey is no valid variable name ("openai-api-key"), OPENAI_API_KEY exported: the CLI sends OPENAI_API_KEY',
    files: {
      [WS]: settings({
        modelProviders: { openai: [{ id: 'm1', baseUrl: BASE, envKey: 'openai-api-key' }] },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'm1' },
      }),
    },
    exported: { OPENAI_API_KEY: KEYS.exported },
  },
  {
    name: 'envkey-unresolved-falls-back',
    about: 'envKey names a variable defined nowhere, OPENAI_API_KEY is in ~/.qwen/.env: the CLI sends OPENAI_API_KEY',
    files: {
      [WS]: settings({
        modelProviders: { openai: [{ id: 'm1', baseUrl: BASE, envKey: 'MY_PROVIDER_KEY' }] },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'm1' },
      }),
      'home/.qwen/.env': `OPENAI_API_KEY=${KEYS.homeQwenEnv}\n`,
    },
  },

  // --- base URL ---
  {
    name: 'no-baseurl-uses-exported-OPENAI_BASE_URL',
    about: 'an entry without baseUrl, OPENAI_BASE_URL exported pointing at the mock',
    files: {
      [WS]: settings({
        modelProviders: { openai: [{ id: 'm1', envKey: 'K' }] },
        env: { K: KEYS.workspace },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'm1' },
      }),
    },
    exported: { OPENAI_BASE_URL: BASE },
  },
  {
    name: 'no-baseurl-no-envkey-from-dotenv',
    about: 'an entry without baseUrl or envKey: OPENAI_BASE_URL from <project>/.env, OPENAI_API_KEY from ~/.env',
    files: {
      [WS]: settings({
        modelProviders: { openai: [{ id: 'm1' }] },
        security: { auth: { selectedType: 'openai' } },
        model: { name: 'm1' },
      }),
      'work/proj/.env': `OPENAI_BASE_URL=${BASE}\n`,
      'home/.env': `OPENAI_API_KEY=${KEYS.homeEnv}\n`,
    },
  },
  {
    name: 'wire-api-responses',
    about: 'wireApi "responses": POST <baseUrl>/responses',
    files: {
      [WS]: oneEntry({ env: { K: KEYS.workspace } }, { wireApi: 'responses' }),
    },
  },
  {
    name: 'anthropic-messages',
    about: 'selectedType anthropic, baseUrl without /v1: POST /v1/messages, key from <project>/.env',
    files: {
      [WS]: settings({
        modelProviders: {
          anthropic: [
            { id: 'claude-mock', baseUrl: 'http://127.0.0.1:{PORT}', envKey: 'ANTHROPIC_API_KEY' },
          ],
        },
        security: { auth: { selectedType: 'anthropic' } },
        model: { name: 'claude-mock' },
      }),
      'work/proj/.env': `ANTHROPIC_API_KEY=${KEYS.anthropic}\n`,
    },
  },
];
