// `npm test`: how the extension finds `condago` (the `condago.path` setting).

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { test } from "node:test";

import { missingMessage, resolveExecutable } from "../executable";

function fakeInstall(): { dir: string; binary: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "condago-ext-"));
  const binary = path.join(dir, "condago");
  fs.writeFileSync(binary, "#!/bin/sh\n");
  fs.chmodSync(binary, 0o755);
  fs.writeFileSync(path.join(dir, "not-executable"), "");
  return { dir, binary };
}

test("the default finds condago on PATH", { skip: process.platform === "win32" }, () => {
  const { dir, binary } = fakeInstall();
  const saved = process.env.PATH;
  try {
    process.env.PATH = ["/nonexistent", dir].join(path.delimiter);
    assert.strictEqual(resolveExecutable("condago"), binary);
    process.env.PATH = "/nonexistent";
    assert.strictEqual(resolveExecutable("condago"), undefined);
  } finally {
    process.env.PATH = saved;
  }
});

test("a path is used as it is, if it is an executable file", { skip: process.platform === "win32" }, () => {
  const { dir, binary } = fakeInstall();
  assert.strictEqual(resolveExecutable(binary), binary);
  assert.strictEqual(resolveExecutable(path.join(dir, "not-executable")), undefined);
  assert.strictEqual(resolveExecutable(path.join(dir, "missing")), undefined);
  assert.strictEqual(resolveExecutable(dir), undefined);
});

test("~ is the home directory", { skip: process.platform === "win32" }, () => {
  const { dir, binary } = fakeInstall();
  const saved = process.env.HOME;
  try {
    process.env.HOME = dir;
    assert.strictEqual(resolveExecutable("~/condago"), binary);
  } finally {
    process.env.HOME = saved;
  }
});

test("a missing executable is reported with what to do", () => {
  assert.match(missingMessage("condago"), /not on PATH.*Install condago.*condago\.path/);
  assert.match(missingMessage("/opt/x/condago"), /`\/opt\/x\/condago`, which is not an executable file/);
});
