//! Parses each file named on the command line as the shell given first, reporting time,
//! grammar and problems: `cargo run --release -p condago_syntax --example parse_files -- zsh FILE...`
fn main() {
    let mut args = std::env::args().skip(1);
    let shell: condago_syntax::Shell = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(condago_syntax::Shell::Bash);
    let budget = condago_syntax::Budget::default();
    for path in args {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let parse = condago_syntax::parse(&bytes, shell, &budget);
        let errors = parse
            .tree
            .as_ref()
            .is_some_and(|t| t.root_node().has_error());
        println!(
            "{path}: {} ms, grammar {}, tree {}, errors {errors}, problems {:?}",
            parse.elapsed.as_millis(),
            parse.grammar.name(),
            parse.tree.is_some(),
            parse.problems
        );
    }
}
