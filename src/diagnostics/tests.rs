use super::*;
use crate::permissions::{Denied, Kind};

/// A `NotCapableError`'s report as an 80-column terminal gets it.
fn denied_at_80(target: &str) -> String {
    let denied = Denied {
        kind: Kind::Read,
        target: Some(target.to_string()),
        denied_by: None,
        rule: None,
    };
    let d = MietteDiagnostic::new(denied.to_string()).with_code("NotCapableError");
    let mut out = String::new();
    let style = Style { color: false };
    let _ = style
        .handler_at(80)
        .render_report(&mut out, plain(d).as_ref());
    out
}

#[test]
fn a_flag_or_path_is_never_broken_across_lines() {
    for target in [
        "data/input.txt",
        "/home/someone/projects/reports-2024/summary-final.csv",
        "/home/someone/projects/a-rather-long-folder-name/another-folder/data/input-file.txt",
    ] {
        let out = denied_at_80(target);
        let flag = format!("--allow-read={target}");
        assert!(
            out.lines().any(|l| l.contains(&flag)),
            "the flag is not whole on one line:\n{out}"
        );
        assert!(
            out.lines().any(|l| l.contains(&format!("\"{target}\""))),
            "the path is not whole on one line:\n{out}"
        );
        // Every line fits, unless it holds a single word that cannot.
        for line in out.lines() {
            let words = line.trim_start_matches([' ', '×', '│']).split(' ').count();
            assert!(
                line.chars().count() <= 80 || words == 1,
                "a line wider than 80 columns:\n{out}"
            );
        }
    }
}
