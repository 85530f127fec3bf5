//! chezmoi templates (`*.tmpl`): Go template actions `{{ … }}` around shell lines.
//!
//! [`mask`] replaces every action with text of exactly the same byte length (line breaks
//! kept), so the shell code around it parses and every offset and line stays where it was:
//! - an action that stands for a value (`"{{ .goroot }}/bin"`) becomes a run of mask
//!   characters, which bash, zsh and fish all read as an ordinary word and which the
//!   models read as unknown text ([`has_mask`]);
//! - `{{ if }}` / `{{ else }}` / `{{ end }}` (and `range`, `with`) on lines of their own
//!   become the shell's own `if`/`else`/`fi` around a condition nobody can decide, so both
//!   branches are read and what they do is conditional;
//! - comments `{{/* … */}}` and anything else on a line of its own become shell comments.

use std::ops::Range;

use crate::Shell;

/// Mask characters: an unassigned code point (2 bytes in UTF-8) and a private-use one
/// (3 bytes), so that runs of them fill any length of 2 bytes or more. Neither occurs in
/// real text.
const MARK_2: char = '\u{0378}';
const MARK_3: char = '\u{E000}';
/// The same for the condition of a `{{ if }}` read as a shell `if`.
const CONDITION_2: char = '\u{0379}';
const CONDITION_3: char = '\u{E001}';

/// What a masked file looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    /// The text with every action masked (same length as the original).
    pub text: Vec<u8>,
    /// The byte range of every action, delimiters included, in order.
    pub actions: Vec<Range<usize>>,
}

impl Masked {
    /// Whether a byte range touches an action: starts or ends inside one, or lies in one.
    pub fn touches(&self, range: &Range<usize>) -> bool {
        self.actions.iter().any(|action| {
            let inside = |at: usize| action.start < at && at < action.end;
            inside(range.start)
                || inside(range.end)
                || (action.start <= range.start && range.end <= action.end)
                || (range.start < action.end && action.start < range.end && range.is_empty())
        })
    }

    /// Whether a byte range shares any byte with an action.
    pub fn overlaps(&self, range: &Range<usize>) -> bool {
        self.actions.iter().any(|action| {
            (range.start < action.end && action.start < range.end)
                || (range.is_empty() && action.start < range.start && range.start < action.end)
        })
    }
}

/// Whether a file is a chezmoi template, by its name.
pub fn is_template_path(path: &std::path::Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.ends_with(".tmpl"))
}

/// Whether text holds a masked action (it came from a template and is not known).
pub fn has_mask(text: &str) -> bool {
    text.contains([MARK_2, MARK_3, CONDITION_2, CONDITION_3])
}

/// Whether text is the masked condition of a `{{ if }}` (a command that decides nothing
/// the model can know, and runs nothing).
pub fn is_condition(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c == CONDITION_2 || c == CONDITION_3)
}

/// Text for people: each run of mask characters shown as `{{…}}`.
pub fn unmask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for c in text.chars() {
        if has_mask(c.encode_utf8(&mut [0; 4])) {
            if !in_run {
                out.push_str("{{…}}");
            }
            in_run = true;
        } else {
            in_run = false;
            out.push(c);
        }
    }
    out
}

/// Masks the template actions of `text`, for a file of `shell`.
pub fn mask(text: &[u8], shell: Shell) -> Masked {
    let actions = scan(text);
    let mut out = text.to_vec();
    let standalone: Vec<bool> = actions.iter().map(|a| stands_alone(text, a)).collect();
    let blocks = pair_blocks(&actions);
    let mut shaped = vec![false; actions.len()];
    for block in &blocks {
        let fits = block.iter().all(|&i| {
            standalone[i]
                && control_mask(
                    &actions[i],
                    shell,
                    block,
                    &actions,
                    first_line_len(text, &actions[i]),
                )
                .is_some()
        });
        if fits {
            for &i in block {
                shaped[i] = true;
            }
        }
    }
    for (i, action) in actions.iter().enumerate() {
        let range = action.range.clone();
        let lines = line_segments(text, &range);
        if shaped[i] {
            let block = blocks.iter().find(|b| b.contains(&i)).map(Vec::as_slice);
            let head = control_mask(
                action,
                shell,
                block.unwrap_or(&[]),
                &actions,
                lines[0].len(),
            )
            .unwrap_or_default();
            fill(&mut out, &lines, Fill::Head(head));
        } else if standalone[i] && action.kind != Kind::Value {
            fill(&mut out, &lines, Fill::Comment);
        } else if standalone[i] {
            fill(&mut out, &lines, Fill::Word);
        } else if action.kind == Kind::Comment {
            fill(&mut out, &lines, Fill::Blank);
        } else {
            fill(&mut out, &lines, Fill::Marks);
        }
    }
    Masked {
        text: out,
        actions: actions.into_iter().map(|a| a.range).collect(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Comment,
    If,
    ElseIf,
    Else,
    Range,
    With,
    Define,
    End,
    Value,
}

#[derive(Debug, Clone)]
struct Action {
    range: Range<usize>,
    kind: Kind,
}

/// Finds every `{{ … }}` action: strings, raw strings and character constants inside an
/// action may hold `}}`; an action left open runs to the end of the text.
fn scan(text: &[u8]) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut i = 0;
    while i + 1 < text.len() {
        if !(text[i] == b'{' && text[i + 1] == b'{') {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 2;
        let mut inner_start = j;
        if text.get(j) == Some(&b'-') && text.get(j + 1).is_some_and(u8::is_ascii_whitespace) {
            inner_start = j + 1;
        }
        while inner_start < text.len() && text[inner_start].is_ascii_whitespace() {
            inner_start += 1;
        }
        let end;
        if text[inner_start..].starts_with(b"/*") {
            // A comment runs to `*/`, then the closing delimiter.
            let close = find(text, inner_start + 2, b"*/").map_or(text.len(), |at| at + 2);
            end = find(text, close, b"}}").map_or(text.len(), |at| at + 2);
            actions.push(Action {
                range: start..end,
                kind: Kind::Comment,
            });
            i = end;
            continue;
        }
        loop {
            match text.get(j) {
                None => {
                    end = text.len();
                    break;
                }
                Some(b'}') if text.get(j + 1) == Some(&b'}') => {
                    end = j + 2;
                    break;
                }
                Some(&quote @ (b'"' | b'\'')) => {
                    j += 1;
                    while j < text.len() && text[j] != quote && text[j] != b'\n' {
                        j += if text[j] == b'\\' { 2 } else { 1 };
                    }
                    j += 1;
                }
                Some(b'`') => {
                    j = find(text, j + 1, b"`").map_or(text.len(), |at| at + 1);
                }
                Some(_) => j += 1,
            }
        }
        let end = end.min(text.len());
        let inner =
            String::from_utf8_lossy(&text[inner_start..end.saturating_sub(2).max(inner_start)]);
        actions.push(Action {
            range: start..end,
            kind: kind_of(&inner),
        });
        i = end;
    }
    actions
}

fn find(text: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= text.len() {
        return None;
    }
    text[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

fn kind_of(inner: &str) -> Kind {
    let inner = inner.trim_end().trim_end_matches('-').trim();
    let mut words = inner.split_whitespace();
    match words.next() {
        Some("if") => Kind::If,
        Some("else") => match words.next() {
            Some("if") | Some("with") => Kind::ElseIf,
            _ => Kind::Else,
        },
        Some("range") => Kind::Range,
        Some("with") => Kind::With,
        Some("define") | Some("block") => Kind::Define,
        Some("end") => Kind::End,
        _ => Kind::Value,
    }
}

/// Whether an action has only white space around it on its first and last lines.
fn stands_alone(text: &[u8], action: &Action) -> bool {
    let line_start = text[..action.range.start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    let before = &text[line_start..action.range.start];
    let line_end = text[action.range.end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |at| action.range.end + at);
    let after = &text[action.range.end..line_end];
    before.iter().all(|b| *b == b' ' || *b == b'\t')
        && after.iter().all(|b| b.is_ascii_whitespace())
}

/// The actions of each `if`/`range`/`with`/`define` block: its opening, `else`s and `end`.
fn pair_blocks(actions: &[Action]) -> Vec<Vec<usize>> {
    let mut blocks = Vec::new();
    let mut open: Vec<Vec<usize>> = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        match action.kind {
            Kind::If | Kind::Range | Kind::With | Kind::Define => open.push(vec![i]),
            Kind::Else | Kind::ElseIf => {
                if let Some(block) = open.last_mut() {
                    block.push(i);
                }
            }
            Kind::End => {
                if let Some(mut block) = open.pop() {
                    block.push(i);
                    blocks.push(block);
                }
            }
            Kind::Comment | Kind::Value => {}
        }
    }
    blocks
}

/// The shell text for a control action (its first line), or `None` when it does not fit in
/// `room` bytes. Every branch gets a `:` so that no shell branch is empty.
fn control_mask(
    action: &Action,
    shell: Shell,
    block: &[usize],
    actions: &[Action],
    room: usize,
) -> Option<String> {
    let opener = block.first().map(|&i| actions[i].kind);
    let fish = shell == Shell::Fish;
    // The fixed text around the undecidable condition (a run of marks).
    let (head, tail) = match (action.kind, fish) {
        (Kind::If | Kind::With | Kind::Define, false) => ("if ", ";then"),
        (Kind::If | Kind::With | Kind::Define, true) => ("if ", ""),
        (Kind::ElseIf, false) => (":;elif ", ";then"),
        (Kind::ElseIf, true) => ("else if ", ""),
        (Kind::Range, false) => ("while ", ";do"),
        (Kind::Range, true) => ("while ", ""),
        (Kind::Else, false) => return pad(":;else", room),
        (Kind::Else, true) => return pad("else", room),
        (Kind::End, true) => return pad("end", room),
        (Kind::End, false) if opener == Some(Kind::Range) => return pad(":;done", room),
        (Kind::End, false) => return pad(":;fi", room),
        _ => return None,
    };
    if opener == Some(Kind::Range) && matches!(action.kind, Kind::Else | Kind::ElseIf) {
        return None;
    }
    let marks = room
        .checked_sub(head.len() + tail.len())
        .filter(|n| *n >= 2)?;
    Some(format!(
        "{head}{}{tail}",
        marks_with(marks, CONDITION_2, CONDITION_3)
    ))
}

fn pad(text: &str, room: usize) -> Option<String> {
    (text.len() <= room).then(|| format!("{text:room$}"))
}

/// A run of mask characters exactly `len` bytes long (`len` >= 2).
fn marks_of(len: usize) -> String {
    marks_with(len, MARK_2, MARK_3)
}

fn marks_with(len: usize, two: char, three: char) -> String {
    let threes = match len % 2 {
        0 => 0,
        _ => 1,
    };
    let twos = (len - 3 * threes) / 2;
    let mut out = String::with_capacity(len);
    out.extend(std::iter::repeat_n(three, threes));
    out.extend(std::iter::repeat_n(two, twos));
    out
}

fn first_line_len(text: &[u8], action: &Action) -> usize {
    line_segments(text, &action.range)[0].len()
}

/// The pieces of a range on each line (line breaks excluded).
fn line_segments(text: &[u8], range: &Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = range.start;
    for at in range.clone() {
        if text[at] == b'\n' {
            out.push(start..at);
            start = at + 1;
        }
    }
    out.push(start..range.end);
    out
}

enum Fill {
    /// A shell keyword line on the first line, comments after.
    Head(String),
    /// A shell comment on every line.
    Comment,
    /// A command of marks on the first line, comments after.
    Word,
    /// Marks on every line.
    Marks,
    /// Spaces.
    Blank,
}

fn fill(out: &mut [u8], lines: &[Range<usize>], how: Fill) {
    for (n, line) in lines.iter().enumerate() {
        let len = line.len();
        let piece: String = match (&how, n) {
            (Fill::Head(head), 0) => head.clone(),
            (Fill::Word | Fill::Marks, 0) | (Fill::Marks, _) if len >= 2 => marks_of(len),
            (Fill::Word | Fill::Marks, _) if len == 1 => "_".to_string(),
            (Fill::Blank, _) => " ".repeat(len),
            _ if len == 0 => String::new(),
            _ => format!("#{}", " ".repeat(len - 1)),
        };
        debug_assert_eq!(piece.len(), len);
        if piece.len() == len {
            out[line.clone()].copy_from_slice(piece.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str, shell: Shell) -> String {
        let m = mask(text.as_bytes(), shell);
        assert_eq!(m.text.len(), text.len());
        String::from_utf8(m.text)
            .expect("utf-8")
            .replace([MARK_2, CONDITION_2], "~")
            .replace([MARK_3, CONDITION_3], "%")
    }

    #[test]
    fn value_actions_become_one_word_of_the_same_length() {
        let text = "export PATH=\"{{ .goroot }}/bin:$PATH\"\n";
        let m = mask(text.as_bytes(), Shell::Bash);
        assert_eq!(m.actions, vec![13..26]);
        assert_eq!(
            masked(text, Shell::Bash),
            "export PATH=\"%~~~~~/bin:$PATH\"\n"
        );
        assert!(has_mask(std::str::from_utf8(&m.text).expect("utf-8")));
    }

    #[test]
    fn standalone_if_else_end_become_shell_conditionals() {
        let text =
            "{{ if eq .chezmoi.os \"darwin\" }}\nexport A=1\n{{- else }}\nexport A=2\n{{ end -}}\n";
        assert_eq!(
            masked(text, Shell::Bash),
            format!(
                "if {};then\nexport A=1\n:;else     \nexport A=2\n:;fi      \n",
                "~".repeat(12)
            )
        );
        assert_eq!(
            masked(text, Shell::Fish),
            format!(
                "if %{}\nexport A=1\nelse       \nexport A=2\nend       \n",
                "~".repeat(13)
            )
        );
    }

    #[test]
    fn comments_and_lone_actions_on_their_own_lines() {
        let text =
            "{{/* a note\n   on two lines */}}\n  {{ template \"path.sh\" . }}\necho {{/*x*/}}hi\n";
        let out = masked(text, Shell::Zsh);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "#          ");
        assert_eq!(lines[1], format!("#{}", " ".repeat(19)));
        assert!(lines[2].starts_with("  "));
        assert!(lines[2].trim().chars().all(|c| c == '~' || c == '%'));
        assert_eq!(lines[3], format!("echo{}hi", " ".repeat(10)));
    }

    #[test]
    fn closing_braces_inside_strings_do_not_end_an_action() {
        let text = "X={{ \"}}\" }}y\n";
        let m = mask(text.as_bytes(), Shell::Bash);
        assert_eq!(m.actions, vec![2..12]);
    }

    #[test]
    fn inline_conditionals_are_values() {
        let text = "export EDITOR={{ if .gui }}code{{ else }}vim{{ end }}\n";
        let out = masked(text, Shell::Bash);
        assert!(out.starts_with("export EDITOR=%~"), "{out}");
        assert!(out.contains("code") && out.contains("vim"));
    }

    #[test]
    fn every_grammar_reads_the_masked_text_without_an_error() {
        let posix = "{{/* managed by chezmoi */}}\nexport PATH=\"{{ .goroot }}/bin:$PATH\"\n{{- if eq .chezmoi.os \"darwin\" }}\n  {{ output \"brew\" \"shellenv\" }}\n{{ else if .work }}\nexport A={{ .a }}\n{{ else }}\n{{ end }}\n{{ range .paths }}\n{{ end }}\ncd {{ .dir | quote }} && ls\n";
        let fish = "{{/* managed */}}\nset -gx PATH {{ .goroot }}/bin $PATH\n{{ if .work }}\n{{ .x }}\n{{ else }}\nset -gx A {{ .a }}\n{{ end }}\n";
        for (text, shell) in [
            (posix, Shell::Bash),
            (posix, Shell::Zsh),
            (fish, Shell::Fish),
        ] {
            let masked = mask(text.as_bytes(), shell);
            let parse = crate::parse(&masked.text, shell, &crate::Budget::default());
            let tree = parse.tree.expect("a tree");
            assert_eq!(
                crate::error_count(&tree),
                0,
                "{shell}: {}",
                String::from_utf8_lossy(&masked.text)
            );
        }
    }
}
