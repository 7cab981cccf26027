//! Python's module spellings: what someone used to Python writes for a
//! module member (`json.loads`, `os.getcwd()`, `time.monotonic()`), and
//! where it lives here. Consulted only once a name is already an error (a
//! module has no such member, or the module does not exist), so none of
//! these words is reserved: a script's own `os` is an ordinary variable.

/// Help for `module.member` when `module` is one of ours and has no
/// `member`, but Python's module of that name has it.
pub(super) fn member(module: &str, member: &str) -> Option<&'static str> {
    Some(match (module, member) {
        ("json", "loads") => "write `json.parse(text)`",
        ("json", "dumps") => "write `json.stringify(value)` (`indent: 2` to indent)",
        ("json", "load") => "read the file, then parse it: `json.parse(await fs.read_text(p))`",
        ("json", "dump") => "write `await fs.write_text(p, json.stringify(value))`",
        ("re", "sub") => "write `re.replace(pattern, replacement, text)`",
        ("re", "findall" | "finditer") => "write `re.find_all(pattern, text)`",
        ("re", "compile") => {
            "pass the pattern to each call (`re.search(pattern, text)`): a pattern is \
             compiled once and kept"
        }
        ("time", "monotonic" | "perf_counter") => {
            "the builtin `now()` reads the loop's clock (seconds since the program started)"
        }
        ("time", "sleep") => "write `await sleep(seconds)`: it lets other tasks run",
        ("time", "strftime") => "write `time.format(time.time(), fmt)`",
        ("time", "strptime") => "write `time.parse(text, fmt)`",
        ("path", "basename") => "write `path.base_name(p)`",
        ("path", "dirname") => "write `path.dir_name(p)`",
        ("path", "abspath") => "write `path.absolute(p)`",
        ("path", "isabs") => "write `path.is_absolute(p)`",
        ("path", "relpath") => "write `path.relative(p, start)`",
        ("path", "normpath") => "write `path.normalize(p)`",
        ("path", "splitext") => "write `path.stem(p)` and `path.suffix(p)`",
        ("path", "expanduser") => "the home directory is `path.home()`",
        ("path", "exists") => "write `await fs.exists(p)`",
        ("path" | "fs", "isfile" | "isdir" | "getsize" | "getmtime") => {
            "`await fs.stat(p)` tells a file's kind, size and times"
        }
        // Python's `os`/`shutil` names asked of `fs`: where `os.` would send them.
        ("fs", "listdir" | "makedirs" | "unlink") => foreign("os", member)?,
        ("fs", "rmtree" | "copyfile") => foreign("shutil", member)?,
        _ => return None,
    })
}

/// `module.member` where `module` is a Python module `tasks` does not
/// have: the module's name in the message, and where the member lives here.
pub(super) fn foreign(module: &str, member: &str) -> Option<&'static str> {
    let help = match (module, member) {
        ("os", "getcwd") => "the working directory is `path.cwd()`",
        ("os", "environ" | "getenv") => {
            "read a variable with `env.get(\"NAME\")` (all of them: `env.all()`)"
        }
        ("os", "listdir") => "write `await fs.list(dir)`",
        ("os", "makedirs") => "write `await fs.make_dirs(dir)`",
        ("os", "mkdir") => "write `await fs.mkdir(dir)`",
        ("os", "remove" | "unlink") => "write `await fs.remove(p)`",
        ("os", "rename" | "replace") => "write `await fs.rename(from, to)`",
        ("os", "walk") => "write `await fs.walk(dir)`",
        ("os", "path") => {
            "paths have their own module: `path.join(a, b)`, `path.base_name(p)`; \
             `await fs.exists(p)` asks the file system"
        }
        ("os", "system") => "write `await process.shell(command)`",
        ("os", _) => {
            "files are in `fs`, paths in `path`, the environment in `env`, programs \
             in `process`"
        }
        ("sys", "argv") => "the arguments after the script's name are `args()`",
        ("sys", "exit") => "write `exit(code)`",
        ("sys", "stdin") => "read with `await stdin.read_line()` or `stdin.lines()`",
        ("sys", "stdout" | "stderr") => "write with `print(...)` or `eprint(...)`",
        ("sys", _) => "`args()`, `exit(code)`, `stdin`, `print` and `eprint` are built in",
        ("subprocess", "Popen") => "start a program with `await process.start([...])`",
        ("subprocess", _) => "run a program with `await process.run([...])`",
        ("shutil", "copy" | "copyfile" | "copy2") => "write `await fs.copy(from, to)`",
        ("shutil", "rmtree") => "write `await fs.remove_tree(dir)`",
        ("shutil", "move") => "write `await fs.move(from, to)`",
        ("shutil", _) => "files are copied, moved and removed with the `fs` module",
        ("pathlib", _) => "paths are strings here: the `path` module joins and splits them",
        ("glob", _) => "write `await fs.glob(pattern)`",
        ("datetime", _) => {
            "dates are epoch seconds in the `time` module: `time.time()`, \
             `time.format(ts, fmt)`, `time.parse(text, fmt)`, `time.now_iso()`"
        }
        _ => return None,
    };
    Some(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A spelling is consulted only after the module's own lookup failed
    // (`Compiler::module_member`), so the table cannot hide a real member.

    #[test]
    fn a_module_we_have_is_not_foreign() {
        for m in ["json", "re", "time", "path", "fs", "env", "process", "args"] {
            assert_eq!(foreign(m, "anything"), None, "{m}");
        }
        assert!(foreign("os", "getcwd").unwrap().contains("path.cwd()"));
        assert!(foreign("os", "chdir").unwrap().contains("`fs`"));
    }

    #[test]
    fn only_pythons_names_of_our_modules_have_a_spelling() {
        assert!(member("json", "loads").unwrap().contains("json.parse"));
        assert_eq!(member("json", "lods"), None);
        assert!(member("fs", "listdir").unwrap().contains("fs.list(dir)"));
        assert!(member("fs", "rmtree")
            .unwrap()
            .contains("fs.remove_tree(dir)"));
        assert!(member("fs", "isfile").unwrap().contains("fs.stat(p)"));
        assert_eq!(member("os", "getcwd"), None);
    }
}
