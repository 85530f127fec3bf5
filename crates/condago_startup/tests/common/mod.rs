//! Fixture homes for the tests: `tests/fixtures/homes/<name>`, copied into a fresh home.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use condago_oracle::FakeHome;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/homes")
}

/// Copies a fixture home into a fresh one; `/home/u` in files becomes the new home.
pub fn materialize(fixture: &Path) -> FakeHome {
    let home = FakeHome::new();
    let target = home.path().to_string_lossy().into_owned();
    copy_dir(fixture, fixture, &home, &target);
    home
}

fn copy_dir(root: &Path, dir: &Path, home: &FakeHome, target: &str) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read a fixture directory")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let relative = path.strip_prefix(root).expect("inside the fixture");
        if path.is_dir() {
            std::fs::create_dir_all(home.path().join(relative)).expect("create a directory");
            copy_dir(root, &path, home, target);
            continue;
        }
        let bytes = std::fs::read(&path).expect("read a fixture file");
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => text.replace("/home/u", target).into_bytes(),
            Err(error) => error.into_bytes(),
        };
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        if mode & 0o111 != 0 {
            home.write_executable(relative, bytes);
        } else {
            home.write(relative, bytes);
        }
    }
}
