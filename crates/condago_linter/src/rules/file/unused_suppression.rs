use crate::diagnostic::{Applicability, Severity};
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `# condago: disable=…` and `# condago: disable-file=…` comments (or single
    /// codes in them) that suppress nothing, and codes that name no rule.
    ///
    /// ## Why is this bad?
    /// A suppression that no longer suppresses anything hides the next real finding on that
    /// line, and tells readers something is wrong where nothing is.
    ///
    /// ## Example
    /// ```bash
    /// export PATH="$HOME/bin:$PATH"  # condago: disable=CG102
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH="$HOME/bin:$PATH"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: removes the comment (or just the unused codes); behaviour is unchanged.
    pub(crate) const RULE = Rule {
        code: "CG003",
        name: "unused-suppression",
        summary: "a `condago: disable` comment that suppresses nothing",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Always(Applicability::Safe),
        opt_in: false,
        check: Check::Driver,
    };
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use condago_syntax::{Detection, DetectionSource, Shell};

    use crate::rules::test_support::*;
    use crate::Settings;

    fn detection() -> Detection {
        Detection {
            shell: Shell::Bash,
            source: DetectionSource::FileName,
            read_by_sh: false,
        }
    }

    fn fix_all(source: &str) -> String {
        let outcome = crate::fix_until_stable(
            Path::new(".bashrc"),
            source.as_bytes(),
            detection(),
            &Settings::default(),
            crate::Applicability::Safe,
        );
        String::from_utf8_lossy(&outcome.text).into_owned()
    }

    fn all_codes(source: &str) -> Vec<&'static str> {
        let detection = Detection {
            shell: Shell::Bash,
            source: DetectionSource::FileName,
            read_by_sh: false,
        };
        // Not `.bashrc`: CG104 reports every bare `PATH` prepend there.
        crate::lint(
            Path::new(".bash_profile"),
            source.as_bytes(),
            detection,
            &Settings::default(),
        )
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect()
    }

    #[test]
    fn used_suppressions_hide_findings() {
        assert!(all_codes("export PATH=\"~/bin:$PATH\"  # condago: disable=CG102\n").is_empty());
        assert!(
            all_codes("# condago: disable=path-tilde-quoted\nexport PATH=\"~/bin:$PATH\"\n")
                .is_empty()
        );
        assert!(
            all_codes("# condago: disable-file=CG102\necho\nexport PATH=\"~/bin:$PATH\"\n")
                .is_empty()
        );
    }

    #[test]
    fn suppression_two_lines_above_does_not_count() {
        let codes = all_codes("# condago: disable=CG102\n\nexport PATH=\"~/bin:$PATH\"\n");
        assert_eq!(codes, vec!["CG003", "CG102"]);
    }

    #[test]
    fn unused_and_unknown_codes_are_reported_and_removed() {
        let source = "export PATH=\"$HOME/bin:$PATH\"  # condago: disable=CG102\n";
        assert_eq!(all_codes(source), vec!["CG003"]);
        assert_eq!(fix_all(source), "export PATH=\"$HOME/bin:$PATH\"\n");
        let own_line = "# condago: disable=CG999\nexport A=1\n";
        let found = findings("CG003", Shell::Bash, own_line);
        assert!(
            found[0].message.contains("not a condago rule"),
            "{}",
            found[0].message
        );
        assert_eq!(fix_all(own_line), "export A=1\n");
    }

    #[test]
    fn a_marker_inside_a_word_or_quotes_is_not_a_comment() {
        // Found by fuzzing (`scripts/fuzz`, target fix): the "comment" was part of a quoted
        // value, and removing it removed the closing quote.
        for source in [
            "export PATH=\"$HOME/x# condago: disable-file=go/bin:$PATH\"\n",
            "export PATH=\"$HOME/x # condago: disable=CG102 $PATH\"\n",
            "echo a# condago: disable=CG102\n",
            // A string over several lines.
            "export A=\"x\n# condago: disable-file=CG102 y\"\n",
        ] {
            assert!(!all_codes(source).contains(&"CG003"), "{source}");
            assert_eq!(fix_all(source), source);
        }
    }

    #[test]
    fn only_the_unused_code_is_removed_from_a_list() {
        let source = "export PATH=\"~/bin:$PATH\" # condago: disable=CG102,CG998\n";
        assert_eq!(all_codes(source), vec!["CG003"]);
        assert_eq!(
            fix_all(source),
            "export PATH=\"~/bin:$PATH\" # condago: disable=CG102\n"
        );
    }
}
