//! Compiles the generated parser and the hand-written external scanner.

fn main() {
    let src_dir = std::path::Path::new("src");

    let mut c_config = cc::Build::new();
    c_config
        .std("c11")
        .include(src_dir)
        // The generated parser asserts on internal invariants; release behaviour everywhere.
        .define("NDEBUG", None)
        // The scanner's allocations go through tree-sitter's allocator (which a host such
        // as condago may count to budget a parse's memory).
        .define("TREE_SITTER_REUSE_ALLOCATOR", None)
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-unused-but-set-variable")
        .flag_if_supported("-Wno-trigraphs");

    for file in ["parser.c", "scanner.c"] {
        let path = src_dir.join(file);
        c_config.file(&path);
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!("cargo:rerun-if-changed=src/tree_sitter");
    c_config.compile("tree-sitter-condago-zsh");
}
