//! The README's rule table and `docs/rules/CODE.md` are generated from the registry, so the
//! docs cannot drift from the code. Run with `CONDAGO_UPDATE_DOCS=1` to regenerate them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TABLE_START: &str = "<!-- rules-table:start -->";
const TABLE_END: &str = "<!-- rules-table:end -->";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn condago(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_condago"))
        .args(args)
        .output()
        .expect("condago runs");
    assert!(output.status.success(), "condago {args:?} failed");
    String::from_utf8(output.stdout).expect("utf-8")
}

fn rules() -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_str(&condago(&["rules", "--format", "json"])).expect("json");
    json.as_array().cloned().unwrap_or_default()
}

fn table(rules: &[serde_json::Value]) -> String {
    let mut out = String::from(
        "| code | name | shells | severity | fix | what it finds |\n|---|---|---|---|---|---|\n",
    );
    for rule in rules {
        let text = |key: &str| rule[key].as_str().unwrap_or_default().to_string();
        let code = text("code");
        let opt_in = if rule["opt_in"].as_bool() == Some(true) {
            " (opt-in)"
        } else {
            ""
        };
        out.push_str(&format!(
            "| [{code}](docs/rules/{code}.md) | {} | {} | {} | {} | {}{opt_in} |\n",
            text("name"),
            text("shells"),
            text("severity"),
            text("fix"),
            text("summary").replace('|', "\\|"),
        ));
    }
    out
}

#[test]
fn readme_table_and_rule_pages_match_the_registry() {
    let update = std::env::var_os("CONDAGO_UPDATE_DOCS").is_some();
    let rules = rules();
    let readme_path = repository().join("README.md");
    let readme = fs::read_to_string(&readme_path).expect("README.md");
    let start = readme
        .find(TABLE_START)
        .expect("README has the table start marker");
    let end = readme
        .find(TABLE_END)
        .expect("README has the table end marker");
    let generated = format!("{TABLE_START}\n{}{TABLE_END}", table(&rules));
    let current = &readme[start..end + TABLE_END.len()];
    let mut stale = Vec::new();
    if current != generated {
        if update {
            let new = format!(
                "{}{}{}",
                &readme[..start],
                generated,
                &readme[end + TABLE_END.len()..]
            );
            fs::write(&readme_path, new).expect("write README");
        } else {
            stale.push("README.md rule table".to_string());
        }
    }
    let docs = repository().join("docs/rules");
    if update {
        fs::create_dir_all(&docs).expect("mkdir docs/rules");
    }
    for rule in &rules {
        let code = rule["code"].as_str().unwrap_or_default();
        let page = condago(&["rule", code]);
        let path = docs.join(format!("{code}.md"));
        if fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            if update {
                fs::write(&path, &page).expect("write rule page");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date, regenerate with `CONDAGO_UPDATE_DOCS=1 cargo test -p condago --test docs`: {stale:?}"
    );
}
