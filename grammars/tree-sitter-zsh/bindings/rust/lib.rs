//! condago's zsh grammar for [tree-sitter](https://tree-sitter.github.io/).
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser
//!     .set_language(&tree_sitter_condago_zsh::LANGUAGE.into())
//!     .expect("the zsh grammar loads");
//! let tree = parser.parse("path=($HOME/bin $path)\n", None).expect("a tree");
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_zsh() -> *const ();
}

/// The tree-sitter language of this grammar.
// SAFETY: `tree_sitter_zsh` is the generated parser's constructor; it has no preconditions.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_zsh) };

/// The node types of this grammar (tree-sitter's `node-types.json`).
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");
