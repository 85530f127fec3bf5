//! Applying fixes: non-overlapping fixes at once, then re-lint, to a small cap. Bytes
//! outside the edits are kept exactly (CRLF, BOM, non-UTF-8 text).

use std::path::Path;

use condago_syntax::Detection;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::Settings;

/// How many lint-and-fix rounds `fix_until_stable` runs at most.
const MAX_ROUNDS: usize = 8;

/// The result of fixing a file.
#[derive(Debug)]
pub struct FixOutcome {
    /// The fixed text.
    pub text: Vec<u8>,
    /// How many fixes were applied, by rule code.
    pub applied: Vec<(&'static str, usize)>,
    /// The findings on the fixed text.
    pub remaining: Vec<Diagnostic>,
}

impl FixOutcome {
    pub fn applied_count(&self) -> usize {
        self.applied.iter().map(|(_, count)| count).sum()
    }
}

/// Applies edits (sorted, non-overlapping) to a text.
pub fn apply_edits(source: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = Vec::with_capacity(source.len());
    let mut at = 0;
    for edit in sorted {
        let start = edit.range.start.clamp(at, source.len());
        let end = edit.range.end.clamp(start, source.len());
        out.extend_from_slice(&source[at..start]);
        out.extend_from_slice(edit.content.as_bytes());
        at = end;
    }
    out.extend_from_slice(&source[at..]);
    out
}

/// Applies every fix at least as sure as `level` that does not overlap one taken before it
/// (in source order). Returns the new text and the codes of the fixes applied.
pub fn apply_fixes(
    source: &[u8],
    diagnostics: &[Diagnostic],
    level: Applicability,
) -> (Vec<u8>, Vec<&'static str>) {
    let mut fixes: Vec<(&'static str, &crate::Fix)> = diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic.fix.as_ref().map(|fix| (diagnostic.code, fix)))
        .filter(|(_, fix)| {
            fix.applicability >= level && fix.applicability != Applicability::Suggestion
        })
        .collect();
    fixes.sort_by_key(|(_, fix)| (fix.span().start, fix.span().end));
    let mut taken: Vec<Edit> = Vec::new();
    let mut codes = Vec::new();
    for (code, fix) in fixes {
        let overlaps = fix.edits.iter().any(|edit| {
            taken.iter().any(|other| {
                let touching_inserts =
                    edit.range.start == other.range.end || edit.range.end == other.range.start;
                (edit.range.start < other.range.end && other.range.start < edit.range.end)
                    || (touching_inserts && (edit.range.is_empty() || other.range.is_empty()))
                    || edit.range == other.range
            })
        });
        if !overlaps {
            taken.extend(fix.edits.iter().cloned());
            codes.push(code);
        }
    }
    (apply_edits(source, &taken), codes)
}

/// Lints, applies fixes and re-lints until nothing more applies (at most a few rounds).
pub fn fix_until_stable(
    path: &Path,
    source: &[u8],
    detection: Detection,
    settings: &Settings,
    level: Applicability,
) -> FixOutcome {
    let mut text = source.to_vec();
    let mut applied: Vec<(&'static str, usize)> = Vec::new();
    let mut result = crate::lint(path, &text, detection, settings);
    let mut errors = syntax_errors(path, &text, detection, settings);
    for _ in 0..MAX_ROUNDS {
        let (mut fixed, mut codes) = apply_fixes(&text, &result.diagnostics, level);
        if codes.is_empty() || fixed == text {
            break;
        }
        let mut fixed_errors = syntax_errors(path, &fixed, detection, settings);
        if fixed_errors > errors {
            // A fix made the parser see a new syntax error (a grammar reading the fixed
            // text otherwise than the shell does): take the first fix that does not.
            let single = result.diagnostics.iter().find_map(|diagnostic| {
                let (one, one_codes) = apply_fixes(&text, std::slice::from_ref(diagnostic), level);
                let one_errors = syntax_errors(path, &one, detection, settings);
                (!one_codes.is_empty() && one != text && one_errors <= errors)
                    .then_some((one, one_codes, one_errors))
            });
            let Some((one, one_codes, one_errors)) = single else {
                break;
            };
            (fixed, codes, fixed_errors) = (one, one_codes, one_errors);
        }
        errors = fixed_errors;
        for code in codes {
            match applied.iter_mut().find(|(c, _)| *c == code) {
                Some((_, count)) => *count += 1,
                None => applied.push((code, 1)),
            }
        }
        text = fixed;
        result = crate::lint(path, &text, detection, settings);
    }
    FixOutcome {
        text,
        applied,
        remaining: result.diagnostics,
    }
}

/// The syntax errors in the tree condago lints a text with.
fn syntax_errors(path: &Path, text: &[u8], detection: Detection, settings: &Settings) -> usize {
    let masked;
    let text = if condago_syntax::template::is_template_path(path) {
        masked = condago_syntax::template::mask(text, detection.shell).text;
        &masked
    } else {
        text
    };
    let parse = condago_syntax::parse(text, detection.shell, &settings.budget);
    parse.tree.as_ref().map_or(0, condago_syntax::error_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_that_make_a_syntax_error_are_not_applied() {
        // Found by fuzzing (`scripts/fuzz`, target fix): CG101's `:$PATH` after an unquoted
        // `[` made the zsh grammar report an error in a text that had none.
        let source = "# >>> condnzita initialize >>>\n\
             # !! Contents within this block are managed by 'conda init' !!\n\
             export PATH=\"/home/u/minicndnzita initialize >>>\n\
             # !! Contents within this block are managed by 'conda init' !!\n\
             export PATH=\"/home/u/miniconga3/cond[ in:$PATH\"\n\
             # <<< conda inzitializonga3/cond[ in:$PATH\"\n\
             # <<< conda inzitialize <<<\n";
        let detection = Detection {
            shell: condago_syntax::Shell::Zsh,
            source: condago_syntax::DetectionSource::FileName,
            read_by_sh: false,
        };
        let settings = Settings::default();
        let before = syntax_errors(Path::new(".zshrc"), source.as_bytes(), detection, &settings);
        let outcome = fix_until_stable(
            Path::new(".zshrc"),
            source.as_bytes(),
            detection,
            &settings,
            Applicability::Unsafe,
        );
        assert!(syntax_errors(Path::new(".zshrc"), &outcome.text, detection, &settings) <= before);
    }

    #[test]
    fn edits_keep_bytes_outside_them() {
        let source = b"\xEF\xBB\xBFa\r\n\xE9b\r\n";
        let out = apply_edits(source, &[Edit::replace(3..4, "xyz")]);
        assert_eq!(out, b"\xEF\xBB\xBFxyz\r\n\xE9b\r\n");
    }
}
