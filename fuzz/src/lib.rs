//! What the fuzz targets share: choosing a shell from the input, and the invariants every
//! lint result must keep whatever the input.

use std::path::Path;

use condago_linter::lines::{Encoding, LineIndex};
use condago_linter::{Detection, Diagnostic, Settings, Shell};
use condago_syntax::DetectionSource;

/// The shell an input is read as, from its first byte, with a startup file's name so that
/// rules keyed on the kind of file (rc file, profile, config.fish) run too.
pub fn shell_and_path(selector: u8) -> (Shell, &'static Path) {
    let (shell, name) = match selector % 6 {
        0 => (Shell::Bash, ".bashrc"),
        1 => (Shell::Zsh, ".zshrc"),
        2 => (Shell::Fish, "config.fish"),
        3 => (Shell::Sh, ".profile"),
        // Container files: the Dockerfile line parser, the RUN code at its own offsets, the
        // devcontainer.json reader.
        4 => (Shell::Sh, "Dockerfile"),
        _ => (Shell::Sh, ".devcontainer/devcontainer.json"),
    };
    (shell, Path::new(name))
}

pub fn detection(shell: Shell) -> Detection {
    Detection {
        shell,
        source: DetectionSource::FileName,
        read_by_sh: shell == Shell::Sh,
    }
}

pub fn settings() -> Settings {
    Settings::default()
}

/// Findings point into the text, are sorted, and their fixes are in bounds, sorted and
/// non-overlapping; every position converts to a line and column and back without panicking.
pub fn check_diagnostics(source: &[u8], diagnostics: &[Diagnostic]) {
    let index = LineIndex::new(source);
    for pair in diagnostics.windows(2) {
        let key = |d: &Diagnostic| (d.range.start, d.range.end, d.code);
        assert!(
            key(&pair[0]) <= key(&pair[1]),
            "findings out of order: {pair:#?}"
        );
    }
    for diagnostic in diagnostics {
        let range = &diagnostic.range;
        assert!(
            range.start <= range.end && range.end <= source.len(),
            "{} range {range:?} outside a text of {} bytes",
            diagnostic.code,
            source.len()
        );
        assert!(
            !diagnostic.message.is_empty(),
            "{} without a message",
            diagnostic.code
        );
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for offset in [range.start, range.end] {
                let position = index.position(source, offset, encoding);
                let back = index.offset(source, position, encoding);
                assert!(back <= source.len());
            }
        }
        if let Some(fix) = &diagnostic.fix {
            let mut end = 0;
            for edit in &fix.edits {
                assert!(
                    edit.range.start <= edit.range.end && edit.range.end <= source.len(),
                    "{} fix edit {:?} outside a text of {} bytes",
                    diagnostic.code,
                    edit.range,
                    source.len()
                );
                assert!(
                    edit.range.start >= end,
                    "{} fix edits overlap: {:?}",
                    diagnostic.code,
                    fix.edits
                );
                end = edit.range.end;
            }
        }
    }
}

/// How many findings of a rule.
pub fn count(diagnostics: &[Diagnostic], code: &str) -> usize {
    diagnostics.iter().filter(|d| d.code == code).count()
}
