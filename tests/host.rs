//! The embedding API: Rust functions and async functions called from
//! scripts, native operations on the loop, cancellation and errors.

mod common;
use common::Buf;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;
use tasks::{Engine, ErrorKind, Module, Session, Value};

fn engine(virtual_time: bool) -> (Engine, Buf, Buf) {
    let (out, err) = (Buf::default(), Buf::default());
    let e = Engine::builder()
        .stdout(out.clone())
        .stderr(err.clone())
        .virtual_time(virtual_time)
        .build();
    (e, out, err)
}

#[test]
fn sync_function_converts_arguments_and_result() {
    let (mut e, out, _) = engine(true);
    e.register_fn("double", |x: i64| x * 2);
    e.register_fn("greet", |name: String, excited: Option<bool>| {
        format!("hi {name}{}", if excited == Some(true) { "!" } else { "" })
    });
    let v = e
        .eval("t.tasks", "print(greet(\"ann\", true))\ndouble(21)")
        .unwrap();
    assert!(matches!(v, Value::Int(42)));
    assert_eq!(out.text(), "hi ann!\n");
}

#[test]
fn wrong_argument_type_is_a_type_error_at_the_call() {
    let (mut e, _, _) = engine(true);
    e.register_fn("double", |x: i64| x * 2);
    let err = e.eval("t.tasks", "let y = 1\ndouble(\"x\")").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Runtime);
    // The parts, then the report the command would print.
    assert_eq!(err.error_kind(), Some("TypeError"));
    assert_eq!(
        err.message(),
        "double() argument 1 must be an int, not `str`"
    );
    assert_eq!(
        err.to_string(),
        "TypeError: double() argument 1 must be an int, not `str`"
    );
    let at = err.location().expect("a place");
    assert_eq!((at.file.as_str(), at.line, at.column), ("t.tasks", 2, 1));
    assert_eq!(err.task(), Some("main"));
    let diag: &dyn miette::Diagnostic = &err;
    assert_eq!(
        diag.code().map(|c| c.to_string()).as_deref(),
        Some("TypeError")
    );
    assert_eq!(diag.labels().map(|l| l.count()), Some(1));
    let report = err.report();
    assert!(report.contains("TypeError"), "{report}");
    assert!(
        report.contains("argument 1 must be an int, not `str`"),
        "{report}"
    );
    assert!(report.contains("t.tasks:2:"), "{report}");
    let err = e.eval("u.tasks", "double(1, 2)").unwrap_err();
    assert!(err
        .to_string()
        .contains("double() takes 1 argument but 2 were given"));
    let err = e.eval("v.tasks", "double()").unwrap_err();
    assert!(
        err.to_string().contains("double() missing argument 1"),
        "{err}"
    );
}

#[test]
fn an_error_names_its_task_and_the_tasks_awaiting_it() {
    let (mut e, _, _) = engine(true);
    let src = "async fn leaf() {
    await sleep(0)
    throw error(\"no\", kind: \"LeafError\")
}
async fn middle() {
    let t = spawn leaf()
    t.set_name(\"leaf\")
    return await t
}
let m = spawn middle()
m.set_name(\"middle\")
await m
";
    let err = e.eval("t.tasks", src).unwrap_err();
    assert_eq!(err.error_kind(), Some("LeafError"));
    assert_eq!(err.task(), Some("leaf"));
    assert_eq!(err.awaited_by(), ["middle", "main"]);
    // Thrown in `main` itself: no chain.
    let err = e.eval("u.tasks", "throw error(\"x\")").unwrap_err();
    assert_eq!(err.task(), Some("main"));
    assert!(err.awaited_by().is_empty());
}

/// Parsing and compiling recurse on nesting. A host that calls `eval` on
/// a thread with a small stack (256 KB here) still gets the deepest
/// program the parser accepts run, and one nested deeper refused with a
/// diagnostic: not a stack overflow that aborts the host (199 nested
/// `fn` literals overflowed a 1 MB stack before).
#[test]
fn eval_on_a_small_stack_runs_deep_programs_instead_of_overflowing() {
    let run = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let (mut e, out, _) = engine(true);
            let deep = |n: usize| {
                format!(
                    "let f = {}1{}\nprint(\"ran\")",
                    "fn() { return ".repeat(n),
                    " }".repeat(n)
                )
            };
            let parens = format!("print({}1{})", "(".repeat(198), ")".repeat(198));
            e.eval("deep.tasks", &deep(150)).unwrap();
            e.eval("parens.tasks", &parens).unwrap();
            let too_deep = e.eval("deeper.tasks", &deep(400)).unwrap_err();
            (out.text(), too_deep.kind(), too_deep.report().to_string())
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(run.0, "ran\n1\n");
    assert_eq!(run.1, ErrorKind::Syntax);
    assert!(run.2.contains("the program nests too deeply"), "{}", run.2);
}

/// A syntax error is structured as a runtime one is: its own words and
/// place, not only "syntax error" with the words in the rendered report.
#[test]
fn a_syntax_error_has_its_message_and_place() {
    let (mut e, _, _) = engine(true);
    let err = e.eval("t.tasks", "let a = 1\nlet b = (2 +\n").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Syntax);
    assert_ne!(err.message(), "syntax error");
    assert!(err.report().contains(err.message()), "{}", err.report());
    let at = err.location().expect("a place");
    assert_eq!((at.file.as_str(), at.line), ("t.tasks", 2), "{at:?}");
}

#[test]
fn unknown_names_are_found_before_running() {
    let (mut e, out, _) = engine(true);
    e.register_module(Module::new("db").function("lookup", |k: i64| k + 1));
    let err = e.eval("t.tasks", "print(1)\ndb.lokup(1)").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Compile);
    assert!(
        err.help() == Some("did you mean `db.lookup`?") && err.report().contains("db.lokup"),
        "{err}"
    );
    assert_eq!(out.text(), "", "nothing ran");
    let v = e.eval("u.tasks", "db.lookup(41)").unwrap();
    assert!(matches!(v, Value::Int(42)));
}

#[test]
fn a_module_constant_is_read_without_a_call() {
    let (mut e, out, _) = engine(true);
    e.register_module(
        Module::new("app")
            .constant("version", "1.2")
            .constant("build", 7_i64)
            .function("twice", |k: i64| k * 2),
    );
    e.eval("t.tasks", "print(app.version, app.build + 1, app.twice(4))")
        .unwrap();
    assert_eq!(out.text(), "1.2 8 8\n");
    let err = e.eval("u.tasks", "print(app.verison)").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Compile);
    assert!(
        err.report().contains("did you mean `app.version`?"),
        "{err}"
    );
}

#[test]
fn a_result_error_becomes_a_script_error() {
    let (mut e, out, _) = engine(true);
    e.register_fn("parse", |s: String| {
        s.parse::<i64>().map_err(|e| e.to_string())
    });
    e.eval(
        "t.tasks",
        "try { parse(\"x\") } catch e { print(e.kind(), e.message()) }",
    )
    .unwrap();
    assert_eq!(out.text(), "RuntimeError invalid digit found in string\n");
}

#[test]
fn async_functions_return_coroutines_that_run_concurrently() {
    let (mut e, out, _) = engine(false);
    let running = Rc::new(Cell::new(0));
    let peak = Rc::new(Cell::new(0));
    let (r, p) = (running.clone(), peak.clone());
    e.register_async_fn("fetch", move |id: i64| {
        let (r, p) = (r.clone(), p.clone());
        async move {
            r.set(r.get() + 1);
            p.set(p.get().max(r.get()));
            async_io::Timer::after(Duration::from_millis(50)).await;
            r.set(r.get() - 1);
            id * 10
        }
    });
    let src = "let c = fetch(1)\nprint(type(c))\nlet ts = [spawn fetch(i) for i in range(10)]\nprint(await gather(ts))\nprint(await c)";
    // No comprehension yet: build the list by hand.
    let src = src.replace(
        "let ts = [spawn fetch(i) for i in range(10)]",
        "let ts = []\nfor i in range(10) { ts.push(spawn fetch(i)) }",
    );
    e.eval("t.tasks", &src).unwrap();
    assert_eq!(
        out.text(),
        "coroutine\n[0, 10, 20, 30, 40, 50, 60, 70, 80, 90]\n10\n"
    );
    assert_eq!(peak.get(), 10, "all ten ran at once");
}

/// A host function `gate(name)` whose futures the test completes, from
/// another thread, in an order it chooses; and how many gates the script
/// has asked for so far.
fn gates(
    e: &mut Engine,
    names: &[&str],
) -> (
    HashMap<String, async_channel::Sender<i64>>,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = asked.clone();
    let mut senders = HashMap::new();
    let mut receivers = HashMap::new();
    for n in names {
        let (tx, rx) = async_channel::bounded(1);
        senders.insert(n.to_string(), tx);
        receivers.insert(n.to_string(), rx);
    }
    let receivers = RefCell::new(receivers);
    e.register_async_fn("gate", move |name: String| {
        let rx = receivers.borrow_mut().remove(&name);
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async move {
            match rx {
                Some(rx) => rx.recv().await.map_err(|e| e.to_string()),
                None => Err(format!("no gate {name}")),
            }
        }
    });
    (senders, asked)
}

#[test]
fn completion_order_is_resume_order() {
    let (mut e, out, _) = engine(false);
    let (gate, asked) = gates(&mut e, &["a", "b", "c"]);
    let src = r#"
async fn wait(name) {
    let v = await gate(name)
    print(f"{name} {v}")
}
let a = spawn wait("a")
let b = spawn wait("b")
let c = spawn wait("c")
await gather(a, b, c)
"#;
    // The first completion waits until all three tasks wait on their
    // gates: on a loaded machine the script may start late, and a gate
    // opened before its task asked would complete in spawn order.
    std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while asked.load(std::sync::atomic::Ordering::SeqCst) < 3 {
            assert!(
                std::time::Instant::now() < deadline,
                "the gates were never asked for"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        for (name, v) in [("b", 1), ("c", 2), ("a", 3)] {
            std::thread::sleep(Duration::from_millis(30));
            gate[name].send_blocking(v).unwrap();
        }
    });
    e.eval("t.tasks", src).unwrap();
    assert_eq!(out.text(), "b 1\nc 2\na 3\n");
}

#[test]
fn a_completion_runs_before_a_timer_due_in_the_same_iteration() {
    use std::sync::atomic::{AtomicU8, Ordering};
    let (mut e, out, _) = engine(false);
    let (gate, _) = gates(&mut e, &["g"]);
    // 0: before `busy`; 1: `busy` runs; 2: the gate has opened.
    let stage = std::sync::Arc::new(AtomicU8::new(0));
    let (busy_starts, opened) = (stage.clone(), stage.clone());
    e.register_fn("busy_starts", move || {
        busy_starts.store(1, Ordering::SeqCst)
    });
    e.register_fn("opened", move || opened.load(Ordering::SeqCst) == 2);
    // `busy` holds the loop until the timer is due (100 ms) and the gate
    // has opened (another thread sends on it once `busy` runs), however
    // loaded the machine is. The next iteration sees both: the completion
    // is handled first, as asyncio handles I/O events before timers.
    let src = r#"
async fn timer() {
    await sleep(0.1)
    print("timer")
}
async fn op() {
    print(await gate("g"))
}
fn busy() {
    busy_starts()
    let start = now()
    while now() - start < 0.15 or not opened() { }
}
let t = spawn timer()
let o = spawn op()
await sleep(0)
busy()
await gather(t, o)
"#;
    let opener = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while stage.load(Ordering::SeqCst) == 0 {
            assert!(std::time::Instant::now() < deadline, "busy never ran");
            std::thread::sleep(Duration::from_millis(1));
        }
        gate["g"].send_blocking(7).unwrap();
        stage.store(2, Ordering::SeqCst);
    });
    e.eval("t.tasks", src).unwrap();
    opener.join().unwrap();
    assert_eq!(out.text(), "7\ntimer\n");
}

struct DropFlag(Rc<Cell<bool>>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn cancelling_the_wait_drops_the_future() {
    for how in ["t.cancel()", "wait_for", "end"] {
        let (mut e, out, _) = engine(true);
        let dropped = Rc::new(Cell::new(false));
        let d = dropped.clone();
        e.register_async_fn("forever", move || {
            let flag = DropFlag(d.clone());
            async move {
                let _flag = flag;
                std::future::pending::<()>().await;
            }
        });
        let d = dropped.clone();
        e.register_fn("dropped", move || d.get());
        let src = match how {
            "t.cancel()" => "let t = spawn forever()\nawait sleep(0)\nprint(dropped())\nt.cancel()\nawait sleep(0)\nprint(dropped())",
            "wait_for" => "print(dropped())\ntry { await wait_for(forever(), 0.5) } catch e: TimeoutError { print(\"timeout\", now()) }\nprint(dropped())",
            _ => "let t = spawn forever()\nawait sleep(0)\nprint(dropped())",
        };
        e.eval("t.tasks", src).unwrap();
        let want = match how {
            "wait_for" => "false\ntimeout 0.5\ntrue\n",
            "end" => "false\n",
            _ => "false\ntrue\n",
        };
        assert_eq!(out.text(), want, "{how}");
        assert!(dropped.get(), "{how}: the future was dropped");
    }
}

#[test]
fn virtual_time_flows_while_an_operation_is_in_flight() {
    let (mut e, out, _) = engine(true);
    let dropped = Rc::new(Cell::new(false));
    let d = dropped.clone();
    e.register_async_fn("slow", move || {
        let flag = DropFlag(d.clone());
        async move {
            let _flag = flag;
            async_io::Timer::after(Duration::from_secs(5)).await;
        }
    });
    e.register_async_fn("quick", || async {
        async_io::Timer::after(Duration::from_millis(30)).await;
        "done"
    });
    let src = r#"
try { await wait_for(slow(), 0.2) } catch e: TimeoutError { print("timed out at", round(now(), 1)) }
await sleep(100)
print("slept to", round(now(), 1))
print(await quick())
"#;
    e.eval("t.tasks", src).unwrap();
    assert_eq!(out.text(), "timed out at 0.2\nslept to 100.2\ndone\n");
    assert!(dropped.get(), "the slow op was dropped at the timeout");
}

#[test]
fn no_deadlock_while_an_operation_is_in_flight() {
    for virtual_time in [false, true] {
        let (mut e, out, err) = engine(virtual_time);
        e.register_async_fn("later", || async {
            async_io::Timer::after(Duration::from_millis(50)).await;
            7
        });
        e.eval("t.tasks", "let q = queue()\nprint(await later())")
            .unwrap();
        assert_eq!(out.text(), "7\n");
        assert_eq!(err.text(), "");
    }
}

#[cfg(target_os = "linux")]
fn thread_cpu_time() -> Duration {
    // /proc/thread-self/stat fields 14 and 15: user and system time in ticks.
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let ticks = f[11] + f[12];
    Duration::from_millis(ticks * 10)
}

#[cfg(target_os = "linux")]
#[test]
fn an_idle_loop_uses_no_cpu() {
    let (mut e, out, _) = engine(false);
    e.register_async_fn("wait2", || async {
        async_io::Timer::after(Duration::from_secs(2)).await;
        "ok"
    });
    let before = thread_cpu_time();
    e.eval("t.tasks", "print(await wait2())").unwrap();
    let used = thread_cpu_time() - before;
    assert_eq!(out.text(), "ok\n");
    assert!(used < Duration::from_millis(50), "used {used:?} of CPU");
}

#[test]
fn a_completion_during_a_long_sleep_resumes_its_waiter_at_once() {
    let (mut e, out, _) = engine(false);
    e.register_async_fn("soon", || async {
        async_io::Timer::after(Duration::from_millis(50)).await;
        "soon"
    });
    // The 10-second sleep is still pending when the completion resumes
    // its waiter: the loop did not wait for the timer first.
    let src = "let s = spawn sleep(10)\nprint(await soon(), s.done())\ns.cancel()";
    e.eval("t.tasks", src).unwrap();
    assert_eq!(out.text(), "soon false\n");
}

/// `examples/embed.rs` (built by `cargo test` with the other examples)
/// runs and prints what the docs say it prints.
#[test]
fn the_embedding_example_runs() {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let example = dir.join("examples").join("embed");
    let out = std::process::Command::new(&example)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", example.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "user-0 ... user-9 (10 names)");
    assert!(lines[1].starts_with("batch took "), "{}", lines[1]);
    assert_eq!(lines[2], "lookup(42) timed out");
    assert_eq!(lines[3], "RuntimeError no user -1");
    assert_eq!(lines[4], "DONE!");
    assert_eq!(lines[6], "host: the runaway script stopped: Runtime");
    assert_eq!(lines[7], "host: sum(range(10)) = 45");
    assert_eq!(lines[8], "cart total: 500 discount code: SAVE49");
    assert_eq!(lines[9], "host: twice(21) = 42");
    assert_eq!(lines[10], "host: PriceError: pen costs -1 at bad.tasks:2:1");
    assert_eq!(lines[11], "host: help: prices are in cents, at least 0");
    assert_eq!(
        lines[12],
        "host: eval_async gave 42; the host's timer ticked 3 times meanwhile"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("OperationLimitError"), "{stderr}");
    assert!(out.status.success());
}

#[test]
fn two_engines_on_one_thread_do_not_see_each_other() {
    let (mut a, out_a, err_a) = engine(true);
    let (mut b, out_b, err_b) = engine(true);
    a.register_fn("only_in_a", || 1);
    // Engine A leaves a coroutine that never runs; B must not report it.
    let mut session = Session::new(a);
    assert!(session
        .start("a.tasks", "async fn from_a() { }\nfrom_a()")
        .is_some());
    for _ in 0..3 {
        session.tick();
    }
    let a = session.engine_mut();
    b.eval("b.tasks", "print(1)").unwrap();
    assert_eq!(out_b.text(), "1\n");
    assert_eq!(err_b.text(), "", "B reports nothing of A's");
    let e = b.eval("c.tasks", "only_in_a()").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Compile);
    // A reports its own at the end of its own program.
    a.eval("d.tasks", "async fn g() { }\nlet kept = g()\nlet x = 1")
        .unwrap();
    assert!(
        err_a
            .text()
            .contains("coroutine 'from_a' was never awaited"),
        "{}",
        err_a.text()
    );
    assert!(
        err_a.text().contains("coroutine 'g' was never awaited"),
        "{}",
        err_a.text()
    );
    assert_eq!(out_a.text(), "");
}

#[test]
fn a_task_waiting_on_a_native_operation_says_which() {
    let (mut e, _, _) = engine(true);
    e.register_module(
        Module::new("db").async_function("lookup", |_id: i64| std::future::pending::<()>()),
    );
    let mut e = Session::new(e);
    let task = e
        .start("in.tasks", "let t = spawn db.lookup(42)\nawait sleep(1)")
        .unwrap();
    for _ in 0..3 {
        e.tick();
    }
    let tasks = e.live_tasks();
    let t1 = tasks.iter().find(|t| t.name == "Task-1").unwrap();
    assert_eq!(t1.waiting_on.as_deref(), Some("db.lookup(42)"));
    assert_eq!(t1.state, "waiting");
    let main = tasks.iter().find(|t| t.name == "main").unwrap();
    assert_eq!(main.waiting_on, None);
    e.cancel(&task);
    e.shutdown();
}

#[test]
fn a_progress_callback_can_stop_a_runaway_script() {
    let (mut e, out, _) = engine(true);
    let calls = Rc::new(Cell::new(0u64));
    let c = calls.clone();
    e.on_progress(move |ops| {
        c.set(ops);
        ops < 1_000_000
    });
    let err = e
        .eval(
            "t.tasks",
            "print(\"before\")\nlet n = 0\nwhile true { n += 1 }",
        )
        .unwrap_err();
    assert!(err.to_string().starts_with("StoppedError"), "{err}");
    assert!(err.report().contains("t.tasks:3:1"), "{err}");
    assert_eq!(err.location().map(|l| (l.line, l.column)), Some((3, 1)));
    assert_eq!(out.text(), "before\n");
    assert!(calls.get() >= 1_000_000, "told {} operations", calls.get());
    // An ordinary script under the same callback runs to its end.
    let (mut e, out, _) = engine(true);
    e.on_progress(|_| true);
    e.eval(
        "u.tasks",
        "let s = 0\nfor i in range(100000) { s += i }\nprint(s)",
    )
    .unwrap();
    assert_eq!(out.text(), "4999950000\n");
}

#[test]
fn an_interrupt_stops_only_its_own_engine() {
    let (mut a, _, _) = engine(true);
    let (mut b, b_out, _) = engine(true);
    // A's interrupt is raised before B runs: B must not see it.
    let handle = a.interrupt_handle();
    handle.interrupt();
    b.eval(
        "b.tasks",
        "let n = 0\nfor i in range(100000) { n = n + i }\nprint(n)",
    )
    .unwrap();
    assert_eq!(b_out.text(), "4999950000\n");
    // A, running a loop that never yields, stops at its next check point.
    let err = a.eval("a.tasks", "while true { }").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Runtime);
    assert!(err.to_string().contains("KeyboardInterrupt"), "{err}");
}

#[test]
fn an_interrupt_from_another_thread_stops_a_runaway_script() {
    let (mut e, _, _) = engine(false);
    let handle = e.interrupt_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
    });
    let err = e.eval("spin.tasks", "while true { }").unwrap_err();
    t.join().unwrap();
    assert!(err.to_string().contains("KeyboardInterrupt"), "{err}");
}

#[test]
fn a_seeded_engine_draws_the_same_numbers() {
    let draw = |seed: u64| {
        let out = Buf::default();
        let mut e = Engine::builder().stdout(out.clone()).seed(seed).build();
        e.eval(
            "r.tasks",
            "print(random.random(), random.sample(range(1000), 3))",
        )
        .unwrap();
        out.text()
    };
    assert_eq!(draw(11), draw(11));
    assert_ne!(draw(11), draw(12));
}

/// A program that ends stuck leaves tasks waiting on futures whose
/// callbacks hold the tasks: dropping the engine must free them all (a
/// REPL lives long; leak checkers flagged these cycles).
#[test]
fn an_engine_frees_its_tasks_however_its_program_ends() {
    let programs = [
        // Deadlock: every task waits on an event nobody sets.
        "let e = event()\nasync fn w() { await e.wait() }\nlet ts = [spawn w(), spawn w()]\nawait gather(ts[0], ts[1])\n",
        // Tasks awaiting each other through a future and a queue.
        "let f = future()\nlet q = queue()\nasync fn a() { await f }\nasync fn b() { await q.get() }\nlet t = spawn a()\nspawn b()\nawait t\n",
        // Virtual time stuck: polling with sleep(0) while a timer waits.
        "let ready = false\nasync fn setter() { await sleep(1); ready = true }\nspawn setter()\nwhile not ready { await sleep(0) }\n",
        // A sleep that never ends, and an error with tasks still pending.
        "async fn s() { await sleep(float(\"inf\")) }\nspawn s()\nawait s()\n",
        "async fn s() { await sleep(1) }\nlet t = spawn s()\nthrow error(\"boom\")\n",
        // Deadlocked inside a function whose local fn calls itself (a
        // cell -> closure -> cell cycle holding a task).
        "let e = event()\nasync fn noop() { }\nasync fn w() {\n    let t = spawn noop()\n    fn g(n) { if n > 0 { return g(n - 1) }; return t }\n    await e.wait()\n}\nawait w()\n",
    ];
    for src in programs {
        let before = Engine::live_tasks_on_thread();
        {
            let (mut e, _, _) = engine(true);
            let _ = e.eval("leak.tasks", src);
        }
        assert_eq!(
            Engine::live_tasks_on_thread(),
            before,
            "tasks left alive after the engine ended:\n{src}"
        );
    }
}

/// Values nested far deeper than a test thread's 2 MiB stack could drop by
/// recursion (chains of lists, maps, records, closures and a mix, 100,000
/// deep) go away without overflowing it: when a script drops them, when
/// the host drops one it was handed, and when the engine goes.
#[test]
fn deeply_nested_values_drop_without_overflowing_the_stack() {
    let (mut e, out, _) = engine(true);
    let script = "\
struct Node { v, next }
fn lists(n) { let x = nil; for i in range(n) { x = [x] }; return x }
fn maps(n) { let x = nil; for i in range(n) { x = {\"next\": x} }; return x }
fn records(n) { let x = nil; for i in range(n) { x = Node(i, x) }; return x }
fn closures(n) {
    let f = nil
    for i in range(n) { let g = f; f = fn() { return g } }
    return f
}
fn mixed(n) { let x = nil; for i in range(n) { x = [{\"r\": Node(i, x)}] }; return x }
let n = 100000
for make in [lists, maps, records, closures, mixed] {
    let v = make(n)
    v = nil
}
print(\"dropped\")
let kept = mixed(n)
mixed(n)
";
    let v = e.eval("deep.tasks", script).unwrap();
    assert_eq!(out.text(), "dropped\n");
    assert!(matches!(v, Value::List(_)), "the last value is handed out");
    drop(v);
    drop(e);
}

/// One REPL input, driven as the REPL's `Repl::run_one` drives it:
/// tick until the input's task ends; when nothing can ever wake it, report
/// the deadlock and cancel the input.
fn repl_input(e: &mut Session, name: &str, text: &str) {
    use tasks::LoopTick;
    let Some(task) = e.start(name, text) else {
        return;
    };
    let mut reported = false;
    while !task.is_done() {
        match e.tick() {
            LoopTick::Ran => {}
            LoopTick::Idle(Some(d)) => {
                e.wait_event(Some(d), std::future::pending::<()>());
            }
            LoopTick::Idle(None) | LoopTick::Stuck => {
                if !reported {
                    e.report_deadlock();
                    reported = true;
                }
                e.cancel(&task);
                if matches!(e.tick(), LoopTick::Stuck) {
                    break;
                }
            }
        }
    }
    e.finish(&task);
}

/// The REPL's engine lives as long as the session: an input that
/// deadlocks (or sticks the virtual clock) is reported and cancelled, and
/// once the REPL lets go of it nothing it made stays alive, whatever it
/// waited on. Only tasks the session still lists (spawned ones, still
/// pending and wakeable by a later input) may remain.
#[test]
fn a_deadlocked_repl_input_leaves_nothing_alive() {
    for virtual_time in [false, true] {
        let (e, _, err) = engine(virtual_time);
        let mut e = Session::new(e);
        repl_input(
            &mut e,
            "<input 1>",
            "let ev = event()\nlet q = queue()\nlet lk = lock()\nlet f = future()\nasync fn w() { await ev.wait() }\n",
        );
        let base = Engine::live_tasks_on_thread();
        let inputs = [
            "await ev.wait()",
            "await q.get()",
            "await f",
            "await lk.acquire()\nawait lk.acquire()",
            "await gather(spawn w(), future())",
            "await gather(spawn w(), spawn w())",
            "let g = future()\nlet h = future()\nasync fn a() { await g }\nasync fn b() { await h }\nawait gather(spawn a(), spawn b())",
            // Virtual time stuck: polling with sleep(0) while a timer waits
            // (on the real clock the timer simply fires).
            "let ready = false\nasync fn setter() { await sleep(0.01); ready = true }\nspawn setter()\nwhile not ready { await sleep(0) }",
        ];
        for (i, text) in inputs.iter().enumerate() {
            repl_input(&mut e, &format!("<input {}>", i + 2), text);
            let listed = e.live_tasks().len();
            assert_eq!(
                Engine::live_tasks_on_thread(),
                base + listed,
                "tasks alive beyond the {listed} the session lists after:\n{text}\n{}",
                err.text()
            );
        }
        // Each input but the last deadlocked; the last one sticks the
        // virtual clock (on the real clock it ends by itself).
        let text = err.text();
        assert!(text.matches("deadlock: every task").count() >= 7, "{text}");
        let stuck = text.contains("virtual time is stuck");
        assert_eq!(stuck, virtual_time, "{text}");
    }
}

/// A file a program imports stays loaded on the engine with its values:
/// the next program that imports it sees its functions and top-level
/// values (its body does not run again), while the program's own globals
/// start afresh.
#[test]
fn an_imported_file_keeps_its_values_for_the_next_program() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("m.tasks");
    std::fs::write(
        &module,
        "print(\"loading m\")\nfn double(x) { return x * 2 }\nlet greeting = \"hi\"\n",
    )
    .unwrap();
    // The file is outside the current folder: importing it needs the read grant.
    let (out, err) = (Buf::default(), Buf::default());
    let mut e = Engine::builder()
        .stdout(out.clone())
        .stderr(err.clone())
        .virtual_time(true)
        .permissions(tasks::permissions::Permissions::none().allow_read([dir.path()]))
        .build();
    let src = format!(
        "import \"{}\" as m\nprint(m.double(21), m.greeting)\n",
        module.display()
    );
    e.eval("a.tasks", &src).unwrap();
    e.eval("b.tasks", &src).unwrap();
    assert_eq!(out.text(), "loading m\n42 hi\n42 hi\n");
    assert_eq!(err.text(), "");
}

/// A local `fn` that calls itself by name lives in a cell its own closure
/// captures (cell -> closure -> cell); so do local functions that call each
/// other, and a closure in a loop that names itself. Reference counting
/// alone never frees those: each call leaked the closures and whatever they
/// captured (LeakSanitizer on the golden corpus). Each function here
/// captures a task, so the thread's live-task count shows what is left.
#[test]
fn closures_that_call_themselves_are_freed_with_their_frame() {
    let (mut e, out, err) = engine(true);
    let setup = "\
async fn noop() { }
fn own(i) {
    let t = spawn noop()
    fn g(n) { if t == nil { return -1 }; if n > 0 { return g(n - 1) }; return i }
    return g(3)
}
async fn mutual() {
    let t = spawn noop()
    let a = fn(n) { if t == nil { return -1 }; if n > 0 { return b(n - 1) }; return 0 }
    let b = fn(n) { return a(n) }
    await sleep(0)
    return a(4)
}
fn looped() {
    for i in range(3) {
        let t = spawn noop()
        let k = fn(n) { if n > 0 { return k(n - 1) }; return t }
        k(2)
    }
}
fn failing() {
    let t = spawn noop()
    fn g(n) { if n > 0 { return g(n - 1) }; throw error(\"done\") }
    try { g(2) } catch e { }
    g(1)
}
fn kept() {
    let t = spawn noop()
    fn g(n) { if t == nil { return nil }; if n > 0 { return g(n - 1) }; return g }
    return g(1)
}
";
    let calls = "\
print(own(1), await mutual())
looped()
try { failing() } catch e { print(e.message()) }
let g = kept()
print(g(2) == g)
";
    let program = format!("{setup}{calls}");
    let base = Engine::live_tasks_on_thread();
    e.eval("cycles.tasks", &program).unwrap();
    // One closure escaped (`kept`): its cycle is still there once the
    // program has dropped it; every other one was freed with its frame.
    let escaped = Engine::live_tasks_on_thread() - base;
    assert_eq!(escaped, 1, "closure cycles left");
    for _ in 0..3 {
        e.eval("cycles.tasks", &program).unwrap();
    }
    assert_eq!(out.text(), "1 0\ndone\ntrue\n".repeat(4), "{}", err.text());
    assert_eq!(Engine::live_tasks_on_thread(), base + 4 * escaped);
}

/// A panic inside a host's async function (a bug in the host, or in a
/// stdlib operation) fails the call that awaited it with an
/// `InternalError`, and the engine goes on: it neither unwinds through the
/// loop nor waits forever for an operation that will never complete. (The
/// spawned call's 10 ms operation ends long before the 0.5 s sleep does,
/// even when the task starts late on a loaded machine.)
#[test]
fn a_panic_in_a_native_operation_fails_its_call_and_the_engine_goes_on() {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut e, out, _) = engine(false);
        e.register_async_fn("boom", || async {
            async_io::Timer::after(Duration::from_millis(10)).await;
            if std::env::var_os("NEVER_SET_BY_ANYONE_1234").is_none() {
                panic!("a bug in the host");
            }
            1i64
        });
        let src = "try { await boom() } catch e { print(e.kind(), e.message()) }\n\
                   let t = spawn boom()\nawait sleep(0.5)\nprint(t.done())\nprint(\"after\")";
        let r = e
            .eval("t.tasks", src)
            .map(|_| ())
            .map_err(|e| e.to_string());
        let again = e.eval("u.tasks", "print(\"again\")").map(|_| ());
        let _ = done_tx.send((r, again.is_ok(), out.text()));
    });
    let (r, again, text) = done_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the engine hung after a panic in a native operation");
    assert_eq!(r, Ok(()));
    assert!(again, "the engine runs the next program");
    assert_eq!(
        text,
        "InternalError internal error (a bug in tasks or in a host function): a bug in the host\n\
         true\nafter\nagain\n"
    );
}

#[test]
fn imports_lists_a_programs_imports_without_running_it() {
    let text = "import \"./lib/util.tasks\" as util\nprint(1)\nimport \"b.tasks\" as b\n";
    assert_eq!(
        tasks::Engine::imports(text),
        Some(vec!["./lib/util.tasks".to_string(), "b.tasks".to_string()])
    );
    assert_eq!(tasks::Engine::imports("print(1)"), Some(vec![]));
    assert_eq!(tasks::Engine::imports("import \"a.tasks\" as"), None);
}

/// `Value::int_from_float`: what `int(f)` and `math.floor` answer, for a
/// host's own conversions (the one helper `math` needed from the builtins).
#[test]
fn a_float_becomes_an_int_as_int_makes_it() {
    assert!(matches!(Value::int_from_float(-2.9), Ok(Value::Int(-2))));
    assert!(matches!(
        Value::int_from_float(1e18),
        Ok(Value::Int(1_000_000_000_000_000_000))
    ));
    let nan = Value::int_from_float(f64::NAN).unwrap_err();
    assert_eq!(nan.kind(), "ValueError");
    let big = Value::int_from_float(9.3e18).unwrap_err();
    assert_eq!(big.kind(), "OverflowError");
    assert_eq!(big.message(), "cannot convert 9.3e+18 to a 64-bit integer");
}
