//! One open document: its text, its syntax tree kept up to date incrementally under the
//! CLI's parse budget, and its findings for the current version.

use std::path::{Path, PathBuf};
use std::time::Instant;

use condago_linter::{Budget, Detection, Parse, Shell};
use condago_syntax::tree_sitter::{InputEdit, Point};
use condago_syntax::ParseProblem;
use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::lint::Analysis;
use crate::position::{self, Encoding};

/// An open document.
pub struct Document {
    /// The file the URI names (or a stand-in for `untitled:` documents), for shell
    /// detection and for rules that look at the file's name.
    pub path: PathBuf,
    pub language_id: String,
    pub version: i32,
    pub rope: Rope,
    /// The same text, contiguous, for the parser and the rules.
    pub text: String,
    syntax: Option<Syntax>,
    /// The text changed since the last parse.
    stale: bool,
    /// The old tree cannot be reused (the whole text was replaced, or the shell changed).
    reparse_fully: bool,
    /// The findings for this version, once computed.
    analysis: Option<Analysis>,
}

/// A shell document's parse.
pub struct Syntax {
    pub detection: Detection,
    /// What the rules read: the tree of the grammar `condago_syntax::parse` would pick.
    pub parse: Parse,
    /// The trees were dropped to save memory (see [`Document::evict_trees`]).
    evicted: bool,
}

impl Syntax {
    pub fn new(detection: Detection, parse: Parse) -> Self {
        Syntax {
            detection,
            parse,
            evicted: false,
        }
    }
}

impl Document {
    pub fn new(uri: &Uri, language_id: String, version: i32, text: String) -> Self {
        let path = path_of(uri);
        Document {
            path,
            language_id,
            version,
            rope: Rope::from_str(&text),
            text,
            syntax: None,
            stale: true,
            reparse_fully: true,
            analysis: None,
        }
    }

    /// Applies one `didChange`'s content changes, in order.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) {
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.text = change.text;
                    self.reparse_fully = true;
                }
                Some(range) => {
                    let bytes = position::byte_range(&self.rope, range, encoding);
                    self.replace(bytes, &change.text);
                }
            }
        }
        self.version = version;
        self.stale = true;
        self.analysis = None;
    }

    /// Replaces a byte range (on character boundaries) of the text.
    fn replace(&mut self, bytes: std::ops::Range<usize>, new_text: &str) {
        let start_point = point_at(&self.text, bytes.start);
        let old_end_point = point_at(&self.text, bytes.end);
        let start_char = self.rope.byte_to_char(bytes.start);
        let end_char = self.rope.byte_to_char(bytes.end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        self.text.replace_range(bytes.clone(), new_text);
        let edit = InputEdit {
            start_byte: bytes.start,
            old_end_byte: bytes.end,
            new_end_byte: bytes.start + new_text.len(),
            start_position: start_point,
            old_end_position: old_end_point,
            new_end_position: advance(start_point, new_text),
        };
        if let Some(syntax) = self.syntax.as_mut() {
            if let Some(tree) = syntax.parse.tree.as_mut() {
                tree.edit(&edit);
            }
        }
    }

    /// Brings the parse up to date with the text (re-parsing it if its trees were evicted).
    pub fn refresh(&mut self, shell_override: Option<Shell>, budget: &Budget) {
        let evicted = self.syntax.as_ref().is_some_and(|syntax| syntax.evicted);
        if self.stale || evicted {
            self.reparse(shell_override, budget);
            self.stale = false;
        }
    }

    /// Drops the syntax trees (a 2,000-line file's tree takes about 3 MB), keeping the
    /// findings, the grammar and any parse problems. The next [`Document::refresh`] parses
    /// again: from scratch as the CLI does, or with the fallback grammar a parse over the
    /// budget left it with. Returns whether anything was dropped.
    pub fn evict_trees(&mut self) -> bool {
        let Some(syntax) = self.syntax.as_mut() else {
            return false;
        };
        if syntax.parse.tree.is_none() {
            return false;
        }
        syntax.parse.tree = None;
        syntax.evicted = true;
        true
    }

    /// The parse as of the last [`Document::refresh`]: `None` when it is not a shell file.
    pub fn syntax(&self) -> Option<&Syntax> {
        self.syntax.as_ref()
    }

    /// Forgets the parse, so the next one starts from scratch (the shell setting changed).
    pub fn invalidate(&mut self) {
        self.stale = true;
        self.reparse_fully = true;
        self.analysis = None;
    }

    /// Forgets the findings only (the rule selection changed).
    pub fn forget_analysis(&mut self) {
        self.analysis = None;
    }

    pub fn analysis(&self) -> Option<&Analysis> {
        self.analysis.as_ref()
    }

    pub fn set_analysis(&mut self, analysis: Analysis) {
        self.analysis = Some(analysis);
    }

    fn detect(&self, shell_override: Option<Shell>) -> Option<Detection> {
        condago_linter::resolve_shell(&self.path, self.text.as_bytes(), shell_override).or_else(
            || {
                let shell = shell_of_language(&self.language_id)?;
                Some(Detection {
                    shell,
                    source: condago_syntax::DetectionSource::FileName,
                    read_by_sh: false,
                })
            },
        )
    }

    fn reparse(&mut self, shell_override: Option<Shell>, budget: &Budget) {
        let Some(detection) = self.detect(shell_override) else {
            self.syntax = None;
            return;
        };
        let reuse = !self.reparse_fully
            && self
                .syntax
                .as_ref()
                .is_some_and(|syntax| syntax.detection.shell == detection.shell);
        self.reparse_fully = false;
        let source = self.text.as_bytes();
        match self.syntax.as_mut() {
            Some(syntax) if reuse && syntax.evicted => {
                syntax.detection = detection;
                syntax.evicted = false;
                if syntax.parse.problems.is_empty() {
                    syntax.parse = condago_syntax::parse(source, detection.shell, budget);
                } else {
                    // Over the budget before: straight to the grammar that was left.
                    let started = Instant::now();
                    match condago_syntax::parse_with(source, syntax.parse.grammar, None, budget) {
                        Ok(tree) => syntax.parse.tree = Some(tree),
                        Err(problem) => syntax.parse.problems.push(problem),
                    }
                    syntax.parse.elapsed = started.elapsed();
                }
            }
            Some(syntax) if reuse => {
                syntax.detection = detection;
                // tree-sitter's error recovery can build another tree incrementally than
                // from scratch, and the CLI parses from scratch: text with a syntax error
                // is parsed from scratch, so the findings are the CLI's. While an error
                // stays (typing), that is the keystroke's only parse.
                let has_error = |parse: &Parse| {
                    parse
                        .tree
                        .as_ref()
                        .is_some_and(|tree| tree.root_node().has_error())
                };
                let within_budget = syntax.parse.problems.is_empty();
                if within_budget && has_error(&syntax.parse) {
                    syntax.parse = condago_syntax::parse(source, detection.shell, budget);
                } else {
                    reparse_incrementally(&mut syntax.parse, source, budget);
                    if within_budget && syntax.parse.problems.is_empty() && has_error(&syntax.parse)
                    {
                        syntax.parse = condago_syntax::parse(source, detection.shell, budget);
                    }
                }
            }
            _ => {
                let parse = condago_syntax::parse(source, detection.shell, budget);
                self.syntax = Some(Syntax::new(detection, parse));
            }
        }
    }
}

/// Re-parses an edited tree. Mirrors `condago_syntax::parse`: a file over the size limit
/// gets no tree, and a parse that blows the budget leaves none. A document that once blew
/// the budget is not parsed again on every keystroke: it stays without a tree, and the
/// problems stay, so CG002 keeps saying the findings may be incomplete.
fn reparse_incrementally(parse: &mut Parse, source: &[u8], budget: &Budget) {
    let started = Instant::now();
    let too_large = source.len() > budget.max_file_bytes;
    let was_too_large = parse.tree.is_none()
        && matches!(parse.problems.last(), Some(ParseProblem::TooLarge { .. }));
    if too_large || was_too_large {
        // Either way the size decides alone, as in a fresh parse.
        *parse = condago_syntax::parse(source, parse.shell, budget);
        return;
    }
    let Some(old_tree) = parse.tree.take() else {
        // No grammar finished within the budget: stay without a tree.
        parse.elapsed = started.elapsed();
        return;
    };
    match condago_syntax::parse_with(source, parse.grammar, Some(&old_tree), budget) {
        Ok(tree) => parse.tree = Some(tree),
        Err(problem) => parse.problems.push(problem),
    }
    parse.elapsed = started.elapsed();
}

/// The shell an editor's language id names, for documents whose name and text say nothing.
fn shell_of_language(language_id: &str) -> Option<Shell> {
    match language_id {
        "shellscript" | "bash" | "sh" => Some(Shell::Bash),
        "zsh" => Some(Shell::Zsh),
        "fish" => Some(Shell::Fish),
        _ => None,
    }
}

/// The path of a `file:` URI; for other schemes the URI's last path segment, which still
/// carries a name such as `.zshrc` for shell detection.
fn path_of(uri: &Uri) -> PathBuf {
    if let Some(path) = uri.to_file_path() {
        return path.into_owned();
    }
    let raw = uri.path().as_str();
    let name = raw.rsplit('/').next().unwrap_or(raw);
    Path::new(name).to_path_buf()
}

/// tree-sitter's point of a byte offset: rows end at `\n` only, columns count bytes.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    Point {
        row,
        column: offset - line_start,
    }
}

/// The point reached after inserting `text` at `start`.
fn advance(start: Point, text: &str) -> Point {
    let bytes = text.as_bytes();
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

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn uri(name: &str) -> Uri {
        name.parse().expect("uri")
    }

    fn change(range: ((u32, u32), (u32, u32)), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(range.0 .0, range.0 .1),
                Position::new(range.1 .0, range.1 .1),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    fn sexp(doc: &mut Document) -> String {
        doc.refresh(None, &Budget::default());
        let syntax = doc.syntax().expect("shell file");
        syntax
            .parse
            .tree
            .as_ref()
            .expect("tree")
            .root_node()
            .to_sexp()
    }

    #[test]
    fn incremental_edits_give_the_tree_of_a_fresh_parse() {
        let text =
            "# é 漢字 😀\r\nexport PATH=\"$HOME/bin:$PATH\"\r\nif true; then\n\techo hi\nfi\n";
        let name = uri("file:///home/u/.zshrc");
        let mut doc = Document::new(&name, "zsh".into(), 1, text.to_string());
        let _ = sexp(&mut doc);
        doc.apply_changes(
            2,
            vec![
                change(((1, 13), (1, 18)), "~"),
                change(((0, 2), (0, 3)), "ü\n# more"),
                change(((4, 1), (4, 8)), "echo 😀 there"),
                change(((5, 0), (5, 2)), "fi\nexport GOPATH='~/go'"),
            ],
            Encoding::Utf16,
        );
        let incremental = sexp(&mut doc);
        assert_eq!(doc.text, doc.rope.to_string());
        let mut fresh = Document::new(&name, "zsh".into(), 2, doc.text.clone());
        assert_eq!(incremental, sexp(&mut fresh));
        assert!(
            doc.text.contains("export PATH=\"~/bin:$PATH\""),
            "{}",
            doc.text
        );
        assert!(doc.text.starts_with("# ü\n# more 漢字"), "{}", doc.text);
    }

    #[test]
    fn a_parse_over_budget_stays_without_a_tree() {
        let budget = Budget {
            time: std::time::Duration::ZERO,
            ..Budget::default()
        };
        let text = "echo hi\n".repeat(20_000);
        let mut doc = Document::new(&uri("file:///home/u/.zshrc"), "zsh".into(), 1, text);
        doc.refresh(None, &budget);
        let syntax = doc.syntax().expect("shell file");
        assert!(syntax.parse.tree.is_none());
        assert_eq!(syntax.parse.problems.len(), 1);
        doc.apply_changes(2, vec![change(((0, 0), (0, 0)), "x")], Encoding::Utf8);
        let started = Instant::now();
        doc.refresh(None, &budget);
        let syntax = doc.syntax().expect("shell file");
        assert!(syntax.parse.tree.is_none());
        assert_eq!(syntax.parse.problems.len(), 1);
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
    }

    #[test]
    fn evicted_trees_come_back_on_demand() {
        let name = uri("file:///home/u/.zshrc");
        let text = "export PATH=\"$HOME/bin:$PATH\"\nfor f (*.zsh(N)) source $f\n";
        let mut doc = Document::new(&name, "zsh".into(), 1, text.to_string());
        let before = sexp(&mut doc);
        assert!(doc.evict_trees());
        assert!(!doc.evict_trees(), "nothing left to drop");
        assert!(doc.syntax().expect("shell").parse.tree.is_none());
        doc.apply_changes(2, vec![change(((1, 0), (1, 0)), "# ")], Encoding::Utf16);
        doc.apply_changes(3, vec![change(((1, 0), (1, 2)), "")], Encoding::Utf16);
        assert_eq!(sexp(&mut doc), before);
        assert!(doc.evict_trees());
        assert_eq!(
            sexp(&mut doc),
            before,
            "refresh parses an unchanged text again"
        );
    }

    #[test]
    fn language_id_decides_when_the_name_says_nothing() {
        let mut doc = Document::new(
            &uri("untitled:Untitled-1"),
            "fish".into(),
            1,
            "set -gx PATH ~/bin $PATH\n".into(),
        );
        doc.refresh(None, &Budget::default());
        assert_eq!(
            doc.syntax().expect("shell file").detection.shell,
            Shell::Fish
        );
        let mut text = Document::new(
            &uri("file:///tmp/notes.txt"),
            "plaintext".into(),
            1,
            "hi".into(),
        );
        text.refresh(None, &Budget::default());
        assert!(text.syntax().is_none());
    }
}
