//! The permission flags of the `tasks` command (`--allow-read=a,b`,
//! `-A`, `--deny-net`...), as clap reads them, turned into [`Permissions`].

use super::{parse_items, FlagError, Kind, Permissions, Scope};
use std::path::PathBuf;

/// The permission flags of `tasks run`, `test` and `repl`, for a clap
/// command to flatten. Each list flag is absent (`None`), bare (`Some`
/// of nothing: everything) or has items (`--allow-read=a,b`).
#[derive(clap::Args, Clone, Debug, Default, PartialEq, Eq)]
pub struct PermissionFlags {
    /// Allow everything (the deny flags still win).
    #[arg(short = 'A', long)]
    pub allow_all: bool,
    /// Allow reading files under these paths (all files if none given).
    #[arg(long, value_name = "PATH", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub allow_read: Option<Vec<String>>,
    /// Allow writing files under these paths (all files if none given).
    #[arg(long, value_name = "PATH", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub allow_write: Option<Vec<String>>,
    /// Allow running these programs (any program if none given).
    #[arg(long, value_name = "PROGRAM", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub allow_run: Option<Vec<String>>,
    /// Allow reading these environment variables (all if none given; `P_*` for a prefix).
    #[arg(long, value_name = "NAME", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub allow_env: Option<Vec<String>>,
    /// Allow connecting to these hosts (`HOST[:PORT]`, `*.example.com`; any if none given).
    #[arg(long, value_name = "HOST", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub allow_net: Option<Vec<String>>,
    /// Deny reading under these paths (everything if none given); wins over allow.
    #[arg(long, value_name = "PATH", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub deny_read: Option<Vec<String>>,
    /// Deny writing under these paths (everything if none given); wins over allow.
    #[arg(long, value_name = "PATH", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub deny_write: Option<Vec<String>>,
    /// Deny running these programs (every program if none given); wins over allow.
    #[arg(long, value_name = "PROGRAM", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub deny_run: Option<Vec<String>>,
    /// Deny reading these environment variables (all if none given); wins over allow.
    #[arg(long, value_name = "NAME", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub deny_env: Option<Vec<String>>,
    /// Deny connecting to these hosts (all if none given); wins over allow.
    #[arg(long, value_name = "HOST", num_args = 0.., value_delimiter = ',', require_equals = true)]
    pub deny_net: Option<Vec<String>>,
    /// Append one JSON line per permission check to FILE: kind, target,
    /// granted or not (and why), and the script's file:line:col.
    #[arg(long, value_name = "FILE")]
    pub audit_permissions: Option<PathBuf>,
}

impl PermissionFlags {
    /// The permissions these flags give, relative paths taken from the
    /// current folder.
    pub fn to_permissions(&self) -> Result<Permissions, FlagError> {
        let mut p = Permissions::none();
        if self.allow_all {
            p = p.allow_all();
        }
        for (is_deny, kind, value) in self.lists() {
            let Some(items) = value else { continue };
            let flag = format!(
                "--{}-{}",
                if is_deny { "deny" } else { "allow" },
                kind.name()
            );
            // A bare flag arrives as no items: everything.
            let scope = if items.is_empty() {
                Scope::All
            } else {
                parse_items(kind, &flag, items.iter().map(String::as_str))?
            };
            p = p.add(kind, is_deny, scope);
        }
        if let Some(path) = &self.audit_permissions {
            p = p.audit_to(path).map_err(|e| FlagError {
                flag: "--audit-permissions".into(),
                message: format!("cannot open {}: {e}", path.display()),
            })?;
        }
        Ok(p)
    }

    fn lists(&self) -> [(bool, Kind, &Option<Vec<String>>); 10] {
        [
            (false, Kind::Read, &self.allow_read),
            (false, Kind::Write, &self.allow_write),
            (false, Kind::Run, &self.allow_run),
            (false, Kind::Env, &self.allow_env),
            (false, Kind::Net, &self.allow_net),
            (true, Kind::Read, &self.deny_read),
            (true, Kind::Write, &self.deny_write),
            (true, Kind::Run, &self.deny_run),
            (true, Kind::Env, &self.deny_env),
            (true, Kind::Net, &self.deny_net),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::PermissionFlags;
    use clap::Parser;
    use std::path::Path;

    #[derive(Parser, Debug)]
    struct TestCli {
        #[command(flatten)]
        perms: PermissionFlags,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        script: Vec<String>,
    }

    fn cli(args: &[&str]) -> TestCli {
        TestCli::try_parse_from(std::iter::once("tasks").chain(args.iter().copied()))
            .expect("flags parse")
    }

    #[test]
    fn clap_flags_become_permissions() {
        let c = cli(&[
            "--allow-read",
            "--allow-run=sh,git",
            "--deny-net=evil.com",
            "s.tasks",
            "--allow-all",
        ]);
        assert_eq!(c.perms.allow_read, Some(vec![]));
        assert_eq!(c.perms.allow_run, Some(vec!["sh".into(), "git".into()]));
        assert_eq!(c.perms.allow_write, None);
        assert!(
            !c.perms.allow_all,
            "flags after the script are the script's"
        );
        assert_eq!(c.script, ["s.tasks", "--allow-all"]);
        let p = c.perms.to_permissions().unwrap();
        assert!(p.check_read(Path::new("/etc/hostname")).is_ok());
        assert!(p.check_run("git").is_ok());
        assert!(p.check_run("bash").is_err());
        assert!(p.check_write(Path::new("x")).is_err());
        assert_eq!(
            p.flags(),
            ["--allow-read", "--allow-run=sh,git", "--deny-net=evil.com"]
        );

        let all = cli(&["-A", "--deny-env=SECRET"])
            .perms
            .to_permissions()
            .unwrap();
        assert!(all.check_env("HOME").is_ok());
        assert!(all.check_env("SECRET").is_err());

        let bad = cli(&["--allow-net=a.com:99999"]).perms.to_permissions();
        assert_eq!(
            bad.unwrap_err().to_string(),
            "invalid value for --allow-net: \"99999\" in \"a.com:99999\" is not a port (0 to 65535)"
        );
        // Without `=`, the next word is not the flag's value.
        let c = cli(&["--allow-read", "s.tasks"]);
        assert_eq!(c.perms.allow_read, Some(vec![]));
        assert_eq!(c.script, ["s.tasks"]);
    }
}
