-- qwen-settings-ls: diagnostics and quick-fixes for Qwen Code's `.qwen/settings.json`.
--
-- Neovim 0.11+ picks this file up from any 'runtimepath' entry that contains `lsp/`
-- (add `editors/neovim` as a plugin with lazy.nvim / vim.pack, or copy this file to
-- `~/.config/nvim/lsp/`). Then enable it in init.lua:
--
--   vim.lsp.enable('qwen_settings_ls')
--
-- Override fields with `vim.lsp.config('qwen_settings_ls', { cmd = { '/path/to/qwen-settings-ls' } })`.

---@type vim.lsp.Config
return {
  cmd = { 'qwen-settings-ls' },
  -- Neovim gives `*.json` the `json` filetype; users may remap settings.json to `jsonc`.
  filetypes = { 'json', 'jsonc' },
  -- Attach only to `<root>/.qwen/settings.json`, never to other JSON files: LSP is activated
  -- for a buffer only if `on_dir` is called. The root is the directory containing `.qwen`
  -- (a project, or $HOME for the user-level settings file).
  root_dir = function(bufnr, on_dir)
    local name = vim.fs.normalize(vim.api.nvim_buf_get_name(bufnr))
    if vim.endswith(name, '/.qwen/settings.json') then
      on_dir(vim.fs.dirname(vim.fs.dirname(name)))
    end
  end,
}
