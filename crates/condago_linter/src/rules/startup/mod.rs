//! Rules that need the startup model across files (CG505, CG6xx). Each file here holds a
//! rule's documentation and metadata; its check lives in `condago_startup::rules`, which
//! follows the files each shell reads (the single-file core never depends on that layer).

pub mod bash_profile_skips_bashrc;
pub mod conda_init_other_shell_only;
pub mod fish_confd_order;
pub mod go_path_shadowed;
pub mod profile_shadowed;
pub mod zsh_path_only_in_zshrc;
