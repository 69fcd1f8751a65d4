-- Headless Neovim driver for the shipped config editors/neovim/lsp/qwen_settings_ls.lua.
--
--   SERVER=<binary> FILE=<path> OUT=<jsonl path> \
--     nvim --headless --clean -n -i NONE --cmd 'set rtp^=editors/neovim' -u tests/nvim/check.lua
--
-- Phase 1: open $FILE, wait for the client to initialise and for diagnostics, then write one line
--   per diagnostic to $OUT: {"lnum","col","severity","code","source","message"}
--   (lnum/col 0-based; col is a byte index, as Neovim stores it; severity 1=Error … 4=Hint).
-- Phase 2 (only if an `unknown-protocol-key` diagnostic exists): request code actions for it,
--   apply the first action's `edit`, wait for fresh diagnostics and write
--   {"phase":"after-fix","title":…,"kind":…,"codes":[…]}.
--
-- Exit codes: 0 ok, 1 usage/internal error, 2 no diagnostics within DIAG_TIMEOUT_MS,
--   3 client never attached/initialised (e.g. root_dir refused the file), 4 no usable code action.
-- Optional env: DIAG_TIMEOUT_MS, INIT_TIMEOUT_MS (default 15000 each), LSP_LOG_LEVEL (e.g. debug,
--   log in $XDG_STATE_HOME/nvim/lsp.log).

local NAME = 'qwen_settings_ls'
local DIAG_TIMEOUT = tonumber(vim.env.DIAG_TIMEOUT_MS) or 15000
local INIT_TIMEOUT = tonumber(vim.env.INIT_TIMEOUT_MS) or 15000
local SETTLE_MS = 300 -- after a report, wait this long for a follow-up one

local out ---@type file*?

local function finish(code)
  if out then
    out:close()
    out = nil
  end
  vim.cmd(code == 0 and 'qall!' or ('cquit! ' .. code))
end

local function fail(code, msg)
  io.stderr:write('check.lua: ', msg, '\n')
  finish(code)
end

local function emit(obj)
  assert(out):write(vim.json.encode(obj), '\n')
  out:flush()
end

local function sleep(ms)
  vim.wait(ms, function()
    return false
  end, 10)
end

-- Count diagnostic reports (push or pull, even empty ones) and remember the document version the
-- server attached to pushed diagnostics, so phase 2 can wait for results of the edited text.
local reports, pushed_version = 0, nil
do
  local orig = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, params, ctx, ...)
    reports = reports + 1
    if params and params.version then
      pushed_version = params.version
    end
    return orig(err, params, ctx, ...)
  end
  local orig_pull = vim.lsp.handlers['textDocument/diagnostic']
  vim.lsp.handlers['textDocument/diagnostic'] = function(err, result, ctx, ...)
    reports = reports + 1
    return orig_pull(err, result, ctx, ...)
  end
end

--- Wait until at least one report newer than `since` arrived, then let follow-ups settle.
local function wait_reports(since, pred)
  local ok = vim.wait(DIAG_TIMEOUT, function()
    return reports > since and (pred == nil or pred())
  end, 20)
  if ok then
    local n = reports
    repeat
      n = reports
      sleep(SETTLE_MS)
    until reports == n
  end
  return ok
end

local function sorted_diagnostics(buf)
  local diags = vim.diagnostic.get(buf)
  table.sort(diags, function(a, b)
    if a.lnum ~= b.lnum then
      return a.lnum < b.lnum
    end
    return a.col < b.col
  end)
  return diags
end

local function null(v)
  if v == nil then
    return vim.NIL
  end
  return v
end

local function main()
  local server, file, out_path = vim.env.SERVER, vim.env.FILE, vim.env.OUT
  if not (server and file and out_path) then
    return fail(1, 'SERVER, FILE and OUT must be set')
  end
  if vim.fn.has('nvim-0.11') ~= 1 then
    return fail(1, 'Neovim 0.11+ required (vim.lsp.config / vim.lsp.enable)')
  end
  if vim.fn.executable(server) ~= 1 then
    return fail(1, 'SERVER is not executable: ' .. server)
  end
  -- Without the shipped config on 'runtimepath' the checks below would be meaningless.
  if #vim.api.nvim_get_runtime_file('lsp/' .. NAME .. '.lua', false) == 0 then
    return fail(1, "lsp/" .. NAME .. ".lua not on 'runtimepath' (missing --cmd 'set rtp^=editors/neovim'?)")
  end
  out = assert(io.open(out_path, 'w'))
  if vim.env.LSP_LOG_LEVEL then
    vim.lsp.log.set_level(vim.env.LSP_LOG_LEVEL)
  end

  vim.lsp.config(NAME, { cmd = { server } }) -- merged over the shipped lsp/qwen_settings_ls.lua
  vim.lsp.enable(NAME)

  vim.cmd.edit(vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()

  -- The shipped root_dir calls on_dir synchronously and vim.lsp.start runs one tick later, so a
  -- client (initialised or not) is bound to the buffer almost at once — or never.
  local function client(uninit)
    return vim.lsp.get_clients({ bufnr = buf, name = NAME, _uninitialized = uninit })[1]
  end
  if not vim.wait(math.min(3000, INIT_TIMEOUT), function()
    return client(true) ~= nil
  end, 10) then
    return fail(3, ('no client attached to %s (filetype %q)'):format(file, vim.bo[buf].filetype))
  end
  if not vim.wait(INIT_TIMEOUT, function()
    local c = client(false)
    return c ~= nil and c.initialized
  end, 10) then
    return fail(3, 'client did not initialise (server crashed?)')
  end
  local c = client(false)

  -- Phase 1: diagnostics of the file as opened.
  if not wait_reports(0) then
    return fail(2, ('no diagnostics within %d ms'):format(DIAG_TIMEOUT))
  end
  local target ---@type vim.Diagnostic?
  for _, d in ipairs(sorted_diagnostics(buf)) do
    emit({
      lnum = d.lnum,
      col = d.col,
      severity = d.severity,
      code = null(d.code),
      source = null(d.source),
      message = d.message,
    })
    if target == nil and d.code == 'unknown-protocol-key' then
      target = d
    end
  end
  if target == nil then
    return finish(0)
  end

  -- Phase 2: quick-fix for the first unknown-protocol-key diagnostic.
  local lsp_diag = assert(vim.tbl_get(target, 'user_data', 'lsp'), 'diagnostic without LSP data')
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, triggerKind = 1 }, -- 1 = Invoked
  }
  local responses, err = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, DIAG_TIMEOUT)
  local response = responses and responses[c.id]
  if not response or response.err then
    return fail(4, 'codeAction failed: ' .. vim.inspect(err or (response and response.err) or 'no response'))
  end
  local action = (response.result or {})[1]
  if action == nil then
    return fail(4, 'server returned no code action')
  end
  if not action.edit and type(action.command) ~= 'string' and c:supports_method('codeAction/resolve') then
    local resolved = c:request_sync('codeAction/resolve', action, DIAG_TIMEOUT, buf)
    action = resolved and resolved.result or action
  end
  if not action.edit then
    return fail(4, 'first code action has no edit: ' .. vim.inspect(action))
  end

  local before = reports
  vim.lsp.util.apply_workspace_edit(action.edit, c.offset_encoding)
  local edited_version = vim.lsp.util.buf_versions[buf]
  -- A push that carries a version must be for the edited text; pull results always are.
  local fresh = wait_reports(before, function()
    return pushed_version == nil or pushed_version >= edited_version
  end)
  if not fresh then
    return fail(2, ('no diagnostics within %d ms after applying the fix'):format(DIAG_TIMEOUT))
  end
  local codes = {}
  for _, d in ipairs(sorted_diagnostics(buf)) do
    codes[#codes + 1] = null(d.code)
  end
  emit({
    phase = 'after-fix',
    title = action.title,
    kind = null(action.kind),
    codes = codes, -- vim.json encodes an empty table as []
  })

  -- Phase 3: completion inside the model.name value, and hover on the first baseUrl.
  local function find(pattern)
    for lnum, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      local col = line:find(pattern)
      if col then
        return lnum - 1, col - 1
      end
    end
  end
  local function request(method, line, character)
    local params = {
      textDocument = vim.lsp.util.make_text_document_params(buf),
      position = { line = line, character = character },
    }
    local responses = vim.lsp.buf_request_sync(buf, method, params, DIAG_TIMEOUT) or {}
    for _, r in pairs(responses) do
      if r.result then
        return r.result
      end
    end
  end
  local name_line, name_col = find('"name": "')
  if name_line then
    local result = request('textDocument/completion', name_line, name_col + #'"name": "')
    local items = result and (result.items or result) or {}
    local labels = {}
    for _, item in ipairs(items) do
      labels[#labels + 1] = item.label
    end
    emit({ phase = 'completion', labels = labels })
  end
  local url_line, url_col = find('compatible%-mode')
  if url_line then
    local result = request('textDocument/hover', url_line, url_col + 2)
    local value = result and result.contents and (result.contents.value or result.contents) or vim.NIL
    emit({ phase = 'hover', value = value })
  end
  finish(0)
end

vim.schedule(function()
  local ok, err = xpcall(main, debug.traceback)
  if not ok then
    fail(1, tostring(err))
  end
end)
