// `npm test`: which documents the extension lints, checked with node's test runner.

import * as assert from "assert";
import { test } from "node:test";

import { isLinted, isStartupFile, STARTUP_FILE_GLOBS } from "../files";

test("startup files are linted whatever language VS Code guessed", () => {
  for (const file of [
    "/home/u/.bashrc",
    "/home/u/.bash_profile",
    "/home/u/.profile",
    "/home/u/.zshrc",
    "/home/u/.zshenv",
    "/home/u/.zprofile",
    "/home/u/.zlogin",
    "/home/u/.config/fish/config.fish",
    "/home/u/.config/fish/conf.d/conda.fish",
    "/home/u/dotfiles/bashrc",
    "/home/u/dotfiles/zshrc",
    "/home/u/.local/share/chezmoi/dot_bashrc",
    "/home/u/.local/share/chezmoi/private_dot_zshrc.tmpl",
    "C:\\Users\\u\\.bashrc",
  ]) {
    assert.ok(isStartupFile(file), file);
    assert.ok(isLinted("plaintext", file), file);
  }
});

test("other files are linted only in a shell language", () => {
  for (const file of ["/home/u/notes.txt", "/home/u/.bashrc.bak", "/home/u/mybashrc", "/x/README.md"]) {
    assert.ok(!isStartupFile(file), file);
    assert.ok(!isLinted("plaintext", file), file);
  }
  assert.ok(isLinted("shellscript", "/home/u/install.sh"));
  assert.ok(isLinted("zsh", "/home/u/functions/prompt"));
  assert.ok(isLinted("fish", "/home/u/functions/greet"));
});

test("the globs name the same dotfiles", () => {
  const globs = STARTUP_FILE_GLOBS.join(" ");
  for (const name of ["bashrc", "bash_profile", "profile", "zshrc", "zshenv", "zprofile"]) {
    assert.ok(globs.includes(name), name);
  }
  assert.ok(STARTUP_FILE_GLOBS.includes("**/config.fish"));
  assert.ok(STARTUP_FILE_GLOBS.includes("**/conf.d/*.fish"));
});
