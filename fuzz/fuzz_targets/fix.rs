//! Lint, apply every fix (safe and unsafe), re-lint: no new syntax error (CG001), the fix
//! loop converges (`fix_until_stable` stops after 8 rounds; here it must reach a text with
//! nothing left to apply within 64), and fixing the fixed text again changes nothing.
//!
//! "No new syntax error" is checked on texts that parse without one: where the text has
//! errors already, tree-sitter's error recovery is not local (an edit far away can split
//! one error in two), so counting errors there says nothing about the fix.
#![no_main]

use condago_fuzz::{check_diagnostics, count, detection, settings, shell_and_path};
use condago_linter::{apply_fixes, fix_until_stable, Applicability};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, source)) = data.split_first() else {
        return;
    };
    let (shell, path) = shell_and_path(selector);
    let detection = detection(shell);
    let settings = settings();
    let level = Applicability::Unsafe;
    let before = condago_linter::lint(path, source, detection, &settings);
    if !before.parse_problems.is_empty() || before.diagnostics.iter().all(|d| d.fix.is_none()) {
        // Over the parse budget (timing decides the tree), or nothing to fix.
        return;
    }
    let first = fix_until_stable(path, source, detection, &settings, level);
    if count(&first.remaining, "CG002") > 0 {
        return;
    }
    check_diagnostics(&first.text, &first.remaining);
    let (errors_before, errors_after) = (
        count(&before.diagnostics, "CG001"),
        count(&first.remaining, "CG001"),
    );
    assert!(
        errors_before > 0 || errors_after == 0,
        "fixes added syntax errors ({errors_before} -> {errors_after}); applied {:?}\n--- before\n{}\n--- after\n{}\n--- findings after\n{:#?}",
        first.applied,
        String::from_utf8_lossy(source),
        String::from_utf8_lossy(&first.text),
        first.remaining.iter().filter(|d| d.code == "CG001").collect::<Vec<_>>(),
    );
    // `fix_until_stable` stops after a few rounds; a fix that needs more rounds (one
    // entry of many per round) is slow, one that never stops is a bug.
    let mut text = first.text.clone();
    let mut remaining = first.remaining.clone();
    let mut converged = false;
    for _ in 0..64 {
        let (next, codes) = apply_fixes(&text, &remaining, level);
        if codes.is_empty() || next == text {
            converged = true;
            break;
        }
        text = next;
        remaining = condago_linter::lint(path, &text, detection, &settings).diagnostics;
    }
    assert!(
        converged,
        "the fix loop did not converge in 64 rounds\n--- text\n{}",
        String::from_utf8_lossy(&text)
    );
    let second = fix_until_stable(path, &text, detection, &settings, level);
    assert!(
        second.text == text,
        "a second fix pass changed the text ({:?})\n--- first\n{}\n--- second\n{}",
        second.applied,
        String::from_utf8_lossy(&text),
        String::from_utf8_lossy(&second.text)
    );
});
