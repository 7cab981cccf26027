use super::*;
use std::os::unix::fs::symlink;
use tempfile::TempDir;

/// A temporary folder, canonical (so expected paths compare equal), with
/// the files and folders a test needs.
fn tmp() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical temp dir");
    std::fs::create_dir_all(root.join("a/sub")).unwrap();
    std::fs::create_dir_all(root.join("b")).unwrap();
    std::fs::write(root.join("a/f.txt"), "a").unwrap();
    std::fs::write(root.join("b/secret.txt"), "b").unwrap();
    (dir, root)
}

fn message(r: Result<(), Denied>) -> String {
    r.expect_err("expected a denial").to_string()
}

#[test]
fn everything_is_denied_by_default_with_the_flag_to_add() {
    let p = Permissions::none();
    assert_eq!(
        message(p.check_read(Path::new("/etc/passwd"))),
        "read access to \"/etc/passwd\" is not allowed — run again with --allow-read=/etc/passwd"
    );
    assert_eq!(
        message(p.check_write(Path::new("out.txt"))),
        "write access to \"out.txt\" is not allowed — run again with --allow-write=out.txt"
    );
    assert_eq!(
        message(p.check_run("sh")),
        "run access to \"sh\" is not allowed — run again with --allow-run=sh"
    );
    assert_eq!(
        message(p.check_env("HOME")),
        "env access to \"HOME\" is not allowed — run again with --allow-env=HOME"
    );
    assert_eq!(
        message(p.check_env_all()),
        "env access to all variables is not allowed — run again with --allow-env"
    );
    assert_eq!(
        message(p.check_net_table("Example.COM", 443)),
        "net access to \"example.com:443\" is not allowed — run again with --allow-net=example.com:443"
    );
    assert_eq!(Denied::ERROR_KIND, "NotCapableError");
    assert!(p.flags().is_empty());
}

#[test]
fn allow_all_allows_every_kind() {
    let p = Permissions::none().allow_all();
    assert!(p.check_read(Path::new("/etc/passwd")).is_ok());
    assert!(p.check_write(Path::new("/nonexistent/x")).is_ok());
    assert!(p.check_run("bash").is_ok());
    assert!(p.check_env("HOME").is_ok());
    assert!(p.check_env_all().is_ok());
    assert!(p.check_net_table("example.com", 80).is_ok());
    assert_eq!(
        p.flags(),
        [
            "--allow-read",
            "--allow-write",
            "--allow-run",
            "--allow-env",
            "--allow-net"
        ]
    );
}

#[test]
fn a_path_grant_covers_what_is_under_it_and_nothing_else() {
    let (_d, root) = tmp();
    let p = Permissions::none().allow_read([root.join("a")]);
    assert!(p.check_read(&root.join("a")).is_ok());
    assert!(p.check_read(&root.join("a/f.txt")).is_ok());
    assert!(p.check_read(&root.join("a/sub/not-yet.txt")).is_ok());
    assert!(p.check_read(&root.join("b/secret.txt")).is_err());
    assert!(p.check_read(&root).is_err());
    // `a` does not cover `ab`: components are compared, not text.
    std::fs::create_dir(root.join("ab")).unwrap();
    assert!(p.check_read(&root.join("ab")).is_err());
    // Read and write are separate.
    assert!(p.check_write(&root.join("a/f.txt")).is_err());
}

#[test]
fn relative_paths_are_taken_from_the_start_folder() {
    let (_d, root) = tmp();
    let p = Permissions::none().with_cwd(&root).allow_write(["a"]);
    assert!(p.check_write(Path::new("a/new.txt")).is_ok());
    assert!(p.check_write(Path::new("./a/sub/../f.txt")).is_ok());
    assert!(p.check_write(&root.join("a/new.txt")).is_ok());
    assert!(p.check_write(Path::new("b/new.txt")).is_err());
    // Grants made before `with_cwd` are resolved again against the new folder.
    let q = Permissions::none()
        .with_cwd("/")
        .allow_read(["a"])
        .with_cwd(&root);
    assert!(q.check_read(Path::new("a/f.txt")).is_ok());
    assert_eq!(q.flags(), ["--allow-read=a"]);
}

#[test]
fn dot_dot_cannot_escape_a_grant() {
    let (_d, root) = tmp();
    let p = Permissions::none().with_cwd(&root).allow_read(["a"]);
    assert!(p.check_read(&root.join("a/../b/secret.txt")).is_err());
    assert!(p.check_read(Path::new("a/../b/secret.txt")).is_err());
    assert!(p.check_read(Path::new("a/sub/../../b")).is_err());
    // Through a folder that does not exist, `..` is applied to the path.
    assert!(p
        .check_read(Path::new("a/missing/../../b/secret.txt"))
        .is_err());
    assert!(p.check_read(Path::new("a/missing/../f.txt")).is_ok());
    assert_eq!(
        message(p.check_read(Path::new("a/../b/secret.txt"))),
        "read access to \"a/../b/secret.txt\" is not allowed — run again with --allow-read=a/../b/secret.txt"
    );
}

#[test]
fn a_symlink_cannot_escape_a_grant() {
    let (_d, root) = tmp();
    symlink(root.join("b"), root.join("a/to-b")).unwrap();
    symlink("../b/secret.txt", root.join("a/secret-link")).unwrap();
    let p = Permissions::none().allow_read([root.join("a")]);
    assert!(p.check_read(&root.join("a/to-b/secret.txt")).is_err());
    assert!(p.check_read(&root.join("a/to-b")).is_err());
    assert!(p.check_read(&root.join("a/secret-link")).is_err());
    // A file through the link is allowed when its real place is granted.
    let q = Permissions::none().allow_read([root.join("b")]);
    assert!(q.check_read(&root.join("a/to-b/secret.txt")).is_ok());
    assert!(q.check_read(&root.join("a/secret-link")).is_ok());
}

#[test]
fn a_dangling_symlink_is_followed_to_where_it_would_create() {
    let (_d, root) = tmp();
    symlink(root.join("b/new.txt"), root.join("a/dangling")).unwrap();
    symlink(root.join("b/newdir"), root.join("a/dangling-dir")).unwrap();
    let p = Permissions::none().allow_write([root.join("a")]);
    assert!(p.check_write(&root.join("a/dangling")).is_err());
    assert!(p.check_write(&root.join("a/dangling-dir/x.txt")).is_err());
    let q = Permissions::none().allow_write([root.join("b")]);
    assert!(q.check_write(&root.join("a/dangling")).is_ok());
}

#[test]
fn a_symlink_loop_resolves_to_itself_and_stays_inside() {
    let (_d, root) = tmp();
    symlink(root.join("a/loop2"), root.join("a/loop1")).unwrap();
    symlink(root.join("a/loop1"), root.join("a/loop2")).unwrap();
    let p = Permissions::none().allow_read([root.join("a")]);
    assert!(p.check_read(&root.join("a/loop1")).is_ok());
    let q = Permissions::none().allow_read([root.join("b")]);
    assert!(q.check_read(&root.join("a/loop1")).is_err());
}

#[test]
fn a_grant_through_a_symlink_covers_the_real_folder() {
    let (_d, root) = tmp();
    symlink(root.join("a"), root.join("alias")).unwrap();
    let p = Permissions::none().allow_write([root.join("alias")]);
    assert!(p.check_write(&root.join("a/new.txt")).is_ok());
    assert!(p
        .check_write(&root.join("alias/sub/deeper/new.txt"))
        .is_ok());
    assert!(p.check_write(&root.join("b/new.txt")).is_err());
}

#[test]
fn a_grant_of_a_path_that_does_not_exist_yet_works_once_it_does() {
    let (_d, root) = tmp();
    let p = Permissions::none().allow_write([root.join("later/out")]);
    assert!(p.check_write(&root.join("later/out/x.txt")).is_ok());
    std::fs::create_dir_all(root.join("later/out")).unwrap();
    assert!(p.check_write(&root.join("later/out/x.txt")).is_ok());
    assert!(p.check_write(&root.join("later/x.txt")).is_err());
}

#[test]
fn deny_wins_over_allow() {
    let (_d, root) = tmp();
    let p = Permissions::none()
        .allow_all()
        .deny_read([root.join("b")])
        .with_cwd(&root);
    assert!(p.check_read(&root.join("a/f.txt")).is_ok());
    assert_eq!(
        message(p.check_read(Path::new("b/secret.txt"))),
        format!(
            "read access to \"b/secret.txt\" is not allowed — it is denied by --deny-read={}",
            root.join("b").display()
        )
    );
    // Through a symlink or `..`, the deny still applies.
    symlink(root.join("b"), root.join("a/to-b")).unwrap();
    assert!(p.check_read(Path::new("a/to-b/secret.txt")).is_err());
    assert!(p.check_read(Path::new("a/../b/secret.txt")).is_err());
    // A narrower allow does not beat a wider deny.
    let q = Permissions::none()
        .allow_read([root.join("b/secret.txt")])
        .deny_read([root.join("b")]);
    assert!(q.check_read(&root.join("b/secret.txt")).is_err());
    // A bare deny denies everything of its kind.
    let r = Permissions::none()
        .allow_read([root.join("a")])
        .deny(Kind::Read, Scope::All);
    assert_eq!(
        message(r.check_read(&root.join("a/f.txt"))),
        format!(
            "read access to \"{}\" is not allowed — it is denied by --deny-read",
            root.join("a/f.txt").display()
        )
    );
    // Deny of one kind leaves the others alone.
    assert!(p.check_write(&root.join("b/secret.txt")).is_ok());
}

#[test]
fn a_program_matches_by_name_and_by_path() {
    let p = Permissions::none().allow_run(["sh"]);
    assert!(p.check_run("sh").is_ok());
    assert!(p.check_run("/usr/bin/sh").is_ok());
    // `/bin` is a link to `/usr/bin` on this machine's Debian; folders'
    // links are resolved, so this is the same program.
    if std::fs::canonicalize("/bin/sh").is_ok() {
        assert!(p.check_run("/bin/sh").is_ok());
    }
    assert_eq!(
        message(p.check_run("bash")),
        "run access to \"bash\" is not allowed — run again with --allow-run=bash"
    );
    assert!(p.check_run("/usr/bin/bash").is_err());
    // `sh` links to dash, but granting `sh` does not grant `dash`.
    assert!(p.check_run("dash").is_err());
    // A grant by path matches the bare name that PATH resolves to it.
    let sh = program_path("sh", Path::new("/"), None).expect("sh on PATH");
    let q = Permissions::none().allow_run([sh.to_str().unwrap()]);
    assert!(q.check_run("sh").is_ok());
    assert!(q.check_run("bash").is_err());
}

#[test]
fn a_program_is_looked_up_in_the_search_path() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, root) = tmp();
    let tool = root.join("a/mytool");
    std::fs::write(&tool, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(root.join("b/mytool"), "not executable").unwrap();
    let search = std::env::join_paths([root.join("b"), root.join("a")]).unwrap();
    assert_eq!(
        program_path("mytool", &root, Some(&search)),
        Some(tool.clone())
    );
    assert_eq!(program_path("absent-tool", &root, Some(&search)), None);
    assert_eq!(program_path("./a/mytool", &root, None), Some(tool.clone()));
    let p = Permissions::none().with_cwd(&root).allow_run(["a/mytool"]);
    assert!(p.check_run(tool.to_str().unwrap()).is_ok());
    assert!(p.check_run("./a/mytool").is_ok());
    assert!(p.check_run("b/mytool").is_err());
}

#[test]
fn the_check_gives_the_file_to_run() {
    let (_d, root) = tmp();
    let sh = program_path("sh", Path::new("/"), None).expect("sh on PATH");
    let p = Permissions::none()
        .with_cwd(&root)
        .allow_run(["sh", "./a/tool"]);
    assert_eq!(p.check_run_file("sh"), Ok(Some(sh.clone())));
    // A relative path is taken from the start-up folder, whatever the
    // child's cwd will be.
    assert_eq!(p.check_run_file("./a/tool"), Ok(Some(root.join("a/tool"))));
    assert_eq!(
        p.check_run_file("a/../a/tool"),
        Ok(Some(root.join("a/tool")))
    );
    assert!(p.check_run_file("./b/tool").is_err());
    // A grant of a name PATH did not find covers that name (and finds
    // nothing to run); unscoped, every name passes and is looked up.
    let q = Permissions::none().allow_run(["no-such-tool-anywhere"]);
    assert_eq!(q.check_run_file("no-such-tool-anywhere"), Ok(None));
    let all = Permissions::none().allow_all();
    assert_eq!(all.check_run_file("sh"), Ok(Some(sh)));
    assert!(all.allows_all(Kind::Run) && !p.allows_all(Kind::Run));
}

#[test]
fn deny_run_wins_by_name_and_by_path() {
    let p = Permissions::none().allow_all().deny_run(["bash"]);
    assert!(p.check_run("sh").is_ok());
    assert_eq!(
        message(p.check_run("/usr/bin/bash")),
        "run access to \"/usr/bin/bash\" is not allowed — it is denied by --deny-run=bash"
    );
    assert!(p.check_run("bash").is_err());
}

#[test]
fn env_names_match_exactly_or_by_prefix() {
    let p = Permissions::none().allow_env(["HOME", "APP_*"]);
    assert!(p.check_env("HOME").is_ok());
    assert!(p.check_env("APP_TOKEN").is_ok());
    assert!(p.check_env("APP_").is_ok());
    assert!(p.check_env("HOMEX").is_err());
    assert!(p.check_env("home").is_err());
    assert!(p.check_env("PATH").is_err());
    // `env.all()` needs every name.
    assert!(p.check_env_all().is_err());
    let q = Permissions::none()
        .allow(Kind::Env, Scope::All)
        .deny_env(["APP_SECRET"]);
    assert!(q.check_env("PATH").is_ok());
    assert_eq!(
        message(q.check_env("APP_SECRET")),
        "env access to \"APP_SECRET\" is not allowed — it is denied by --deny-env=APP_SECRET"
    );
    assert_eq!(
        message(q.check_env_all()),
        "env access to all variables is not allowed — it is denied by --deny-env=APP_SECRET"
    );
}

#[test]
fn flag_values_parse_as_deno_writes_them() {
    assert_eq!(
        parse_flag_value(Kind::Read, "--allow-read", None),
        Ok(Scope::All)
    );
    assert_eq!(
        parse_flag_value(Kind::Read, "--allow-read", Some("a,/b")),
        Ok(Scope::Only(vec!["a".into(), "/b".into()]))
    );
    assert_eq!(
        parse_flag_value(Kind::Read, "--allow-read", Some(""))
            .unwrap_err()
            .to_string(),
        "invalid value for --allow-read: an empty item (write the flag alone to allow everything)"
    );
    assert_eq!(
        parse_flag_value(Kind::Net, "--allow-net", Some("a.com:http"))
            .unwrap_err()
            .to_string(),
        "invalid value for --allow-net: \"http\" in \"a.com:http\" is not a port (0 to 65535)"
    );
    assert!(parse_flag_value(Kind::Net, "--allow-net", Some("[::1")).is_err());
    assert!(parse_flag_value(Kind::Net, "--allow-net", Some(":80")).is_err());
    assert!(parse_flag_value(Kind::Net, "--allow-net", Some("::1")).is_ok());
}

#[test]
fn golden_header_words_grant_permissions() {
    let (_d, root) = tmp();
    let p = Permissions::none()
        .with_cwd(&root)
        .allow_words("read=. run=sh net=127.0.0.1")
        .unwrap();
    assert!(p.check_read(Path::new("a/f.txt")).is_ok());
    assert!(p.check_write(Path::new("a/f.txt")).is_err());
    assert!(p.check_run("sh").is_ok());
    assert!(p.check_net_table("127.0.0.1", 8080).is_ok());
    assert_eq!(
        p.flags(),
        ["--allow-read=.", "--allow-run=sh", "--allow-net=127.0.0.1"]
    );
    let q = Permissions::none().allow_words("env write").unwrap();
    assert!(q.check_env_all().is_ok());
    assert!(q.check_write(Path::new("/tmp/x")).is_ok());
    assert!(Permissions::none()
        .allow_words("all")
        .unwrap()
        .check_run("bash")
        .is_ok());
    assert_eq!(
        Permissions::none()
            .allow_words("disk=.")
            .unwrap_err()
            .to_string(),
        "invalid value for disk=.: expected read, write, run, env, net or all"
    );
    assert!(Permissions::none().allow_words("read=").is_err());
}

#[test]
fn a_place_is_the_canonical_path_below_the_deepest_grant_covering_it() {
    let (_d, root) = tmp();
    symlink(root.join("a/sub"), root.join("b/to-sub")).unwrap();
    let p = Permissions::none().allow_read([root.clone(), root.join("a")]);
    let place = p.place(Kind::Read, &root.join("b/to-sub/x")).unwrap();
    assert_eq!(place.root(), root.join("a"));
    assert_eq!(place.path(), root.join("a/sub/x"));
    let everything = Permissions::none().allow_all();
    let place = everything.place(Kind::Read, &root.join("a/f.txt")).unwrap();
    assert_eq!(place.root(), Path::new("/"));
}

#[test]
fn a_place_itself_keeps_a_last_link_unresolved() {
    let (_d, root) = tmp();
    symlink(root.join("b/secret.txt"), root.join("a/link")).unwrap();
    let p = Permissions::none().allow_write([root.join("a")]);
    // Removing or renaming the link acts on the link, inside the grant.
    let place = p.place_itself(Kind::Write, &root.join("a/link")).unwrap();
    assert_eq!(place.path(), root.join("a/link"));
    // Writing through it would write its target, outside.
    assert!(p.place(Kind::Write, &root.join("a/link")).is_err());
}

#[test]
fn a_process_own_files_under_proc_are_told_apart() {
    for yes in [
        "/proc/self",
        "/proc/self/environ",
        "/proc/12/mem",
        "/proc/thread-self/x",
    ] {
        assert!(is_process_file(Path::new(yes)), "{yes}");
    }
    for no in [
        "/proc",
        "/proc/cpuinfo",
        "/proc/sys/kernel",
        "/procx/1",
        "/home/proc/1",
    ] {
        assert!(!is_process_file(Path::new(no)), "{no}");
    }
}

#[test]
fn moving_a_folder_with_a_denied_path_inside_is_refused() {
    let (_d, root) = tmp();
    let p = Permissions::none()
        .allow_read([&root])
        .allow_write([&root])
        .deny_write([root.join("a/sub")]);
    let e = p.place_to_move(&root.join("a")).unwrap_err();
    assert_eq!(
        e.denied_by.as_deref(),
        Some(&*format!("--deny-write={}", root.join("a/sub").display()))
    );
    assert!(p.place_to_move(&root.join("b")).is_ok());
    // The denied folder itself is refused by its rule, as any write is.
    assert!(p.place_to_move(&root.join("a/sub")).is_err());
}

/// The check compares canonical paths by bytes: a folder covers itself and
/// what is below it, never a sibling whose name it prefixes; `/` covers all.
#[test]
fn is_under_compares_whole_components() {
    use super::paths::is_under;
    let p = |s: &str| Path::new(s).to_path_buf();
    assert!(is_under(&p("/data"), &p("/data")));
    assert!(is_under(&p("/data/x/y"), &p("/data")));
    assert!(!is_under(&p("/database"), &p("/data")));
    assert!(!is_under(&p("/dat"), &p("/data")));
    assert!(is_under(&p("/anything"), &p("/")));
    assert!(is_under(&p("/"), &p("/")));
    // A place below its grant keeps the rest below it, by the same rule.
    let place = Place::new(p("/data"), &p("/data/x/y"));
    assert_eq!(place.path(), p("/data/x/y"));
    assert_eq!(Place::new(p("/"), &p("/etc/x")).path(), p("/etc/x"));
    assert_eq!(Place::new(p("/data"), &p("/data")).path(), p("/data"));
}
