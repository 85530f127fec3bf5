//! `condago completions SHELL`: the completion script, generated from the command line's
//! own definition so it cannot drift from it.

use clap::ValueEnum;
use clap_complete::Shell as Generator;

use crate::exit;

/// The shells condago writes completions for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// Prints the script on standard output.
pub(crate) fn run(shell: CompletionShell, command: &mut clap::Command) -> u8 {
    let generator = match shell {
        CompletionShell::Bash => Generator::Bash,
        CompletionShell::Zsh => Generator::Zsh,
        CompletionShell::Fish => Generator::Fish,
    };
    clap_complete::generate(generator, command, "condago", &mut std::io::stdout());
    exit::CLEAN
}
