//! Writing a fixed file without ever damaging it: through symlinks to the target, keeping
//! permissions and ownership, atomically (temp file + rename in the same directory), and
//! never when the file changed since it was read. The caller's bytes outside the edits
//! (CRLF, BOM, non-UTF-8 text) are written exactly as they were.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What happened to a write.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WriteOutcome {
    Written,
    /// The file on disk is no longer what was linted: nothing was written.
    ChangedSinceRead,
}

/// Replaces the file at `path` (or the file its symlinks lead to) with `fixed`, if it still
/// holds `original`.
pub(crate) fn write_fixed(path: &Path, original: &[u8], fixed: &[u8]) -> io::Result<WriteOutcome> {
    let target = fs::canonicalize(path)?;
    if fs::read(&target)? != original {
        return Ok(WriteOutcome::ChangedSinceRead);
    }
    let metadata = fs::metadata(&target)?;
    let directory = target.parent().unwrap_or(Path::new("/"));
    let (temp_path, mut temp) = create_temp(directory, &target)?;
    let result = (|| {
        temp.write_all(fixed)?;
        temp.set_permissions(metadata.permissions())?;
        keep_owner(&temp, &metadata);
        temp.sync_all()?;
        drop(temp);
        // Last look: someone may have written the file while we prepared ours.
        if fs::read(&target)? != original {
            return Ok(WriteOutcome::ChangedSinceRead);
        }
        fs::rename(&temp_path, &target)?;
        Ok(WriteOutcome::Written)
    })();
    if !matches!(result, Ok(WriteOutcome::Written)) {
        let _ = fs::remove_file(&temp_path);
    }
    result
}

fn create_temp(directory: &Path, target: &Path) -> io::Result<(PathBuf, fs::File)> {
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    for attempt in 0..100u32 {
        let candidate = directory.join(format!(
            ".{name}.condago-{}-{attempt}.tmp",
            std::process::id()
        ));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "could not create a temporary file next to it",
    ))
}

#[cfg(unix)]
fn keep_owner(file: &fs::File, metadata: &fs::Metadata) {
    use std::os::unix::fs::{fchown, MetadataExt};
    // Only root can give a file away; for everyone else the owner is already right.
    let _ = fchown(file, Some(metadata.uid()), Some(metadata.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_file: &fs::File, _metadata: &fs::Metadata) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_through_a_symlink_and_keeps_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("dotfiles-bashrc");
        fs::write(&real, "a\r\n").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).expect("chmod");
            let link = dir.path().join(".bashrc");
            std::os::unix::fs::symlink(&real, &link).expect("symlink");
            assert_eq!(
                write_fixed(&link, b"a\r\n", b"b\r\n").expect("write"),
                WriteOutcome::Written
            );
            assert!(fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink());
            assert_eq!(fs::read(&real).expect("read"), b"b\r\n");
            let mode = fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
    }

    #[test]
    fn refuses_when_changed_since_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(".zshrc");
        fs::write(&file, "new text\n").expect("write");
        let outcome = write_fixed(&file, b"old text\n", b"fixed\n").expect("write");
        assert_eq!(outcome, WriteOutcome::ChangedSinceRead);
        assert_eq!(fs::read(&file).expect("read"), b"new text\n");
        let leftovers = fs::read_dir(dir.path()).expect("list").count();
        assert_eq!(leftovers, 1, "no temp file left behind");
    }
}
