//! The grammar's corpus (`test/corpus/*.txt`, tree-sitter's test format) run through this
//! crate: every example parses to its expected tree, and zsh itself accepts every example.
//! Also checks that the generated parser is fresh: `src/grammar-inputs.fnv1a64` records a
//! hash of the generator's inputs at generation time.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Example {
    file: PathBuf,
    title: String,
    input: String,
    expected: String,
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Splits a corpus file into examples: a `===` header around the title, the input, a
/// `---` line, then the expected S-expression.
fn read_examples(file: &Path) -> Vec<Example> {
    let text = std::fs::read_to_string(file).expect("corpus file is readable");
    let lines: Vec<&str> = text.lines().collect();
    let is_rule = |line: &str, c: char| line.len() >= 3 && line.chars().all(|x| x == c);
    let mut examples = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_rule(lines[i], '=') {
            i += 1;
            continue;
        }
        let title = lines[i + 1].trim().to_string();
        let mut j = i + 3;
        let input_start = j;
        while j < lines.len() && !is_rule(lines[j], '-') {
            j += 1;
        }
        let mut input = lines[input_start..j].join("\n");
        // tree-sitter drops the blank line between the input and the `---` line.
        while input.ends_with('\n') {
            input.pop();
        }
        input.push('\n');
        let mut k = j + 1;
        while k < lines.len() && !is_rule(lines[k], '=') {
            k += 1;
        }
        let expected = lines[j + 1..k].join("\n");
        examples.push(Example {
            file: file.to_path_buf(),
            title,
            input,
            expected,
        });
        i = k;
    }
    examples
}

fn all_examples() -> Vec<Example> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(crate_dir().join("test/corpus"))
        .expect("test/corpus exists")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    files.iter().flat_map(|file| read_examples(file)).collect()
}

/// The S-expression without field names (the corpus leaves them out) and with single spaces.
fn normalize(sexp: &str) -> String {
    let spaced = sexp.replace('(', " (").replace(')', " ) ");
    spaced
        .split_whitespace()
        .filter(|token| !token.ends_with(':'))
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" )", ")")
}

#[test]
fn every_example_parses_to_its_expected_tree() {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_condago_zsh::LANGUAGE.into())
        .expect("language loads");
    let examples = all_examples();
    assert!(
        examples.len() >= 40,
        "the corpus holds {} examples",
        examples.len()
    );
    let mut failures = Vec::new();
    for example in &examples {
        let tree = parser.parse(&example.input, None).expect("a tree");
        let actual = normalize(&tree.root_node().to_sexp());
        let expected = normalize(&example.expected);
        if actual != expected {
            failures.push(format!(
                "{} / {}:\n  expected {expected}\n  actual   {actual}",
                example.file.display(),
                example.title
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples differ:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

#[test]
fn zsh_accepts_every_example() {
    let Ok(output) = Command::new("zsh").arg("--version").output() else {
        assert!(std::env::var_os("CI").is_none(), "zsh is missing on CI");
        eprintln!("SKIPPED: zsh is not installed");
        return;
    };
    assert!(output.status.success());
    let mut rejected = Vec::new();
    for example in all_examples() {
        let output = Command::new("zsh")
            .args(["-f", "-n", "-c", &example.input])
            .output()
            .expect("zsh runs");
        if !output.status.success() {
            rejected.push(format!(
                "{}: {}",
                example.title,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    }
    assert!(
        rejected.is_empty(),
        "zsh -n rejects:\n{}",
        rejected.join("\n")
    );
}

/// FNV-1a (64-bit), as scripts/generate-grammar records it.
fn fnv1a64(parts: &[Vec<u8>]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flatten() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[test]
fn generated_parser_matches_grammar_js() {
    let read = |name: &str| std::fs::read(crate_dir().join(name)).expect("input is readable");
    let actual = format!(
        "{:016x}",
        fnv1a64(&[read("grammar.js"), read("package.json")])
    );
    let recorded = std::fs::read_to_string(crate_dir().join("src/grammar-inputs.fnv1a64"))
        .expect("src/grammar-inputs.fnv1a64 exists");
    assert_eq!(
        recorded.trim(),
        actual,
        "src/parser.c is older than grammar.js or package.json: run scripts/generate-grammar"
    );
}
