// The extension's language client, short of VS Code itself: activate()
// (with `vscode` and the client library stood in for) asks for the
// server `tasks lsp` over stdio for .tasks documents, and that very
// command, started as the client library starts it and spoken to with
// the library's own JSON-RPC layer, answers as an editor needs:
// diagnostics for a broken document, hover, formatting.
const { test } = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const fs = require('node:fs');
const Module = require('node:module');
const cp = require('node:child_process');
const rpc = require('vscode-jsonrpc/node');

// The tasks binary the tests built (release first: CI builds it).
function tasksBinary() {
  const root = path.join(__dirname, '..', '..', '..');
  const found = [process.env.TASKS_BIN, path.join(root, 'target/release/tasks'), path.join(root, 'target/debug/tasks')]
    .filter(Boolean)
    .find((p) => fs.existsSync(p));
  assert.ok(found, 'no tasks binary: run `cargo build --release` first');
  return found;
}

// Loads extension.js with stand-ins for `vscode` and the client library,
// returning what activate() asked the client library for.
function activateWith(settings) {
  const made = [];
  const stubs = {
    vscode: {
      workspace: { getConfiguration: () => ({ get: (k) => settings[k] }) },
    },
    'vscode-languageclient/node': {
      TransportKind: { stdio: 0 },
      LanguageClient: class {
        constructor(id, name, server, client) {
          made.push({ id, name, server, client });
        }
        start() {
          return Promise.resolve();
        }
      },
    },
  };
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request in stubs ? stubs[request] : load.call(this, request, ...rest);
  };
  try {
    delete require.cache[require.resolve('../extension.js')];
    const ext = require('../extension.js');
    const context = { subscriptions: [] };
    ext.activate(context);
    return { made, context };
  } finally {
    Module._load = load;
  }
}

test('activate starts `tasks lsp` over stdio for .tasks documents', () => {
  const { made, context } = activateWith({});
  assert.strictEqual(made.length, 1);
  assert.deepStrictEqual(made[0].server, { command: 'tasks', args: ['lsp'], transport: 0 });
  assert.deepStrictEqual(made[0].client.documentSelector.map((s) => s.language), ['tasks', 'tasks']);
  assert.strictEqual(context.subscriptions.length, 1);
});

test('the tasks.path setting names the binary; tasks.lsp.enabled turns it off', () => {
  assert.strictEqual(activateWith({ path: '/opt/tasks/bin/tasks' }).made[0].server.command, '/opt/tasks/bin/tasks');
  assert.strictEqual(activateWith({ 'lsp.enabled': false }).made.length, 0);
});

test('the server the extension starts answers the client library', async () => {
  const { made } = activateWith({ path: tasksBinary() });
  const { command, args } = made[0].server;
  const child = cp.spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = rpc.createMessageConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const diagnostics = new Promise((resolve) => conn.onNotification('textDocument/publishDiagnostics', resolve));
  conn.listen();
  try {
    const init = await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    assert.ok(init.capabilities.hoverProvider, JSON.stringify(init.capabilities));
    await conn.sendNotification('initialized', {});
    const uri = 'file:///tmp/client-test.tasks';
    const text = 'async fn fetch(n) {\n    return n\n}\nprint(fetch(1)\n';
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'tasks', version: 1, text },
    });
    const d = await diagnostics;
    assert.strictEqual(d.uri, uri);
    assert.ok(d.diagnostics.length > 0, 'a missing `)` is a diagnostic');
    assert.strictEqual(d.diagnostics[0].source, 'tasks');

    const fixed = 'async fn fetch(n) {\n    return n\n}\nprint(await fetch(1))\n';
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: fixed }],
    });
    const hover = await conn.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 3, character: 13 },
    });
    assert.match(hover.contents.value, /async fn fetch\(n\)/);
    const edits = await conn.sendRequest('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 4, insertSpaces: true },
    });
    assert.deepStrictEqual(edits, [], 'the document is formatted already');
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
  } finally {
    conn.dispose();
    child.kill();
  }
});
