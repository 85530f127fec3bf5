//! Byte offsets to lines and columns, in characters, UTF-16 or UTF-8 units.

/// Where lines start in a text, for converting byte offsets.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

/// A column unit: what LSP calls the position encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    /// Unicode scalar values (characters); LSP's UTF-32.
    Utf32,
}

/// A 0-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The byte offset where a 0-based line starts (the text's end past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// The 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// The 0-based line and column of a byte offset, the column counted in `encoding`
    /// units. Invalid UTF-8 bytes count as one unit each; an offset inside a character is
    /// that character's start.
    pub fn position(&self, text: &[u8], offset: usize, encoding: Encoding) -> LineColumn {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let mut at = self.line_start(line);
        let mut column = 0;
        while at < offset {
            let (width, char_units) = char_at(&text[at..], encoding);
            if at + width > offset {
                break;
            }
            column += char_units;
            at += width;
        }
        LineColumn { line, column }
    }

    /// The byte offset of a 0-based line and column in `encoding` units; positions past
    /// the end of a line clamp to its end (before the line break), past the end of the text
    /// to the text's end, as LSP prescribes.
    pub fn offset(&self, text: &[u8], position: LineColumn, encoding: Encoding) -> usize {
        if position.line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[position.line];
        let mut end = self.line_start(position.line + 1).min(text.len());
        while end > start && matches!(text[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        let line = &text[start..end];
        let mut units = 0;
        let mut at = 0;
        while at < line.len() && units < position.column {
            let (width, char_units) = char_at(&line[at..], encoding);
            if units + char_units > position.column {
                break;
            }
            units += char_units;
            at += width;
        }
        start + at
    }
}

/// The number of `encoding` units in a byte string.
pub fn column_units(bytes: &[u8], encoding: Encoding) -> usize {
    let mut units = 0;
    let mut at = 0;
    while at < bytes.len() {
        let (width, char_units) = char_at(&bytes[at..], encoding);
        units += char_units;
        at += width;
    }
    units
}

/// The byte width and unit count of the character at the start of `bytes`.
fn char_at(bytes: &[u8], encoding: Encoding) -> (usize, usize) {
    let width = match bytes[0] {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    };
    let width = width.min(bytes.len());
    if std::str::from_utf8(&bytes[..width]).is_err() {
        return (1, 1);
    }
    let units = match encoding {
        Encoding::Utf8 => width,
        Encoding::Utf16 => {
            if width == 4 {
                2
            } else {
                1
            }
        }
        Encoding::Utf32 => 1,
    };
    (width, units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_each_encoding() {
        let text = "a\r\nx😀é = 1\n".as_bytes();
        let index = LineIndex::new(text);
        let offset = text.iter().position(|&b| b == b'=').unwrap_or(0);
        let pos = |e| index.position(text, offset, e);
        assert_eq!(pos(Encoding::Utf8), LineColumn { line: 1, column: 8 });
        assert_eq!(pos(Encoding::Utf16), LineColumn { line: 1, column: 5 });
        assert_eq!(pos(Encoding::Utf32), LineColumn { line: 1, column: 4 });
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            assert_eq!(index.offset(text, pos(encoding), encoding), offset);
        }
        // Past the end of the first line: clamps before its CRLF.
        let end = index.offset(
            text,
            LineColumn {
                line: 0,
                column: 99,
            },
            Encoding::Utf16,
        );
        assert_eq!(end, 1);
        assert_eq!(
            index.offset(text, LineColumn { line: 9, column: 0 }, Encoding::Utf16),
            text.len()
        );
    }

    #[test]
    fn an_offset_inside_a_character_is_its_start() {
        // Found by the property tests (tests/prop_lines.rs): the second byte of `€` came
        // out at column 2 and the character's end at column 1.
        let text = "a€".as_bytes();
        let index = LineIndex::new(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let start = index.position(text, 1, encoding);
            assert_eq!(index.position(text, 2, encoding), start);
            assert_eq!(index.position(text, 3, encoding), start);
            assert!(index.position(text, 4, encoding) > start);
        }
    }
}
