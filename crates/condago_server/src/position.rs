//! LSP positions and byte offsets, in the negotiated position encoding.
//!
//! The text lives in a [`Rope`] built without `unicode_lines`, so its lines break exactly
//! where LSP's do: at `\n`, `\r\n` and a lone `\r` (not at U+2028, NEL, VT or FF).

use ropey::Rope;
use tower_lsp_server::ls_types::{ClientCapabilities, Position, PositionEncodingKind, Range};

/// What a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

/// The encoding both sides use, and how it was agreed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    pub encoding: Encoding,
    /// Agreed through clangd's `offsetEncoding` extension (older Neovim, some clients),
    /// so the answer goes in `InitializeResult.offsetEncoding` too.
    pub via_offset_encoding: bool,
}

impl Encoding {
    /// The encoding to use with a client: UTF-8 when it offers it (no conversion at all),
    /// else UTF-32 when it offers that, else UTF-16, which every client supports.
    pub fn negotiate(capabilities: &ClientCapabilities) -> Negotiated {
        let offered: Option<Vec<String>> = capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_ref())
            .map(|kinds| kinds.iter().map(|kind| kind.as_str().to_string()).collect());
        let (offered, via_offset_encoding) = match offered {
            Some(offered) => (offered, false),
            None => match &capabilities.offset_encoding {
                Some(offered) => (offered.clone(), true),
                None => (Vec::new(), false),
            },
        };
        let has = |name: &str| offered.iter().any(|kind| kind == name);
        let encoding = if has("utf-8") {
            Encoding::Utf8
        } else if has("utf-32") {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        };
        Negotiated {
            encoding,
            via_offset_encoding,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf32 => "utf-32",
        }
    }
}

/// The char index where a line's text ends, before its line break.
fn line_end_char(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_char(line);
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
        if len > 0 && slice.char(len - 1) == '\r' {
            len -= 1;
        }
    } else if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    start + len
}

/// The byte offset of a position. As LSP prescribes, a `character` past the end of its line
/// means the line's end, and a line past the last one means the end of the text; a position
/// inside a character (a UTF-8 continuation byte, half a surrogate pair) means its start.
pub fn offset(rope: &Rope, position: Position, encoding: Encoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let column = position.character as usize;
    let start = rope.line_to_char(line);
    let end = line_end_char(rope, line);
    let char_index = match encoding {
        Encoding::Utf8 => {
            let start_byte = rope.char_to_byte(start);
            let end_byte = rope.char_to_byte(end);
            rope.byte_to_char(start_byte.saturating_add(column).min(end_byte))
        }
        Encoding::Utf16 => {
            let start_unit = rope.char_to_utf16_cu(start);
            let end_unit = rope.char_to_utf16_cu(end);
            rope.utf16_cu_to_char(start_unit.saturating_add(column).min(end_unit))
        }
        Encoding::Utf32 => start.saturating_add(column).min(end),
    };
    rope.char_to_byte(char_index)
}

/// The position of a byte offset. An offset inside a character counts as its start; one
/// inside a line break (between `\r` and `\n`) as the end of the line's text.
pub fn position(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let char_index = rope.byte_to_char(offset);
    let line = rope.char_to_line(char_index);
    let start = rope.line_to_char(line);
    let char_index = char_index.min(line_end_char(rope, line));
    let column = match encoding {
        Encoding::Utf8 => rope.char_to_byte(char_index) - rope.char_to_byte(start),
        Encoding::Utf16 => rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(start),
        Encoding::Utf32 => char_index - start,
    };
    Position::new(to_u32(line), to_u32(column))
}

/// The byte offset the client sees for `offset`: the start of the character it is in, and
/// the end of the line's text when it is inside a line break.
pub fn snap(rope: &Rope, offset: usize) -> usize {
    self::offset(
        rope,
        position(rope, offset, Encoding::Utf32),
        Encoding::Utf32,
    )
}

/// The LSP range of a byte range.
pub fn range(rope: &Rope, bytes: std::ops::Range<usize>, encoding: Encoding) -> Range {
    Range::new(
        position(rope, bytes.start, encoding),
        position(rope, bytes.end.max(bytes.start), encoding),
    )
}

/// The byte range of an LSP range (a reversed range is read as empty at its start).
pub fn byte_range(rope: &Rope, range: Range, encoding: Encoding) -> std::ops::Range<usize> {
    let start = offset(rope, range.start, encoding);
    let end = offset(rope, range.end, encoding);
    start..end.max(start)
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    const TEXT: &str = "a\tb\r\nx😀é漢 = 1\rlone\n\u{2028}sep\n";

    #[test]
    fn lines_break_where_lsp_says() {
        let rope = Rope::from_str(TEXT);
        // "a\tb", "x😀é漢 = 1", "lone", "\u{2028}sep", "" — U+2028 is not a break.
        assert_eq!(rope.len_lines(), 5);
        let sep = TEXT.find('\u{2028}').expect("separator");
        assert_eq!(position(&rope, sep + 3, Encoding::Utf16), pos(3, 1));
    }

    #[test]
    fn columns_in_each_encoding_round_trip() {
        let rope = Rope::from_str(TEXT);
        let eq = TEXT.find('=').expect("=");
        for (encoding, column) in [
            (Encoding::Utf8, 11),
            (Encoding::Utf16, 6),
            (Encoding::Utf32, 5),
        ] {
            assert_eq!(
                position(&rope, eq, encoding),
                pos(1, column),
                "{encoding:?}"
            );
            assert_eq!(offset(&rope, pos(1, column), encoding), eq, "{encoding:?}");
        }
        // The tab counts as one unit.
        assert_eq!(offset(&rope, pos(0, 2), Encoding::Utf16), 2);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let rope = Rope::from_str(TEXT);
        // Past the end of a CRLF line: before the `\r`.
        assert_eq!(offset(&rope, pos(0, 99), Encoding::Utf16), 3);
        // Past the end of a CR line.
        let cr = TEXT.find('\r').expect("cr");
        let lone_cr = TEXT[cr + 1..].find('\r').expect("second cr") + cr + 1;
        assert_eq!(offset(&rope, pos(1, 99), Encoding::Utf8), lone_cr);
        // Past the last line.
        assert_eq!(offset(&rope, pos(99, 0), Encoding::Utf32), TEXT.len());
        // Inside the emoji: its start.
        let emoji = TEXT.find('😀').expect("emoji");
        assert_eq!(offset(&rope, pos(1, 2), Encoding::Utf16), emoji);
        assert_eq!(offset(&rope, pos(1, 3), Encoding::Utf8), emoji);
    }

    #[test]
    fn offsets_inside_line_breaks_and_characters() {
        let rope = Rope::from_str(TEXT);
        // Between `\r` and `\n`: the end of the line's text.
        assert_eq!(position(&rope, 4, Encoding::Utf16), pos(0, 3));
        assert_eq!(position(&rope, 5, Encoding::Utf16), pos(1, 0));
        let emoji = TEXT.find('😀').expect("emoji");
        assert_eq!(position(&rope, emoji + 2, Encoding::Utf16), pos(1, 1));
        assert_eq!(position(&rope, TEXT.len(), Encoding::Utf16), pos(4, 0));
    }

    #[test]
    fn negotiation_prefers_utf8_then_utf32() {
        use tower_lsp_server::ls_types::GeneralClientCapabilities;
        let with = |kinds: Option<Vec<PositionEncodingKind>>| ClientCapabilities {
            general: Some(GeneralClientCapabilities {
                position_encodings: kinds,
                ..Default::default()
            }),
            ..Default::default()
        };
        let utf16 = PositionEncodingKind::UTF16;
        let utf8 = PositionEncodingKind::UTF8;
        let utf32 = PositionEncodingKind::UTF32;
        let cases = [
            (with(None), Encoding::Utf16),
            (with(Some(vec![utf16.clone()])), Encoding::Utf16),
            (with(Some(vec![utf16.clone(), utf8])), Encoding::Utf8),
            (with(Some(vec![utf16, utf32])), Encoding::Utf32),
        ];
        for (capabilities, expected) in cases {
            assert_eq!(Encoding::negotiate(&capabilities).encoding, expected);
        }
        let clangd = ClientCapabilities {
            offset_encoding: Some(vec!["utf-8".into(), "utf-16".into()]),
            ..Default::default()
        };
        let negotiated = Encoding::negotiate(&clangd);
        assert_eq!(negotiated.encoding, Encoding::Utf8);
        assert!(negotiated.via_offset_encoding);
    }
}
