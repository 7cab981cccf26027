//! The open-file limit. A script that serves or fetches a thousand
//! connections at once needs more descriptors than the soft limit many
//! systems start a process with (1,024 on most Linux desktops), while the
//! hard limit is far higher (524,288 under systemd). Go raises its soft
//! limit to the hard one at start for the same reason; `tasks` does too,
//! up to [`MAX_SOFT`].

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

/// The most descriptors asked for. Programs a script starts inherit the
/// limit, and some (older daemons, some shells' `closefrom` fallbacks)
/// close every descriptor up to it when they start: a million would cost
/// them a million system calls.
const MAX_SOFT: u64 = 65_536;

/// Raises the soft limit on open files towards the hard one. Nothing
/// happens if it is already as high, and a refusal is ignored (the run
/// goes on with the limit it had, as it did before).
pub fn raise_open_file_limit() {
    let limit = getrlimit(Resource::Nofile);
    let want = limit.maximum.unwrap_or(u64::MAX).min(MAX_SOFT);
    if limit.current.is_some_and(|soft| soft < want) {
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(want),
                maximum: limit.maximum,
            },
        );
    }
}
