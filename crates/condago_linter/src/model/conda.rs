//! conda and mamba init blocks: the region between `# >>> conda initialize >>>` and
//! `# <<< conda initialize <<<` (mamba and micromamba write `mamba initialize`), found by
//! their marker lines, so a block is recognised even where the parser struggles.

use std::ops::Range;

use super::StartupFile;

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

/// Finds all blocks by their marker lines.
pub(super) fn find_blocks(file: &StartupFile) -> Vec<CondaBlock> {
    let mut blocks: Vec<CondaBlock> = Vec::new();
    let mut open: Option<usize> = None;
    for line in 0..file.line_starts.len() {
        let range = file.line_range(line);
        let text = String::from_utf8_lossy(&file.source[range.clone()]);
        let trimmed = text.trim();
        if let Some(tool) = marker_tool(trimmed, ">>>") {
            let nested = open.is_some();
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
            open = Some(blocks.len() - 1);
        } else if let Some(tool) = marker_tool(trimmed, "<<<") {
            match open.take() {
                Some(index) => {
                    let block = &mut blocks[index];
                    block.end_marker = Some(range.clone());
                    block.range.end = range.end;
                    if block.tool != tool {
                        block.nested = true;
                    }
                }
                None => blocks.push(CondaBlock {
                    tool,
                    start_marker: None,
                    end_marker: Some(range.clone()),
                    range: range.clone(),
                    nested: false,
                    managed_header: false,
                    hooks: Vec::new(),
                    base: None,
                }),
            }
        } else if let Some(index) = open {
            let block = &mut blocks[index];
            if trimmed.contains("!! Contents within this block are managed by") {
                block.managed_header = true;
            }
            block.hooks.extend(hook_calls(&text, range.start));
            if block.base.is_none() {
                block.base = base_of(&text);
            }
        }
    }
    blocks
}

/// Marks statements inside a block with its index.
pub(super) fn attach(file: &mut StartupFile) {
    for statement in &mut file.statements {
        statement.context.conda_block = file.conda_blocks.iter().position(|block| {
            block.range.start <= statement.range.start && statement.range.end <= block.range.end
        });
    }
}

/// `# >>> conda initialize >>>` → `conda`.
fn marker_tool(line: &str, arrows: &str) -> Option<String> {
    let rest = line.strip_prefix('#')?.trim_start().strip_prefix(arrows)?;
    let rest = rest.trim_end().strip_suffix(arrows)?.trim();
    let tool = rest.strip_suffix("initialize")?.trim();
    matches!(tool, "conda" | "mamba" | "micromamba").then(|| tool.to_string())
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

/// `'/home/u/miniconda3/bin/conda'` → `/home/u/miniconda3`; `MAMBA_ROOT_PREFIX='/x'` → `/x`.
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
    let (_, rest) = line.split_once("MAMBA_ROOT_PREFIX=")?;
    let value: String = rest
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| !matches!(c, '\'' | '"' | ';') && !c.is_whitespace())
        .collect();
    (!value.is_empty()).then_some(value)
}
