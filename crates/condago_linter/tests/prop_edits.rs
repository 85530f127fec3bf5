//! Property tests for applying edits and fixes: edits in any order give the text a splice
//! from the back gives, bytes outside the edits are kept exactly (CRLF, BOM, bytes that are
//! not UTF-8), and `apply_fixes` never applies two fixes that touch.

use condago_linter::{apply_edits, apply_fixes, Applicability, Diagnostic, Edit, Fix, Severity};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![
            b"a".to_vec(),
            b"PATH".to_vec(),
            b"\r\n".to_vec(),
            b"\n".to_vec(),
            b"\xEF\xBB\xBF".to_vec(),
            "é".as_bytes().to_vec(),
            b"\xFF".to_vec(),
            b"$".to_vec(),
        ]),
        0..40,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Sorted, non-overlapping edits inside a text of `len` bytes (at most one insert at an
/// offset, and no insert where a replacement starts or ends).
fn edits(len: usize) -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec((0..=len, 0..=len, "[a-z$:~ ]{0,6}"), 0..8).prop_map(move |raw| {
        let mut cuts: Vec<(usize, usize, String)> = raw
            .into_iter()
            .map(|(a, b, content)| (a.min(b), a.max(b), content))
            .collect();
        cuts.sort();
        let mut out: Vec<Edit> = Vec::new();
        for (start, end, content) in cuts {
            let free = out.last().is_none_or(|last| last.range.end < start);
            if free {
                out.push(Edit::replace(start..end, content));
            }
        }
        out
    })
}

fn text_and_edits() -> impl Strategy<Value = (Vec<u8>, Vec<Edit>)> {
    text().prop_flat_map(|text| {
        let len = text.len();
        (Just(text), edits(len))
    })
}

/// The reference: splice each edit in, from the last to the first.
fn splice_from_the_back(text: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = text.to_vec();
    for edit in edits.iter().rev() {
        out.splice(edit.range.clone(), edit.content.bytes());
    }
    out
}

fn diagnostic(fix: Fix) -> Diagnostic {
    Diagnostic {
        code: "CG000",
        name: "test",
        severity: Severity::Warning,
        range: fix.span(),
        message: "m".to_string(),
        help: None,
        fix: Some(fix),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn edits_apply_like_a_splice_in_any_order(
        (text, edits) in text_and_edits(),
        seed in any::<u64>(),
    ) {
        let expected = splice_from_the_back(&text, &edits);
        prop_assert_eq!(apply_edits(&text, &edits), expected.clone());
        let mut shuffled = edits.clone();
        let n = shuffled.len().max(1);
        shuffled.rotate_left((seed as usize) % n);
        if seed % 2 == 0 {
            shuffled.reverse();
        }
        prop_assert_eq!(apply_edits(&text, &shuffled), expected);
    }

    #[test]
    fn bytes_outside_the_edits_are_kept((text, edits) in text_and_edits()) {
        let out = apply_edits(&text, &edits);
        let removed: usize = edits.iter().map(|e| e.range.len()).sum();
        let added: usize = edits.iter().map(|e| e.content.len()).sum();
        prop_assert_eq!(out.len(), text.len() - removed + added);
        // The text before the first edit and after the last is untouched.
        if let (Some(first), Some(last)) = (edits.first(), edits.last()) {
            prop_assert_eq!(&out[..first.range.start], &text[..first.range.start]);
            let tail = text.len() - last.range.end;
            prop_assert_eq!(&out[out.len() - tail..], &text[last.range.end..]);
        } else {
            prop_assert_eq!(out, text);
        }
    }

    /// Each edit its own fix: `apply_fixes` takes a set that does not touch, and the result
    /// is exactly those edits applied.
    #[test]
    fn fixes_taken_do_not_touch((text, edits) in text_and_edits(), unsafe_mask in any::<u8>()) {
        let diagnostics: Vec<Diagnostic> = edits
            .iter()
            .enumerate()
            .map(|(i, edit)| {
                let applicability = if unsafe_mask & (1 << (i % 8)) != 0 {
                    Applicability::Unsafe
                } else {
                    Applicability::Safe
                };
                diagnostic(Fix::new(applicability, "fix", vec![edit.clone()]))
            })
            .collect();
        for level in [Applicability::Safe, Applicability::Unsafe] {
            let (out, codes) = apply_fixes(&text, &diagnostics, level);
            let taken: Vec<Edit> = diagnostics
                .iter()
                .filter_map(|d| d.fix.as_ref())
                .filter(|fix| fix.applicability >= level)
                .flat_map(|fix| fix.edits.clone())
                .collect();
            // The generated edits never touch each other, so every eligible fix is taken.
            prop_assert_eq!(codes.len(), taken.len());
            prop_assert_eq!(out, splice_from_the_back(&text, &taken));
        }
    }

    /// Overlapping fixes: the one that starts first wins, the other waits for the next round.
    #[test]
    fn overlapping_fixes_are_not_both_taken(text in text(), a in 0usize..50, b in 0usize..50) {
        let len = text.len();
        let (a, b) = (a.min(len), b.min(len));
        let first = Edit::replace(a.min(b)..a.max(b), "x");
        let second = Edit::replace(a.min(b)..a.max(b), "y");
        let diagnostics = vec![
            diagnostic(Fix::safe("one", vec![first.clone()])),
            diagnostic(Fix::safe("two", vec![second])),
        ];
        let (out, codes) = apply_fixes(&text, &diagnostics, Applicability::Safe);
        prop_assert_eq!(codes.len(), 1);
        prop_assert_eq!(out, splice_from_the_back(&text, &[first]));
    }
}
