// The tasks extension: highlighting comes from the TextMate grammar
// (package.json); everything else (diagnostics as you type, hover, go to
// definition, references, rename, completion, formatting) from the
// language server, `tasks lsp`, which this starts over stdio.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

// How the server is started: the `tasks` on PATH, or the one the
// `tasks.path` setting names.
function serverOptions(config) {
  const command = (config && config.get('path')) || 'tasks';
  return { command, args: ['lsp'], transport: TransportKind.stdio };
}

const clientOptions = {
  documentSelector: [{ scheme: 'file', language: 'tasks' }, { scheme: 'untitled', language: 'tasks' }],
};

function activate(context) {
  const config = vscode.workspace.getConfiguration('tasks');
  if (config.get('lsp.enabled') === false) {
    return undefined;
  }
  client = new LanguageClient('tasks', 'tasks language server', serverOptions(config), clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, serverOptions, clientOptions };
