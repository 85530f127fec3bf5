-- Run by crates/condago/tests/lsp_nvim.rs in `nvim --headless` (Neovim 0.7+): opens a
-- startup file, starts `condago server` with vim.lsp.start_client, waits for its
-- diagnostics, applies its preferred quick-fix for CG102 through Neovim's own LSP client,
-- waits for the diagnostics of the fixed text, stops the server, and writes a report and
-- the buffer's text to $CONDAGO_OUT.
local bin = os.getenv('CONDAGO_BIN')
local file = os.getenv('CONDAGO_FILE')
local out = os.getenv('CONDAGO_OUT')
local report = {}

local function say(line)
  table.insert(report, line)
end

local function codes(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    found[#found + 1] = tostring(d.code)
  end
  table.sort(found)
  return table.concat(found, ',')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'condago',
    cmd = { bin, 'server' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
  })
  assert(client_id, 'vim.lsp.start_client failed')
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'buf_attach_client failed')
  local client = vim.lsp.get_client_by_id(client_id)

  assert(vim.wait(20000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 10), 'no diagnostics from condago')
  say('encoding ' .. client.offset_encoding)
  local target
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    say(string.format('diagnostic %s %s line %d col %d', d.source, d.code, d.lnum, d.col))
    if d.code == 'CG102' then
      target = d
    end
  end
  assert(target, 'no CG102 diagnostic')

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = target.lnum, character = 0 },
      ['end'] = { line = target.lnum, character = 0 },
    },
    context = { diagnostics = {} },
  }
  local response = client.request_sync('textDocument/codeAction', params, 10000, bufnr)
  assert(response and not response.err, 'codeAction failed: ' .. vim.inspect(response))
  local chosen
  for _, action in ipairs(response.result or {}) do
    say('action ' .. action.title)
    if action.kind == 'quickfix' and action.isPreferred and action.title:find('CG102', 1, true) then
      chosen = action
    end
  end
  assert(chosen, 'no preferred CG102 quick-fix')
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  say('applied ' .. chosen.title)

  -- Neovim sends the edit back as a didChange; condago answers with new diagnostics.
  assert(vim.wait(20000, function()
    return not codes(bufnr):find('CG102', 1, true)
  end, 10), 'CG102 still reported after the fix: ' .. codes(bufnr))
  say('after ' .. codes(bufnr))

  client.stop()
  assert(vim.wait(5000, function()
    return client.is_stopped()
  end, 10), 'the server did not stop')
  say('stopped')
  say('--- buffer')
  for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    say(line)
  end
end)

if not ok then
  say('ERROR ' .. tostring(err))
end
vim.fn.writefile(report, out)
vim.cmd('qall!')
