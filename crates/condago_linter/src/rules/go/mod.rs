//! CG5xx: Go.

pub mod cgo_enabled_exported;
pub mod gopath_bin_not_on_path;
pub mod gopath_in_goroot;
pub mod goroot_bin_mismatch;
pub mod goroot_exported;
pub(crate) mod shared;
