// Which documents condago lints. No `vscode` import here, so that this module is tested with
// plain node (`npm test`).

/** VS Code languages that condago lints. */
export const LANGUAGES = ["shellscript", "zsh", "fish"] as const;

/** Startup-file names that bash, zsh and sh read, without their leading dot. */
const STARTUP_NAMES = [
  "profile",
  "bashrc",
  "bash_profile",
  "bash_login",
  "bash_logout",
  "bash_aliases",
  "zshrc",
  "zshenv",
  "zprofile",
  "zlogin",
  "zlogout",
];

/**
 * Glob patterns for startup files, matched whatever language VS Code gave the document:
 * dotfiles (`.bashrc`), fish's `config.fish` and `conf.d/*.fish`, and the names they have
 * in dotfile repositories (`bashrc`, chezmoi's `dot_bashrc`, `private_dot_zshrc.tmpl`).
 */
export const STARTUP_FILE_GLOBS: string[] = [
  `**/.{${STARTUP_NAMES.join(",")}}`,
  `**/{${STARTUP_NAMES.join(",")}}`,
  `**/*dot_{${STARTUP_NAMES.join(",")}}`,
  `**/*dot_{${STARTUP_NAMES.join(",")}}.tmpl`,
  "**/config.fish",
  "**/conf.d/*.fish",
  "**/*.fish",
];

const NAME = new RegExp(
  "^(?:(?:private|readonly|executable|empty|encrypted)_)*(?:dot_|\\.)?" +
    `(?:${STARTUP_NAMES.join("|")})(?:\\.tmpl)?$`,
);

/** Whether a path names a startup file (the same files as `STARTUP_FILE_GLOBS`). */
export function isStartupFile(path: string): boolean {
  const parts = path.split(/[\\/]/);
  const name = parts[parts.length - 1] ?? "";
  return NAME.test(name) || name.endsWith(".fish");
}

/** Whether condago lints a document with this language and path. */
export function isLinted(languageId: string, path: string): boolean {
  return (LANGUAGES as readonly string[]).includes(languageId) || isStartupFile(path);
}
