//! condago's findings and edits as LSP's.

use condago_linter::{Diagnostic, Edit, Severity};
use ropey::Rope;
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticSeverity, DiagnosticTag, NumberOrString, TextEdit,
};

use crate::position::{self, Encoding};

/// Where each rule's documentation lives.
pub const RULE_DOCS: &str = "https://github.com/condago/condago/blob/main/docs/rules/";

/// The `source` of every diagnostic.
pub const SOURCE: &str = "condago";

/// The documentation URL of a rule.
pub fn rule_url(code: &str) -> String {
    format!("{RULE_DOCS}{code}.md")
}

/// A finding as an LSP diagnostic.
pub fn diagnostic(finding: &Diagnostic, rope: &Rope, encoding: Encoding) -> lsp::Diagnostic {
    let severity = match finding.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    };
    // An unused suppression is dead text: editors grey it out.
    let tags = (finding.code == "CG003").then(|| vec![DiagnosticTag::UNNECESSARY]);
    lsp::Diagnostic {
        range: position::range(rope, finding.range.clone(), encoding),
        severity: Some(severity),
        code: Some(NumberOrString::String(finding.code.to_string())),
        code_description: rule_url(finding.code)
            .parse()
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: None,
        tags,
        data: None,
    }
}

/// Byte edits as LSP text edits.
pub fn text_edits(edits: &[Edit], rope: &Rope, encoding: Encoding) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|edit| TextEdit {
            range: position::range(rope, edit.range.clone(), encoding),
            new_text: edit.content.clone(),
        })
        .collect()
}

/// The smallest single edit that turns `old` into `new`: their common prefix and suffix
/// are kept, cut on character boundaries and never between a `\r` and its `\n`.
pub fn minimal_edit(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while prefix > 0
        && (!old.is_char_boundary(prefix)
            || !new.is_char_boundary(prefix)
            || (a[prefix - 1] == b'\r' && a.get(prefix) == Some(&b'\n')))
    {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    loop {
        let (old_end, new_end) = (a.len() - suffix, b.len() - suffix);
        let splits_crlf = old_end > 0 && a[old_end - 1] == b'\r' && a.get(old_end) == Some(&b'\n');
        if suffix == 0
            || (old.is_char_boundary(old_end) && new.is_char_boundary(new_end) && !splits_crlf)
        {
            break;
        }
        suffix -= 1;
    }
    Some(Edit::replace(
        prefix..a.len() - suffix,
        &new[prefix..b.len() - suffix],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(old: &str, new: &str) {
        let edit = minimal_edit(old, new).expect("an edit");
        let mut applied = old.to_string();
        applied.replace_range(edit.range.clone(), &edit.content);
        assert_eq!(applied, new);
    }

    #[test]
    fn minimal_edits_stay_on_boundaries() {
        check("a~b", "a$HOMEb");
        check("é漢\r\nx", "é字\r\nx");
        check("x\r\ny", "x\r\n# c\r\ny");
        check("a\r\n", "a\n");
        check("😀", "😁");
        check("aaa", "aa");
        assert!(minimal_edit("same", "same").is_none());
    }
}
