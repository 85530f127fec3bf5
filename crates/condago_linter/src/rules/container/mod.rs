//! Container rules (CG8xx): what `docker build` and a dev container do with the startup
//! files and environment a Dockerfile and devcontainer.json set up.

pub mod activation_lost;
pub mod conda_activate_without_hook;
pub mod conda_hook_twice;
pub mod conda_init_other_user;
pub mod devcontainer_lifecycle_activate;
pub mod devcontainer_path_clobbered;
pub mod env_path_conda_first;
pub mod go_env_write_other_user;
pub mod login_shell_resets_path;
pub(crate) mod shared;
pub mod user_env_probe_none;
