-- Neovim 0.11+: with this directory on 'runtimepath', `vim.lsp.enable('condago')` starts
-- condago for shell buffers. (Startup files that Neovim does not detect as shell, such as
-- chezmoi's `dot_bashrc`, need `require('condago').setup({})` instead.)
return {
  cmd = { 'condago', 'server' },
  filetypes = { 'sh', 'bash', 'zsh', 'fish' },
  root_markers = { '.git' },
}
