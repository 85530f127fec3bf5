//! Property tests for position conversion: byte offsets ↔ line and column in UTF-8, UTF-16
//! and UTF-32 units, on texts mixing 1- to 4-byte characters, CRLF and lone CR line
//! endings, and bytes that are not UTF-8.

use condago_linter::lines::{column_units, Encoding, LineColumn, LineIndex};
use proptest::prelude::*;

const ENCODINGS: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

/// Pieces texts are made of: ASCII, 2-, 3- and 4-byte characters, line endings, tabs.
const PIECES: &[&str] = &[
    "a", "PATH", " ", "\t", "=", "$", "é", "€", "漢", "😀", "🇫🇷", "\n", "\r\n", "\r", "~/go/bin",
];

fn valid_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|pieces| pieces.concat())
}

/// Texts that may hold bytes that are not UTF-8 (lone continuation bytes, cut sequences).
fn any_text() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
            1 => prop::sample::select(vec![
                vec![0xFF],
                vec![0x80],
                vec![0xC3],
                vec![0xE2, 0x82],
                vec![0xF0, 0x9F, 0x98],
                vec![0xED, 0xA0, 0x80],
            ]),
        ],
        0..60,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Where a text's line break run (`\n`, `\r\n`, trailing `\r`s) starts on the line of
/// `offset`: positions past it are not addressable by line and column.
fn line_content_end(text: &[u8], index: &LineIndex, line: usize) -> usize {
    let start = index.line_start(line);
    let mut end = index.line_start(line + 1).min(text.len());
    while end > start && matches!(text[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    end
}

fn units(text: &str, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => text.len(),
        Encoding::Utf16 => text.encode_utf16().count(),
        Encoding::Utf32 => text.chars().count(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every character boundary before a line's break converts to a line and column and
    /// back to itself, in each encoding, and the column counts what the standard library
    /// counts.
    #[test]
    fn offset_to_position_and_back(text in valid_text()) {
        let bytes = text.as_bytes();
        let index = LineIndex::new(bytes);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let line = index.line_of(offset);
            prop_assert_eq!(line, text[..offset].matches('\n').count());
            if offset > line_content_end(bytes, &index, line) {
                continue;
            }
            let line_start = index.line_start(line);
            for encoding in ENCODINGS {
                let position = index.position(bytes, offset, encoding);
                prop_assert_eq!(position.line, line);
                prop_assert_eq!(position.column, units(&text[line_start..offset], encoding));
                prop_assert_eq!(index.offset(bytes, position, encoding), offset, "{:?}", encoding);
            }
        }
    }

    /// Positions grow with offsets.
    #[test]
    fn positions_are_monotonic(text in any_text()) {
        let index = LineIndex::new(&text);
        for encoding in ENCODINGS {
            let mut previous = LineColumn { line: 0, column: 0 };
            for offset in 0..=text.len() {
                let position = index.position(&text, offset, encoding);
                prop_assert!(position >= previous, "{:?} then {:?} at {}", previous, position, offset);
                previous = position;
            }
        }
    }

    /// Any line and column, however far out, gives an offset in the text, on its line,
    /// before the line's break, and on a character boundary when the text is UTF-8.
    #[test]
    fn any_position_clamps_into_the_text(
        text in valid_text(),
        line in 0usize..40,
        column in 0usize..200,
    ) {
        let bytes = text.as_bytes();
        let index = LineIndex::new(bytes);
        for encoding in ENCODINGS {
            let offset = index.offset(bytes, LineColumn { line, column }, encoding);
            prop_assert!(offset <= text.len());
            prop_assert!(text.is_char_boundary(offset));
            if line < index.line_count() {
                prop_assert!(offset >= index.line_start(line));
                prop_assert!(offset <= line_content_end(bytes, &index, line));
            } else {
                prop_assert_eq!(offset, text.len());
            }
        }
    }

    /// A column inside a surrogate pair (UTF-16) or a character (UTF-8) resolves to the
    /// start of that character, never into its middle.
    #[test]
    fn columns_inside_a_character_resolve_to_its_start(
        prefix in valid_text(),
        column_bump in 1usize..4,
    ) {
        let prefix: String = prefix.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        let text = format!("{prefix}😀x");
        let bytes = text.as_bytes();
        let index = LineIndex::new(bytes);
        let emoji = prefix.len();
        for (encoding, inside) in [(Encoding::Utf16, 1), (Encoding::Utf8, column_bump.min(3))] {
            let column = units(&prefix, encoding) + inside;
            let offset = index.offset(bytes, LineColumn { line: 0, column }, encoding);
            prop_assert_eq!(offset, emoji, "{:?}", encoding);
        }
    }

    /// Bytes that are not UTF-8 count one unit each in every encoding, the characters
    /// around them what they always count, and nothing panics.
    #[test]
    fn invalid_bytes_count_one_unit(text in any_text()) {
        for encoding in ENCODINGS {
            let expected: usize = text
                .utf8_chunks()
                .map(|chunk| units(chunk.valid(), encoding) + chunk.invalid().len())
                .sum();
            prop_assert_eq!(column_units(&text, encoding), expected, "{:?}", encoding);
        }
        let index = LineIndex::new(&text);
        for encoding in ENCODINGS {
            for offset in 0..=text.len() {
                let position = index.position(&text, offset, encoding);
                prop_assert!(index.offset(&text, position, encoding) <= text.len());
            }
        }
    }
}
