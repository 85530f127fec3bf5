//! CG0xx: the file itself.

pub mod parse_incomplete;
pub mod syntax_error;
pub mod unused_suppression;
