// VS Code client for qwen-settings-ls: starts the server for `.qwen/settings.json` files only,
// maps the `qwenSettings.*` settings to its options, and shows its log in an output channel.

import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  DocumentSelector,
  Executable,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
} from 'vscode-languageclient/node';
import { discoveryError, findServer } from './discovery';
import { didChangeSettings, readSettings, RESTART_SETTINGS, serverEnv, Settings } from './options';

export const CLIENT_ID = 'qwenSettings';
const CLIENT_NAME = 'Qwen Settings';

/**
 * Every `settings.json` inside a `.qwen` directory (a project's, or the user's `~/.qwen`), and
 * `$QWEN_HOME/settings.json` when the editor runs with `QWEN_HOME` set. VS Code opens these as
 * `jsonc`; the language is not constrained, the path is what matters.
 */
export function documentSelector(env: NodeJS.ProcessEnv = process.env): DocumentSelector {
  const selector: { scheme: string; pattern: string }[] = [{ scheme: 'file', pattern: '**/.qwen/settings.json' }];
  const qwenHome = env.QWEN_HOME?.trim();
  if (qwenHome) {
    const dir = qwenHome.replace(/\\/g, '/').replace(/\/+$/, '');
    if (!dir.endsWith('/.qwen')) {
      selector.push({ scheme: 'file', pattern: `${dir}/settings.json` });
    }
  }
  return selector;
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('qwenSettings');
}

export class Controller implements vscode.Disposable {
  client: LanguageClient | undefined;
  /** Set after a failed start; cleared by a settings change or the restart command. */
  private failed = false;
  private busy: Promise<void> = Promise.resolve();
  private shownProblems = '';

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.OutputChannel,
    private readonly selector: DocumentSelector = documentSelector(),
  ) {}

  /** True when `doc` is one of the files the server analyses. */
  matches(doc: vscode.TextDocument): boolean {
    return vscode.languages.match(this.selector, doc) > 0;
  }

  /** Starts the server once a matching document is open (not for every JSON file). */
  startIfNeeded(): Promise<void> {
    if (this.client || this.failed || !vscode.workspace.textDocuments.some((d) => this.matches(d))) {
      return this.busy;
    }
    return this.serialize(() => this.doStart());
  }

  restart(): Promise<void> {
    this.failed = false;
    return this.serialize(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.serialize(() => this.doStop());
  }

  onConfigurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!e.affectsConfiguration('qwenSettings')) {
      return this.busy;
    }
    if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s))) {
      if (this.client || this.failed) {
        this.output.appendLine('[client] server settings changed; restarting the server');
        return this.restart();
      }
      return this.startIfNeeded();
    }
    const settings = this.readSettings();
    const client = this.client;
    if (client) {
      return this.serialize(() =>
        client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: didChangeSettings(settings.options),
        }),
      );
    }
    return this.busy;
  }

  dispose(): void {
    void this.stop();
  }

  private serialize(task: () => Promise<void>): Promise<void> {
    this.busy = this.busy.then(task, task).catch((err) => {
      this.output.appendLine(`[client] ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    });
    return this.busy;
  }

  private readSettings(): Settings {
    const settings = readSettings(config());
    const problems = settings.problems.join('\n');
    if (problems !== '' && problems !== this.shownProblems) {
      settings.problems.forEach((p) => this.output.appendLine(`[client] ${p}`));
      void vscode.window.showWarningMessage(settings.problems.join(' '));
    }
    this.shownProblems = problems;
    return settings;
  }

  private async doStart(): Promise<void> {
    if (this.client || this.failed) {
      return;
    }
    const settings = this.readSettings();
    const found = findServer({
      configured: settings.serverPath,
      extensionPath: this.context.extensionPath,
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    });
    if (found.kind !== 'found') {
      this.failed = true;
      const message = discoveryError(found);
      this.output.appendLine(`[client] ${message}`);
      const action = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Log');
      if (action === 'Open Settings') {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'qwenSettings.server.path');
      } else if (action === 'Show Log') {
        this.output.show(true);
      }
      return;
    }
    this.output.appendLine(`[client] starting ${found.path} (${found.source}), log level ${settings.logLevel}`);

    const server: Executable = {
      command: found.path,
      args: ['--stdio'],
      options: { env: serverEnv(process.env, settings.logLevel) },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: this.selector,
      initializationOptions: settings.options,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        workspace: {
          // Should the server ever pull its settings, give it the mapped options too.
          configuration: (params, token, next) => {
            if (params.items.some((item) => item.section === CLIENT_ID)) {
              const options = readSettings(config()).options;
              return params.items.map((item) => (item.section === CLIENT_ID ? options : null));
            }
            return next(params, token);
          },
        },
      },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, server, clientOptions);
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.client = undefined;
      this.failed = true;
      const message = `qwen-settings-ls: could not start ${found.path}: ${err instanceof Error ? err.message : String(err)}`;
      this.output.appendLine(`[client] ${message}`);
      void vscode.window.showErrorMessage(message);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.output.appendLine(`[client] stopping the server: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<Controller> {
  const output = vscode.window.createOutputChannel(CLIENT_NAME);
  const ctl = new Controller(context, output);
  controller = ctl;
  context.subscriptions.push(
    output,
    ctl,
    vscode.commands.registerCommand('qwenSettings.restartServer', () => ctl.restart()),
    vscode.commands.registerCommand('qwenSettings.showOutput', () => output.show(true)),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (ctl.matches(doc)) {
        void ctl.startIfNeeded();
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => ctl.onConfigurationChanged(e)),
  );
  await ctl.startIfNeeded();
  return ctl;
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
