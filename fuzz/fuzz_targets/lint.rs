//! Parse and lint arbitrary bytes as each shell (the first byte picks it): no panic, no
//! hang past the parse budget, and findings that keep the invariants of `check_diagnostics`.
#![no_main]

use condago_fuzz::{check_diagnostics, detection, settings, shell_and_path};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, source)) = data.split_first() else {
        return;
    };
    let (shell, path) = shell_and_path(selector);
    let _ = condago_syntax::detect_shell(path, source);
    let _ = condago_syntax::detect_shell(std::path::Path::new("f"), source);
    let result = condago_linter::lint(path, source, detection(shell), &settings());
    check_diagnostics(source, &result.diagnostics);
});
