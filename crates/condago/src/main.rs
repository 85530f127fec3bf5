//! `condago`: the command line. Thin: it turns files into text, calls the core, renders.

mod completions_command;
mod config_command;
mod discover;
mod doctor;
mod lint_command;
mod output;
mod rules_command;
mod startup_command;
mod trace;
mod write;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Finds the lines in bash, zsh and fish startup files that silently break PATH — a conda
/// `go` that is "command not found", an editor terminal with another `python` — and fixes them.
#[derive(Debug, Parser)]
#[command(name = "condago", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint startup files (with no path: your own ~/.bashrc, ~/.zshrc, config.fish, …).
    Lint(LintArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Print one rule's documentation.
    Rule {
        /// A rule code (`CG102`) or name (`path-tilde-quoted`).
        rule: String,
    },
    /// Run the language server on stdin and stdout, for editors.
    Server,
    /// Which files each shell reads in each mode, and the PATH they build, line by line.
    Startup(startup_command::StartupArgs),
    /// Which PATH entry wins for a command in each shell and mode, and what it shadows.
    Which(startup_command::WhichArgs),
    /// RUNS the real shell's startup files, traced: the files read, each PATH change at its
    /// file:line, the programs run. Unlike `lint`, this executes the code in the startup
    /// files (of --home DIR, or your own).
    Trace(trace::TraceArgs),
    /// Why PATH is what it is in this terminal: the process chain, login or not, this PATH
    /// next to a fresh shell's and the model's, the reasons in words and the commands that
    /// confirm them. Changes nothing; the fresh shell RUNS your startup files (--no-trace
    /// skips it).
    Doctor(doctor::DoctorArgs),
    /// Print the settings in force for a file and where each came from.
    Config(ConfigArgs),
    /// Print a completion script for a shell (bash, zsh or fish).
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: completions_command::CompletionShell,
    },
}

/// How configuration files are found: shared by `lint` and `config`.
#[derive(Debug, Args)]
pub(crate) struct ConfigFileArgs {
    /// Read this configuration file instead of the nearest condago.toml or .condago.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long)]
    pub isolated: bool,
}

/// Options of `condago config`.
#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// The file whose settings to show.
    pub file: PathBuf,
    #[command(flatten)]
    pub config_file: ConfigFileArgs,
}

/// Options of `condago lint`.
#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Files and directories to lint; `-` reads standard input. With none: your own
    /// startup files ($HOME, $ZDOTDIR, $XDG_CONFIG_HOME/fish).
    pub paths: Vec<PathBuf>,
    /// Apply safe fixes.
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff: apply unsafe fixes too (they change behaviour).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them.
    #[arg(long)]
    pub diff: bool,
    /// Rules to run: codes, names or prefixes (`CG1`, `CG10`), comma-separated; `ALL` for all.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Rules to run on top of the selected ones (of the configuration's `select`, or the
    /// default rules): codes, names or prefixes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Rules not to run: codes, names or prefixes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    #[command(flatten)]
    pub config_file: ConfigFileArgs,
    /// Skip files that the configuration's `exclude` matches even when named on the
    /// command line (as pre-commit names them).
    #[arg(long)]
    pub force_exclude: bool,
    /// Print the findings only, without the summary.
    #[arg(short, long, conflicts_with = "silent")]
    pub quiet: bool,
    /// Print nothing; the exit code says what was found.
    #[arg(long)]
    pub silent: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Read every file as this shell instead of detecting it.
    #[arg(long, value_enum)]
    pub shell: Option<ShellArg>,
    /// The file name to report (and detect the shell from) for standard input.
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
    /// Exit with 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Colour: auto (only on a terminal and without NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Lint the startup files of a directory laid out like a home (a dotfiles repository),
    /// with the cross-file rules, instead of your own.
    #[arg(long, value_name = "DIR", conflicts_with = "paths")]
    pub home: Option<PathBuf>,
    #[command(flatten)]
    pub layout: startup_command::LayoutArgs,
}

/// Options of `condago rules`.
#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// Output format: a table, or JSON.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Snippets of the source with the finding, its rule and what to do.
    Text,
    /// One line per finding: `file:line:col: CODE [severity] message`.
    Concise,
    /// A JSON array of findings with their fixes.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Sh,
}

impl From<ShellArg> for condago_syntax::Shell {
    fn from(shell: ShellArg) -> Self {
        match shell {
            ShellArg::Bash => condago_syntax::Shell::Bash,
            ShellArg::Zsh => condago_syntax::Shell::Zsh,
            ShellArg::Fish => condago_syntax::Shell::Fish,
            ShellArg::Sh => condago_syntax::Shell::Sh,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Exit codes, as ruff has them.
pub(crate) mod exit {
    pub const CLEAN: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const ERROR: u8 = 2;
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                exit::ERROR
            } else {
                exit::CLEAN
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Lint(args) => lint_command::run(&args),
        Command::Rules(args) => rules_command::list(&args),
        Command::Rule { rule } => rules_command::show(&rule),
        Command::Startup(args) => startup_command::startup(&args),
        Command::Which(args) => startup_command::which_tool(&args),
        Command::Trace(args) => trace::trace_command(&args),
        Command::Doctor(args) => doctor::doctor(&args),
        Command::Config(args) => config_command::run(&args),
        Command::Completions { shell } => completions_command::run(shell, &mut Cli::command()),
        Command::Server => match condago_server::run_stdio() {
            Ok(()) => exit::CLEAN,
            Err(error) => {
                // LSP: exit code 1 when the client did not ask for `shutdown` first.
                eprintln!("condago server: {error}");
                1
            }
        },
    };
    ExitCode::from(code)
}
