//! conda and mamba init blocks: the region between `# >>> conda initialize >>>` and
//! `# <<< conda initialize <<<` (mamba and micromamba write `mamba initialize`), found by
//! their marker lines, so a block is recognised even where the parser struggles.

use std::ops::Range;

use super::{Command, StartupFile, StatementKind, Word};

/// One init block (or a lone marker of one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondaBlock {
    /// `conda` or `mamba` (from the marker text).
    pub tool: String,
    /// The start marker line (without its line break), if present.
    pub start_marker: Option<Range<usize>>,
    /// The end marker line, if present.
    pub end_marker: Option<Range<usize>>,
    /// From the start of the first marker line to the end of the last (or of the file).
    pub range: Range<usize>,
    /// The block started while another was still open.
    pub nested: bool,
    /// The `!! Contents within this block are managed by …` header is there.
    pub managed_header: bool,
    /// The hook invocations inside the block.
    pub hooks: Vec<HookCall>,
    /// The installation's root (`/home/u/miniconda3`), when the block names it.
    pub base: Option<String>,
}

/// A `conda shell.zsh hook` / `mamba shell hook --shell zsh` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookCall {
    /// The shell the hook emits code for (`bash`, `zsh`, `fish`, `posix`, `xonsh`, …).
    pub shell: String,
    /// The byte range of that shell's name in the source (inside `shell.bash` just `bash`).
    pub shell_range: Range<usize>,
}

impl CondaBlock {
    /// Whether the block has both markers, in order, not nested.
    pub fn is_well_formed(&self) -> bool {
        self.start_marker.is_some() && self.end_marker.is_some() && !self.nested
    }
}

/// Finds all blocks by their marker lines: the blocks the shell runs, and the blocks whose
/// every line was commented out (see [`StartupFile::commented_conda_blocks`]).
///
/// conda finds its block with `CONDA_INITIALIZE_RE_BLOCK` (`conda/core/initialize.py`):
/// `^# >>> conda initialize >>>(?:\n|\r\n)([\s\S]*?)# <<< conda initialize <<<(?:\n|\r\n)?`
/// in multi-line mode. The start is anchored to the start of a line; the end is not: the
/// first `# <<< conda initialize <<<` after the start closes the block wherever it stands,
/// `## <<< conda initialize <<<` included. The model closes a conda block the same way.
pub(super) fn find_blocks(file: &StartupFile) -> (Vec<CondaBlock>, Vec<CondaBlock>) {
    let mut blocks: Vec<CondaBlock> = Vec::new();
    // Every marker says `initialize`: files without one (most) skip the per-line decoding.
    if !file
        .source
        .windows(b"initialize".len())
        .any(|w| w == b"initialize")
    {
        return (blocks, Vec::new());
    }
    let mut open: Option<usize> = None;
    // Blocks opened by a commented-out start marker (`## >>> conda initialize >>>`).
    let mut commented_start: Vec<bool> = Vec::new();
    for line in 0..file.line_starts.len() {
        let range = file.line_range(line);
        // Offsets in `text` are offsets in the line (hook calls are found by them).
        let text = text_with_byte_offsets(&file.source[range.clone()]);
        let open_tool = open.map(|index| blocks[index].tool.clone());
        let found = marker(&text).or_else(|| {
            // conda's end marker is not anchored: any line holding it closes a conda block.
            (open_tool.as_deref() == Some("conda") && text.contains("# <<< conda initialize <<<"))
                .then(|| Marker {
                    tool: "conda".to_string(),
                    start: false,
                    commented: true,
                })
        });
        match found {
            Some(Marker {
                tool,
                start: true,
                commented,
            }) => {
                if commented && open.is_some() {
                    // A commented-out marker inside a block is just a comment there.
                } else {
                    let mut nested = open.is_some();
                    if let Some(index) = open {
                        if commented_start[index] {
                            // The commented start had no end: it was never a block.
                            blocks.truncate(index);
                            commented_start.truncate(index);
                            nested = false;
                        }
                    }
                    blocks.push(CondaBlock {
                        tool,
                        start_marker: Some(range.clone()),
                        end_marker: None,
                        range: range.start..file.source.len(),
                        nested,
                        managed_header: false,
                        hooks: Vec::new(),
                        base: None,
                    });
                    commented_start.push(commented);
                    open = Some(blocks.len() - 1);
                }
            }
            Some(Marker {
                tool,
                start: false,
                commented,
            }) => match open.take() {
                Some(index) => {
                    let block = &mut blocks[index];
                    block.end_marker = Some(range.clone());
                    block.range.end = range.end;
                    if block.tool != tool {
                        block.nested = true;
                    }
                }
                None if !commented => {
                    blocks.push(CondaBlock {
                        tool,
                        start_marker: None,
                        end_marker: Some(range.clone()),
                        range: range.clone(),
                        nested: false,
                        managed_header: false,
                        hooks: Vec::new(),
                        base: None,
                    });
                    commented_start.push(false);
                }
                None => {}
            },
            None => {
                if let Some(index) = open {
                    let block = &mut blocks[index];
                    if text.contains("!! Contents within this block are managed by") {
                        block.managed_header = true;
                    }
                    block.hooks.extend(hook_calls(&text, range.start));
                    // mamba and micromamba name their root prefix outright; it wins over a
                    // base guessed from `MAMBA_EXE` (micromamba lives in `~/.local/bin`, not
                    // in its root).
                    if let Some(root) = mamba_root_prefix(&text) {
                        block.base = Some(root);
                    } else if block.base.is_none() {
                        block.base = base_of(&text);
                    }
                }
            }
        }
    }
    // A commented-out start marker that nothing closed was never a block.
    if let Some(index) = open {
        if commented_start[index] {
            blocks.truncate(index);
            commented_start.truncate(index);
        }
    }
    let mut active = Vec::new();
    let mut commented = Vec::new();
    for block in blocks {
        let only_comments = block.start_marker.is_some()
            && block.end_marker.is_some()
            && only_commented_code(file, &block);
        if only_comments {
            let mut block = block;
            block.hooks.clear();
            commented.push(block);
        } else {
            active.push(block);
        }
    }
    (active, commented)
}

/// Whether every line between the markers is blank or a comment, and at least one of them
/// is commented-out code (not the `!! Contents …` header): a block that does nothing.
fn only_commented_code(file: &StartupFile, block: &CondaBlock) -> bool {
    let (Some(start), Some(end)) = (&block.start_marker, &block.end_marker) else {
        return false;
    };
    let mut code = false;
    for line in file.line_of(start.start) + 1..file.line_of(end.start) {
        let text = String::from_utf8_lossy(&file.source[file.line_range(line)]).into_owned();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        if !trimmed.starts_with('#') {
            return false;
        }
        let body = trimmed.trim_start_matches('#').trim();
        if !body.is_empty() && !body.starts_with("!! Contents within this block") {
            code = true;
        }
    }
    code
}

/// The text of some bytes with each byte that is not UTF-8 read as `?`, so that an offset in
/// the text is the same offset in the bytes (`from_utf8_lossy` puts 3 bytes for each).
fn text_with_byte_offsets(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let mut text = String::with_capacity(bytes.len());
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
            }
            std::borrow::Cow::Owned(text)
        }
    }
}

/// Marks statements inside a block with its index.
pub(super) fn attach(file: &mut StartupFile) {
    // Blocks are in source order; when they do not overlap, the one that can hold a
    // statement is the last that starts at or before it.
    let overlap = file
        .conda_blocks
        .windows(2)
        .any(|pair| pair[1].range.start < pair[0].range.end);
    if overlap {
        for statement in &mut file.statements {
            statement.context.conda_block = file.conda_blocks.iter().position(|block| {
                block.range.start <= statement.range.start && statement.range.end <= block.range.end
            });
        }
        return;
    }
    for statement in &mut file.statements {
        let after = file
            .conda_blocks
            .partition_point(|block| block.range.start <= statement.range.start);
        statement.context.conda_block = after.checked_sub(1).filter(|&index| {
            let block = &file.conda_blocks[index];
            statement.range.end <= block.range.end
        });
    }
}

/// A marker line, as the model reads it.
struct Marker {
    /// `conda` or `mamba` (micromamba writes `mamba initialize`).
    tool: String,
    /// `>>>` (start) rather than `<<<` (end).
    start: bool,
    /// Commented out: `## >>> conda initialize >>>`, `# # <<< conda initialize <<<`.
    commented: bool,
}

/// `# >>> conda initialize >>>` → a conda start marker; `## <<< conda initialize <<<` → a
/// commented-out conda end marker. Leading blanks and a trailing edit are allowed here
/// (CG203 reports them).
fn marker(line: &str) -> Option<Marker> {
    let mut rest = line.trim();
    let mut hashes = 0;
    while let Some(after) = rest.strip_prefix('#') {
        hashes += 1;
        rest = after.trim_start();
    }
    if hashes == 0 {
        return None;
    }
    for (arrows, start) in [(">>>", true), ("<<<", false)] {
        let Some(body) = rest
            .strip_prefix(arrows)
            .and_then(|body| body.trim_end().strip_suffix(arrows))
        else {
            continue;
        };
        let tool = body.trim().strip_suffix("initialize")?.trim();
        return matches!(tool, "conda" | "mamba" | "micromamba").then(|| Marker {
            tool: tool.to_string(),
            start,
            commented: hashes > 1,
        });
    }
    None
}

/// The hook calls on one line: `shell.bash` (conda), `--shell zsh` / `-s zsh` (mamba).
pub(super) fn hook_calls(line: &str, line_start: usize) -> Vec<HookCall> {
    let mut calls = Vec::new();
    let mut search = 0;
    while let Some(found) = line[search..].find("shell.") {
        let start = search + found + "shell.".len();
        let name: String = line[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let is_hook = line[start..].contains("hook");
        if !name.is_empty() && is_hook {
            calls.push(HookCall {
                shell_range: line_start + start..line_start + start + name.len(),
                shell: name.clone(),
            });
        }
        search = start + name.len().max(1);
        if search >= line.len() {
            break;
        }
    }
    if line.contains("shell hook") {
        for flag in ["--shell ", "--shell=", "-s "] {
            if let Some(found) = line.find(flag) {
                let start = found + flag.len();
                let rest = &line[start..];
                let quote = rest.starts_with(['\'', '"']) as usize;
                let name: String = rest[quote..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    let name_start = line_start + start + quote;
                    calls.push(HookCall {
                        shell_range: name_start..name_start + name.len(),
                        shell: name,
                    });
                }
            }
        }
    }
    calls
}

/// `'/home/u/miniconda3/bin/conda'` → `/home/u/miniconda3`; `"/home/u/miniconda3/condabin:$PATH"`
/// → `/home/u/miniconda3`.
fn base_of(line: &str) -> Option<String> {
    for marker in ["/bin/conda", "/bin/mamba", "/bin/micromamba"] {
        if let Some(end) = line.find(marker) {
            let before = &line[..end];
            let start = before
                .rfind(|c: char| c == '\'' || c == '"' || c.is_whitespace() || c == '(')
                .map_or(0, |at| at + 1);
            let base = &before[start..];
            if !base.is_empty() {
                return Some(base.to_string());
            }
        }
    }
    // `conda init --condabin`: `export PATH="/home/u/miniconda3/condabin:$PATH"`.
    let end = line.find("/condabin")?;
    let before = &line[..end];
    let start = before
        .rfind(|c: char| c == '\'' || c == '"' || c.is_whitespace() || c == '=')
        .map_or(0, |at| at + 1);
    let base = &before[start..];
    (!base.is_empty() && !base.starts_with('$')).then(|| base.to_string())
}

/// `export MAMBA_ROOT_PREFIX='/x'` (bash, zsh) or `set -gx MAMBA_ROOT_PREFIX "/x"` (fish).
fn mamba_root_prefix(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return None;
    }
    let rest = match line.split_once("MAMBA_ROOT_PREFIX=") {
        Some((_, rest)) => rest,
        None => {
            let (before, rest) = line.split_once("MAMBA_ROOT_PREFIX ")?;
            if !before.trim_start().starts_with("set ") {
                return None;
            }
            rest.trim_start()
        }
    };
    let value: String = rest
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| !matches!(c, '\'' | '"' | ';') && !c.is_whitespace())
        .collect();
    (!value.is_empty()).then_some(value)
}

/// A hook call anywhere in the file: inside an init block, or a hand-written
/// `eval "$(conda shell.bash hook)"` outside one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookSite {
    pub call: HookCall,
    /// `conda 'shell.bash' 'hook'` (conda's syntax) rather than `mamba shell hook --shell bash`.
    pub conda_syntax: bool,
    /// The init block holding it.
    pub block: Option<usize>,
    /// The statement (index into `StartupFile::statements`) holding it, for calls outside
    /// blocks.
    pub statement: Option<usize>,
}

impl StartupFile<'_> {
    /// Every hook call in source order: those of init blocks (found by their lines, so even
    /// where the parser struggles) and those of statements outside blocks.
    pub fn hook_sites(&self) -> Vec<HookSite> {
        let mut sites: Vec<HookSite> = Vec::new();
        for (index, block) in self.conda_blocks.iter().enumerate() {
            for call in &block.hooks {
                let before = call.shell_range.start.saturating_sub("shell.".len());
                let conda_syntax =
                    self.source.get(before..call.shell_range.start) == Some(b"shell.");
                sites.push(HookSite {
                    call: call.clone(),
                    conda_syntax,
                    block: Some(index),
                    statement: None,
                });
            }
        }
        for (index, statement) in self.statements.iter().enumerate() {
            if statement.context.conda_block.is_some() {
                continue;
            }
            let StatementKind::Command(command) = &statement.kind else {
                continue;
            };
            if let Some((call, conda_syntax)) = command_hook(self.source, command) {
                if sites
                    .iter()
                    .any(|site| site.call.shell_range == call.shell_range)
                {
                    continue;
                }
                sites.push(HookSite {
                    call,
                    conda_syntax,
                    block: None,
                    statement: Some(index),
                });
            }
        }
        sites.sort_by_key(|site| site.call.shell_range.start);
        sites
    }
}

/// Whether a command word names conda, mamba or micromamba (`conda`, `/x/bin/conda`,
/// `"$MAMBA_EXE"`, `$CONDA_EXE`).
pub fn is_conda_tool(word: &str) -> bool {
    let word = word.trim_matches(['\'', '"']);
    if word.contains("MAMBA_EXE") || word.contains("CONDA_EXE") {
        return true;
    }
    let base = word.rsplit('/').next().unwrap_or(word);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    matches!(base, "conda" | "mamba" | "micromamba")
}

/// `conda shell.bash hook`, `/x/bin/conda "shell.fish" "hook"` (also after `eval`),
/// `"$MAMBA_EXE" shell hook --shell zsh`, `micromamba shell hook -s bash`.
fn command_hook(source: &[u8], command: &Command) -> Option<(HookCall, bool)> {
    let name_text = String::from_utf8_lossy(source.get(command.name_range.clone())?);
    let args: &[Word] = if is_conda_tool(&name_text) {
        &command.args
    } else if matches!(
        command.name.as_deref(),
        Some("eval") | Some("command") | Some("exec") | Some("builtin")
    ) {
        let at = command.args.iter().position(|arg| {
            is_conda_tool(&String::from_utf8_lossy(
                source.get(arg.range.clone()).unwrap_or_default(),
            ))
        })?;
        &command.args[at + 1..]
    } else {
        return None;
    };
    let literals: Vec<Option<String>> = args.iter().map(Word::literal).collect();
    let has_hook = |from: usize| {
        literals
            .iter()
            .skip(from)
            .any(|literal| literal.as_deref() == Some("hook"))
    };
    for (i, literal) in literals.iter().enumerate() {
        let Some(literal) = literal else { continue };
        if let Some(name) = literal.strip_prefix("shell.") {
            if name.is_empty() || !has_hook(i + 1) {
                return None;
            }
            let range = name_range_in(source, &args[i], "shell.")?;
            return Some((hook_call(source, range), true));
        }
        if literal == "shell" && has_hook(i + 1) {
            for (j, flag) in literals.iter().enumerate().skip(i + 1) {
                let Some(flag) = flag else { continue };
                if flag == "--shell" || flag == "-s" {
                    let value = args.get(j + 1)?;
                    let range = name_range_in(source, value, "")?;
                    return Some((hook_call(source, range), false));
                }
                if flag.starts_with("--shell=") || flag.starts_with("-s=") {
                    let range = name_range_in(source, &args[j], "=")?;
                    return Some((hook_call(source, range), false));
                }
            }
            return None;
        }
    }
    None
}

/// The source range of the shell name in a word, after `marker` (quotes skipped).
fn name_range_in(source: &[u8], word: &Word, marker: &str) -> Option<Range<usize>> {
    let text = source.get(word.range.clone())?;
    let after = if marker.is_empty() {
        0
    } else {
        let at = text
            .windows(marker.len())
            .position(|window| window == marker.as_bytes())?;
        at + marker.len()
    };
    let skip = text[after..]
        .iter()
        .take_while(|&&b| b == b'\'' || b == b'"')
        .count();
    let start = after + skip;
    let len = text[start..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
        .count();
    (len > 0).then(|| word.range.start + start..word.range.start + start + len)
}

fn hook_call(source: &[u8], range: Range<usize>) -> HookCall {
    HookCall {
        shell: String::from_utf8_lossy(source.get(range.clone()).unwrap_or_default()).into_owned(),
        shell_range: range,
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use condago_syntax::Shell;

    use crate::model::StartupFile;

    /// The reference blocks the tools write (`tests/fixtures/realistic/init-blocks`).
    fn reference(name: &str) -> Option<String> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/realistic/init-blocks")
            .join(name);
        std::fs::read_to_string(path).ok()
    }

    /// (file, shell, tool, base, hook shells)
    const BLOCKS: &[(&str, Shell, &str, &str, &[&str])] = &[
        (
            "conda.bash",
            Shell::Bash,
            "conda",
            "/home/u/miniconda3",
            &["bash"],
        ),
        (
            "conda.zsh",
            Shell::Zsh,
            "conda",
            "/home/u/miniconda3",
            &["zsh"],
        ),
        (
            "conda.fish",
            Shell::Fish,
            "conda",
            "/home/u/miniconda3",
            &["fish"],
        ),
        (
            "conda-22.11.fish",
            Shell::Fish,
            "conda",
            "/home/u/miniconda3",
            &["fish"],
        ),
        (
            "conda-4.7.fish",
            Shell::Fish,
            "conda",
            "/home/u/miniconda3",
            &["fish"],
        ),
        (
            "conda-4.6.fish",
            Shell::Fish,
            "conda",
            "/home/u/miniconda3",
            &["fish"],
        ),
        (
            "conda-condabin.bash",
            Shell::Bash,
            "conda",
            "/home/u/miniconda3",
            &[],
        ),
        (
            "conda-condabin.fish",
            Shell::Fish,
            "conda",
            "/home/u/miniconda3",
            &[],
        ),
        (
            "mamba.bash",
            Shell::Bash,
            "mamba",
            "/home/u/miniforge3",
            &["bash"],
        ),
        (
            "mamba.zsh",
            Shell::Zsh,
            "mamba",
            "/home/u/miniforge3",
            &["zsh"],
        ),
        (
            "mamba.fish",
            Shell::Fish,
            "mamba",
            "/home/u/miniforge3",
            &["fish"],
        ),
        (
            "mamba-1.x.bash",
            Shell::Bash,
            "conda",
            "/home/u/miniforge3",
            &["bash"],
        ),
        (
            "mamba-1.x.zsh",
            Shell::Zsh,
            "conda",
            "/home/u/miniforge3",
            &["zsh"],
        ),
        (
            "mamba-1.x.fish",
            Shell::Fish,
            "conda",
            "/home/u/miniforge3",
            &["fish"],
        ),
        (
            "micromamba.bash",
            Shell::Bash,
            "mamba",
            "/home/u/micromamba",
            &["bash"],
        ),
        (
            "micromamba.zsh",
            Shell::Zsh,
            "mamba",
            "/home/u/micromamba",
            &["zsh"],
        ),
        (
            "micromamba.fish",
            Shell::Fish,
            "mamba",
            "/home/u/micromamba",
            &["fish"],
        ),
        (
            "micromamba-1.5.bash",
            Shell::Bash,
            "mamba",
            "/home/u/micromamba",
            &["bash"],
        ),
        (
            "micromamba-1.5.fish",
            Shell::Fish,
            "mamba",
            "/home/u/micromamba",
            &["fish"],
        ),
        (
            "micromamba-1.0.zsh",
            Shell::Zsh,
            "mamba",
            "/home/u/micromamba",
            &["zsh"],
        ),
    ];

    #[test]
    fn recognises_every_reference_block() {
        let mut checked = 0;
        for &(name, shell, tool, base, hooks) in BLOCKS {
            let Some(text) = reference(name) else {
                continue;
            };
            let parse = condago_syntax::parse(text.as_bytes(), shell, &Default::default());
            let file = StartupFile::new(Path::new("home/rc"), text.as_bytes(), &parse, false);
            assert_eq!(file.conda_blocks.len(), 1, "{name}");
            let block = &file.conda_blocks[0];
            assert!(block.is_well_formed(), "{name}");
            assert!(block.managed_header, "{name}");
            assert_eq!(block.tool, tool, "{name}");
            assert_eq!(block.base.as_deref(), Some(base), "{name}");
            let found: Vec<&str> = block.hooks.iter().map(|hook| hook.shell.as_str()).collect();
            assert_eq!(found, hooks, "{name}");
            for hook in &block.hooks {
                assert_eq!(&text[hook.shell_range.clone()], hook.shell, "{name}");
            }
            let sites = file.hook_sites();
            assert_eq!(sites.len(), hooks.len(), "{name}");
            assert!(sites.iter().all(|site| site.block == Some(0)), "{name}");
            let statements = file
                .statements
                .iter()
                .filter(|statement| statement.context.conda_block == Some(0))
                .count();
            assert!(statements > 0, "{name}: no statement attached to the block");
            checked += 1;
        }
        // The fixtures are another part of the tree; say so when they are missing.
        if checked == 0 {
            eprintln!("SKIPPED: tests/fixtures/realistic/init-blocks not found");
        }
    }

    #[test]
    fn hook_ranges_are_byte_offsets_with_invalid_utf8_on_the_line() {
        // Found by fuzzing (`scripts/fuzz`, target lint): CG201's range pointed past the text.
        let text = b"# >>> conda initialize >>>\neval \xff\xff\xff/bin/conda \"shell.fish\" \"hook\" $argv | source\n# <<< conda initialize <<<\n";
        let parse = condago_syntax::parse(text, Shell::Fish, &Default::default());
        let file = StartupFile::new(Path::new("home/config.fish"), text, &parse, false);
        let hooks = &file.conda_blocks[0].hooks;
        assert_eq!(hooks.len(), 1);
        assert_eq!(&text[hooks[0].shell_range.clone()], b"fish");
    }

    #[test]
    fn finds_hand_written_hooks() {
        for (shell, text, expected) in [
            (
                Shell::Bash,
                "eval \"$(conda shell.bash hook)\"\n",
                Some(("bash", true)),
            ),
            (
                Shell::Bash,
                "eval \"$(/opt/conda/bin/conda 'shell.zsh' 'hook')\"\n",
                Some(("zsh", true)),
            ),
            (
                Shell::Zsh,
                "eval \"$(micromamba shell hook --shell=zsh)\"\n",
                Some(("zsh", false)),
            ),
            (
                Shell::Zsh,
                "eval \"$(\"$MAMBA_EXE\" shell hook -s posix)\"\n",
                Some(("posix", false)),
            ),
            (
                Shell::Fish,
                "eval /x/bin/conda \"shell.fish\" \"hook\" $argv | source\n",
                Some(("fish", true)),
            ),
            (
                Shell::Fish,
                "conda shell.fish hook | source\n",
                Some(("fish", true)),
            ),
            (Shell::Bash, "conda shell.bash activate base\n", None),
            (Shell::Bash, "echo conda shell.bash hook\n", None),
        ] {
            let parse = condago_syntax::parse(text.as_bytes(), shell, &Default::default());
            let file = StartupFile::new(Path::new("home/rc"), text.as_bytes(), &parse, false);
            let sites = file.hook_sites();
            let found = sites
                .first()
                .map(|site| (site.call.shell.as_str(), site.conda_syntax));
            assert_eq!(found, expected, "{text}");
            assert!(sites.len() <= 1, "{text}: {sites:?}");
        }
    }
}
