-- condago for Neovim: starts `condago server` (diagnostics, quick-fixes, hover) for sh,
-- bash, zsh and fish buffers and for startup files by name (`.bashrc`, `.zshrc`,
-- `config.fish`, `conf.d/*.fish`, chezmoi's `dot_bashrc`, …), whatever their filetype.
--
--   require('condago').setup({})
--
-- Works with Neovim 0.7 and later, without nvim-lspconfig.
local files = require('condago.files')

local M = {}

M.install_url = 'https://github.com/condago/condago/blob/main/docs/editors-and-ci.md#install-condago'

local defaults = {
  -- The server command: `condago` on PATH, or a path to it.
  cmd = { 'condago', 'server' },
  -- Buffers with these filetypes are linted; startup files are linted whatever their filetype.
  filetypes = files.filetypes,
  -- The server's root: the nearest directory holding one of these, else the file's own.
  root_markers = { '.git' },
  -- Passed to vim.lsp.start_client / vim.lsp.start as they are.
  settings = nil,
  init_options = nil,
  capabilities = nil,
  on_attach = nil,
  handlers = nil,
}

M.config = vim.deepcopy(defaults)

-- root_dir -> client id (Neovim 0.7, which has no vim.lsp.start).
local clients = {}
-- bufnr -> client id the buffer is attached to.
local attached = {}
local warned = {}

local function notify(message, level)
  vim.schedule(function()
    vim.notify(message, level or vim.log.levels.WARN)
  end)
end

local function is_dir_or_file(path)
  return (vim.uv or vim.loop).fs_stat(path) ~= nil
end

-- `is_stopped` is a closure in Neovim 0.7 and a method from 0.11 on: passing the client
-- suits both.
local function is_stopped(client)
  return client.is_stopped(client)
end

local function root_dir(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local current = dir
  while current and current ~= '' do
    for _, marker in ipairs(M.config.root_markers or {}) do
      if is_dir_or_file(current .. '/' .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ':h')
    if parent == current then
      break
    end
    current = parent
  end
  return dir
end

--- Whether condago lints this buffer.
function M.is_linted(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= '' then
    return false
  end
  local filetype = vim.bo[bufnr].filetype
  local name = vim.api.nvim_buf_get_name(bufnr)
  return vim.tbl_contains(M.config.filetypes, filetype) or files.is_startup_file(name)
end

local function client_config(root)
  return {
    name = 'condago',
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = M.config.settings,
    init_options = M.config.init_options,
    capabilities = M.config.capabilities,
    on_attach = M.config.on_attach,
    handlers = M.config.handlers,
  }
end

--- Starts condago for the buffer (or attaches it to the running server) if condago lints it.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not M.is_linted(bufnr) then
    return nil
  end
  local previous = attached[bufnr]
  local running = previous and vim.lsp.get_client_by_id(previous)
  if running and not is_stopped(running) then
    return previous
  end
  local cmd = M.config.cmd
  local executable = type(cmd) == 'table' and cmd[1] or nil
  if executable and vim.fn.executable(executable) ~= 1 then
    if not warned[executable] then
      warned[executable] = true
      notify(
        string.format(
          'condago: `%s` is not an executable on PATH, so startup files are not linted. '
            .. 'Install condago (%s), or pass its path: '
            .. "require('condago').setup({ cmd = { '/path/to/condago', 'server' } })",
          executable,
          M.install_url
        )
      )
    end
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = root_dir(name ~= '' and name or vim.fn.getcwd() .. '/x')
  if vim.lsp.start then
    -- Neovim 0.8+: reuses a client with the same name and root.
    attached[bufnr] = vim.lsp.start(client_config(root), { bufnr = bufnr })
    return attached[bufnr]
  end
  local id = clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or is_stopped(client) then
    id = vim.lsp.start_client(client_config(root))
    if not id then
      notify('condago: could not start ' .. table.concat(cmd, ' '), vim.log.levels.ERROR)
      return nil
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  attached[bufnr] = id
  return id
end

--- Sets condago up: `opts` overrides the defaults above. Lints buffers already open too.
function M.setup(opts)
  opts = opts or {}
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts)
  -- Lists replace the defaults rather than merge into them.
  for _, key in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if opts[key] ~= nil then
      M.config[key] = opts[key]
    end
  end
  warned = {}
  local group = vim.api.nvim_create_augroup('condago', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Startup files that Neovim does not know as shell (`dot_bashrc`, `conf.d/x.fish` without
  -- a fish filetype, …).
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
    group = group,
    pattern = '*',
    callback = function(args)
      if files.is_startup_file(vim.api.nvim_buf_get_name(args.buf)) then
        M.attach(args.buf)
      end
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      M.attach(bufnr)
    end
  end
end

return M
