//! Random edits applied to a plain `String`, to a rope (the language server keeps its text in
//! a `ropey::Rope`) and to a syntax tree (`Tree::edit`, then an incremental re-parse with the
//! old tree, as the server's document does): the texts stay equal, and linting the
//! incrementally parsed tree gives exactly the findings of a fresh parse of the final text.
//!
//! Compared only when the incremental tree has no syntax error: on broken text tree-sitter's
//! error recovery may build another (equally valid) tree than a fresh parse does, so a
//! server must parse afresh whenever its incrementally parsed tree has errors.
#![no_main]

use arbitrary::Arbitrary;
use condago_fuzz::{check_diagnostics, settings, shell_and_path};
use condago_linter::{Budget, Parse};
use condago_syntax::tree_sitter::{InputEdit, Point, Tree};
use condago_syntax::Shell;
use libfuzzer_sys::fuzz_target;
use ropey::Rope;

#[derive(Debug, Arbitrary)]
struct Input {
    selector: u8,
    text: String,
    edits: Vec<Change>,
}

#[derive(Debug, Arbitrary)]
struct Change {
    start: u16,
    len: u8,
    text: String,
    /// Re-parse after this change (else the next change edits the same old tree again).
    reparse: bool,
}

fuzz_target!(|input: Input| {
    let (shell, path) = shell_and_path(input.selector);
    let grammar = shell.grammar();
    let budget = Budget::default();
    let mut text = input.text;
    let mut rope = Rope::from_str(&text);
    let Ok(mut tree) = condago_syntax::parse_with(text.as_bytes(), grammar, None, &budget) else {
        return;
    };
    for change in input.edits.iter().take(16) {
        let start = floor_boundary(&text, change.start as usize);
        let end = floor_boundary(&text, start + change.len as usize);
        let edit = InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: start + change.text.len(),
            start_position: point_at(&text, start),
            old_end_position: point_at(&text, end),
            new_end_position: advance(point_at(&text, start), &change.text),
        };
        let (start_char, end_char) = (rope.byte_to_char(start), rope.byte_to_char(end));
        rope.remove(start_char..end_char);
        rope.insert(start_char, &change.text);
        text.replace_range(start..end, &change.text);
        tree.edit(&edit);
        if change.reparse {
            match condago_syntax::parse_with(text.as_bytes(), grammar, Some(&tree), &budget) {
                Ok(new) => tree = new,
                Err(_) => return,
            }
        }
    }
    assert_eq!(rope.to_string(), text, "rope and string differ");
    let Ok(incremental) =
        condago_syntax::parse_with(text.as_bytes(), grammar, Some(&tree), &budget)
    else {
        return;
    };
    if incremental.root_node().has_error() {
        return;
    }
    let Ok(fresh) = condago_syntax::parse_with(text.as_bytes(), grammar, None, &budget) else {
        return;
    };
    let source = text.as_bytes();
    let lint = |tree: Tree| {
        let parse = Parse {
            shell,
            grammar,
            tree: Some(tree),
            problems: Vec::new(),
            elapsed: std::time::Duration::ZERO,
        };
        condago_linter::lint_parsed(path, source, &parse, shell == Shell::Sh, &settings())
    };
    let (incremental_sexp, fresh_sexp) = (
        incremental.root_node().to_sexp(),
        fresh.root_node().to_sexp(),
    );
    let from_incremental = lint(incremental);
    let from_fresh = lint(fresh);
    check_diagnostics(source, &from_fresh);
    assert!(
        from_incremental == from_fresh,
        "{} grammar: incremental and fresh parses lint differently\n--- text\n{text:?}\n--- incremental tree\n{incremental_sexp}\n--- fresh tree\n{fresh_sexp}\n--- incremental findings\n{from_incremental:#?}\n--- fresh findings\n{from_fresh:#?}",
        grammar.name(),
    );
});

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A byte offset's row and byte column, as tree-sitter counts them.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    Point {
        row: before.iter().filter(|&&b| b == b'\n').count(),
        column: offset - line_start,
    }
}

/// The point reached after inserting `inserted` at `start`.
fn advance(start: Point, inserted: &str) -> Point {
    let bytes = inserted.as_bytes();
    match bytes.iter().rposition(|&b| b == b'\n') {
        None => Point {
            row: start.row,
            column: start.column + bytes.len(),
        },
        Some(last) => Point {
            row: start.row + bytes.iter().filter(|&&b| b == b'\n').count(),
            column: bytes.len() - last - 1,
        },
    }
}
