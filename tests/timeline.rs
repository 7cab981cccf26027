//! `tasks run --timeline`: the page is opened in a real headless Chromium
//! and what it rendered is read back from the DOM after its script ran
//! (`--dump-dom`): the rows, bars, arrows and printed-line markers, the
//! axis the script draws, and the status the script leaves in
//! `body[data-status]` (`ready`, or `error` with the message: the page
//! catches its script errors with `window.onerror`). Chromium must be
//! installed (`.ci/run` installs the distribution's package): without it
//! these tests fail, saying so, rather than skip.

use std::path::{Path, PathBuf};
use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_tasks");

/// The browser: `$TASKS_CHROMIUM`, else `chromium` or `chromium-browser`.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("TASKS_CHROMIUM") {
        return PathBuf::from(p);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .unwrap();
        if found.status.success() {
            return PathBuf::from(String::from_utf8(found.stdout).unwrap().trim());
        }
    }
    panic!(
        "the timeline tests need Chromium and none was found: install it \
         (`apt-get install chromium`, as .ci/run does) or set TASKS_CHROMIUM"
    );
}

/// Headless Chromium's flags (its own profile folder, so runs in parallel
/// do not share one), then `extra`, then the page.
fn browser(dir: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    let out = Command::new("timeout")
        .arg("120")
        .arg(chromium())
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The DOM after the page's script ran.
fn rendered(dir: &Path, page: &Path) -> String {
    let out = browser(dir, &["--dump-dom"], page);
    String::from_utf8(out.stdout).unwrap()
}

fn timeline(dir: &Path, script: &Path, flags: &[&str]) -> PathBuf {
    let page = dir.join("timeline.html");
    let run = Command::new(EXE)
        .arg("run")
        .args(flags)
        .arg("--timeline")
        .arg(&page)
        .arg(script)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    page
}

fn count(dom: &str, what: &str) -> usize {
    dom.matches(what).count()
}

fn assert_ready(dom: &str) {
    let body = dom
        .split("<body")
        .nth(1)
        .expect("a body")
        .split('>')
        .next()
        .unwrap();
    assert!(
        body.contains("data-status=\"ready\""),
        "the page's script did not finish: <body{body}>"
    );
    assert!(!body.contains("data-error"), "a script error: <body{body}>");
}

#[test]
fn the_create_task_lesson_renders_its_rows_bars_arrows_and_printed_lines() {
    let dir = tempdir("create_task");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = timeline(
        &dir,
        &root.join("examples/create_task.tasks"),
        &["--virtual-time"],
    );
    let dom = rendered(&dir, &page);
    assert_ready(&dom);
    for label in ["main", "Task-1", "Task-2", "event loop: timers"] {
        assert!(
            dom.contains(&format!(">{label}</text>")),
            "no row for {label}"
        );
    }
    assert!(dom.contains("data-rows=\"4\""));
    // Two steps of each task (three tasks), the two sleeps, main's wait.
    assert_eq!(count(&dom, "<rect class=\"run\""), 6);
    assert_eq!(count(&dom, "<rect class=\"wait sleep\""), 2);
    assert_eq!(count(&dom, "<rect class=\"wait task\""), 1);
    assert_eq!(count(&dom, "<title>sleep until 3.000s ("), 2);
    // Two spawns, two timers waking the sleepers, Task-1 waking main.
    assert_eq!(count(&dom, "<path class=\"spawn\""), 2);
    assert_eq!(count(&dom, "<path class=\"wake\""), 3);
    assert_eq!(count(&dom, "<path class=\"print\""), 5);
    for line in [
        "Get stock price of GOOG...",
        "300",
        "It took 3.0 second(s) to complete.",
    ] {
        assert!(
            dom.contains(&format!(" {line}</title>")),
            "no marker for {line}"
        );
    }
    // The axis is the script's: its labels in the run's clock.
    assert!(
        dom.contains(">1.0s</text>") || dom.contains(">1s</text>"),
        "no axis labels"
    );
}

#[test]
fn ten_thousand_tasks_still_open_with_the_rest_aggregated_and_said_so() {
    let dir = tempdir("many");
    let script = dir.join("many.tasks");
    std::fs::write(
        &script,
        "async fn work(i) {\n    await sleep(0.001 * (i % 100))\n    return i\n}\n\
         let ts = []\nfor i in range(10000) {\n    ts.push(spawn work(i))\n}\n\
         for t in ts {\n    await t\n}\nprint(\"done\")\n",
    )
    .unwrap();
    let page = timeline(&dir, &script, &["--virtual-time"]);
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size < 4_000_000, "the page is {size} bytes");
    let dom = rendered(&dir, &page);
    assert_ready(&dom);
    assert!(dom.contains(">… 9701 more tasks</text>"));
    assert!(dom.contains("9701 tasks after the first 300 are drawn together"));
    assert!(dom.contains("arrows after the first 5000 are not drawn"));
    assert!(
        count(&dom, "class=\"run bucket\"") > 0,
        "the shared row shows nothing"
    );
    assert!(dom.contains(">Task-299</text>"));
    assert!(!dom.contains(">Task-300</text>"));
}

/// The page's error report works: a script error is in the DOM, so the
/// checks above would see one.
#[test]
fn a_script_error_on_the_page_shows_in_its_status() {
    let dir = tempdir("error");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = timeline(
        &dir,
        &root.join("examples/create_task.tasks"),
        &["--virtual-time"],
    );
    let html = std::fs::read_to_string(&page).unwrap();
    // Break the page: the plot the script moves is gone.
    let broken = html.replace("id=\"plot\"", "id=\"gone\"");
    assert_ne!(broken, html);
    std::fs::write(&page, broken).unwrap();
    let dom = rendered(&dir, &page);
    assert!(
        dom.contains("data-status=\"error\""),
        "{}",
        &dom[..dom.len().min(400)]
    );
    assert!(dom.contains("data-error="));
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tasks-timeline-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
