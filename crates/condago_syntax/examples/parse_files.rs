//! Parses each file as the shell given first, as `condago lint` does (budget included), and
//! reports per file the fastest of three parses, the most parser memory held at once, the
//! grammar and any problems; then the totals, in MB/s:
//! `cargo run --release -p condago_syntax --example parse_files -- zsh (FILE | @LIST)...`
//! (`@LIST` names a file holding one path a line).
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let shell: condago_syntax::Shell = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(condago_syntax::Shell::Bash);
    let mut paths = Vec::new();
    for argument in args {
        match argument.strip_prefix('@') {
            Some(list) => paths.extend(
                std::fs::read_to_string(list)
                    .unwrap_or_default()
                    .lines()
                    .map(String::from),
            ),
            None => paths.push(argument),
        }
    }
    let budget = condago_syntax::Budget::default();
    let (mut bytes_total, mut time_total) = (0, Duration::ZERO);
    let mut slowest = (Duration::ZERO, String::new());
    let mut most_memory = (0, String::new());
    for path in paths {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let mut fastest = Duration::MAX;
        let mut memory = 0;
        let mut parse = None;
        for _ in 0..3 {
            let start = Instant::now();
            let (this, peak) = condago_syntax::peak_parser_memory(|| {
                condago_syntax::parse(&bytes, shell, &budget)
            });
            fastest = fastest.min(start.elapsed());
            memory = peak;
            parse = Some(this);
        }
        let Some(parse) = parse else { continue };
        let errors = parse
            .tree
            .as_ref()
            .is_some_and(|t| t.root_node().has_error());
        println!(
            "{path}: {:.2} ms, {:.2} MB, grammar {}, tree {}, errors {errors}, problems {:?}",
            fastest.as_secs_f64() * 1e3,
            memory as f64 / 1e6,
            parse.grammar.name(),
            parse.tree.is_some(),
            parse.problems
        );
        bytes_total += bytes.len();
        time_total += fastest;
        if fastest > slowest.0 {
            slowest = (fastest, path.clone());
        }
        if memory > most_memory.0 {
            most_memory = (memory, path);
        }
    }
    println!(
        "total: {:.2} MB in {:.1} ms, {:.1} MB/s; slowest {:.2} ms ({}); most memory {:.2} MB ({})",
        bytes_total as f64 / 1e6,
        time_total.as_secs_f64() * 1e3,
        bytes_total as f64 / 1e6 / time_total.as_secs_f64().max(f64::EPSILON),
        slowest.0.as_secs_f64() * 1e3,
        slowest.1,
        most_memory.0 as f64 / 1e6,
        most_memory.1
    );
}
