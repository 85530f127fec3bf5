//! CG7xx: conda activation hooks (`$PREFIX/etc/conda/activate.d/*.sh|.fish`).

pub mod clobbers;
pub(crate) mod shared;
pub mod without_deactivate;
