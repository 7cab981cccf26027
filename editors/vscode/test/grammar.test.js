// Tokenizes .tasks snippets with the TextMate grammar, as VS Code does
// (vscode-textmate + the oniguruma regex engine), and checks the scope each
// marked piece of text gets. Run with `npm test` in editors/vscode.
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async () =>
    vsctm.parseRawGrammar(
      fs.readFileSync(path.join(__dirname, '..', 'syntaxes', 'tasks.tmLanguage.json'), 'utf8'),
      'tasks.tmLanguage.json',
    ),
});

// Every token of `source` as [text, innermost scope, all scopes].
async function tokens(source) {
  const grammar = await registry.loadGrammar('source.tasks');
  let state = vsctm.INITIAL;
  const out = [];
  for (const line of source.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      out.push([text, t.scopes[t.scopes.length - 1], t.scopes]);
    }
    state = r.ruleStack;
  }
  return out;
}

// The innermost scope of the first token whose text is `text` (after `skip` earlier ones).
function scopeOf(toks, text, skip = 0) {
  const found = toks.filter(([t]) => t.trim() === text);
  assert.ok(found.length > skip, `no token ${JSON.stringify(text)} in ${JSON.stringify(toks.map((t) => t[0]))}`);
  return found[skip][1];
}

test('keywords, declarations and calls', async () => {
  const t = await tokens('async fn fetch(url) {\n    let r = await http.get(url)\n    return r\n}');
  assert.strictEqual(scopeOf(t, 'async'), 'storage.modifier.async.tasks');
  assert.strictEqual(scopeOf(t, 'fetch'), 'entity.name.function.tasks');
  assert.strictEqual(scopeOf(t, 'let'), 'storage.type.tasks');
  assert.strictEqual(scopeOf(t, 'await'), 'keyword.control.flow.tasks');
  assert.strictEqual(scopeOf(t, 'get'), 'entity.name.function.member.tasks');
  assert.strictEqual(scopeOf(t, 'return'), 'keyword.control.tasks');
});

test('# starts a comment, // is floor division', async () => {
  const t = await tokens('let n = 7 // 2  # halves');
  assert.strictEqual(scopeOf(t, '//'), 'keyword.operator.arithmetic.tasks');
  assert.strictEqual(scopeOf(t, '# halves'), 'comment.line.number-sign.tasks');
  const b = await tokens('/* a\nblock */ let x = 1');
  assert.strictEqual(scopeOf(b, 'block'), 'comment.block.tasks');
  assert.strictEqual(scopeOf(b, 'let'), 'storage.type.tasks');
});

test('a # inside a string is not a comment', async () => {
  const t = await tokens('print("a # b\\t")');
  assert.strictEqual(scopeOf(t, 'a # b'), 'string.quoted.double.tasks');
  assert.strictEqual(scopeOf(t, '\\t'), 'constant.character.escape.tasks');
});

test('f-string interpolations are code, with their format spec', async () => {
  const t = await tokens('print(f"took {round(x, 1):.1f} s {{raw}}")');
  assert.strictEqual(scopeOf(t, 'round'), 'entity.name.function.call.tasks');
  assert.ok(t.find(([s]) => s === 'round')[2].includes('meta.interpolation.tasks'));
  assert.strictEqual(scopeOf(t, ':.1f'), 'constant.other.format-spec.tasks');
  assert.strictEqual(scopeOf(t, '{{'), 'constant.character.escape.tasks');
});

test('a sh"…" command interpolates as an f-string does, and a name sh is not one', async () => {
  const t = await tokens('let c = sh"grep -c {pattern} ${{HOME}}" + sh');
  assert.strictEqual(scopeOf(t, 'grep -c'), 'string.interpolated.tasks');
  assert.ok(t.find(([s]) => s === 'pattern')[2].includes('meta.interpolation.tasks'));
  assert.strictEqual(scopeOf(t, '{{'), 'constant.character.escape.tasks');
  assert.ok(!t[t.length - 1][2].some((s) => s.startsWith('string')));
});

test('bytes literals are strings with escapes, and a name b is not one', async () => {
  const t = await tokens('let d = b"\\x00ab" + b');
  assert.strictEqual(scopeOf(t, 'b"'), 'string.quoted.double.bytes.tasks');
  assert.strictEqual(scopeOf(t, '\\x00'), 'constant.character.escape.tasks');
  assert.strictEqual(scopeOf(t, 'ab'), 'string.quoted.double.bytes.tasks');
  assert.ok(!t[t.length - 1][2].some((s) => s.startsWith('string')));
});

test('numbers and constants', async () => {
  const t = await tokens('let xs = [1_000, 2.5e3, 0xff, true, nil]');
  assert.strictEqual(scopeOf(t, '1_000'), 'constant.numeric.integer.tasks');
  assert.strictEqual(scopeOf(t, '2.5e3'), 'constant.numeric.float.tasks');
  assert.strictEqual(scopeOf(t, '0xff'), 'constant.numeric.hex.tasks');
  assert.strictEqual(scopeOf(t, 'true'), 'constant.language.boolean.tasks');
  assert.strictEqual(scopeOf(t, 'nil'), 'constant.language.nil.tasks');
});

test('every example in the repository tokenizes without an unclosed string or comment', async () => {
  const dir = path.join(__dirname, '..', '..', '..', 'examples');
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.tasks'))) {
    const t = await tokens(fs.readFileSync(path.join(dir, name), 'utf8'));
    // The last token's scopes are only the root when every string, f-string
    // and block comment the grammar opened was closed again.
    const last = t.filter(([s]) => s.trim() !== '').pop();
    const open = last[2].filter((s) => /string|comment\.block|interpolation/.test(s));
    assert.deepStrictEqual(open, [], `${name}: ends inside ${open}`);
  }
});
