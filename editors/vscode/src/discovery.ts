// Finding the server binary. Pure logic over an injectable file system and environment, so it
// is unit-tested without VS Code (test/unit/discovery.test.ts).

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const BINARY = 'qwen-settings-ls';

export interface DiscoveryInput {
  /** `qwenSettings.server.path` (may be empty). */
  configured: string;
  /** The extension's install directory (the bundled binary is `<dir>/server/qwen-settings-ls`). */
  extensionPath: string;
  /** The first workspace folder, for `${workspaceFolder}` and relative configured paths. */
  workspaceFolder?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  /** True when `file` is an executable regular file. */
  isExecutable?: (file: string) => boolean;
}

export type Discovery =
  | { kind: 'found'; path: string; source: 'setting' | 'bundled' | 'PATH' | 'cargo' }
  /** The setting names a file that is missing or not executable: never silently fall back. */
  | { kind: 'bad-setting'; path: string; configured: string }
  | { kind: 'not-found'; searched: string[] };

export function defaultIsExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform === 'win32') {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Expands `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}`; resolves relative paths. */
export function expandPath(
  value: string,
  home: string,
  workspaceFolder: string | undefined,
  env: NodeJS.ProcessEnv,
  pathApi: path.PlatformPath = path,
): string {
  let p = value.trim();
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) {
    p = home + p.slice(1);
  }
  p = p.replace(/\$\{userHome\}/g, home);
  p = p.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? '');
  if (workspaceFolder !== undefined) {
    p = p.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  if (!pathApi.isAbsolute(p) && workspaceFolder !== undefined) {
    p = pathApi.resolve(workspaceFolder, p);
  }
  return p;
}

/** The file names the binary may have on this platform (`PATHEXT` on Windows). */
function candidates(dir: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv, pathApi: path.PlatformPath): string[] {
  if (platform !== 'win32') {
    return [pathApi.join(dir, BINARY)];
  }
  const exts = (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter((e) => e !== '');
  return exts.map((ext) => pathApi.join(dir, BINARY + ext.toLowerCase()));
}

/**
 * The order is: the `qwenSettings.server.path` setting, the binary bundled in the extension's
 * `server/` folder, `qwen-settings-ls` on `PATH`, then `~/.cargo/bin` (where `cargo install`
 * puts it, often missing from the `PATH` of an editor started from a desktop launcher).
 */
export function findServer(input: DiscoveryInput): Discovery {
  const platform = input.platform ?? process.platform;
  const env = input.env ?? process.env;
  const home = input.homedir ?? os.homedir();
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const exe = platform === 'win32' ? `${BINARY}.exe` : BINARY;

  const configured = input.configured.trim();
  if (configured !== '') {
    const p = expandPath(configured, home, input.workspaceFolder, env, pathApi);
    return isExecutable(p)
      ? { kind: 'found', path: p, source: 'setting' }
      : { kind: 'bad-setting', path: p, configured };
  }

  const searched: string[] = [];
  const bundled = pathApi.join(input.extensionPath, 'server', exe);
  searched.push(bundled);
  if (isExecutable(bundled)) {
    return { kind: 'found', path: bundled, source: 'bundled' };
  }

  const pathVar = env.PATH ?? env.Path ?? '';
  for (const dir of pathVar.split(pathApi.delimiter)) {
    if (dir === '') {
      continue;
    }
    for (const file of candidates(dir, platform, env, pathApi)) {
      if (isExecutable(file)) {
        return { kind: 'found', path: file, source: 'PATH' };
      }
    }
  }
  searched.push(`${BINARY} on PATH`);

  const cargoHome = env.CARGO_HOME || pathApi.join(home, '.cargo');
  const cargo = pathApi.join(cargoHome, 'bin', exe);
  searched.push(cargo);
  if (isExecutable(cargo)) {
    return { kind: 'found', path: cargo, source: 'cargo' };
  }
  return { kind: 'not-found', searched };
}

/** The message shown when no server can be started, with the fix. */
export function discoveryError(d: Exclude<Discovery, { kind: 'found' }>): string {
  if (d.kind === 'bad-setting') {
    return (
      `qwen-settings-ls: "qwenSettings.server.path" is "${d.configured}", but ${d.path} ` +
      'is not an executable file. Fix the path, or clear the setting to use the bundled server.'
    );
  }
  return (
    'qwen-settings-ls: the language server binary was not found (looked for the bundled ' +
    'server, "qwen-settings-ls" on PATH and ~/.cargo/bin). Install it with ' +
    '"cargo install --path ." in a qwen-settings-ls checkout, install the .vsix built for ' +
    'your platform (it bundles the server), or set "qwenSettings.server.path".'
  );
}
