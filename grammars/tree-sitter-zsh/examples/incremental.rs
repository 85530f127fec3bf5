//! How long an edit's re-parse takes with this grammar, next to tree-sitter-bash on the
//! same text: `cargo run --release -p tree-sitter-condago-zsh --example incremental -- FILE`.
//! Inserts a line in the middle of FILE a character at a time, as typing does, and reports
//! the median full parse and the median incremental re-parse of each grammar.

use std::time::{Duration, Instant};
use tree_sitter::{InputEdit, Language, Parser, Point, Tree};

fn point_at(text: &[u8], offset: usize) -> Point {
    let before = &text[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
    Point::new(row, column)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// (median full parse, median incremental re-parse, nodes reused is not exposed by
/// tree-sitter, so the changed ranges' total length stands in for it)
fn measure(language: &Language, text: &[u8], typed: &str) -> (Duration, Duration, usize) {
    let mut parser = Parser::new();
    parser.set_language(language).expect("grammar loads");
    let full: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            parser.parse(text, None).expect("tree");
            start.elapsed()
        })
        .collect();
    let mut text = text.to_vec();
    let middle = text.len() / 2;
    let at = middle
        + text[middle..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
    let mut tree: Tree = parser.parse(&text, None).expect("tree");
    let mut incremental = Vec::new();
    let mut changed = 0;
    for (i, ch) in typed.char_indices() {
        let offset = at + i;
        let mut bytes = [0; 4];
        let inserted = ch.encode_utf8(&mut bytes).as_bytes();
        let start_position = point_at(&text, offset);
        text.splice(offset..offset, inserted.iter().copied());
        tree.edit(&InputEdit {
            start_byte: offset,
            old_end_byte: offset,
            new_end_byte: offset + inserted.len(),
            start_position,
            old_end_position: start_position,
            new_end_position: point_at(&text, offset + inserted.len()),
        });
        let start = Instant::now();
        let new_tree = parser.parse(&text, Some(&tree)).expect("tree");
        incremental.push(start.elapsed());
        changed += tree
            .changed_ranges(&new_tree)
            .map(|r| r.end_byte - r.start_byte)
            .sum::<usize>();
        tree = new_tree;
    }
    let count = incremental.len().max(1);
    (median(full), median(incremental), changed / count)
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: incremental FILE");
    let text = std::fs::read(&path).expect("FILE is readable");
    let typed = "export PATH=\"$HOME/.local/bin:$PATH\"\n";
    for (name, language) in [
        (
            "condago zsh",
            Language::from(tree_sitter_condago_zsh::LANGUAGE),
        ),
        (
            "tree-sitter-bash",
            Language::from(tree_sitter_bash::LANGUAGE),
        ),
    ] {
        let (full, incremental, changed) = measure(&language, &text, typed);
        println!(
            "{name:>16}: full parse {:.2} ms, re-parse after a keystroke {:.2} ms (median of {}), changed ranges {changed} bytes per keystroke",
            full.as_secs_f64() * 1e3,
            incremental.as_secs_f64() * 1e3,
            typed.len()
        );
    }
}
