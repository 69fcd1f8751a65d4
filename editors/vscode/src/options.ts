// VS Code settings (`qwenSettings.*`) → the server's options. Pure logic, unit-tested against a
// mocked configuration (test/unit/options.test.ts).

/** The part of `vscode.WorkspaceConfiguration` used here. */
export interface ConfigReader {
  get<T>(section: string): T | undefined;
}

export type Level = 'off' | 'error' | 'warning' | 'information' | 'hint';

/** What the server reads from `initializationOptions` and `workspace/didChangeConfiguration`. */
export interface ServerOptions {
  rules: Record<string, Level>;
  completion: { generic: boolean };
}

export interface Settings {
  serverPath: string;
  logLevel: string;
  options: ServerOptions;
  /** Human-readable problems with the settings (shown once, and written to the log). */
  problems: string[];
}

const LEVELS: Record<string, Level> = {
  off: 'off',
  none: 'off',
  false: 'off',
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  information: 'information',
  info: 'information',
  hint: 'hint',
};

export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'];
const DEFAULT_LOG_LEVEL = 'warn';

/** Accepts the server's level names and the usual short forms (`warn`, `info`), any case. */
export function normalizeLevel(value: unknown): Level | undefined {
  if (value === false) {
    return 'off';
  }
  return typeof value === 'string' ? LEVELS[value.trim().toLowerCase()] : undefined;
}

export function mapRules(value: unknown, problems: string[]): Record<string, Level> {
  const rules: Record<string, Level> = {};
  if (value === undefined || value === null) {
    return rules;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push('"qwenSettings.rules" must be an object like { "missing-version": "off" }; ignored.');
    return rules;
  }
  for (const [code, raw] of Object.entries(value as Record<string, unknown>)) {
    const level = normalizeLevel(raw);
    if (level === undefined) {
      problems.push(
        `"qwenSettings.rules": ${JSON.stringify(code)} has level ${JSON.stringify(raw)}; ` +
          'use "off", "error", "warning", "information" or "hint". Ignored.',
      );
    } else {
      rules[code.trim()] = level;
    }
  }
  return rules;
}

export function readSettings(config: ConfigReader): Settings {
  const problems: string[] = [];
  const serverPath = config.get<string>('server.path');
  let logLevel = config.get<string>('server.logLevel') ?? DEFAULT_LOG_LEVEL;
  if (typeof logLevel !== 'string' || !LOG_LEVELS.includes(logLevel.trim().toLowerCase())) {
    problems.push(
      `"qwenSettings.server.logLevel" is ${JSON.stringify(logLevel)}; use one of ${LOG_LEVELS.join(', ')}. Using "${DEFAULT_LOG_LEVEL}".`,
    );
    logLevel = DEFAULT_LOG_LEVEL;
  }
  const generic = config.get<unknown>('completion.generic');
  return {
    serverPath: typeof serverPath === 'string' ? serverPath : '',
    logLevel: logLevel.trim().toLowerCase(),
    options: {
      rules: mapRules(config.get<unknown>('rules'), problems),
      completion: { generic: typeof generic === 'boolean' ? generic : true },
    },
    problems,
  };
}

/** The server's environment: the editor's, with `QWEN_SETTINGS_LS_LOG` set from the log level. */
export function serverEnv(base: NodeJS.ProcessEnv, logLevel: string): NodeJS.ProcessEnv {
  return { ...base, QWEN_SETTINGS_LS_LOG: logLevel };
}

/** The `settings` of a `workspace/didChangeConfiguration` notification. */
export function didChangeSettings(options: ServerOptions): { qwenSettings: ServerOptions } {
  return { qwenSettings: options };
}

/** Settings whose change needs a new server process (the rest are sent to the running one). */
export const RESTART_SETTINGS = ['qwenSettings.server.path', 'qwenSettings.server.logLevel'];
