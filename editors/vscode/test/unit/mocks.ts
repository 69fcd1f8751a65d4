// A mocked `vscode` module and `vscode-languageclient/node`, installed in Node's module loader
// before the extension is imported. Import this module first.

/* eslint-disable @typescript-eslint/no-explicit-any */
import Module = require('module');

export interface Doc {
  uri: { scheme: string; fsPath: string; path: string };
  languageId: string;
}

export function doc(fsPath: string, languageId = 'jsonc'): Doc {
  return { uri: { scheme: 'file', fsPath, path: fsPath }, languageId };
}

/** Minimal glob matching as VS Code does for `DocumentFilter.pattern` on absolute paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*' && glob[i + 2] === '/') {
      re += '(?:.*/)?';
      i += 2;
    } else if (c === '*') {
      re += '[^/]*';
    } else {
      re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

type Listener<T> = (e: T) => unknown;

export class MockState {
  settings: Record<string, unknown> = {};
  textDocuments: Doc[] = [];
  workspaceFolders: { uri: { fsPath: string } }[] | undefined = [{ uri: { fsPath: '/work/proj' } }];
  errors: string[] = [];
  warnings: string[] = [];
  errorAnswer: string | undefined = undefined;
  executed: unknown[][] = [];
  commands = new Map<string, (...args: unknown[]) => unknown>();
  openListeners: Listener<Doc>[] = [];
  configListeners: Listener<any>[] = [];
  output: string[] = [];
  outputShown = 0;
  clients: MockClient[] = [];

  /** Opens a document and fires `onDidOpenTextDocument`. */
  open(d: Doc): void {
    this.textDocuments.push(d);
    this.openListeners.forEach((l) => l(d));
  }

  /** Changes settings (keys without the `qwenSettings.` prefix) and fires the change event. */
  change(values: Record<string, unknown>): unknown[] {
    Object.assign(this.settings, values);
    const changed = Object.keys(values).map((k) => `qwenSettings.${k}`);
    const event = {
      affectsConfiguration: (section: string) =>
        changed.some((c) => c === section || c.startsWith(`${section}.`) || section.startsWith(`${c}.`)),
    };
    return this.configListeners.map((l) => l(event));
  }
}

export let state = new MockState();

export function reset(): MockState {
  state = new MockState();
  return state;
}

const disposable = { dispose() {} };

export const vscode = {
  workspace: {
    getConfiguration(section: string) {
      if (section !== 'qwenSettings') {
        throw new Error(`unexpected configuration section ${section}`);
      }
      return { get: <T>(key: string) => state.settings[key] as T | undefined };
    },
    get textDocuments() {
      return state.textDocuments;
    },
    get workspaceFolders() {
      return state.workspaceFolders;
    },
    onDidOpenTextDocument(l: Listener<Doc>) {
      state.openListeners.push(l);
      return disposable;
    },
    onDidChangeConfiguration(l: Listener<any>) {
      state.configListeners.push(l);
      return disposable;
    },
  },
  window: {
    createOutputChannel(name: string) {
      return {
        name,
        appendLine: (line: string) => state.output.push(line),
        append: (text: string) => state.output.push(text),
        show: () => state.outputShown++,
        dispose() {},
      };
    },
    async showErrorMessage(message: string) {
      state.errors.push(message);
      return state.errorAnswer;
    },
    async showWarningMessage(message: string) {
      state.warnings.push(message);
      return undefined;
    },
  },
  commands: {
    registerCommand(id: string, fn: (...args: unknown[]) => unknown) {
      state.commands.set(id, fn);
      return disposable;
    },
    async executeCommand(...args: unknown[]) {
      state.executed.push(args);
    },
  },
  languages: {
    match(selector: { scheme?: string; pattern?: string; language?: string }[], d: Doc): number {
      return selector.some(
        (f) =>
          (f.scheme === undefined || f.scheme === d.uri.scheme) &&
          (f.language === undefined || f.language === d.languageId) &&
          (f.pattern === undefined || globToRegExp(f.pattern).test(d.uri.fsPath)),
      )
        ? 10
        : 0;
    },
  },
};

export class MockClient {
  started = false;
  stopped = false;
  notifications: { method: string; params: any }[] = [];
  static failStart: Error | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly server: any,
    readonly options: any,
  ) {
    state.clients.push(this);
  }

  async start(): Promise<void> {
    if (MockClient.failStart) {
      throw MockClient.failStart;
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  async sendNotification(type: { method: string }, params: unknown): Promise<void> {
    this.notifications.push({ method: type.method, params });
  }
}

export const languageclient = {
  LanguageClient: MockClient,
  DidChangeConfigurationNotification: { type: { method: 'workspace/didChangeConfiguration' } },
  RevealOutputChannelOn: { Info: 1, Warn: 2, Error: 3, Never: 4 },
};

const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const originalLoad = loader._load;
loader._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') {
    return vscode;
  }
  if (request === 'vscode-languageclient/node') {
    return languageclient;
  }
  return originalLoad.call(this, request, ...rest);
};

export function context(extensionPath: string): any {
  return { extensionPath, subscriptions: [] as { dispose(): void }[] };
}
