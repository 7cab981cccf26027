//! `tasks run --trace`: the Chrome trace of a run. Under virtual time a
//! run's trace is the same bytes every time, so each lesson in
//! `tests/trace/` (and the seed's `create_task` lesson) has its trace as a
//! golden file beside it (`NAME.json`; `TASKS_BLESS=1` rewrites them).
//! Every trace is also checked for what Perfetto needs: each slice on a
//! named track, each flow with both ends inside a slice, steps that do not
//! overlap on their track.

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_tasks");

/// Runs `script` under virtual time with `--trace`; its stdout and the trace.
fn traced(script: &Path, out: &Path) -> (String, String) {
    let run = Command::new(EXE)
        .args(["run", "--virtual-time", "--seed", "0", "--trace"])
        .arg(out)
        .arg(script.file_name().unwrap())
        .current_dir(script.parent().unwrap())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    let trace = std::fs::read_to_string(out).unwrap();
    (String::from_utf8(run.stdout).unwrap(), trace)
}

fn lessons() -> Vec<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/trace");
    let mut found: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tasks"))
        .map(|p| (p.clone(), p.with_extension("json")))
        .collect();
    found.sort();
    found.push((
        root.join("examples/create_task.tasks"),
        dir.join("create_task.json"),
    ));
    found
}

#[test]
fn traces_of_the_lessons_are_their_golden_files_byte_for_byte() {
    let tmp = tempdir("golden");
    let bless = std::env::var_os("TASKS_BLESS").is_some();
    for (script, golden) in lessons() {
        let (_, first) = traced(&script, &tmp.join("a.json"));
        let (_, second) = traced(&script, &tmp.join("b.json"));
        assert_eq!(first, second, "{}: two runs differ", script.display());
        check_structure(&first, &script);
        if bless {
            std::fs::write(&golden, &first).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e} (TASKS_BLESS=1 writes it)", golden.display()));
        assert!(
            first == expected,
            "{}: the trace differs from {} (TASKS_BLESS=1 rewrites it after a deliberate change)",
            script.display(),
            golden.display()
        );
    }
}

#[test]
fn tracing_does_not_change_what_a_script_prints() {
    let tmp = tempdir("same_output");
    for (script, _) in lessons() {
        let (traced_out, _) = traced(&script, &tmp.join("t.json"));
        let plain = Command::new(EXE)
            .args(["run", "--virtual-time", "--seed", "0"])
            .arg(script.file_name().unwrap())
            .current_dir(script.parent().unwrap())
            .output()
            .unwrap();
        assert_eq!(traced_out, String::from_utf8(plain.stdout).unwrap());
    }
}

/// The create_task lesson, read for what it must show: two tasks spawned by
/// main, each printing, sleeping 3 s of virtual time and waking main.
#[test]
fn the_create_task_trace_shows_the_spawns_sleeps_and_wakeups() {
    let tmp = tempdir("create_task");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_, text) = traced(
        &root.join("examples/create_task.tasks"),
        &tmp.join("t.json"),
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    let events = doc["traceEvents"].as_array().unwrap();
    let names = track_names(events);
    let tid = |name: &str| *names.iter().find(|(_, n)| n.as_str() == name).unwrap().0;
    let (main, t1, t2) = (tid("main"), tid("Task-1"), tid("Task-2"));
    let on = |ph: &str, cat: &str, tid: u64| {
        events
            .iter()
            .filter(|e| e["ph"] == ph && e["cat"] == cat && e["tid"] == tid)
            .count()
    };
    assert_eq!(on("s", "spawn", main), 2, "main spawns two tasks");
    assert_eq!(on("f", "spawn", t1), 1);
    assert_eq!(on("f", "spawn", t2), 1);
    for t in [t1, t2] {
        let sleeps: Vec<&Value> = events
            .iter()
            .filter(|e| e["tid"] == t && e["cat"] == "wait")
            .collect();
        assert_eq!(sleeps.len(), 1);
        assert_eq!(sleeps[0]["name"], "sleep until 3.000s");
        assert_eq!(sleeps[0]["args"]["on"], "sleep");
        assert_eq!(on("f", "wake", t), 1, "a timer wakes the sleeper");
    }
    let waits_of_main: Vec<&str> = events
        .iter()
        .filter(|e| e["tid"] == main && e["cat"] == "wait")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(waits_of_main, ["task 'Task-1'"]);
    let printed: Vec<(u64, &str)> = events
        .iter()
        .filter(|e| e["ph"] == "i")
        .map(|e| (e["tid"].as_u64().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        printed,
        [
            (t1, "Get stock price of GOOG..."),
            (t2, "Get stock price of APPL..."),
            (main, "300"),
            (main, "400"),
            (main, "It took 3.0 second(s) to complete."),
        ]
    );
}

/// Native operations are slices of their own, on lanes (two at once: two
/// lanes), and their completions wake the tasks that awaited them. The two
/// overlap whatever the machine's load: `a.txt` is a named pipe, so the
/// program (started first) cannot end before the read (started second)
/// has opened it. (With a file and `true`, a loop thread paused right
/// after the spawn could see `true` end before the read began, and both
/// would use one lane.)
#[test]
fn native_operations_are_slices_and_their_completions_wake_their_tasks() {
    let tmp = tempdir("ops");
    let fifo = std::ffi::CString::new(tmp.join("a.txt").into_os_string().into_encoded_bytes());
    // SAFETY: mkfifo reads the NUL-terminated path, which lives across the call.
    assert_eq!(unsafe { libc::mkfifo(fifo.unwrap().as_ptr(), 0o600) }, 0);
    let script = r#"async fn reader() {
    let t = await fs.read_text("a.txt")
    print(t.strip())
}
let r = spawn reader()
let p = await process.run("sh", ["-c", "echo hello > a.txt"])
print(p.code())
await r
"#;
    let (_, doc) = traced_in(&tmp, "-A", "ops.tasks", script);
    let events = doc["traceEvents"].as_array().unwrap();
    let names = track_names(events);
    let ops: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["cat"] == "native" && e["ph"] == "X")
        .map(|e| {
            (
                names[&e["tid"].as_u64().unwrap()].as_str(),
                e["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert!(ops.contains(&("native operations", RUN_SH)), "{ops:?}");
    assert!(
        ops.contains(&("native operations (2)", "fs.read_text(\"a.txt\")")),
        "{ops:?}"
    );
    // Each task's wait names the operation and a wake arrow leaves its lane.
    for (task, op) in [("main", RUN_SH), ("Task-1", "fs.read_text(\"a.txt\")")] {
        let tid = *names.iter().find(|(_, n)| n.as_str() == task).unwrap().0;
        assert!(events.iter().any(|e| e["tid"] == tid
            && e["cat"] == "wait"
            && e["name"] == op
            && e["args"]["on"] == "native"));
        assert!(events
            .iter()
            .any(|e| e["tid"] == tid && e["ph"] == "f" && e["cat"] == "wake"));
    }
    let lanes: HashSet<u64> = names
        .iter()
        .filter(|(_, n)| n.starts_with("native operations"))
        .map(|(t, _)| *t)
        .collect();
    let woken_from_lanes = events
        .iter()
        .filter(|e| e["ph"] == "s" && e["cat"] == "wake")
        .filter(|e| lanes.contains(&e["tid"].as_u64().unwrap()))
        .count();
    assert_eq!(woken_from_lanes, 2);
}

/// The slice's name of the script's `process.run` above.
const RUN_SH: &str = r#"process.run("sh", ["-c", "echo hello > a.txt"])"#;

/// An operation nobody awaits (`http.serve`'s accept loop, started with
/// `NativeCtx::start_operation`) is a slice too, from the serve to the
/// close that aborts it; the request the script makes beside it is its own.
#[test]
fn a_servers_accept_loop_is_a_slice_until_it_is_closed() {
    let tmp = tempdir("serve");
    let script = r#"let server = http.serve(fn(req) { return "hi " + req.path() }, port: 0)
let r = await http.get(server.url() + "/a")
print(r.text())
server.close()
"#;
    let (stdout, doc) = traced_in(&tmp, "--allow-net=127.0.0.1", "serve.tasks", script);
    assert_eq!(stdout, "hi /a\n");
    let events = doc["traceEvents"].as_array().unwrap();
    let ops: Vec<&Value> = events
        .iter()
        .filter(|e| e["cat"] == "native" && e["ph"] == "X")
        .collect();
    let name = |e: &&Value| e["name"].as_str().unwrap().to_string();
    let server = ops
        .iter()
        .find(|e| name(e).starts_with("http server http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no server slice in {ops:?}"));
    assert!(name(server).ends_with("(cancelled)"), "{server}");
    let get = ops
        .iter()
        .find(|e| name(e).starts_with("http.get("))
        .unwrap_or_else(|| panic!("no request slice in {ops:?}"));
    // The request ran while the server was up, on another lane.
    let (s0, s1) = span(server);
    let (g0, g1) = span(get);
    assert!(s0 < g0 && g1 <= s1, "{server} {get}");
    assert_ne!(server["tid"], get["tid"]);
}

/// Runs `script` as `name` in `dir` on the real clock with `grant` and
/// `--trace`; its stdout and the trace, checked for what Perfetto needs.
fn traced_in(dir: &Path, grant: &str, name: &str, script: &str) -> (String, Value) {
    std::fs::write(dir.join(name), script).unwrap();
    let run = Command::new(EXE)
        .args(["run", grant, "--trace", "t.json", name])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(dir.join("t.json")).unwrap();
    check_structure(&text, &dir.join(name));
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    (stdout, serde_json::from_str(&text).unwrap())
}

fn span(e: &Value) -> (f64, f64) {
    let ts = e["ts"].as_f64().unwrap();
    (ts, ts + e["dur"].as_f64().unwrap())
}

/// `tasks test --trace DIR --timeline DIR`: a failing case's trace and
/// timeline stay in the folders, named after the case, and the report
/// names them beside its diff; a passing case leaves nothing.
#[test]
fn tasks_test_keeps_the_trace_and_timeline_of_a_failing_case() {
    let tmp = tempdir("tasks_test");
    let cases = tmp.join("cases");
    std::fs::create_dir_all(cases.join("sub")).unwrap();
    std::fs::write(cases.join("pass.tasks"), "print(\"a\")\n").unwrap();
    std::fs::write(cases.join("pass.out"), "a\n").unwrap();
    let failing = "async fn w() {\n    await sleep(1)\n    print(\"late\")\n}\nspawn w()\nawait sleep(2)\nprint(\"b\")\n";
    std::fs::write(cases.join("sub/fail.tasks"), failing).unwrap();
    std::fs::write(cases.join("sub/fail.out"), "late\nc\n").unwrap();
    let run = Command::new(EXE)
        .args(["test", "--trace", "out/tr", "--timeline", "out/tl", "cases"])
        .current_dir(&tmp)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let report = String::from_utf8(run.stdout).unwrap();
    let (trace, page) = (
        tmp.join("out/tr/sub__fail.json"),
        tmp.join("out/tl/sub__fail.html"),
    );
    let note = format!("its schedule: {}, {}\n", trace.display(), page.display());
    let failure = report
        .split("---- sub/fail ----")
        .nth(1)
        .expect("the failure");
    assert!(failure.contains(&note), "{report}");
    assert!(
        failure.find(&note) < failure.find("stdout differs"),
        "{report}"
    );
    check_structure(&std::fs::read_to_string(&trace).unwrap(), &trace);
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains(" late</title>"));
    let left = |d: &str| {
        let mut names: Vec<String> = std::fs::read_dir(tmp.join(d))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(left("out/tr"), ["sub__fail.json"]);
    assert_eq!(left("out/tl"), ["sub__fail.html"]);
}

#[test]
fn a_trace_file_that_cannot_be_written_is_a_usage_error_before_the_run() {
    let tmp = tempdir("unwritable");
    std::fs::write(tmp.join("s.tasks"), "print(\"ran\")\n").unwrap();
    let run = Command::new(EXE)
        .args(["run", "--trace", "no/such/dir/t.json", "s.tasks"])
        .current_dir(&tmp)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&run.stdout), "");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("cannot write no/such/dir/t.json"), "{err}");
}

fn track_names(events: &[Value]) -> HashMap<u64, String> {
    events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| {
            let name = e["args"]["name"].as_str().unwrap().to_string();
            (e["tid"].as_u64().unwrap(), name)
        })
        .collect()
}

/// What a viewer needs of the trace (see the module's comment).
fn check_structure(text: &str, script: &Path) {
    let what = script.display();
    let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let events = doc["traceEvents"].as_array().unwrap();
    let names = track_names(events);
    // (tid) → its slices, (start, end, cat).
    let mut slices: HashMap<u64, Vec<(f64, f64, String)>> = HashMap::new();
    for e in events.iter().filter(|e| e["ph"] == "X") {
        let tid = e["tid"].as_u64().unwrap();
        assert!(
            names.contains_key(&tid),
            "{what}: a slice on an unnamed track: {e}"
        );
        let start = e["ts"].as_f64().unwrap();
        let end = start + e["dur"].as_f64().unwrap();
        assert!(end > start, "{what}: an empty slice: {e}");
        let cat = e["cat"].as_str().unwrap().to_string();
        slices.entry(tid).or_default().push((start, end, cat));
    }
    assert!(
        slices.values().flatten().any(|s| s.2 == "step"),
        "{what}: no step"
    );
    for (tid, list) in &slices {
        let mut steps: Vec<_> = list.iter().filter(|s| s.2 == "step").collect();
        steps.sort_by(|a, b| a.0.total_cmp(&b.0));
        for pair in steps.windows(2) {
            assert!(
                pair[0].1 <= pair[1].0,
                "{what}: steps overlap on track {tid}"
            );
        }
    }
    let inside = |tid: u64, ts: f64, cat: Option<&str>| {
        slices.get(&tid).is_some_and(|l| {
            l.iter()
                .any(|s| s.0 < ts && ts < s.1 && cat.is_none_or(|c| s.2 == c))
        })
    };
    let mut starts = HashSet::new();
    let mut ends = HashSet::new();
    for e in events {
        let (tid, ts) = (
            e["tid"].as_u64().unwrap_or(0),
            e["ts"].as_f64().unwrap_or(0.0),
        );
        if e["ph"] == "s" {
            assert!(
                inside(tid, ts, None),
                "{what}: a flow starts outside any slice: {e}"
            );
            assert!(
                starts.insert(e["id"].as_u64().unwrap()),
                "{what}: flow id twice: {e}"
            );
        } else if e["ph"] == "f" {
            assert!(
                inside(tid, ts, Some("step")),
                "{what}: a flow ends outside a step: {e}"
            );
            assert!(
                ends.insert(e["id"].as_u64().unwrap()),
                "{what}: flow id twice: {e}"
            );
        } else if e["ph"] == "i" {
            assert!(
                names.contains_key(&tid),
                "{what}: a print on an unnamed track: {e}"
            );
        }
    }
    assert_eq!(starts, ends, "{what}: flows without both ends");
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tasks-trace-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
