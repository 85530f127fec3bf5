//! CG1xx: PATH.

pub mod tilde_quoted;
