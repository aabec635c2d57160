-- Headless Neovim (0.7+) as a second LSP client for the KMDF language server.
-- Reads a plan (JSON, path in $KMDF_NVIM_PLAN), starts the server with Neovim's built-in client,
-- runs the plan's steps (open, edit, hover, completion, code actions, any position request, call
-- hierarchy, rename with its edit applied, wait for diagnostics) and
-- writes what the server answered to plan.output as JSON, then quits. Never waits without a bound.
--
-- Plan: { "cmd": [...], "root": "...", "settings": {...}, "initOptions": {...}, "timeoutMs": 60000,
--         "output": "...", "steps": [ { "op": "open", "file": "queue.h" }, ... ] }

-- -u skips the defaults: turn filetype detection on so .c/.h buffers are 'c' (their LSP languageId).
-- Headers are C here, as in a KMDF driver (Neovim's own default for .h is cpp).
vim.g.c_syntax_for_h = 1
vim.cmd('filetype on')
if os.getenv('KMDF_NVIM_LSP_LOG') then
  vim.lsp.set_log_level('debug')
end

local plan_path = os.getenv('KMDF_NVIM_PLAN')
local out = { steps = {}, diagnostics = {}, errors = {}, logs = {} }

local function write_output(path)
  local file = assert(io.open(path, 'w'))
  file:write(vim.fn.json_encode(out))
  file:close()
end

local function fail(message)
  table.insert(out.errors, message)
end

local function run()
  if not plan_path then
    error('KMDF_NVIM_PLAN is not set')
  end
  local plan = vim.fn.json_decode(table.concat(vim.fn.readfile(plan_path), '\n'))
  local timeout = plan.timeoutMs or 60000
  out.nvimVersion = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch

  local initialized = false
  local exited = nil
  local client_id = vim.lsp.start_client({
    name = 'kmdf',
    cmd = plan.cmd,
    root_dir = plan.root,
    workspace_folders = { { uri = vim.uri_from_fname(plan.root), name = 'fixture' } },
    settings = plan.settings or {},
    init_options = plan.initOptions,
    on_init = function(client, result)
      -- Neovim 0.7 does not offer workspace/configuration, so push the settings, as nvim-lspconfig does.
      client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
      initialized = true
      out.serverInfo = result.serverInfo
      local caps = result.capabilities or {}
      out.capabilities = {
        hover = caps.hoverProvider ~= nil and caps.hoverProvider ~= false,
        completion = caps.completionProvider ~= nil,
        codeAction = caps.codeActionProvider ~= nil and caps.codeActionProvider ~= false,
        inlayHint = caps.inlayHintProvider ~= nil and caps.inlayHintProvider ~= false,
        textDocumentSync = caps.textDocumentSync,
      }
    end,
    on_exit = function(code, signal)
      exited = { code = code, signal = signal }
    end,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        if result then
          out.diagnostics[vim.uri_to_fname(result.uri)] = result.diagnostics
        end
        return vim.lsp.handlers['textDocument/publishDiagnostics'](err, result, ctx, config)
      end,
      ['kmdf/indexStatus'] = function(_, result)
        out.indexStatus = result
      end,
      ['window/logMessage'] = function(_, result)
        if result and #out.logs < 200 then
          table.insert(out.logs, result.message)
        end
      end,
    },
  })
  if not client_id then
    error('vim.lsp.start_client returned nil for cmd ' .. vim.inspect(plan.cmd))
  end
  if not vim.wait(timeout, function() return initialized or exited ~= nil end, 20) then
    error('the server did not answer initialize within ' .. timeout .. ' ms')
  end
  if exited then
    error('the server exited during initialize: ' .. vim.inspect(exited))
  end
  out.initialized = true

  local function buffer_of(file)
    return vim.fn.bufnr(plan.root .. '/' .. file)
  end

  -- Send a request for the current buffer, retrying until `accept` holds or the step's time is up.
  local step_timeout = timeout
  local function request(method, params, accept)
    local deadline = vim.loop.now() + step_timeout
    local last = nil
    while true do
      local responses, err = vim.lsp.buf_request_sync(0, method, params, 5000)
      if responses and responses[client_id] then
        last = responses[client_id]
        if last.err == nil and accept(last.result) then
          return last
        end
      elseif err then
        last = { err = err }
      end
      if vim.loop.now() >= deadline or exited then
        return last
      end
      vim.wait(100)
    end
  end

  local function position_params(step)
    return {
      textDocument = { uri = vim.uri_from_bufnr(0) },
      position = { line = step.line, character = step.character },
    }
  end

  for index, step in ipairs(plan.steps) do
    local record = { op = step.op }
    -- Only the first request waits for the server to come up; later ones get a short budget.
    step_timeout = step.timeoutMs or plan.stepTimeoutMs or timeout
    if step.op == 'open' then
      vim.cmd('edit ' .. vim.fn.fnameescape(plan.root .. '/' .. step.file))
      vim.lsp.buf_attach_client(0, client_id)
      record.filetype = vim.bo.filetype
    elseif step.op == 'setLine' then
      -- An edit as a user makes it: Neovim sends didChange.
      vim.api.nvim_buf_set_lines(0, step.line, step.line + 1, false, { step.text })
    elseif step.op == 'hover' then
      local response = request('textDocument/hover', position_params(step), function(result)
        return result ~= nil or not step.waitNonNull
      end)
      record.result = response and response.result or vim.NIL
      record.error = response and response.err
    elseif step.op == 'request' then
      -- Any position request (definition, references, …), `step.params` added to the position; with
      -- `step.minItems`, until the answer lists that many (the workspace scan may still be running).
      local params = vim.tbl_extend('force', position_params(step), step.params or {})
      local response = request(step.method, params, function(result)
        if result == nil then return not step.waitNonNull end
        return #result >= (step.minItems or 0)
      end)
      record.result = response and response.result or vim.NIL
      record.error = response and response.err
    elseif step.op == 'symbols' then
      local response = request('textDocument/documentSymbol', { textDocument = { uri = vim.uri_from_bufnr(0) } }, function(result)
        for _, symbol in ipairs(result or {}) do
          if symbol.name == step.waitFor then
            return true
          end
        end
        return false
      end)
      local names = {}
      for _, symbol in ipairs(response and response.result or {}) do
        table.insert(names, symbol.name)
      end
      record.result = names
    elseif step.op == 'completion' then
      -- Until the answer has step.minItems items: the workspace scan may still be running.
      local response = request('textDocument/completion', position_params(step), function(result)
        local items = result and (result.items or result) or {}
        return result ~= nil and #items >= (step.minItems or 0)
      end)
      record.result = response and response.result or vim.NIL
      record.error = response and response.err
    elseif step.op == 'codeAction' then
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(0) },
        range = { start = { line = step.line, character = step.character }, ['end'] = { line = step.line, character = step.character } },
        context = { diagnostics = {} },
      }
      local response = request('textDocument/codeAction', params, function(result)
        return result ~= nil and #result > 0
      end)
      record.result = response and response.result or vim.NIL
      record.error = response and response.err
    elseif step.op == 'callHierarchy' then
      -- prepareCallHierarchy at the position, then the first item's incoming and outgoing calls, as
      -- Neovim's own vim.lsp.buf.incoming_calls/outgoing_calls ask for them.
      local prepared = request('textDocument/prepareCallHierarchy', position_params(step), function(result)
        return result ~= nil and #result > 0
      end)
      local items = prepared and prepared.result
      record.result = { items = items or vim.NIL }
      record.error = prepared and prepared.err
      if items and items[1] then
        for _, direction in ipairs({ 'incoming', 'outgoing' }) do
          local response = request('callHierarchy/' .. direction .. 'Calls', { item = items[1] }, function()
            return true
          end)
          record.result[direction] = response and response.result or vim.NIL
        end
      end
    elseif step.op == 'rename' then
      -- textDocument/rename, and its workspace edit applied by Neovim the way vim.lsp.buf.rename does;
      -- then the lines of step.files as Neovim's buffers hold them.
      local prepared = request('textDocument/prepareRename', position_params(step), function(result)
        return result ~= nil
      end)
      record.prepared = prepared and prepared.result or vim.NIL
      local params = vim.tbl_extend('force', position_params(step), { newName = step.newName })
      local response = request('textDocument/rename', params, function(result)
        return result ~= nil
      end)
      record.result = response and response.result or vim.NIL
      record.error = response and response.err
      if response and response.result then
        vim.lsp.util.apply_workspace_edit(response.result, 'utf-16')
      end
      local files = {}
      for _, file in ipairs(step.files or {}) do
        local buffer = buffer_of(file)
        if buffer ~= -1 then
          vim.fn.bufload(buffer)
          files[file] = vim.api.nvim_buf_get_lines(buffer, 0, -1, false)
        end
      end
      record.files = files
    elseif step.op == 'waitDiagnostics' then
      local fname = plan.root .. '/' .. step.file
      record.arrived = vim.wait(step_timeout, function()
        local list = out.diagnostics[fname]
        return list ~= nil and #list > 0
      end, 20)
    else
      fail('unknown step ' .. tostring(step.op))
    end
    out.steps[index] = record
  end
  -- Leave the server the way an editor does: shutdown, then exit.
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return exited ~= nil end, 20)
  out.serverExit = exited
  return plan.output
end

local ok, result = pcall(run)
local output_path = os.getenv('KMDF_NVIM_OUTPUT')
if not ok then
  fail(tostring(result))
elseif result then
  output_path = result
end
if output_path then
  local written, err = pcall(write_output, output_path)
  if not written then
    io.stderr:write('could not write ' .. output_path .. ': ' .. tostring(err) .. '\n')
  end
end
vim.cmd('qa!')
