//! Dockerfiles at the level the builder reads them: instructions, their continuation lines,
//! comments inside continuations, heredocs and the `escape` parser directive, with the byte
//! range of every part. What a `RUN` says is shell code, parsed by the shell grammars.
//!
//! Written after BuildKit's own line parser rather than taken from a tree-sitter grammar:
//! the published ones either need another tree-sitter than condago's or turn one legacy line
//! (`ENV KEY value with spaces`) into an error node that swallows the following `RUN`s.
//! The builder's rules at this level are few and fixed, and every byte is accounted for.

use std::ops::Range;

/// A Dockerfile split into instructions.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    /// The escape character: `\` unless a `# escape=` directive says `` ` ``.
    pub escape: u8,
    pub instructions: Vec<Instruction>,
}

/// One instruction, with every continuation line and heredoc it spans.
#[derive(Debug, Clone)]
pub struct Instruction {
    /// The keyword in upper case (`RUN`, `ENV`, …).
    pub keyword: String,
    pub keyword_range: Range<usize>,
    /// From the keyword to the end of its last line or heredoc (newline excluded).
    pub range: Range<usize>,
    /// `--mount=…`, `--chown=…`: each flag's text and range.
    pub flags: Vec<(String, Range<usize>)>,
    /// After the keyword and its flags, to the end of the logical line (heredoc bodies
    /// excluded; continuations and comment lines included).
    pub args_range: Range<usize>,
    /// The arguments as the builder joins them: continuations and comment lines removed.
    pub args: String,
    /// The exec (JSON array) form's strings, when the arguments are one.
    pub json: Option<Vec<String>>,
    /// Comment lines (and blank lines) inside the continuation, which the builder drops.
    pub dropped_lines: Vec<Range<usize>>,
    /// Each line continuation: the escape character, trailing blanks and the newline.
    pub continuations: Vec<Range<usize>>,
    pub heredocs: Vec<Heredoc>,
}

/// `<<EOF … EOF` after a `RUN`, `COPY` or `ADD`.
#[derive(Debug, Clone)]
pub struct Heredoc {
    pub name: String,
    /// The `<<EOF` (or `<<-"EOF"`) word.
    pub marker_range: Range<usize>,
    /// `<<-`: leading tabs are stripped.
    pub strip_tabs: bool,
    /// The body lines, the final newline included.
    pub body: Range<usize>,
    /// The terminating line, when there is one.
    pub terminator: Option<Range<usize>>,
}

impl Dockerfile {
    /// The instructions with this keyword.
    pub fn with_keyword<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Instruction> {
        self.instructions
            .iter()
            .filter(move |instruction| instruction.keyword == keyword)
    }
}

/// Splits a Dockerfile into instructions. Never fails: what is not an instruction is
/// skipped (the builder would reject it, and nothing condago says depends on it).
pub fn parse(source: &[u8]) -> Dockerfile {
    let lines = physical_lines(source);
    let escape = escape_directive(source, &lines);
    let mut instructions = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].clone();
        let text = &source[line.clone()];
        let start = line.start + leading_blanks(text);
        let first = source.get(start).copied();
        if start >= line.end
            || first == Some(b'#')
            || !first.is_some_and(|b| b.is_ascii_alphabetic())
        {
            index += 1;
            continue;
        }
        let (instruction, next) = read_instruction(source, &lines, index, start, escape);
        instructions.push(instruction);
        index = next;
    }
    Dockerfile {
        escape,
        instructions,
    }
}

/// The lines of a text, without their `\n` (and a `\r` before it).
fn physical_lines(source: &[u8]) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (at, byte) in source.iter().enumerate() {
        if *byte == b'\n' {
            let end = if at > start && source[at - 1] == b'\r' {
                at - 1
            } else {
                at
            };
            lines.push(start..end);
            start = at + 1;
        }
    }
    if start < source.len() {
        lines.push(start..source.len());
    }
    lines
}

fn leading_blanks(text: &[u8]) -> usize {
    text.iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

/// The `# escape=` parser directive: only among the comment lines at the very top.
fn escape_directive(source: &[u8], lines: &[Range<usize>]) -> u8 {
    for line in lines {
        let text = String::from_utf8_lossy(&source[line.clone()]);
        let Some(comment) = text.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = comment.split_once('=') else {
            break;
        };
        if key.trim().eq_ignore_ascii_case("escape") {
            if value.trim() == "`" {
                return b'`';
            }
            break;
        }
    }
    b'\\'
}

/// Where a line continues: the escape character followed only by blanks.
fn continuation_at(source: &[u8], line: &Range<usize>, escape: u8) -> Option<usize> {
    let text = &source[line.clone()];
    let trimmed = text.len()
        - text
            .iter()
            .rev()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
    (trimmed > 0 && text[trimmed - 1] == escape).then_some(line.start + trimmed - 1)
}

fn read_instruction(
    source: &[u8],
    lines: &[Range<usize>],
    first_line: usize,
    start: usize,
    escape: u8,
) -> (Instruction, usize) {
    let keyword_end = start
        + source[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
    let keyword = String::from_utf8_lossy(&source[start..keyword_end]).to_ascii_uppercase();
    let mut args = String::new();
    let mut dropped_lines = Vec::new();
    let mut continuations = Vec::new();
    let mut pieces: Vec<Range<usize>> = Vec::new();
    let mut index = first_line;
    let mut piece_start = keyword_end;
    let mut end;
    loop {
        let line = lines[index].clone();
        end = line.end;
        match continuation_at(source, &line, escape) {
            Some(at) => {
                pieces.push(piece_start..at);
                let newline_end = lines.get(index + 1).map_or(source.len(), |next| next.start);
                continuations.push(at..newline_end);
                index += 1;
                // Comment lines and blank lines inside a continuation are dropped.
                while let Some(next) = lines.get(index) {
                    let text = &source[next.clone()];
                    let blanks = leading_blanks(text);
                    if blanks == text.len() || text[blanks] == b'#' {
                        dropped_lines.push(next.clone());
                        index += 1;
                    } else {
                        break;
                    }
                }
                match lines.get(index) {
                    Some(next) => piece_start = next.start,
                    None => break,
                }
            }
            None => {
                pieces.push(piece_start..line.end);
                index += 1;
                break;
            }
        }
    }
    for piece in &pieces {
        args.push_str(&String::from_utf8_lossy(&source[piece.clone()]));
    }
    let args_start = keyword_end + leading_blanks(&source[keyword_end..end.max(keyword_end)]);
    let lead = args.len() - args.trim_start().len();
    let args = args[lead..].trim_end().to_string();
    let (flags, args_range, body_args) = split_flags(source, &keyword, args_start, end, &args);
    let json = parse_json_array(&body_args);
    let mut heredocs = Vec::new();
    if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") && json.is_none() {
        for (name, strip_tabs, marker_range) in heredoc_markers(source, args_range.clone()) {
            let body_start = lines.get(index).map_or(source.len(), |line| line.start);
            let mut terminator = None;
            while let Some(line) = lines.get(index) {
                let text = String::from_utf8_lossy(&source[line.clone()]);
                let candidate = if strip_tabs {
                    text.trim_start_matches('\t')
                } else {
                    &text
                };
                index += 1;
                if candidate == name {
                    terminator = Some(line.clone());
                    break;
                }
            }
            let body_end = terminator
                .as_ref()
                .map_or(source.len(), |line: &Range<usize>| line.start);
            if let Some(line) = &terminator {
                end = line.end;
            } else {
                end = source.len();
            }
            heredocs.push(Heredoc {
                name,
                marker_range,
                strip_tabs,
                body: body_start..body_end,
                terminator,
            });
        }
    }
    let instruction = Instruction {
        keyword,
        keyword_range: start..keyword_end,
        range: start..end,
        flags,
        args_range,
        args: body_args,
        json,
        dropped_lines,
        continuations,
        heredocs,
    };
    (instruction, index)
}

/// An instruction's flags, where its arguments start, and the arguments after the flags.
type SplitFlags = (Vec<(String, Range<usize>)>, Range<usize>, String);

/// Splits leading `--flag=value` words off the arguments of the instructions that take them.
fn split_flags(
    source: &[u8],
    keyword: &str,
    args_start: usize,
    end: usize,
    args: &str,
) -> SplitFlags {
    let mut flags = Vec::new();
    let mut at = args_start;
    let mut rest = args;
    if matches!(keyword, "RUN" | "COPY" | "ADD" | "FROM" | "HEALTHCHECK") {
        while rest.starts_with("--") {
            let word_len = rest.find([' ', '\t']).unwrap_or(rest.len());
            let word = &rest[..word_len];
            // Find the flag in the source (continuations may sit between flags).
            let found = find_bytes(&source[at..end], word.as_bytes()).map(|offset| at + offset);
            let range = found.map_or(at..at, |s| s..s + word.len());
            flags.push((word.to_string(), range.clone()));
            at = range.end;
            rest = rest[word_len..].trim_start();
        }
    }
    // The body starts at the first byte of `rest` in the source.
    let body_start = if rest.is_empty() {
        end
    } else {
        let probe = &rest.as_bytes()[..rest.len().min(8)];
        find_bytes(&source[at..end], probe).map_or(at, |offset| at + offset)
    };
    (flags, body_start..end.max(body_start), rest.to_string())
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` in an instruction's arguments, outside quotes.
fn heredoc_markers(source: &[u8], range: Range<usize>) -> Vec<(String, bool, Range<usize>)> {
    let text = &source[range.clone()];
    let mut found = Vec::new();
    let mut quote: Option<u8> = None;
    let mut at = 0;
    while at < text.len() {
        let byte = text[at];
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'\'' || byte == b'"' => quote = Some(byte),
            None if text[at..].starts_with(b"<<") && !text[at + 2..].starts_with(b"<") => {
                let mut cursor = at + 2;
                let strip_tabs = text.get(cursor) == Some(&b'-');
                if strip_tabs {
                    cursor += 1;
                }
                let opening = text
                    .get(cursor)
                    .copied()
                    .filter(|b| *b == b'"' || *b == b'\'');
                if opening.is_some() {
                    cursor += 1;
                }
                let name_start = cursor;
                while cursor < text.len()
                    && (text[cursor].is_ascii_alphanumeric() || text[cursor] == b'_')
                {
                    cursor += 1;
                }
                let name = String::from_utf8_lossy(&text[name_start..cursor]).to_string();
                if let Some(q) = opening {
                    if text.get(cursor) == Some(&q) {
                        cursor += 1;
                    }
                }
                let starts_word = name
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
                if starts_word {
                    found.push((name, strip_tabs, range.start + at..range.start + cursor));
                }
                at = cursor;
                continue;
            }
            None => {}
        }
        at += 1;
    }
    found
}

/// The exec form: a JSON array of strings, or `None`.
fn parse_json_array(args: &str) -> Option<Vec<String>> {
    let text = args.trim();
    if !text.starts_with('[') || !text.ends_with(']') {
        return None;
    }
    let inner = &text[1..text.len() - 1];
    let mut items = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => break,
            Some('"') => {}
            Some(_) => return None,
        }
        let mut item = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => item.push('\n'),
                    't' => item.push('\t'),
                    other => item.push(other),
                },
                other => item.push(other),
            }
        }
        items.push(item);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => break,
            Some(',') => {}
            Some(_) => return None,
        }
    }
    Some(items)
}

/// Splits an instruction's arguments into words as the builder does for `ENV`, `ARG` and
/// `USER`: blanks separate words, quotes group and are removed, the escape character
/// escapes. Each word comes with its offset in `args`.
pub fn words(args: &str, escape: u8) -> Vec<(String, Range<usize>)> {
    let escape = escape as char;
    let mut words = Vec::new();
    let mut current = String::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    let mut chars = args.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if quote.is_none() && (c == ' ' || c == '\t') {
            if let Some(begin) = start.take() {
                words.push((std::mem::take(&mut current), begin..at));
            }
            continue;
        }
        start.get_or_insert(at);
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => current.push(c),
            (_, c) if c == escape => {
                if let Some((_, next)) = chars.next() {
                    // `\$` keeps the dollar literal; mark it so expansion skips it.
                    if next == '$' {
                        current.push('\u{0}');
                    }
                    current.push(next);
                }
            }
            (_, c) => current.push(c),
        }
    }
    if let Some(begin) = start {
        words.push((current, begin..args.len()));
    }
    words
}

/// Replaces `$VAR`, `${VAR}`, `${VAR:-word}` and `${VAR:+word}` as the builder does in
/// `ENV`, `ARG`, `USER` and friends; unknown variables become empty.
pub fn substitute(word: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let chars: Vec<char> = word.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if c == '\u{0}' {
            // An escaped `$`: literal.
            if let Some(next) = chars.get(at + 1) {
                out.push(*next);
            }
            at += 2;
            continue;
        }
        if c != '$' {
            out.push(c);
            at += 1;
            continue;
        }
        if chars.get(at + 1) == Some(&'{') {
            let Some(close) = chars[at + 2..].iter().position(|c| *c == '}') else {
                out.extend(&chars[at..]);
                break;
            };
            let inner: String = chars[at + 2..at + 2 + close].iter().collect();
            at += close + 3;
            let (name, modifier) = match inner.find(':') {
                Some(colon) => (&inner[..colon], Some(&inner[colon..])),
                None => (inner.as_str(), None),
            };
            let value = lookup(name).filter(|v| !v.is_empty());
            match modifier {
                Some(m) if m.starts_with(":-") => {
                    out.push_str(&value.unwrap_or_else(|| m[2..].to_string()))
                }
                Some(m) if m.starts_with(":+") => {
                    if value.is_some() {
                        out.push_str(&m[2..]);
                    }
                }
                _ => out.push_str(&value.unwrap_or_default()),
            }
            continue;
        }
        let name_len = chars[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
            .count();
        if name_len == 0 {
            out.push('$');
            at += 1;
            continue;
        }
        let name: String = chars[at + 1..at + 1 + name_len].iter().collect();
        out.push_str(&lookup(&name).unwrap_or_default());
        at += 1 + name_len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# syntax=docker/dockerfile:1\nFROM debian:12 AS base\nENV FOO bar baz\nRUN apt-get update \\\n    # why\n\n    && apt-get install -y curl\nRUN --mount=type=cache,target=/var/cache/apt <<EOT bash\nset -e\necho hi\nEOT\nCMD [\"bash\", \"-l\"]\n";

    #[test]
    fn splits_instructions_with_continuations_comments_and_heredocs() {
        let file = parse(SAMPLE.as_bytes());
        let keywords: Vec<&str> = file
            .instructions
            .iter()
            .map(|i| i.keyword.as_str())
            .collect();
        assert_eq!(keywords, ["FROM", "ENV", "RUN", "RUN", "CMD"]);
        let run = &file.instructions[2];
        assert_eq!(run.args, "apt-get update     && apt-get install -y curl");
        assert_eq!(run.dropped_lines.len(), 2);
        assert_eq!(run.continuations.len(), 1);
        let heredoc_run = &file.instructions[3];
        assert_eq!(heredoc_run.flags.len(), 1);
        assert_eq!(
            heredoc_run.flags[0].0,
            "--mount=type=cache,target=/var/cache/apt"
        );
        assert_eq!(heredoc_run.args, "<<EOT bash");
        let heredoc = &heredoc_run.heredocs[0];
        assert_eq!(&SAMPLE[heredoc.body.clone()], "set -e\necho hi\n");
        assert_eq!(&SAMPLE[heredoc_run.args_range.clone()], "<<EOT bash");
        assert_eq!(
            file.instructions[4].json.as_deref(),
            Some(&["bash".to_string(), "-l".to_string()][..])
        );
    }

    #[test]
    fn escape_directive_changes_the_continuation_character() {
        let text = "# escape=`\nFROM x\nRUN echo a `\n  b\n";
        let file = parse(text.as_bytes());
        assert_eq!(file.escape, b'`');
        assert_eq!(file.instructions[1].args, "echo a   b");
    }

    #[test]
    fn words_and_substitution_follow_the_builder() {
        let split = words(r#"PATH="/opt/conda/bin:$PATH" A=b\ c"#, b'\\');
        assert_eq!(split[0].0, "PATH=/opt/conda/bin:$PATH");
        assert_eq!(split[1].0, "A=b c");
        let lookup = |name: &str| (name == "PATH").then(|| "/usr/bin".to_string());
        assert_eq!(
            substitute(&split[0].0, &lookup),
            "PATH=/opt/conda/bin:/usr/bin"
        );
        assert_eq!(substitute("${X:-/go}/bin", &lookup), "/go/bin");
        assert_eq!(substitute("${PATH:+x}", &lookup), "x");
    }

    #[test]
    fn any_bytes_parse_without_panicking() {
        for text in [
            &b"RUN \\"[..],
            b"RUN <<",
            b"RUN <<-'E",
            b"\xff\xfeRUN x\n",
            b"ENV ${",
            b"[",
        ] {
            let _ = parse(text);
        }
    }
}
