//! CG1xx: PATH.

pub mod after_interactive_return;
pub mod clobbered;
pub mod duplicate_entry;
pub mod empty_entry;
pub mod entry_missing;
pub mod home_missing_slash;
pub mod prepend_not_idempotent;
pub mod shadows_conda;
mod shared;
pub mod tilde_quoted;
pub mod variable_set_later;
