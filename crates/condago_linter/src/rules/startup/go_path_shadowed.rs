use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// With the startup model and the file system: finds a shell and mode whose final
    /// `PATH` holds two or more directories with a `go`, where the `go` that wins is not
    /// the one intended — the one under `GOROOT` when `GOROOT` is exported, else the one in
    /// the conda environment the startup activates. Reported at the line that put the
    /// winning directory on `PATH`.
    ///
    /// ## Why is this bad?
    /// After `conda install -c conda-forge go`, a `/usr/local/go/bin` or `~/sdk/go/bin`
    /// prepended after conda's block still wins: `go version` shows the other toolchain,
    /// and builds mix its standard library with the environment's. With `GOROOT` pointing
    /// elsewhere than the `go` that runs, Go reports a mismatched toolchain or cannot find
    /// packages.
    ///
    /// ## Example
    /// ```bash
    /// # conda's block (base has go) …
    /// export PATH="$HOME/sdk/go/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// Put the other Go before conda's block (so conda's comes first), or remove it.
    ///
    /// ## Fix safety
    /// No fix: which Go is wanted is the user's choice.
    pub const RULE = Rule {
        code: "CG505",
        name: "go-path-shadowed",
        summary: "two `go` installations on `PATH`; the one that wins is not the one `GOROOT`/conda intends",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Startup,
    };
}
