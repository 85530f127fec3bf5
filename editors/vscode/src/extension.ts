// Starts `condago server` for shell startup files and keeps it in step with the settings.

import * as vscode from "vscode";
import {
  DocumentFilter,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

import { missingMessage, resolveExecutable } from "./executable";
import { LANGUAGES, STARTUP_FILE_GLOBS, isLinted } from "./files";

export const INSTALL_URL =
  "https://github.com/condago/condago/blob/main/docs/editors-and-ci.md#install-condago";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
/** Why the server is not running, once said, so that it is not said again. */
let reported: string | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("condago");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("condago.restartServer", async () => {
      reported = undefined;
      await stop();
      await startIfNeeded(true);
    }),
    vscode.commands.registerCommand("condago.showOutput", () => output?.show()),
    vscode.workspace.onDidOpenTextDocument(() => void startIfNeeded(false)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("condago.enable") || event.affectsConfiguration("condago.path")) {
        reported = undefined;
        await stop();
        await startIfNeeded(false);
      }
    }),
    { dispose: () => void stop() },
  );
  await startIfNeeded(false);
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** The server starts when a document that condago lints is open (or when asked to). */
async function startIfNeeded(always: boolean): Promise<void> {
  if (client) {
    return;
  }
  const config = vscode.workspace.getConfiguration("condago");
  if (!config.get<boolean>("enable", true)) {
    return;
  }
  const wanted =
    always ||
    vscode.workspace.textDocuments.some((document) =>
      isLinted(document.languageId, document.uri.fsPath),
    );
  if (!wanted) {
    return;
  }
  const configured = config.get<string>("path", "condago") || "condago";
  const command = resolveExecutable(configured);
  if (!command) {
    await reportMissing(configured);
    return;
  }
  const documentSelector: DocumentFilter[] = [
    ...LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    ...STARTUP_FILE_GLOBS.map((pattern) => ({ scheme: "file", pattern })),
  ];
  const serverOptions: ServerOptions = {
    command,
    args: ["server"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel: output,
    diagnosticCollectionName: "condago",
  };
  // The id `condago` makes vscode-languageclient read the `condago.trace.server` setting.
  const started = new LanguageClient("condago", "condago", serverOptions, clientOptions);
  client = started;
  try {
    await started.start();
    output?.appendLine(`condago: started ${command} server`);
  } catch (error) {
    client = undefined;
    const message = `condago: could not start \`${command} server\`: ${String(error)}`;
    output?.appendLine(message);
    if (reported !== message) {
      reported = message;
      void vscode.window.showErrorMessage(message, "Show output").then((choice) => {
        if (choice) {
          output?.show();
        }
      });
    }
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      output?.appendLine(`condago: stopping the server: ${String(error)}`);
    }
  }
}

async function reportMissing(configured: string): Promise<void> {
  const message = missingMessage(configured);
  output?.appendLine(message);
  if (reported === message) {
    return;
  }
  reported = message;
  const choice = await vscode.window.showErrorMessage(message, "Install instructions", "Open settings");
  if (choice === "Install instructions") {
    await vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
  } else if (choice === "Open settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "condago.path");
  }
}
