//! The one table of rules. Codes are append-only and never reused.

use crate::rule::Rule;
use crate::rules;

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &rules::file::syntax_error::RULE,
    &rules::file::parse_incomplete::RULE,
    &rules::file::unused_suppression::RULE,
    &rules::path::clobbered::RULE,
    &rules::path::tilde_quoted::RULE,
    &rules::path::duplicate_entry::RULE,
    &rules::path::prepend_not_idempotent::RULE,
    &rules::path::empty_entry::RULE,
    &rules::path::shadows_conda::RULE,
    &rules::path::entry_missing::RULE,
    &rules::path::variable_set_later::RULE,
    &rules::path::home_missing_slash::RULE,
    &rules::path::after_interactive_return::RULE,
    &rules::conda::hook_wrong_shell::RULE,
    &rules::conda::block_duplicated::RULE,
    &rules::conda::block_broken::RULE,
    &rules::conda::used_before_init::RULE,
    &rules::conda::manual_path::RULE,
    &rules::conda::block_guarded::RULE,
    &rules::conda::block_in_function::RULE,
    &rules::conda::block_commented_out::RULE,
    &rules::conda::block_hand_edited::RULE,
    &rules::fish::list_concatenation::RULE,
    &rules::fish::export::RULE,
    &rules::fish::universal_path::RULE,
    &rules::fish::bash_syntax::RULE,
    &rules::fish::path_prepend_not_idempotent::RULE,
    &rules::fish::add_path_universal::RULE,
    &rules::hygiene::masked_failure::RULE,
    &rules::hygiene::silenced_init::RULE,
    &rules::hygiene::errexit_in_rc::RULE,
    &rules::hygiene::exit_in_sourced_file::RULE,
    &rules::hygiene::output_in_rc::RULE,
    &rules::hygiene::bashism_in_profile::RULE,
    &rules::hygiene::source_missing_guard::RULE,
    &rules::hygiene::variable_as_command::RULE,
    &rules::hygiene::readline_setting_in_set::RULE,
    &rules::hygiene::cellar_version_pinned::RULE,
    &rules::hygiene::source_relative_path::RULE,
    &rules::hygiene::term_forced::RULE,
    &rules::hygiene::escaped_expansion_in_path::RULE,
    &rules::go::goroot_exported::RULE,
    &rules::go::goroot_bin_mismatch::RULE,
    &rules::go::gopath_bin_not_on_path::RULE,
    &rules::go::cgo_enabled_exported::RULE,
    &rules::startup::go_path_shadowed::RULE,
    &rules::go::gopath_in_goroot::RULE,
    &rules::startup::bash_profile_skips_bashrc::RULE,
    &rules::startup::profile_shadowed::RULE,
    &rules::startup::zsh_path_only_in_zshrc::RULE,
    &rules::startup::conda_init_other_shell_only::RULE,
    &rules::startup::fish_confd_order::RULE,
    &rules::hooks::without_deactivate::RULE,
    &rules::hooks::clobbers::RULE,
    &rules::container::activation_lost::RULE,
    &rules::container::conda_activate_without_hook::RULE,
    &rules::container::conda_hook_twice::RULE,
    &rules::container::env_path_conda_first::RULE,
    &rules::container::go_env_write_other_user::RULE,
    &rules::container::conda_init_other_user::RULE,
    &rules::container::devcontainer_path_clobbered::RULE,
    &rules::container::devcontainer_lifecycle_activate::RULE,
    &rules::container::user_env_probe_none::RULE,
    &rules::container::login_shell_resets_path::RULE,
];

/// A rule by code (any case) or name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code_or_name) || rule.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes: Vec<&str> = RULES.iter().map(|rule| rule.code).collect();
        let mut names: Vec<&str> = RULES.iter().map(|rule| rule.name).collect();
        let sorted = codes.clone();
        codes.sort();
        assert_eq!(codes, sorted, "the table is in code order");
        codes.dedup();
        names.sort();
        names.dedup();
        assert_eq!(codes.len(), RULES.len());
        assert_eq!(names.len(), RULES.len());
        for rule in RULES {
            assert!(
                rule.code.len() == 5 && rule.code.starts_with("CG"),
                "{}",
                rule.code
            );
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.name
            );
            for heading in ["## What it does", "## Why is this bad?"] {
                assert!(rule.doc.contains(heading), "{} lacks {heading}", rule.code);
            }
        }
    }
}
