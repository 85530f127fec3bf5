//! `condago config FILE`: the settings in force for a file and where each came from; and
//! how `--config` / `--isolated` choose the configuration, for every command.

use std::sync::Arc;

use condago_config::{resolve, Config, ConfigError, Discovery, Overrides, Resolver};

use crate::{exit, ConfigArgs, ConfigFileArgs};

/// How configuration files are found, from `--config` and `--isolated`.
pub(crate) fn discovery(args: &ConfigFileArgs) -> Result<Discovery, ConfigError> {
    if args.isolated {
        return Ok(Discovery::Isolated);
    }
    match &args.config {
        Some(path) => Config::load(path).map(|config| Discovery::File(Arc::new(config))),
        None => Ok(Discovery::Nearest),
    }
}

/// A configuration error as printed: one `condago: error:` line per problem.
pub(crate) fn worded(error: &ConfigError) -> String {
    error
        .to_string()
        .lines()
        .map(|line| format!("condago: error: {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `condago config FILE`.
pub(crate) fn run(args: &ConfigArgs) -> u8 {
    let discovery = match discovery(&args.config_file) {
        Ok(discovery) => discovery,
        Err(error) => {
            eprintln!("{}", worded(&error));
            return exit::ERROR;
        }
    };
    let isolated = matches!(discovery, Discovery::Isolated);
    let config = match Resolver::new(discovery).for_file(&args.file) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{}", worded(&error));
            return exit::ERROR;
        }
    };
    let resolved = resolve(config.as_deref(), &Overrides::default(), &args.file);
    println!("file: {}", args.file.display());
    match &config {
        Some(config) => println!("configuration: {}", config.path.display()),
        None if isolated => println!("configuration: none (--isolated)"),
        None => println!(
            "configuration: none (no condago.toml or .condago.toml in its directory or above)"
        ),
    }
    let width = resolved
        .explained
        .iter()
        .map(|setting| setting.key.len())
        .max()
        .unwrap_or(0);
    for setting in &resolved.explained {
        let sources: Vec<String> = setting.sources.iter().map(ToString::to_string).collect();
        println!(
            "{:width$}  {}  [{}]",
            setting.key,
            setting.value,
            sources.join(", ")
        );
    }
    exit::CLEAN
}
