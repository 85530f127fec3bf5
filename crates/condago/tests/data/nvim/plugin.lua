-- Run by crates/condago/tests/editors_nvim.rs in `nvim --headless -u NONE`: loads the plugin
-- from the repository's editors/nvim as a user's config would, opens startup files, and
-- writes what happened to $CONDAGO_OUT, one fact a line.
local plugin = os.getenv('CONDAGO_PLUGIN')
local bin = os.getenv('CONDAGO_BIN')
local dir = os.getenv('CONDAGO_DIR')
local out = os.getenv('CONDAGO_OUT')
local report = {}

local function say(line)
  table.insert(report, line)
end

local notified = {}
vim.notify = function(message)
  table.insert(notified, message)
end

local function codes(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    found[#found + 1] = tostring(d.code)
  end
  table.sort(found)
  return table.concat(found, ',')
end

local function clients_of(bufnr)
  local names = {}
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    names[#names + 1] = client.name
  end
  return table.concat(names, ',')
end

local function open(name)
  vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/' .. name))
  return vim.api.nvim_get_current_buf()
end

--- Opens a startup file and waits for condago's diagnostics on it.
local function linted(name)
  local bufnr = open(name)
  local ok = vim.wait(20000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 20)
  say(string.format(
    'file %s filetype=%s clients=%s codes=%s%s',
    name,
    vim.bo[bufnr].filetype,
    clients_of(bufnr),
    codes(bufnr),
    ok and '' or ' (timed out)'
  ))
end

local ok, err = pcall(function()
  -- What a user's Neovim does without -u NONE.
  vim.cmd('filetype on')
  vim.opt.runtimepath:prepend(plugin)
  require('condago').setup({ cmd = { bin, 'server' } })

  linted('.zshrc')
  linted('dot_bashrc')
  linted('.config/fish/conf.d/path.fish')

  -- Not a startup file, not shell: no server.
  local notes = open('notes.txt')
  vim.wait(300)
  say(string.format('file notes.txt filetype=%s clients=%s', vim.bo[notes].filetype, clients_of(notes)))

  -- One server for the repository (the directory with .git).
  local servers = 0
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == 'condago' then
      servers = servers + 1
      say('root ' .. client.config.root_dir)
    end
  end
  say('servers ' .. servers)

  -- :checkhealth condago finds the executable.
  vim.cmd('checkhealth condago')
  for _, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    if line:find('condago', 1, true) and (line:find('OK', 1, true) or line:find('ERROR', 1, true)) then
      say('health ' .. vim.trim(line))
    end
  end
  vim.cmd('bwipeout!')

  -- The config for Neovim 0.11's vim.lsp.enable('condago').
  local lsp_config = dofile(plugin .. '/lsp/condago.lua')
  say('lsp/condago.lua cmd=' .. table.concat(lsp_config.cmd, ' '))

  -- A missing executable: a message that says so and where to get condago, no server.
  require('condago').setup({ cmd = { 'condago-is-not-installed', 'server' } })
  local profile = open('.profile')
  vim.wait(2000, function()
    return #notified > 0
  end, 20)
  say(string.format('file .profile clients=%s', clients_of(profile)))
  for _, message in ipairs(notified) do
    say('notified ' .. message)
  end

  for _, client in pairs(vim.lsp.get_active_clients()) do
    client.stop()
  end
  local stopped = vim.wait(5000, function()
    return #vim.lsp.get_active_clients() == 0
  end, 20)
  say(stopped and 'stopped' or 'not stopped')
end)

if not ok then
  say('ERROR ' .. tostring(err))
end
vim.fn.writefile(report, out)
vim.cmd('qall!')
