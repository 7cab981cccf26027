//! The file grants tried as an attacker would: races between the check
//! and the use, links, `..`, other spellings of `/proc/self`, renames that
//! carry a file out from under its rule, imports of what is not a script.
//! Each test is named after the hole it keeps shut.

mod common;

use common::attack::{self, swap_setup, SWAP};
use common::{run_in, Run};
use std::os::unix::fs::symlink;
use std::path::PathBuf;

const SECRET: &str = "TOP-SECRET-41";

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    attack::folders(SECRET)
}

fn assert_no_leak(run: &Run) {
    attack::assert_no_leak(run, SECRET)
}

#[test]
fn a_folder_swapped_for_a_symlink_after_the_check_cannot_redirect_a_read() {
    let (_d, work, outside) = setup();
    swap_setup(&work, &outside);
    let script = format!(
        "let c = fs.read_text(\"data/d1/x\")\n{SWAP}\
         try {{ print(await c) }} catch e {{ print(e.kind(), e.message()) }}"
    );
    let run = run_in(&work, &["--allow-read=data", "--allow-write=data"], &script);
    assert_no_leak(&run);
    assert!(
        run.stdout.starts_with("NotCapableError"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("the path changed after it was checked"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_folder_swapped_for_a_symlink_after_the_check_cannot_redirect_a_write() {
    let (_d, work, outside) = setup();
    std::fs::create_dir_all(work.join("data/d1/in")).unwrap();
    std::fs::create_dir_all(work.join("data/d2")).unwrap();
    symlink(&outside, work.join("data/d2/in")).unwrap();
    let script = format!(
        "let c = fs.write_text(\"data/d1/in/new.txt\", \"planted\")\n{SWAP}\
         try {{ await c }} catch e {{ print(e.kind()) }}"
    );
    let run = run_in(&work, &["--allow-read=data", "--allow-write=data"], &script);
    assert_eq!(run.stdout, "NotCapableError\n", "{}", run.stderr);
    assert!(!outside.join("new.txt").exists(), "a file was made outside");
}

#[test]
fn every_fs_operation_refuses_a_folder_swapped_for_a_link_out_of_the_grant() {
    let (_d, work, outside) = setup();
    std::fs::create_dir_all(work.join("data/d1/in")).unwrap();
    std::fs::write(work.join("data/d1/in/secret.txt"), "inside").unwrap();
    std::fs::write(work.join("data/y"), "mine").unwrap();
    std::fs::create_dir_all(work.join("data/d2")).unwrap();
    symlink(&outside, work.join("data/d2/in")).unwrap();
    // Each call is checked against the real `data/d1/in`, then awaited
    // after the swap made `data/d1/in` a link to `outside`.
    let script = format!(
        "let calls = [\n\
           [\"read\", fs.read_text(\"data/d1/in/secret.txt\")],\n\
           [\"lines\", fs.read_lines(\"data/d1/in/secret.txt\")],\n\
           [\"exists\", fs.exists(\"data/d1/in/secret.txt\")],\n\
           [\"stat\", fs.stat(\"data/d1/in/secret.txt\")],\n\
           [\"list\", fs.list(\"data/d1/in\")],\n\
           [\"append\", fs.append_text(\"data/d1/in/secret.txt\", \"x\")],\n\
           [\"mkdir\", fs.mkdir(\"data/d1/in/made\")],\n\
           [\"mkdir -p\", fs.mkdir(\"data/d1/in/a/b\", parents: true)],\n\
           [\"rename in\", fs.rename(\"data/d1/in/secret.txt\", \"data/stolen.txt\")],\n\
           [\"rename out\", fs.rename(\"data/y\", \"data/d1/in/y\")],\n\
           [\"remove\", fs.remove(\"data/d1/in/secret.txt\")],\n\
           [\"open\", fs.open(\"data/d1/in/secret.txt\")],\n\
           [\"open w\", fs.open(\"data/d1/in/made.txt\", \"w\")],\n\
           [\"gzip\", gzip.open(\"data/d1/in/secret.txt\")],\n\
           [\"gzip w\", gzip.open(\"data/d1/in/made.gz\", \"w\")],\n\
           [\"gzip a\", gzip.open(\"data/d1/in/secret.txt\", \"a\")],\n\
         ]\n{SWAP}\
         for call in calls {{\n\
           try {{ print(call[0], await call[1]) }} catch e {{ print(call[0], e.kind()) }}\n\
         }}"
    );
    let run = run_in(&work, &["--allow-read=data", "--allow-write=data"], &script);
    assert_no_leak(&run);
    for op in [
        "read",
        "lines",
        "exists",
        "stat",
        "list",
        "append",
        "mkdir",
        "mkdir -p",
        "rename in",
        "rename out",
        "remove",
        "open",
        "open w",
        "gzip",
        "gzip w",
        "gzip a",
    ] {
        assert!(
            run.stdout.contains(&format!("{op} NotCapableError\n")),
            "{op}: {}{}",
            run.stdout,
            run.stderr
        );
    }
    let mut names: Vec<_> = std::fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["secret.txt"], "the outside folder changed");
    assert_eq!(
        std::fs::read_to_string(outside.join("secret.txt")).unwrap(),
        SECRET
    );
    assert!(!work.join("data/stolen.txt").exists());
    assert!(work.join("data/y").exists());
}

#[test]
fn a_file_flipped_to_a_symlink_by_another_process_never_leaks_the_secret() {
    let (_d, work, outside) = setup();
    std::fs::create_dir_all(work.join("data")).unwrap();
    std::fs::write(work.join("data/race"), "plain").unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Another "process" (a thread of this one: the kernel sees the same
    // renames) flips `data/race` between a file and a link to the secret,
    // each flip one atomic rename, until the script ends.
    let flipper = {
        let (stop, data, secret) = (stop.clone(), work.join("data"), outside.join("secret.txt"));
        std::thread::spawn(move || {
            let mut flips = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && flips < 5_000_000 {
                let _ = std::fs::remove_file(data.join("tmp"));
                if flips.is_multiple_of(2) {
                    symlink(&secret, data.join("tmp")).unwrap();
                } else {
                    std::fs::write(data.join("tmp"), "plain").unwrap();
                }
                std::fs::rename(data.join("tmp"), data.join("race")).unwrap();
                if flips % 2 == 1 {
                    // Stay a file a moment, so that some reads find one.
                    std::thread::sleep(std::time::Duration::from_micros(1000));
                }
                flips += 1;
            }
        })
    };
    let script = r#"
let counts = {"plain": 0, "leaked": 0, "refused": 0, "other": 0}
for i in range(10000) {
    try {
        let t = await fs.read_text("data/race")
        if t == "plain" { counts["plain"] += 1 }
        else if t.starts_with("TOP-") { counts["leaked"] += 1 }
        else { counts["other"] += 1 }
    } catch e: NotCapableError { counts["refused"] += 1 }
    catch e { counts["other"] += 1 }
}
print(counts["leaked"], counts["plain"] > 0)
eprint(counts)
"#;
    let run = run_in(&work, &["--allow-read=data"], script);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    flipper.join().unwrap();
    assert_eq!(
        run.stdout, "0 true\n",
        "leaks, then whether any read worked: {}",
        run.stderr
    );
}

#[test]
fn a_link_inside_the_grant_to_inside_the_grant_keeps_working() {
    let (_d, work, _outside) = setup();
    std::fs::create_dir_all(work.join("data/real")).unwrap();
    std::fs::write(work.join("data/real/x"), "fine").unwrap();
    symlink("real", work.join("data/alias")).unwrap();
    symlink("real/x", work.join("data/x-link")).unwrap();
    let script =
        "print(await fs.read_text(\"data/alias/x\"), await fs.read_text(\"data/x-link\"))\n\
                  await fs.write_text(\"data/alias/y\", \"new\")\n\
                  print(await fs.list(\"data/alias\"), await fs.exists(\"data/x-link\"))";
    let run = run_in(&work, &["--allow-read=data", "--allow-write=data"], script);
    assert_eq!(
        run.stdout, "fine fine\n[\"x\", \"y\"] true\n",
        "{}",
        run.stderr
    );
}

#[test]
fn dot_dot_and_links_out_of_the_grant_are_refused() {
    let (_d, work, outside) = setup();
    std::fs::create_dir_all(work.join("data")).unwrap();
    symlink(&outside, work.join("data/out")).unwrap();
    symlink(outside.join("secret.txt"), work.join("data/s")).unwrap();
    let script =
        "for p in [\"data/../../outside/secret.txt\", \"data/out/secret.txt\", \"data/s\"] {\n\
                    try { print(await fs.read_text(p)) } catch e { print(e.kind()) }\n\
                  }\n\
                  try { await fs.write_text(\"data/out/new\", \"x\") } catch e { print(e.kind()) }";
    let run = run_in(&work, &["--allow-read=data", "--allow-write=data"], script);
    assert_no_leak(&run);
    assert_eq!(run.stdout, "NotCapableError\n".repeat(4), "{}", run.stderr);
    assert!(!outside.join("new").exists());
}

#[test]
fn proc_self_environ_in_any_spelling_needs_allow_env_as_well() {
    let (_d, work, _outside) = setup();
    let parent = std::process::id(); // this test: the script's parent
    let paths = [
        "/proc/self/environ".to_string(),
        "/proc/thread-self/environ".to_string(),
        "/proc/self/task/../environ".to_string(),
        "/dev/fd/../environ".to_string(),
        "/proc/self/mem".to_string(),
        format!("/proc/{parent}/environ"),
    ];
    let list: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
    let script = format!(
        "for p in [{}] {{\n\
           try {{ await fs.read_text(p)\n print(\"read\") }} catch e {{ print(e.kind()) }}\n\
         }}",
        list.join(", ")
    );
    std::fs::write(work.join("main.tasks"), &script).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["run", "--allow-read", "main.tasks"])
        .current_dir(&work)
        .env("TASKS_SECRET_TOKEN", SECRET)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_no_leak(&run);
    assert_eq!(
        run.stdout,
        "NotCapableError\n".repeat(paths.len()),
        "{}",
        run.stderr
    );
    // The message says what else is needed.
    let one = run_in(
        &work,
        &["--allow-read"],
        "await fs.read_text(\"/proc/self/environ\")",
    );
    assert!(
        one.stderr
            .contains("reading them needs --allow-env as well"),
        "{}",
        one.stderr
    );
    // With --allow-env the environment is the script's to read anyway.
    let granted = run_in(
        &work,
        &["--allow-read", "--allow-env"],
        "print(len(await fs.read_text(\"/proc/self/environ\")) > 0)",
    );
    assert_eq!(granted.stdout, "true\n", "{}", granted.stderr);
}

#[test]
fn proc_self_mem_is_never_written_even_with_allow_all() {
    let (_d, work, _outside) = setup();
    let script = "for p in [\"/proc/self/mem\", \"/proc/self/attr/current\", \"/proc/thread-self/comm\"] {\n\
                    try { await fs.write_text(p, \"x\")\n print(\"wrote\") } catch e { print(e.kind()) }\n\
                  }";
    let run = run_in(&work, &["-A"], script);
    assert_eq!(run.stdout, "NotCapableError\n".repeat(3), "{}", run.stderr);
}

#[test]
fn a_rename_cannot_carry_a_denied_folder_out_from_under_its_deny_rule() {
    let (_d, work, _outside) = setup();
    std::fs::create_dir_all(work.join("a/secret")).unwrap();
    std::fs::write(work.join("a/secret/key"), SECRET).unwrap();
    let script = "for [from, to] in [[\"a\", \"b\"], [\"a/secret\", \"c\"], [\"a/secret/key\", \"key\"]] {\n\
                    try { await fs.rename(from, to)\n print(\"moved\") } catch e { print(e.kind()) }\n\
                  }\n\
                  for p in [\"b/secret/key\", \"c/key\", \"key\"] {\n\
                    try { print(await fs.read_text(p)) } catch e { print(e.kind()) }\n\
                  }";
    let flags = [
        "--allow-read=.",
        "--allow-write=.",
        "--deny-read=./a/secret",
    ];
    let run = run_in(&work, &flags, script);
    assert_no_leak(&run);
    assert_eq!(
        run.stdout,
        "NotCapableError\n".repeat(3) + &"FileNotFoundError\n".repeat(3),
        "{}",
        run.stderr
    );
    assert!(work.join("a/secret/key").exists());
}

#[test]
fn a_write_grant_alone_cannot_move_an_unreadable_file_where_it_can_be_read() {
    let (_d, work, _outside) = setup();
    std::fs::create_dir_all(work.join("public")).unwrap();
    std::fs::write(work.join("private.txt"), SECRET).unwrap();
    let script = "try { await fs.rename(\"private.txt\", \"public/p.txt\") } catch e { print(e.kind(), e.message()) }\n\
                  try { print(await fs.read_text(\"public/p.txt\")) } catch e { print(e.kind()) }";
    let run = run_in(&work, &["--allow-read=public", "--allow-write=."], script);
    assert_no_leak(&run);
    assert_eq!(
        run.stdout,
        "NotCapableError read access to \"private.txt\" is not allowed — run again with --allow-read=private.txt\n\
         FileNotFoundError\n",
        "{}",
        run.stderr
    );
}
