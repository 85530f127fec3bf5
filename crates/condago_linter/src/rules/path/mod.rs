//! CG1xx: PATH.

pub mod clobbered;
pub mod duplicate_entry;
pub mod empty_entry;
pub mod prepend_not_idempotent;
mod shared;
pub mod tilde_quoted;
