//! `tasks lsp` spoken to as an editor speaks to it: JSON-RPC over the
//! child's stdin and stdout, with `Content-Length` frames.

mod programs;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
    /// Notifications received while waiting for a response.
    notes: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tasks"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("tasks lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut c = Client {
            child,
            stdin,
            stdout,
            next_id: 0,
            notes: Vec::new(),
        };
        let caps = c.request(
            "initialize",
            json!({"capabilities": {}, "processId": null, "rootUri": null}),
        );
        assert!(
            caps["capabilities"]["hoverProvider"].as_bool().unwrap(),
            "{caps}"
        );
        assert!(
            caps["capabilities"]["definitionProvider"]
                .as_bool()
                .unwrap(),
            "{caps}"
        );
        assert_eq!(
            caps["capabilities"]["completionProvider"]["triggerCharacters"],
            json!(["."])
        );
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            let n = self.stdout.read_line(&mut line).unwrap();
            assert!(n > 0, "the server closed its output");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.receive();
            if msg["id"] == json!(id) {
                assert!(msg.get("error").is_none(), "{msg}");
                return msg["result"].clone();
            }
            self.notes.push(msg);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The diagnostics the server publishes next for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let msg = if let Some(i) = self
                .notes
                .iter()
                .position(|n| n["method"] == "textDocument/publishDiagnostics")
            {
                self.notes.remove(i)
            } else {
                self.receive()
            };
            if msg["method"] == "textDocument/publishDiagnostics" && msg["params"]["uri"] == uri {
                return msg["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "tasks", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
        self.diagnostics(uri)
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        self.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }
}

const PROGRAM: &str = "\
# Fetches one row after a short wait.
async fn fetch_row(id) {
    await sleep(0.01)
    return f\"row-{id}\"
}
let rows = await gather(fetch_rwo(1), fetch_row(2))
print(rows)
";

#[test]
fn diagnostics_follow_the_text_as_it_is_typed() {
    let mut c = Client::start();
    let uri = "file:///tmp/lsp_test/main.tasks";
    let diags = c.open(uri, PROGRAM);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"], json!({"line": 5, "character": 24}));
    assert_eq!(d["range"]["end"], json!({"line": 5, "character": 33}));
    let message = d["message"].as_str().unwrap();
    assert!(
        message.starts_with("undefined variable `fetch_rwo`"),
        "{message}"
    );
    assert!(
        message.contains("help: did you mean `fetch_row`?"),
        "{message}"
    );

    let fixed = PROGRAM.replace("fetch_rwo", "fetch_row");
    assert_eq!(c.change(uri, 2, &fixed), Vec::<Value>::new());

    let broken = fixed.replace("return f\"row-{id}\"", "return f\"row-{id\"");
    let diags = c.change(uri, 3, &broken);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["range"]["start"]["line"], 3, "{diags:?}");

    // A coroutine never awaited is a warning, as `tasks check` says.
    let diags = c.change(uri, 4, "async fn f() { }\nf()\n");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["severity"], 2, "{diags:?}");
    c.shutdown();
}

#[test]
fn hover_shows_signatures_and_the_leading_comment() {
    let mut c = Client::start();
    let uri = "file:///tmp/lsp_test/hover.tasks";
    c.open(uri, &PROGRAM.replace("fetch_rwo", "fetch_row"));
    let sleep = c.at("textDocument/hover", uri, 2, 11);
    let text = sleep["contents"]["value"].as_str().unwrap();
    assert!(text.contains("sleep(secs, result?)"), "{text}");
    // And what the reference's row says of it.
    let about = text.rsplit("```").next().unwrap().trim();
    assert!(about.len() > 10 && about != "builtin", "{text}");
    let own = c.at("textDocument/hover", uri, 5, 26);
    let text = own["contents"]["value"].as_str().unwrap();
    assert!(text.contains("async fn fetch_row(id)"), "{text}");
    assert!(
        text.contains("Fetches one row after a short wait."),
        "{text}"
    );
    assert_eq!(
        c.at("textDocument/hover", uri, 0, 0),
        Value::Null,
        "nothing in a comment"
    );
    c.shutdown();
}

#[test]
fn definition_finds_functions_parameters_and_lets() {
    let mut c = Client::start();
    let uri = "file:///tmp/lsp_test/def.tasks";
    c.open(uri, &PROGRAM.replace("fetch_rwo", "fetch_row"));
    let def = c.at("textDocument/definition", uri, 5, 26);
    assert_eq!(def["uri"], uri);
    assert_eq!(def["range"]["start"], json!({"line": 1, "character": 9}));
    let param = c.at("textDocument/definition", uri, 3, 19);
    assert_eq!(param["range"]["start"], json!({"line": 1, "character": 19}));
    let rows = c.at("textDocument/definition", uri, 6, 7);
    assert_eq!(rows["range"]["start"], json!({"line": 5, "character": 4}));
    c.shutdown();
}

#[test]
fn formatting_gives_tasks_fmts_layout_as_one_edit() {
    let mut c = Client::start();
    let uri = "file:///tmp/lsp_test/fmt.tasks";
    c.open(uri, "fn f(a,b){\nreturn a+b}\n");
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"], "fn f(a, b) {\n    return a + b\n}\n");
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    assert_eq!(edits[0]["range"]["end"], json!({"line": 2, "character": 0}));
    // Formatted already, or not a program yet: no edit.
    c.change(uri, 2, "fn f(a, b) {\n    return a + b\n}\n");
    let none = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(none, json!([]));
    c.change(uri, 3, "fn f(a, {\n");
    let broken = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(broken, json!([]));
    c.shutdown();
}

#[test]
fn references_and_rename_find_every_use_of_one_declaration() {
    let mut c = Client::start();
    let uri = "file:///tmp/lsp_test/refs.tasks";
    let text =
        "let n = 1\nfn f(n) {\n    return n + 1  # n\n}\nprint(f\"{n}\", \"n\", f(n), x.n)\n";
    c.open(uri, text);
    let refs = |c: &mut Client, line: u32, character: u32, decl: bool| {
        let r = c.request(
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character},
                   "context": {"includeDeclaration": decl}}),
        );
        r.as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["range"]["start"]["line"].as_u64().unwrap(),
                    l["range"]["start"]["character"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    // The top-level n: its declaration, inside the f-string, the argument;
    // not the parameter, the string, the comment or the field.
    assert_eq!(refs(&mut c, 0, 4, true), [(0, 4), (4, 9), (4, 21)]);
    assert_eq!(refs(&mut c, 4, 21, false), [(4, 9), (4, 21)]);
    // The parameter n, from its use inside the function.
    assert_eq!(refs(&mut c, 2, 11, true), [(1, 5), (2, 11)]);
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 3}, "newName": "g"}),
    );
    let edits = edit["changes"][uri].as_array().unwrap();
    let starts: Vec<_> = edits
        .iter()
        .map(|e| (e["range"]["start"]["line"].clone(), e["newText"].clone()))
        .collect();
    assert_eq!(starts, [(json!(1), json!("g")), (json!(4), json!("g"))]);
    // A keyword or a non-name is refused with a message for the user.
    c.next_id += 1;
    let id = c.next_id;
    c.send(json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/rename",
                  "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4}, "newName": "for"}}));
    let answer = loop {
        let msg = c.receive();
        if msg["id"] == json!(id) {
            break msg;
        }
    };
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`for` is not a name"),
        "{answer}"
    );
    c.shutdown();
}

#[test]
fn completion_offers_module_members_builtins_keywords_and_locals() {
    let mut c = Client::start();
    let uri = "file:///tmp/lsp_test/complete.tasks";
    let text = "let count = 1\nfs.\n";
    c.open(uri, text);
    let labels = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_owned())
            .collect()
    };
    let members = labels(&c.at("textDocument/completion", uri, 1, 3));
    assert!(members.contains(&"read_text".to_owned()), "{members:?}");
    assert!(!members.contains(&"spawn".to_owned()), "{members:?}");
    let all = labels(&c.at("textDocument/completion", uri, 2, 0));
    for want in ["spawn", "gather", "fs", "count"] {
        assert!(
            all.contains(&want.to_owned()),
            "{want} missing from {all:?}"
        );
    }
    c.shutdown();
}

/// Every example, cut after each of its lines, is opened: the server
/// answers each with diagnostics and never dies on half-typed text.
#[test]
fn half_typed_programs_never_crash_the_server() {
    let mut c = Client::start();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "tasks") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = format!("file://{}", path.display());
        c.open(&uri, "");
        let mut cut = 0;
        for (i, _) in text.match_indices('\n') {
            // Cut just after the newline and in the middle of the line.
            for end in [i + 1, (cut + i) / 2] {
                let end = (0..=end).rev().find(|&e| text.is_char_boundary(e)).unwrap();
                n += 1;
                c.change(&uri, n, &text[..end]);
                c.at("textDocument/hover", &uri, 0, 3);
                c.at("textDocument/completion", &uri, 0, 1);
            }
            cut = i;
        }
    }
    assert!(n > 100, "only {n} prefixes");
    c.shutdown();
}

/// The generator's programs (valid and near-valid, as `tests/generated.rs`
/// runs them), each opened cut after every line: every request is
/// answered, and hover, definition and completion are asked at the cut.
#[test]
fn generated_programs_cut_at_every_line_never_crash_the_server() {
    let mut c = Client::start();
    let uri = "file:///tmp/lsp_test/generated.tasks";
    c.open(uri, "");
    let mut version = 0;
    for seed in 0..24u64 {
        let mut g = programs::Gen::new(seed);
        let mut text = g.program();
        if seed % 3 == 2 {
            text = programs::mutate(&mut g.rng, &text);
        }
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for end in 1..=lines.len() {
            version += 1;
            let cut = lines[..end].concat();
            c.change(uri, version, &cut);
            let (line, character) = ((end - 1) as u32, 6);
            for method in [
                "textDocument/hover",
                "textDocument/definition",
                "textDocument/completion",
            ] {
                let answer = c.at(method, uri, line, character);
                assert!(
                    answer.is_null() || answer.is_object() || answer.is_array(),
                    "{method}: {answer}"
                );
            }
        }
    }
    assert!(version > 200, "only {version} cuts");
    c.shutdown();
}

const MEMBERS: &str = "\
# A job to run.
struct Job {
    name,
    timeout,
    # Says what it is.
    fn describe(self) {
        return f\"{self.name} ({self.timeout})\"
    }
}
let q = queue()
let j = Job(\"build\", 5)
q.put_nowait(j.describe())
print(\"a,b\".split(\",\"), [[1]][0].pop())
";

fn hover_text(c: &mut Client, uri: &str, line: u32, character: u32) -> String {
    let v = c.at("textDocument/hover", uri, line, character);
    v["contents"]["value"].as_str().unwrap_or("").to_owned()
}

/// The methods of a value whose type a `let` makes plain, a record's
/// fields and methods (`self` too), and every type's method of a name
/// when the receiver's type is not plain.
#[test]
fn hover_and_completion_know_methods_fields_and_self() {
    let mut c = Client::start();
    let uri = "file:///tmp/lsp_test/members.tasks";
    assert_eq!(c.open(uri, MEMBERS), Vec::<Value>::new());
    let put = hover_text(&mut c, uri, 11, 3);
    assert!(put.contains("queue.put_nowait(x)"), "{put}");
    assert!(put.contains("adds `x` or throws `QueueFull`"), "{put}");
    let describe = hover_text(&mut c, uri, 11, 17);
    assert!(describe.contains("fn describe(self)"), "{describe}");
    assert!(describe.contains("Says what it is."), "{describe}");
    let field = hover_text(&mut c, uri, 6, 24);
    assert!(field.contains("Job.name"), "{field}");
    assert!(field.contains("struct Job { name, timeout }"), "{field}");
    assert!(hover_text(&mut c, uri, 12, 12).contains("str.split(sep?, max_split?)"));
    // `[[1]][0]` is not plain: both types' `pop`.
    let pop = hover_text(&mut c, uri, 12, 34);
    assert!(
        pop.contains("list.pop(i?)") && pop.contains("map.pop(k, default?)"),
        "{pop}"
    );

    // Go to the field `self.timeout` reads.
    let def = c.at("textDocument/definition", uri, 6, 39);
    assert_eq!(def["range"]["start"], json!({"line": 3, "character": 4}));

    let labels = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_owned())
            .collect()
    };
    c.change(uri, 2, &format!("{MEMBERS}q.\nj.\n"));
    let queue = labels(&c.at("textDocument/completion", uri, 13, 2));
    assert!(
        queue.contains(&"put".to_owned()) && queue.contains(&"get".to_owned()),
        "{queue:?}"
    );
    assert!(!queue.contains(&"upper".to_owned()), "{queue:?}");
    let job = labels(&c.at("textDocument/completion", uri, 14, 2));
    assert_eq!(job, ["name", "timeout", "describe"]);
    c.shutdown();
}

/// `m.name` of an imported file: hover shows its declaration and comment,
/// go to definition opens that file at it.
#[test]
fn hover_and_definition_reach_into_imported_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lib.tasks"),
        "let base = 1\n# Adds the base.\nfn inc(x) {\n    return x + base\n}\n",
    )
    .unwrap();
    let main = dir.path().join("main.tasks");
    let uri = url_of(&main);
    let mut c = Client::start();
    let text = "import \"lib.tasks\" as lib\nprint(lib.inc(1))\n";
    assert_eq!(c.open(&uri, text), Vec::<Value>::new());
    let hover = hover_text(&mut c, &uri, 1, 11);
    assert!(hover.contains("fn inc(x)"), "{hover}");
    assert!(hover.contains("Adds the base."), "{hover}");
    let def = c.at("textDocument/definition", &uri, 1, 11);
    assert_eq!(def["uri"], url_of(&dir.path().join("lib.tasks")));
    assert_eq!(def["range"]["start"], json!({"line": 2, "character": 3}));
    assert_eq!(
        c.at("textDocument/definition", &uri, 1, 7)["range"]["start"]["line"],
        0
    );
    // References: the declaration there, and both uses here (not the string).
    c.change(&uri, 2, &format!("{text}print(lib.inc(2), \"lib.inc\")\n"));
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 11},
               "context": {"includeDeclaration": true}}),
    );
    let at: Vec<(String, u64)> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let file = l["uri"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
            (file, l["range"]["start"]["line"].as_u64().unwrap())
        })
        .collect();
    let expected = [("lib.tasks", 2), ("main.tasks", 1), ("main.tasks", 2)];
    assert_eq!(at, expected.map(|(f, l)| (f.to_owned(), l)));
    c.shutdown();
}

fn url_of(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

/// A record's field: its references are its declaration and every `.field`
/// on a value of that record (`self` in its methods too), not a task's
/// `.name()`; rename changes exactly those.
#[test]
fn references_and_rename_of_a_records_field() {
    let mut c = Client::start();
    let uri = "file:///tmp/lsp_test/fields.tasks";
    let text = format!("{MEMBERS}let t = spawn sleep(0)\nprint(t.name(), j.name)\n");
    assert_eq!(c.open(uri, &text), Vec::<Value>::new());
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 5},
               "context": {"includeDeclaration": true}}),
    );
    let starts: Vec<Value> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"].clone())
        .collect();
    assert_eq!(
        starts,
        [
            json!({"line": 2, "character": 4}),
            json!({"line": 6, "character": 23}),
            json!({"line": 14, "character": 18}),
        ]
    );
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": {"line": 6, "character": 40},
               "newName": "limit"}),
    );
    let edits = edit["changes"][uri].as_array().unwrap();
    let lines: Vec<u64> = edits
        .iter()
        .map(|e| e["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 6]);
    assert!(edits.iter().all(|e| e["newText"] == "limit"));
    c.shutdown();
}
