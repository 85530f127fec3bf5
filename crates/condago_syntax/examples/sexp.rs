//! Prints the syntax tree of a file: `cargo run -p condago_syntax --example sexp -- zsh FILE`
fn main() {
    let mut args = std::env::args().skip(1);
    let shell: condago_syntax::Shell = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(condago_syntax::Shell::Bash);
    let path = args.next().unwrap_or_default();
    let bytes = std::fs::read(&path).unwrap_or_default();
    let parse = condago_syntax::parse(&bytes, shell, &condago_syntax::Budget::default());
    if let Some(tree) = parse.tree {
        print_node(tree.root_node(), &bytes, 0);
    }
}

fn print_node(node: condago_syntax::tree_sitter::Node, src: &[u8], depth: usize) {
    let mut cursor = node.walk();
    let text = String::from_utf8_lossy(&src[node.byte_range()]);
    let short: String = text.chars().take(40).collect::<String>().replace('\n', "⏎");
    let field = "";
    println!(
        "{:indent$}{}{} [{}..{}] {:?}",
        "",
        field,
        if node.is_named() {
            node.kind().to_string()
        } else {
            format!("'{}'", node.kind())
        },
        node.start_byte(),
        node.end_byte(),
        short,
        indent = depth * 2
    );
    for (i, child) in node.children(&mut cursor).enumerate() {
        if let Some(f) = node.field_name_for_child(i as u32) {
            print!("{:indent$}{}: ", "", f, indent = depth * 2 + 2);
            println!();
        }
        print_node(child, src, depth + 1);
    }
}
