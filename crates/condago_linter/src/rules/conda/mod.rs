//! CG2xx: conda and mamba init blocks.

pub mod block_broken;
pub mod block_commented_out;
pub mod block_duplicated;
pub mod block_guarded;
pub mod block_hand_edited;
pub mod block_in_function;
pub mod hook_wrong_shell;
pub mod manual_path;
pub(crate) mod shared;
pub(crate) mod template;
pub mod used_before_init;

#[cfg(test)]
pub(crate) mod stub;
