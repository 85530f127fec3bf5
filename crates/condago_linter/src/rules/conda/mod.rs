//! CG2xx: conda and mamba init blocks.

pub mod block_broken;
pub mod block_duplicated;
pub mod hook_wrong_shell;
pub(crate) mod shared;

#[cfg(test)]
pub(crate) mod stub;
