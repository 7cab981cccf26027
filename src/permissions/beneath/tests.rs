use super::*;
use std::os::unix::fs::symlink;

/// A canonical temporary folder with `in/d/x` ("inside") and `out/x`
/// ("outside").
fn tmp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir_all(root.join("in/d")).unwrap();
    std::fs::create_dir_all(root.join("out")).unwrap();
    std::fs::write(root.join("in/d/x"), "inside").unwrap();
    std::fs::write(root.join("out/x"), "outside").unwrap();
    (dir, root)
}

fn place(root: &Path, rel: &str) -> Place {
    Place::new(root.join("in"), &root.join("in").join(rel))
}

#[test]
fn a_checked_place_reads_what_is_there() {
    let (_d, root) = tmp();
    assert_eq!(
        place(&root, "d/x").parent().unwrap().read().unwrap(),
        b"inside"
    );
    assert_eq!(place(&root, "d/x").path(), root.join("in/d/x"));
}

#[test]
fn a_folder_swapped_for_a_link_is_refused_by_openat2_and_by_the_walk() {
    let (_d, root) = tmp();
    let p = place(&root, "d/x");
    std::fs::rename(root.join("in/d"), root.join("in/old")).unwrap();
    symlink(root.join("out"), root.join("in/d")).unwrap();
    let e = p.parent().unwrap_err();
    assert!(is_moved(&e), "{e}");
    let from = open_dir(None, &root.join("in")).unwrap();
    let e = walk(Some(from.as_fd()), Path::new("d")).unwrap_err();
    assert!(is_moved(&e), "{e}");
    let e = walk(None, &root.join("in/d")).unwrap_err();
    assert!(is_moved(&e), "{e}");
    // Even a link that stays inside the grant is not followed.
    std::fs::remove_file(root.join("in/d")).unwrap();
    symlink("old", root.join("in/d")).unwrap();
    assert!(is_moved(&p.parent().unwrap_err()));
}

#[test]
fn a_file_swapped_for_a_link_is_refused_not_followed() {
    let (_d, root) = tmp();
    let p = place(&root, "d/x");
    std::fs::remove_file(root.join("in/d/x")).unwrap();
    symlink(root.join("out/x"), root.join("in/d/x")).unwrap();
    let parent = p.parent().unwrap();
    assert!(is_moved(&parent.read().unwrap_err()));
    assert!(is_moved(&parent.metadata().unwrap_err()));
    assert!(is_moved(
        &parent.open(OFlags::WRONLY | OFlags::TRUNC, 0).unwrap_err()
    ));
    assert_eq!(
        std::fs::read_to_string(root.join("out/x")).unwrap(),
        "outside"
    );
}

#[test]
fn the_walk_never_climbs_out_with_dot_dot() {
    let (_d, root) = tmp();
    let from = open_dir(None, &root.join("in")).unwrap();
    assert!(is_moved(
        &walk(Some(from.as_fd()), Path::new("../out")).unwrap_err()
    ));
    assert!(is_moved(
        &openat2(Some(from.as_fd()), Path::new("../out"))
            .unwrap()
            .unwrap_err()
    ));
}

#[test]
fn mkdir_all_makes_folders_up_to_the_grant_and_never_above_it() {
    let (_d, root) = tmp();
    place(&root, "a/b/c").mkdir_all().unwrap();
    assert!(root.join("in/a/b/c").is_dir());
    place(&root, "a/b/c").mkdir_all().unwrap(); // already there: fine
    let missing = Place::new(root.join("gone/grant"), &root.join("gone/grant/x"));
    let e = missing.mkdir_all().unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
    assert!(!root.join("gone").exists());
}

#[test]
fn the_grant_itself_can_be_listed_made_and_removed() {
    let (_d, root) = tmp();
    let grant = Place::new(root.join("in/d"), &root.join("in/d"));
    assert_eq!(grant.parent().unwrap().list().unwrap(), ["x"]);
    std::fs::remove_file(root.join("in/d/x")).unwrap();
    grant.parent().unwrap().remove().unwrap();
    assert!(!root.join("in/d").exists());
    grant.mkdir_all().unwrap();
    assert!(root.join("in/d").is_dir());
}

#[test]
fn remove_tree_racing_folders_swapped_for_links_never_empties_what_they_point_to() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let (_d, root) = tmp();
    let tree = root.join("in/t");
    for round in 0..30 {
        for sub in 0..16 {
            std::fs::create_dir_all(tree.join(format!("s{sub}/deep"))).unwrap();
            std::fs::write(tree.join(format!("s{sub}/deep/f")), "f").unwrap();
        }
        let stop = Arc::new(AtomicBool::new(false));
        let attacker = {
            let (stop, tree, out) = (stop.clone(), tree.clone(), root.join("out"));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    for sub in 0..16 {
                        let s = tree.join(format!("s{sub}"));
                        let moved = tree.join(format!("x{sub}-{round}"));
                        if std::fs::rename(&s, &moved).is_ok() {
                            let _ = symlink(&out, &s);
                        }
                    }
                }
            })
        };
        let _ = place(&root, "t").parent().unwrap().remove_tree();
        stop.store(true, Ordering::Relaxed);
        attacker.join().unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("out/x")).unwrap(),
            "outside",
            "round {round}"
        );
        let _ = std::fs::remove_dir_all(&tree);
    }
}
