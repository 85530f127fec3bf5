// Finding the condago executable. No `vscode` import here, so that this module is tested
// with plain node (`npm test`).

import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The executable that `configured` names: a path (with `~` expanded) or a name looked up on
 * `PATH` (with `PATHEXT` on Windows); `undefined` when there is none.
 */
export function resolveExecutable(configured: string): string | undefined {
  let candidate = configured.trim();
  if (candidate === "~" || candidate.startsWith("~/") || candidate.startsWith("~\\")) {
    candidate = path.join(os.homedir(), candidate.slice(1));
  }
  const extensions =
    process.platform === "win32"
      ? ["", ...(process.env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter(Boolean)]
      : [""];
  const executable = (file: string): string | undefined =>
    extensions.map((extension) => file + extension).find(isExecutableFile);
  if (candidate.includes("/") || candidate.includes("\\")) {
    return executable(path.resolve(candidate));
  }
  for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
    if (directory) {
      const found = executable(path.join(directory, candidate));
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** What the user is told when `condago.path` names no executable. */
export function missingMessage(configured: string): string {
  return configured === "condago"
    ? "condago: the `condago` executable is not on PATH, so startup files are not linted. Install condago, or set `condago.path` to where it is."
    : `condago: \`condago.path\` is \`${configured}\`, which is not an executable file. Install condago, or correct the setting.`;
}
