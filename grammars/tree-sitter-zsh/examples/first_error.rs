//! Prints where the grammar first misreads each file given on the command line:
//! `cargo run --release -p tree-sitter-condago-zsh --example first_error -- FILE…`.
//! Used to group the constructs that the grammar does not read yet.

use tree_sitter::{Node, Parser};

fn first_error(node: Node) -> Option<Node> {
    if !node.has_error() {
        return None;
    }
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).find_map(first_error);
    found.or(Some(node))
}

/// Bytes inside ERROR nodes, plus a weight per MISSING node.
fn error_weight(node: Node) -> usize {
    if !node.has_error() {
        return 0;
    }
    if node.is_error() {
        return node.end_byte() - node.start_byte() + 1;
    }
    if node.is_missing() {
        return 1;
    }
    let mut cursor = node.walk();
    node.children(&mut cursor).map(error_weight).sum()
}

/// The line in `first..=last` whose blanking leaves the least text in errors: where a
/// wide ERROR node, which tree-sitter's recovery starts far before the cause, comes from.
fn blame(parser: &mut Parser, source: &[u8], first: usize, last: usize) -> usize {
    let mut line_starts = vec![0];
    line_starts.extend(
        source
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    line_starts.push(source.len());
    let weight_without = |parser: &mut Parser, from: usize, to: usize| {
        let mut copy = source.to_vec();
        let (a, b) = (
            line_starts[from.min(line_starts.len() - 1)],
            line_starts[to.min(line_starts.len() - 1)],
        );
        for byte in &mut copy[a..b] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
        parser
            .parse(&copy, None)
            .map_or(usize::MAX, |tree| error_weight(tree.root_node()))
    };
    let (mut lo, mut hi) = (first, last + 1);
    for chunk in [256usize, 32, 4, 1] {
        if hi - lo <= chunk {
            continue;
        }
        let mut best = (usize::MAX, lo);
        let mut at = lo;
        while at < hi {
            let weight = weight_without(parser, at, (at + chunk).min(hi));
            if weight < best.0 {
                best = (weight, at);
            }
            at += chunk;
        }
        lo = best.1;
        hi = (lo + chunk).min(hi);
    }
    lo
}

fn main() {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_condago_zsh::LANGUAGE.into())
        .expect("the grammar loads");
    for path in std::env::args().skip(1) {
        let Ok(source) = std::fs::read(&path) else {
            eprintln!("{path}: cannot read");
            continue;
        };
        let Some(tree) = parser.parse(&source, None) else {
            println!("{path}: no tree");
            continue;
        };
        let Some(error) = first_error(tree.root_node()) else {
            continue;
        };
        let line_text = |row: usize| {
            source
                .split(|&b| b == b'\n')
                .nth(row)
                .map(String::from_utf8_lossy)
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let (start, end) = (error.start_position().row, error.end_position().row);
        let kind = if error.is_missing() {
            "MISSING"
        } else {
            "ERROR"
        };
        println!("{path}:{}: {kind} | {}", start + 1, line_text(start));
        let whole_file = error.is_missing() || (start == 0 && end > 2);
        if end > start + 2 || whole_file {
            let (start, end) = if whole_file {
                (0, tree.root_node().end_position().row)
            } else {
                (start, end)
            };
            let culprit = blame(&mut parser, &source, start, end);
            println!("    culprit {}: | {}", culprit + 1, line_text(culprit));
        }
    }
}
