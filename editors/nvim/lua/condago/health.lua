-- :checkhealth condago
local M = {}

local health = vim.health or require('health')
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local error = health.error or health.report_error
local info = health.info or health.report_info

function M.check()
  start('condago')
  local condago = require('condago')
  local cmd = condago.config.cmd
  local executable = cmd and cmd[1]
  if not executable or vim.fn.executable(executable) ~= 1 then
    error(
      string.format('`%s` is not an executable on PATH', tostring(executable)),
      { 'Install condago: ' .. condago.install_url, "or: require('condago').setup({ cmd = { '/path/to/condago', 'server' } })" }
    )
    return
  end
  local version = vim.fn.system({ executable, '--version' })
  if vim.v.shell_error ~= 0 then
    error('`' .. executable .. ' --version` failed: ' .. version)
    return
  end
  ok(vim.trim(version) .. ' (' .. vim.fn.exepath(executable) .. ')')
  local running = 0
  for _, client in pairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
    if client.name == 'condago' then
      running = running + 1
    end
  end
  info(string.format('%d condago server(s) running', running))
end

return M
