//! The tree operations (`remove_tree`, `copy`, `move`, `chmod`, `lstat`,
//! `make_dirs`, `walk`, `glob`, temporary folders) tried as an attacker
//! would: links out of the grant, link loops, `..`, a folder swapped for
//! a link after the check, a denied path inside a tree. Each test is named
//! after the hole it keeps shut.

mod common;

use common::attack::{self, swap_setup, SWAP};
use common::{run_in, Run};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

const SECRET: &str = "TOP-SECRET-77";

/// The attacker's folders, with `work/data` (the grant of [`RW`]).
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, work, outside) = attack::folders(SECRET);
    std::fs::create_dir_all(work.join("data")).unwrap();
    (dir, work, outside)
}

const RW: [&str; 2] = ["--allow-read=data", "--allow-write=data"];

fn assert_no_leak(run: &Run) {
    attack::assert_no_leak(run, SECRET)
}

fn outside_intact(outside: &Path) {
    let text = std::fs::read_to_string(outside.join("secret.txt")).unwrap();
    assert_eq!(text, SECRET, "the file outside the grant changed");
}

#[test]
fn remove_tree_removes_a_link_to_a_folder_outside_not_what_it_holds() {
    let (_d, work, outside) = setup();
    std::fs::create_dir_all(work.join("data/tree/sub")).unwrap();
    std::fs::write(work.join("data/tree/sub/f"), "x").unwrap();
    symlink(&outside, work.join("data/tree/sub/out")).unwrap();
    symlink(outside.join("secret.txt"), work.join("data/tree/s")).unwrap();
    let run = run_in(
        &work,
        &RW,
        "await fs.remove_tree(\"data/tree\")\nprint(await fs.exists(\"data/tree\"))",
    );
    assert_eq!(run.stdout, "false\n", "{}", run.stderr);
    outside_intact(&outside);
}

#[test]
fn remove_tree_of_a_link_removes_the_link_itself() {
    let (_d, work, outside) = setup();
    symlink(&outside, work.join("data/link")).unwrap();
    let run = run_in(
        &work,
        &RW,
        "await fs.remove_tree(\"data/link\")\nprint(\"ok\")",
    );
    assert_eq!(run.stdout, "ok\n", "{}", run.stderr);
    assert!(std::fs::symlink_metadata(work.join("data/link")).is_err());
    outside_intact(&outside);
}

#[test]
fn remove_tree_goes_through_link_loops_without_looping() {
    let (_d, work, outside) = setup();
    std::fs::create_dir_all(work.join("data/tree/a")).unwrap();
    symlink("..", work.join("data/tree/a/up")).unwrap();
    symlink("loop2", work.join("data/tree/loop1")).unwrap();
    symlink("loop1", work.join("data/tree/loop2")).unwrap();
    symlink(".", work.join("data/tree/self")).unwrap();
    let run = run_in(
        &work,
        &RW,
        "await fs.remove_tree(\"data/tree\")\nprint(await fs.list(\"data\"))",
    );
    assert_eq!(run.stdout, "[]\n", "{}", run.stderr);
    outside_intact(&outside);
}

#[test]
fn remove_tree_cannot_climb_out_with_dot_dot() {
    let (_d, work, outside) = setup();
    for p in ["data/..", "data/../../outside", "../outside"] {
        let script = format!("try {{ await fs.remove_tree({p:?}) }} catch e {{ print(e.kind()) }}");
        let run = run_in(&work, &RW, &script);
        assert_eq!(run.stdout, "NotCapableError\n", "{p}: {}", run.stderr);
    }
    outside_intact(&outside);
    assert!(work.join("data").is_dir());
}

#[test]
fn remove_tree_refuses_a_tree_with_a_denied_path_inside() {
    let (_d, work, _outside) = setup();
    std::fs::create_dir_all(work.join("data/keep")).unwrap();
    std::fs::write(work.join("data/keep/f"), "kept").unwrap();
    let run = run_in(
        &work,
        &[
            "--allow-read=data",
            "--allow-write=data",
            "--deny-write=data/keep",
        ],
        "try { await fs.remove_tree(\"data\") } catch e { print(e.kind(), e.message()) }",
    );
    assert!(
        run.stdout.starts_with("NotCapableError") && run.stdout.contains("--deny-write=data/keep"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(work.join("data/keep/f")).unwrap(),
        "kept"
    );
}

#[test]
fn remove_tree_of_a_folder_swapped_for_a_link_removes_only_the_link() {
    let (_d, work, outside) = setup();
    swap_setup(&work, &outside);
    std::fs::remove_dir_all(work.join("data/d2")).unwrap();
    symlink(&outside, work.join("data/d2")).unwrap();
    let script = format!(
        "let c = fs.remove_tree(\"data/d1\")\n{SWAP}\
         try {{ await c; print(\"done\") }} catch e {{ print(e.kind()) }}"
    );
    let run = run_in(&work, &RW, &script);
    assert!(
        run.stdout == "done\n" || run.stdout == "NotCapableError\n",
        "{}{}",
        run.stdout,
        run.stderr
    );
    outside_intact(&outside);
}

#[test]
fn chmod_of_a_file_swapped_for_a_link_changes_nothing_outside() {
    let (_d, work, outside) = setup();
    swap_setup(&work, &outside);
    let before = std::fs::metadata(outside.join("secret.txt"))
        .unwrap()
        .permissions()
        .mode();
    let script = format!(
        "let c = fs.chmod(\"data/d1/x\", \"777\")\n{SWAP}\
         try {{ await c }} catch e {{ print(e.kind(), e.message()) }}"
    );
    let run = run_in(&work, &RW, &script);
    assert!(
        run.stdout.starts_with("NotCapableError"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let after = std::fs::metadata(outside.join("secret.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(before, after);
}

#[test]
fn chmod_copy_and_move_refuse_links_out_of_the_grant() {
    let (_d, work, outside) = setup();
    symlink(outside.join("secret.txt"), work.join("data/s")).unwrap();
    symlink(&outside, work.join("data/o")).unwrap();
    std::fs::write(work.join("data/in.txt"), "inside").unwrap();
    let calls = [
        "fs.chmod(\"data/s\", \"777\")",
        "fs.copy(\"data/s\", \"data/copied\")",
        "fs.copy(\"data/in.txt\", \"data/s\")",
        "fs.copy(\"data/in.txt\", \"data/o/planted\")",
        "fs.move(\"data/in.txt\", \"data/o/planted\")",
        "fs.make_dirs(\"data/o/new/dirs\")",
        "fs.stat(\"data/s\")",
    ];
    for call in calls {
        let script = format!("try {{ await {call} }} catch e {{ print(e.kind()) }}");
        let run = run_in(&work, &RW, &script);
        assert_no_leak(&run);
        assert_eq!(run.stdout, "NotCapableError\n", "{call}: {}", run.stderr);
    }
    outside_intact(&outside);
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);
}

#[test]
fn copy_from_a_file_swapped_for_a_link_leaks_nothing() {
    let (_d, work, outside) = setup();
    swap_setup(&work, &outside);
    let script = format!(
        "let c = fs.copy(\"data/d1/x\", \"data/copy.txt\")\n{SWAP}\
         try {{ await c; print(await fs.read_text(\"data/copy.txt\")) }} \
         catch e {{ print(e.kind()) }}"
    );
    let run = run_in(&work, &RW, &script);
    assert_no_leak(&run);
    assert_eq!(run.stdout, "NotCapableError\n", "{}", run.stderr);
}

#[test]
fn lstat_describes_a_link_out_of_the_grant_without_following_it() {
    let (_d, work, outside) = setup();
    symlink(outside.join("secret.txt"), work.join("data/s")).unwrap();
    let run = run_in(
        &work,
        &RW,
        "let s = await fs.lstat(\"data/s\")\nprint(s[\"kind\"], s[\"is_link\"])",
    );
    assert_eq!(run.stdout, "link true\n", "{}", run.stderr);
}

#[test]
fn move_refuses_a_folder_with_a_denied_path_inside() {
    let (_d, work, _outside) = setup();
    std::fs::create_dir_all(work.join("data/box/secret")).unwrap();
    let run = run_in(
        &work,
        &[
            "--allow-read=.",
            "--allow-write=.",
            "--deny-read=data/box/secret",
        ],
        "try { await fs.move(\"data/box\", \"free\") } catch e { print(e.kind()) }",
    );
    assert_eq!(run.stdout, "NotCapableError\n", "{}", run.stderr);
    assert!(work.join("data/box/secret").is_dir());
}

#[test]
fn walk_reports_links_out_of_the_grant_without_going_through_them() {
    let (_d, work, outside) = setup();
    std::fs::create_dir_all(work.join("data/a")).unwrap();
    std::fs::write(work.join("data/a/f"), "f").unwrap();
    symlink(&outside, work.join("data/a/out")).unwrap();
    symlink("..", work.join("data/a/up")).unwrap();
    let script = "for await e in fs.walk(\"data\") { print(e[\"path\"], e[\"kind\"]) }\n\
                  print(await fs.glob(\"data/**/*\"))\n\
                  try { for await e in fs.walk(\"data\", follow: true) { print(e[\"path\"]) } } \
                  catch e { print(e.kind()) }";
    let run = run_in(&work, &RW, script);
    assert_no_leak(&run);
    assert!(!run.stdout.contains("secret.txt"), "{}", run.stdout);
    assert_eq!(
        run.stdout,
        "data/a dir\ndata/a/f file\ndata/a/out link\ndata/a/up link\n\
         [\"data/a\", \"data/a/f\", \"data/a/out\", \"data/a/up\"]\n\
         data/a\ndata/a/f\nNotCapableError\n",
        "{}",
        run.stderr
    );
}

#[test]
fn walk_with_follow_never_loops_through_links_back_up() {
    let (_d, work, _outside) = setup();
    std::fs::create_dir_all(work.join("data/a/b")).unwrap();
    symlink("..", work.join("data/a/b/up")).unwrap();
    symlink("../..", work.join("data/a/b/top")).unwrap();
    symlink("l2", work.join("data/a/l1")).unwrap();
    symlink("l1", work.join("data/a/l2")).unwrap();
    let script = "let n = 0\nfor await e in fs.walk(\"data\", follow: true) { n += 1 }\nprint(n)";
    let run = run_in(&work, &RW, script);
    // a, a/b, a/b/top, a/b/up, a/l1, a/l2: the loops are reported, not walked.
    assert_eq!(run.stdout, "6\n", "{}", run.stderr);
}

#[test]
fn walk_and_glob_refuse_a_denied_folder_inside() {
    let (_d, work, _outside) = setup();
    std::fs::create_dir_all(work.join("data/private")).unwrap();
    std::fs::write(work.join("data/private/key"), SECRET).unwrap();
    let flags = ["--allow-read=data", "--deny-read=data/private"];
    for call in [
        "for await e in fs.walk(\"data\") { print(e[\"path\"]) }",
        "print(await fs.glob(\"data/**/key\"))",
    ] {
        let script = format!("try {{ {call} }} catch e {{ print(e.kind()) }}");
        let run = run_in(&work, &flags, &script);
        assert!(
            run.stdout.ends_with("NotCapableError\n"),
            "{call}: {}{}",
            run.stdout,
            run.stderr
        );
        assert!(!run.stdout.contains("key"), "{}", run.stdout);
    }
}

#[test]
fn glob_cannot_climb_out_of_the_grant() {
    let (_d, work, _outside) = setup();
    for pattern in ["../outside/*", "data/../../outside/*", "/*"] {
        let script =
            format!("try {{ print(await fs.glob({pattern:?})) }} catch e {{ print(e.kind()) }}");
        let run = run_in(&work, &RW, &script);
        assert_eq!(run.stdout, "NotCapableError\n", "{pattern}: {}", run.stderr);
    }
}

#[test]
fn temp_dir_needs_the_write_grant_and_is_gone_at_the_end_links_inside_not_followed() {
    let (_d, work, outside) = setup();
    let script = "let d = await fs.temp_dir(dir: \"data\")\n\
                  await fs.write_text(path.join(d, \"f\"), \"x\")\n\
                  print(len(await fs.list(\"data\")))\n\
                  try { await fs.temp_file() } catch e { print(e.kind()) }";
    symlink(&outside, work.join("data/o")).unwrap();
    let run = run_in(&work, &RW, script);
    assert_eq!(run.stdout, "2\nNotCapableError\n", "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(work.join("data")).unwrap().collect();
    assert_eq!(left.len(), 1, "the temporary folder is left: {left:?}");
    outside_intact(&outside);
}
