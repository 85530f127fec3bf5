//! One file per rule, grouped by code family.

pub mod conda;
pub mod container;
pub mod file;
pub mod fish;
pub mod go;
pub mod hooks;
pub mod hygiene;
pub(crate) mod lines;
pub mod path;
pub mod startup;

#[cfg(test)]
pub(crate) mod test_support;
