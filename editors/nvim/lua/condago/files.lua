-- Which buffers condago lints: shell filetypes, and startup files by name whatever filetype
-- Neovim gave them.
local M = {}

--- Filetypes condago lints.
M.filetypes = { 'sh', 'bash', 'zsh', 'fish' }

-- Startup-file names that bash, zsh and sh read, without their leading dot.
local startup_names = {
  profile = true,
  bashrc = true,
  bash_profile = true,
  bash_login = true,
  bash_logout = true,
  bash_aliases = true,
  zshrc = true,
  zshenv = true,
  zprofile = true,
  zlogin = true,
  zlogout = true,
}

local chezmoi_prefixes = { 'private_', 'readonly_', 'executable_', 'empty_', 'encrypted_' }

--- Whether `path` names a startup file: `.bashrc`, `.bash_profile`, `.profile`, `.zshrc`,
--- `.zshenv`, `.zprofile`, `.zlogin`, …, `config.fish`, `conf.d/*.fish` (any `*.fish`), and
--- their names in dotfile repositories (`bashrc`, chezmoi's `dot_bashrc`,
--- `private_dot_zshrc.tmpl`).
function M.is_startup_file(path)
  local name = (path or ''):match('[^/\\]*$')
  if name:match('%.fish$') then
    return true
  end
  name = name:gsub('%.tmpl$', '')
  local stripped = true
  while stripped do
    stripped = false
    for _, prefix in ipairs(chezmoi_prefixes) do
      if name:sub(1, #prefix) == prefix then
        name = name:sub(#prefix + 1)
        stripped = true
      end
    end
  end
  if name:sub(1, 4) == 'dot_' then
    name = name:sub(5)
  elseif name:sub(1, 1) == '.' then
    name = name:sub(2)
  end
  return startup_names[name] == true
end

--- Whether condago lints a buffer with this filetype and file name.
function M.is_linted(filetype, path)
  return vim.tbl_contains(M.filetypes, filetype) or M.is_startup_file(path)
end

return M
