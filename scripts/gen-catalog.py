#!/usr/bin/env python3
"""Generate src/model/catalog.json, the settings catalog the product ships.

Usage:
    python3 scripts/gen-catalog.py            # (re)write src/model/catalog.json
    python3 scripts/gen-catalog.py --check    # exit 1 if the file is stale, 2 if inputs are missing

Inputs (read-only, outside the repository; override the folder with QWEN_SETTINGS_SHARED):
    ../shared/qwen-code-0.24.4-settings-schema.json   Qwen Code 0.24.4 getSettingsSchema() as data
    ../shared/qwen-settings.schema.json               the JSON Schema Qwen Code generated at v0.16.1
    scripts/catalog-descriptions.json                 our own descriptions (path -> text)

Only facts are taken from upstream: paths, types, enum values, defaults, bounds, merge strategies.
Upstream description text is never copied; every description comes from
scripts/catalog-descriptions.json and is written in our own words.

Output: {"source", "generator", "keys": [...]}, one key object per line, sorted by path (plain
code-point order, which equals byte order for UTF-8). Fields of a key, in this order:

  path          dotted; `*` = any member name of a map, `[]` = an array item (as in the upstream
                dump: `modelProviders.*[].baseUrl`). A member name that itself contains a dot is
                written with the dot escaped as `\\.` (only `cacheRetentionByBlock.user\\.last`).
  type          "string" | "number" | "integer" | "boolean" | "object" | "array", or a list of them
                when several are accepted (legacy forms included, see legacyTypes).
  enum          allowed values (options[].value or the JSON-schema enum).
  default       upstream default (from the 0.24.4 schema, or from the reference for the hand-written
                generationConfig timeouts); omitted when absent or null.
  open          true for an object that accepts member names of its own choosing (a map, or an
                object the CLI passes through). Derived: an object with no listed properties, an
                explicit `additionalProperties` (true or a schema), or a `*` child. Hand-written
                open objects: mcpServers.* (server options vary by transport and version),
                samplingParams (passed verbatim on the openai protocol), extra_body, providerMetadata.*.
  required      the member must be present in its object.
  minimum/maximum  numeric bounds from upstream.
  mergeStrategy upstream merge strategy across scopes.
  since         "0.16.1" or "0.24.4" (= new since 0.16.1, present in 0.24.4). Rule:
                  1. a hand-written override below wins (facts from the reference/source);
                  2. else "0.16.1" if the path exists in the v0.16.1 JSON Schema;
                  3. else, if the nearest ancestor that exists in the v0.16.1 schema described no
                     members of its own (a map or open object such as modelProviders, mcpServers,
                     env, model.chatCompression), the key is taken to be as old: "0.16.1";
                  4. else "0.24.4".
                Legacy keys carry no `since`.
  operatorOnly  honoured only in user/system(-defaults) settings, never from a workspace file.
  legacy        the current path this old key was renamed to; `inverted: true` when the old key
                was a disable* boolean whose value must be negated. `legacyTypes` lists value types
                that are the old form of a key that is otherwise current (e.g. `model` as a string
                is the old form of model.name; a boolean general.gitCoAuthor is its old form).
  deprecated    short reason text; `replacement` names the current path when there is one.
  description   our own short sentence (<= 160 characters).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("QWEN_SETTINGS_SHARED") or (ROOT.parent / "shared"))
SCHEMA_0244 = SHARED / "qwen-code-0.24.4-settings-schema.json"
SCHEMA_0161 = SHARED / "qwen-settings.schema.json"
DESCRIPTIONS = ROOT / "scripts" / "catalog-descriptions.json"
OUTPUT = ROOT / "src" / "model" / "catalog.json"

SOURCE = "@qwen-code/qwen-code 0.24.4 settings schema (+ hand-written model-entry fields)"
FORMAT = ("path: dotted; * = any member name, [] = array item, \\. = a dot inside a member name. "
          "Field meanings, the `since` rule and how to regenerate: scripts/gen-catalog.py")
V_OLD = "0.16.1"
V_NEW = "0.24.4"
TYPES = ("string", "number", "integer", "boolean", "object", "array")
EFFORTS = ["low", "medium", "high", "xhigh", "max"]
# In the order the CLI prints them.
PROTOCOLS = ["openai", "qwen-oauth", "gemini", "vertex-ai", "anthropic"]
MAX_DESCRIPTION = 160

# ---------------------------------------------------------------------------------------------
# Paths: tuples of segments. "[]" is its own segment; rendering glues it to the previous one.
# ---------------------------------------------------------------------------------------------


def render(segs: tuple[str, ...]) -> str:
    out = ""
    for s in segs:
        if s == "[]":
            out += "[]"
        else:
            s = s.replace(".", "\\.")
            out = s if not out else out + "." + s
    return out


def parse(path: str) -> tuple[str, ...]:
    """Inverse of render() for the hand-written paths in this file (no escaped dots there)."""
    segs: list[str] = []
    for part in path.split("."):
        name, brackets = part, 0
        while name.endswith("[]"):
            name, brackets = name[:-2], brackets + 1
        if name:
            segs.append(name)
        segs.extend(["[]"] * brackets)
    return tuple(segs)


# ---------------------------------------------------------------------------------------------
# Catalog nodes
# ---------------------------------------------------------------------------------------------


class Catalog:
    def __init__(self) -> None:
        self.nodes: dict[tuple[str, ...], dict] = {}

    def node(self, segs: tuple[str, ...]) -> dict:
        if segs not in self.nodes:
            self.nodes[segs] = {"types": []}
        return self.nodes[segs]

    def add(self, path, types, **facts) -> dict:
        segs = parse(path) if isinstance(path, str) else path
        n = self.node(segs)
        for t in [types] if isinstance(types, str) else types:
            if t not in n["types"]:
                n["types"].append(t)
        for k, v in facts.items():
            if v is not None:
                n[k] = v
        return n


def norm_types(t) -> list[str]:
    ts = t if isinstance(t, list) else [t]
    out = []
    for x in ts:
        if x == "null" or x is None:
            continue
        if x not in TYPES:
            raise SystemExit(f"gen-catalog: unexpected type {x!r}")
        out.append(x)
    return out


def walk_json_schema(cat: Catalog, segs, schema: dict, base: dict | None = None) -> None:
    """Record a JSON-Schema node (a 0.24.4 jsonSchemaOverride) and its descendants."""
    variants = [schema] + list(schema.get("anyOf") or []) + list(schema.get("oneOf") or [])
    types: list[str] = []
    props: dict[str, list[dict]] = {}
    required: set[str] = set()
    items: list[dict] = []
    addl = None
    enum = schema.get("enum")
    for v in variants:
        if "type" in v:
            for t in norm_types(v["type"]):
                if t not in types:
                    types.append(t)
        if "enum" in v and enum is None:
            enum = v["enum"]
        for k, pv in (v.get("properties") or {}).items():
            props.setdefault(k, []).append(pv)
        required.update(v.get("required") or [])
        if isinstance(v.get("items"), dict):
            items.append(v["items"])
        if "additionalProperties" in v:
            a = v["additionalProperties"]
            if isinstance(a, dict) or a is True:
                addl = a
            elif addl is None:
                addl = False
    if not types and enum:
        types = sorted({json_type(x) for x in enum})
    n = cat.add(segs, types)
    if enum is not None:
        n["enum"] = list(enum)
    for k in ("default", "minimum", "maximum"):
        if k in schema and schema[k] is not None:
            n[k] = schema[k]
    if base:
        for k in ("default", "minimum", "maximum"):
            if k not in n and base.get(k) is not None:
                n[k] = base[k]
    if "object" in types:
        if addl is True:
            n["open"] = True
        elif isinstance(addl, dict):
            n["open"] = True
            walk_json_schema(cat, segs + ("*",), addl)
        elif addl is None and not props:
            n["open"] = True
    for k, pvs in props.items():
        merged = pvs[0] if len(pvs) == 1 else {"anyOf": pvs}
        walk_json_schema(cat, segs + (k,), merged)
        if k in required:
            cat.node(segs + (k,))["required"] = True
    for it in items:
        walk_json_schema(cat, segs + ("[]",), it)


def json_type(v) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def walk_settings(cat: Catalog, segs, node: dict) -> None:
    """Record a node of Qwen Code's SETTINGS_SCHEMA (the 0.24.4 `schema` tree)."""
    override = node.get("jsonSchemaOverride")
    if override is not None:
        walk_json_schema(cat, segs, override, base=node)
        n = cat.node(segs)
    else:
        t = node.get("type")
        if t == "enum":
            values = [o["value"] for o in node.get("options") or []]
            n = cat.add(segs, sorted({json_type(v) for v in values}), enum=values)
        else:
            n = cat.add(segs, norm_types(t))
            if "enum" in node:
                n["enum"] = list(node["enum"])
        for k in ("default", "minimum", "maximum"):
            if node.get(k) is not None:
                n[k] = node[k]
        props = node.get("properties") or {}
        addl = node.get("additionalProperties")
        if isinstance(addl, dict):
            n["open"] = True
            walk_settings(cat, segs + ("*",), addl)
        elif addl is True or ("object" in n["types"] and not props):
            n["open"] = True
        for k, child in props.items():
            walk_settings(cat, segs + (k,), child)
        if isinstance(node.get("items"), dict):
            walk_settings(cat, segs + ("[]",), node["items"])
    if node.get("required") is True:
        n["required"] = True
    if node.get("mergeStrategy"):
        n["mergeStrategy"] = node["mergeStrategy"]
    for lt in node.get("legacyTypes") or []:
        for t in norm_types(lt):
            if t not in n["types"]:
                n["types"].append(t)
        n.setdefault("legacyTypes", []).extend(norm_types(lt))


# ---------------------------------------------------------------------------------------------
# v0.16.1 index, for `since`
# ---------------------------------------------------------------------------------------------


def index_v016(schema: dict) -> dict[str, bool]:
    """path -> True when v0.16.1 described the node's members (properties/items/map values)."""
    idx: dict[str, bool] = {}

    def walk(segs, s: dict) -> None:
        variants = [s] + list(s.get("anyOf") or []) + list(s.get("oneOf") or [])
        described = False
        for v in variants:
            for k, pv in (v.get("properties") or {}).items():
                described = True
                walk(segs + (k,), pv)
            if isinstance(v.get("items"), dict):
                described = True
                walk(segs + ("[]",), v["items"])
            if isinstance(v.get("additionalProperties"), dict):
                described = True
                walk(segs + ("*",), v["additionalProperties"])
        if segs:
            idx[render(segs)] = idx.get(render(segs), False) or described

    walk((), schema)
    return idx


# ---------------------------------------------------------------------------------------------
# Hand-written facts
# ---------------------------------------------------------------------------------------------

# Fields of one model entry, modelProviders.<id>[] (qwen-code.md §3.3; the upstream schema leaves
# modelProviders open). Unknown entry fields are silently ignored by the CLI, so this list is
# closed on purpose: a `baseURL` typo must be reported.
ENTRY_FIELDS = [
    ("id", "string", {"required": True}),
    ("name", "string", {}),
    ("description", "string", {}),
    ("envKey", "string", {}),
    ("baseUrl", "string", {}),
    ("wireApi", "string", {"enum": ["chat-completions", "responses"], "default": "chat-completions"}),
    ("capabilities", "object", {}),
    ("capabilities.vision", "boolean", {}),
    ("capabilities.agent", "boolean", {}),
    ("capabilities.reasoning", "object", {}),
    ("capabilities.reasoning.profile", "string", {}),
    ("capabilities.reasoning.efforts", "array", {}),
    ("capabilities.reasoning.efforts[]", "string", {"enum": EFFORTS}),
    ("capabilities.reasoning.defaultEffort", "string", {"enum": EFFORTS}),
    ("supportsImageGeneration", "boolean", {}),
    ("imageOnly", "boolean", {}),
    ("fastOnly", "boolean", {}),
    ("voiceOnly", "boolean", {}),
    ("visionOnly", "boolean", {}),
    ("realtimeOnly", "boolean", {"operatorOnly": True}),
    ("generationConfig", "object", {}),
]

# generationConfig fields the CLI reads but the 0.24.4 tree does not list under
# model.generationConfig (qwen-code.md §3.3). They are added under model.generationConfig and
# under each entry's generationConfig, together with every field the 0.24.4 tree does list.
GENERATION_EXTRAS = [
    ("samplingParams", "object", {"open": True}),
    ("samplingParams.temperature", "number", {}),
    ("samplingParams.top_p", "number", {}),
    ("samplingParams.top_k", "number", {}),
    ("samplingParams.max_tokens", "number", {}),
    ("samplingParams.presence_penalty", "number", {}),
    ("samplingParams.frequency_penalty", "number", {}),
    ("samplingParams.repetition_penalty", "number", {}),
    ("retryErrorCodes", "array", {}),
    ("retryErrorCodes[]", "number", {}),
    ("enableRequestMetadata", "boolean", {}),
    ("reasoning", ["boolean", "object"], {}),
    ("reasoning.effort", "string", {"enum": EFFORTS}),
    ("reasoning.budget_tokens", "number", {}),
    ("customHeaders", "object", {"open": True}),
    ("customHeaders.*", "string", {}),
    ("extra_body", "object", {"open": True}),
    ("modalities", "object", {}),
    ("modalities.image", "boolean", {}),
    ("modalities.pdf", "boolean", {}),
    ("modalities.audio", "boolean", {}),
    ("modalities.video", "boolean", {}),
]

# Defaults the reference states for generationConfig fields the 0.24.4 tree leaves without one
# (qwen-code.md §3.3: timeout 120000, streamIdleTimeoutMs 240000; `0` disables either).
GENERATION_DEFAULTS = {"timeout": 120000, "streamIdleTimeoutMs": 240000}

# Other hand-written keys: (path, type, facts). Objects the upstream schema leaves undescribed
# stay open; the members listed here add completion and type checks.
EXTRA_KEYS = [
    # Written by the CLI itself (qwen-code.md §1.4, §1.5).
    ("$version", "number", {"default": 4}),  # default as in the v0.16.1 schema
    ("providerMetadata", "object", {"open": True}),
    ("providerMetadata.*", "object", {"open": True}),
    ("providerMetadata.coding-plan", "object", {"open": True}),
    ("providerMetadata.coding-plan.version", "string", {}),
    ("providerMetadata.coding-plan.baseUrl", "string", {}),
    ("providerMetadata.token-plan", "object", {"open": True}),
    ("providerMetadata.token-plan.version", "string", {}),
    ("providerMetadata.token-plan.baseUrl", "string", {}),
    # Map values (qwen-code.md §3, §5.3).
    ("modelProviders.*", "array", {}),
    ("modelProviders.*[]", "object", {}),
    ("providerProtocol.*", "string", {"enum": PROTOCOLS + ["openai-responses"]}),
    ("env.*", "string", {}),
    # MCP server options (MCPServerConfig in qwen-code's core config). Open: transports and
    # versions add options, and unknown ones are ignored.
    ("mcpServers.*", "object", {"open": True}),
    ("mcpServers.*.command", "string", {}),
    ("mcpServers.*.args", "array", {}),
    ("mcpServers.*.args[]", "string", {}),
    ("mcpServers.*.env", "object", {"open": True}),
    ("mcpServers.*.env.*", "string", {}),
    ("mcpServers.*.cwd", "string", {}),
    ("mcpServers.*.url", "string", {}),
    ("mcpServers.*.httpUrl", "string", {}),
    ("mcpServers.*.headers", "object", {"open": True}),
    ("mcpServers.*.headers.*", "string", {}),
    ("mcpServers.*.tcp", "string", {}),
    ("mcpServers.*.type", "string", {}),
    ("mcpServers.*.timeout", "number", {}),
    ("mcpServers.*.discoveryTimeoutMs", "number", {}),
    ("mcpServers.*.trust", "boolean", {}),
    ("mcpServers.*.description", "string", {}),
    ("mcpServers.*.includeTools", "array", {}),
    ("mcpServers.*.includeTools[]", "string", {}),
    ("mcpServers.*.excludeTools", "array", {}),
    ("mcpServers.*.excludeTools[]", "string", {}),
    ("mcpServers.*.extensionName", "string", {}),
    ("mcpServers.*.oauth", "object", {"open": True}),
    ("mcpServers.*.authProviderType", "string",
     {"enum": ["dynamic_discovery", "google_credentials", "service_account_impersonation"]}),
    ("mcpServers.*.targetAudience", "string", {}),
    ("mcpServers.*.targetServiceAccount", "string", {}),
    # Telemetry is open upstream; its long-standing members (TelemetrySettings in core config).
    ("telemetry.enabled", "boolean", {}),
    ("telemetry.target", "string", {}),
    ("telemetry.otlpEndpoint", "string", {}),
    ("telemetry.otlpProtocol", "string", {}),
    ("telemetry.logPrompts", "boolean", {}),
    ("telemetry.outfile", "string", {}),
    # Keys the hook registry skips as "not an event name" (HOOKS_CONFIG_FIELDS in the 0.24.4
    # bundle's core hooks types); any other unknown member of `hooks` is not a hook event.
    ("hooks.enabled", "boolean", {}),
    ("hooks.disabled", "array", {}),
    ("hooks.disabled[]", "string", {}),
    ("hooks.notifications", "boolean", {}),
    # Open upstream objects with one well-known member.
    ("model.chatCompression.contextPercentageThreshold", "number", {}),
    ("advanced.bugCommand.urlTemplate", "string", {}),
]

# `since` overrides (prefix match, most specific wins). Evidence:
# - samplingParams, reasoning, customHeaders are in MODEL_GENERATION_CONFIG_FIELDS of a core
#   revision that still used the V2 `disableCacheControl` name, i.e. before v0.16.1;
# - the TelemetrySettings members below predate v0.16.1 (inherited from the gemini-cli era);
# - entry fields: id, name, description, envKey, baseUrl, capabilities.vision and
#   generationConfig are in the same early ModelConfig; wireApi arrived after v0.23.3 (the
#   reference's openai-responses history) and the selector/image/realtime flags came with the
#   fastModel/voiceModel/visionModel/imageModel/Live Voice features added after v0.16.1.
SINCE_OVERRIDES = {
    "model.generationConfig.samplingParams": V_OLD,
    "model.generationConfig.reasoning": V_OLD,
    "model.generationConfig.customHeaders": V_OLD,
    "telemetry.enabled": V_OLD,
    "telemetry.target": V_OLD,
    "telemetry.otlpEndpoint": V_OLD,
    "telemetry.logPrompts": V_OLD,
    "telemetry.outfile": V_OLD,
    "modelProviders.*[].wireApi": V_NEW,
    "modelProviders.*[].capabilities.agent": V_NEW,
    "modelProviders.*[].capabilities.reasoning": V_NEW,
    "modelProviders.*[].supportsImageGeneration": V_NEW,
    "modelProviders.*[].imageOnly": V_NEW,
    "modelProviders.*[].fastOnly": V_NEW,
    "modelProviders.*[].voiceOnly": V_NEW,
    "modelProviders.*[].visionOnly": V_NEW,
    "modelProviders.*[].realtimeOnly": V_NEW,
    "providerMetadata": V_NEW,
}

# Keys honoured only in user/system(-defaults) settings (qwen-code.md §1.3, plus the 0.24.4
# schema's own statements for serve.tokenQr, ui.brand, security.allowPrivateNetworkHooks and
# goals.modelProposed). Applies to descendants too.
OPERATOR_ONLY = [
    "review",
    "tools.executionSandbox",
    "security.allowedInsecureVoiceBaseUrls",
    "security.allowPrivateNetworkHooks",
    "serve.tokenQr",
    "ui.brand",
    "goals.modelProposed",
    "modelProviders.*[].realtimeOnly",
]

# V1 flat keys -> V2 paths: V1_TO_V2_MIGRATION_MAP (packages/cli/src/config/migration/versions/
# v1-to-v2-shared.ts), union of the revisions seen; identity entries (mcpServers, telemetry,
# extensions) are not legacy. A file without "$version": 4 is migrated on disk; with it, the CLI
# warns "Legacy setting '<key>' will be ignored ... Please use '<path>' instead."
V1_TO_V2 = {
    "accessibility": "ui.accessibility",
    "allowedTools": "tools.allowed",
    "allowMCPServers": "mcp.allowed",
    "approvalMode": "tools.approvalMode",
    "autoAccept": "tools.autoAccept",
    "autoConfigureMaxOldSpaceSize": "advanced.autoConfigureMemory",
    "bugCommand": "advanced.bugCommand",
    "chatCompression": "model.chatCompression",
    "checkpointing": "general.checkpointing",
    "contentGenerator": "model.generationConfig",
    "contextFileName": "context.fileName",
    "coreTools": "tools.core",
    "customThemes": "ui.customThemes",
    "customWittyPhrases": "ui.customWittyPhrases",
    "debugKeystrokeLogging": "general.debugKeystrokeLogging",
    "dnsResolutionOrder": "advanced.dnsResolutionOrder",
    "enableOpenAILogging": "model.enableOpenAILogging",
    "enableWelcomeBack": "ui.enableWelcomeBack",
    "enforcedAuthType": "security.auth.enforcedType",
    "excludedProjectEnvVars": "advanced.excludedEnvVars",
    "excludeMCPServers": "mcp.excluded",
    "excludeTools": "tools.exclude",
    "fileFiltering": "context.fileFiltering",
    "folderTrust": "security.folderTrust.enabled",
    "folderTrustFeature": "security.folderTrust.featureEnabled",
    "hasSeenIdeIntegrationNudge": "ide.hasSeenNudge",
    "hideTips": "ui.hideTips",
    "hideWindowTitle": "ui.hideWindowTitle",
    "ideMode": "ide.enabled",
    "includeDirectories": "context.includeDirectories",
    "loadMemoryFromIncludeDirectories": "context.loadFromIncludeDirectories",
    "maxSessionTurns": "model.maxSessionTurns",
    "mcpServerCommand": "mcp.serverCommand",
    "memoryImportFormat": "context.importFormat",
    "model": "model.name",
    "preferredEditor": "general.preferredEditor",
    "sandbox": "tools.sandbox",
    "selectedAuthType": "security.auth.selectedType",
    "sessionTokenLimit": "model.sessionTokenLimit",
    "shellPager": "tools.shell.pager",
    "shellShowColor": "tools.shell.showColor",
    "shouldUseNodePtyShell": "tools.shell.enableInteractiveShell",
    "showCitations": "ui.showCitations",
    "showLineNumbers": "ui.showLineNumbers",
    "showStatusInTitle": "ui.showStatusInTitle",
    "skipLoopDetection": "model.skipLoopDetection",
    "skipNextSpeakerCheck": "model.skipNextSpeakerCheck",
    "skipStartupContext": "model.skipStartupContext",
    "summarizeToolOutput": "model.summarizeToolOutput",
    "tavilyApiKey": "advanced.tavilyApiKey",
    "theme": "ui.theme",
    "toolCallCommand": "tools.callCommand",
    "toolDiscoveryCommand": "tools.discoveryCommand",
    "usageStatisticsEnabled": "privacy.usageStatisticsEnabled",
    "useExternalAuth": "security.auth.useExternal",
    "useRipgrep": "tools.useRipgrep",
    "vimMode": "general.vimMode",
}

# disable* booleans whose value is inverted into an enable* key: V1 top-level keys
# (V1_TO_V2_PRESERVE_DISABLE_MAP) and their V2 nested names (V2_TO_V3_BOOLEAN_MAP); qwen-code.md §1.4.
INVERTED = {
    "disableAutoUpdate": "general.enableAutoUpdate",
    "disableUpdateNag": "general.enableAutoUpdate",
    "disableLoadingPhrases": "ui.accessibility.enableLoadingPhrases",
    "disableFuzzySearch": "context.fileFiltering.enableFuzzySearch",
    "disableCacheControl": "model.generationConfig.enableCacheControl",
    "general.disableAutoUpdate": "general.enableAutoUpdate",
    "general.disableUpdateNag": "general.enableAutoUpdate",
    "ui.accessibility.disableLoadingPhrases": "ui.accessibility.enableLoadingPhrases",
    "context.fileFiltering.disableFuzzySearch": "context.fileFiltering.enableFuzzySearch",
    "model.generationConfig.disableCacheControl": "model.generationConfig.enableCacheControl",
    # The same old name inside a model entry's generationConfig is ignored the same way.
    "modelProviders.*[].generationConfig.disableCacheControl":
        "modelProviders.*[].generationConfig.enableCacheControl",
}

# Types of V1 keys whose V2 path is gone as well.
V1_GONE_TYPES = {"folderTrustFeature": "boolean", "summarizeToolOutput": "object", "tavilyApiKey": "string"}

# Legacy top-level provider metadata moved by the CLI (LEGACY_KEY_MAP, qwen-code.md §1.5).
LEGACY_OBJECTS = {
    "codingPlan": "providerMetadata.coding-plan",
    "tokenPlan": "providerMetadata.token-plan",
}

# Deprecated keys that are still valid: (path, reason, replacement path or None).
DEPRECATED = [
    ("security.auth.apiKey", "use modelProviders entries with envKey", "modelProviders.*[].envKey"),
    ("security.auth.baseUrl", "use baseUrl on the modelProviders entry", "modelProviders.*[].baseUrl"),
    ("tools.allowed", "use permissions.allow", "permissions.allow"),
    ("tools.exclude", "use permissions.deny", "permissions.deny"),
    ("tools.core", "use tools.eager to defer tools or permissions.deny to remove them", None),
    ("permissions.autoMode.hints.deny", "alias of softDeny; use softDeny or hardDeny",
     "permissions.autoMode.hints.softDeny"),
    ("model.goalCheckpointTimeoutSeconds", "ignored: Goals no longer make checkpoint calls", None),
]

# Keys of the v0.16.1 schema that 0.24.4 no longer lists.
REMOVED_REASON = "not in the 0.24.4 settings schema (listed up to 0.16.1); it may have no effect"


# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------


def build() -> dict:
    up = json.loads(SCHEMA_0244.read_text(encoding="utf-8"))
    old = json.loads(SCHEMA_0161.read_text(encoding="utf-8"))
    desc = json.loads(DESCRIPTIONS.read_text(encoding="utf-8"))
    v016 = index_v016(old)

    cat = Catalog()
    for key, node in up["schema"].items():
        walk_settings(cat, (key,), node)

    # Every flat path of the upstream dump must be in the catalog.
    flat = {e["path"]: e for e in up["paths"]}
    have = {render(s) for s in cat.nodes}
    missing = sorted(set(flat) - have)
    if missing:
        raise SystemExit(f"gen-catalog: upstream paths not derived from the tree: {missing[:10]}")

    # The upstream `model` key also accepts the V1 string form (model.name).
    model = cat.node(("model",))
    model["types"].append("string")
    model["legacyTypes"] = ["string"]
    model["legacy"] = "model.name"
    # reasoningEffort: the option list omits "none", the JSON-schema override includes it; both
    # are upstream facts and `none` is accepted (qwen-code.md §4.2).
    if "none" not in cat.node(("model", "reasoningEffort"))["enum"]:
        raise SystemExit("gen-catalog: model.reasoningEffort lost `none`")

    for path, t, facts in EXTRA_KEYS:
        cat.add(path, t, **facts)

    # generationConfig: the 0.24.4 tree's fields plus the extras, in both places.
    gen_base = ("model", "generationConfig")
    for path, t, facts in GENERATION_EXTRAS:
        cat.add(gen_base + parse(path), t, **facts)
    for field, value in GENERATION_DEFAULTS.items():
        cat.node(gen_base + (field,)).setdefault("default", value)

    entry = parse("modelProviders.*[]")
    for path, t, facts in ENTRY_FIELDS:
        cat.add(entry + parse(path), t, **facts)
    gen_fields = {s[len(gen_base):]: n for s, n in list(cat.nodes.items())
                  if s[:len(gen_base)] == gen_base and len(s) > len(gen_base)}
    for rel, n in gen_fields.items():
        copy = {k: (list(v) if isinstance(v, list) else v) for k, v in n.items()
                if k not in ("mergeStrategy",)}
        cat.nodes[entry + ("generationConfig",) + rel] = copy

    # v0.16.1 keys that 0.24.4 no longer lists (outermost one marked deprecated), and item types
    # of arrays that the 0.24.4 tree leaves without `items` (e.g. tools.exclude[] = string).
    old_cat = Catalog()
    for key, node in (old.get("properties") or {}).items():
        walk_json_schema(old_cat, (key,), node)
    for segs, n in old_cat.nodes.items():  # parents come before their children
        if segs in cat.nodes or segs == ("$version",) or len(segs) < 2:
            continue
        parent = cat.nodes.get(segs[:-1])
        if parent is None or parent.get("open") or not n["types"]:
            continue
        facts = {"default": n["default"]} if "default" in n else {}
        if segs[-1] == "[]" or parent.get("deprecated") == REMOVED_REASON:
            cat.add(segs, n["types"], **facts)
        else:
            cat.add(segs, n["types"], deprecated=REMOVED_REASON, **facts)

    # Legacy and deprecated keys.
    for old_key, target in V1_TO_V2.items():
        segs = parse(old_key)
        target_node = cat.nodes.get(parse(target))
        if segs in cat.nodes:
            if old_key != "model":
                raise SystemExit(f"gen-catalog: legacy key {old_key} collides with a current key")
            continue  # `model` is current; only its string form is legacy (set above)
        if target_node is None:
            # The V2 path this key once moved to is not a setting any more either.
            cat.add(segs, V1_GONE_TYPES[old_key],
                    deprecated=f"V1 key; its V2 path {target} is not a 0.24.4 setting")
            continue
        types = [t for t in target_node["types"] if t not in target_node.get("legacyTypes", [])]
        cat.add(segs, types, legacy=target)
    for old_key, target in INVERTED.items():
        cat.add(old_key, "boolean", legacy=target, inverted=True)
    for old_key, target in LEGACY_OBJECTS.items():
        cat.add(old_key, "object", legacy=target)
    for path, reason, replacement in DEPRECATED:
        n = cat.nodes[parse(path)]
        n["deprecated"] = reason
        if replacement:
            n["replacement"] = replacement

    # open: an object without listed members, or with a `*` child.
    for segs, n in cat.nodes.items():
        if "object" in n["types"] and not legacy_only(n):
            children = [s for s in cat.nodes if len(s) == len(segs) + 1 and s[:len(segs)] == segs]
            if not children or segs + ("*",) in cat.nodes:
                n["open"] = True

    # since / operatorOnly
    for segs, n in cat.nodes.items():
        if not legacy_only(n):
            n["since"] = since(segs, v016)
    for segs, n in cat.nodes.items():
        if segs[:len(entry) + 1] == entry + ("generationConfig",) and len(segs) > len(entry) + 1:
            mirror = gen_base + segs[len(entry) + 1:]
            if mirror in cat.nodes and "since" in cat.nodes[mirror] and "since" in n:
                n["since"] = cat.nodes[mirror]["since"]
    op = [parse(p) for p in OPERATOR_ONLY]
    for segs, n in cat.nodes.items():
        if any(segs[:len(o)] == o for o in op):
            n["operatorOnly"] = True

    # Descriptions
    by_path = dict(desc["paths"])
    for rel, text in desc["generationConfig"].items():
        for base in ("model.generationConfig", "modelProviders.*[].generationConfig"):
            by_path.setdefault(f"{base}.{rel}", text)
    rendered = {render(s): s for s in cat.nodes}
    unknown = sorted(p for p in by_path if p not in rendered)
    if unknown:
        raise SystemExit(f"gen-catalog: descriptions for paths not in the catalog: {unknown}")
    for p, text in by_path.items():
        if len(text) > MAX_DESCRIPTION:
            raise SystemExit(f"gen-catalog: description of {p} is {len(text)} chars (max {MAX_DESCRIPTION})")
        cat.nodes[rendered[p]]["description"] = text
    undescribed = sorted(p for p, s in rendered.items()
                         if needs_description(s, cat.nodes[s]) and "description" not in cat.nodes[s])
    if undescribed:
        raise SystemExit(f"gen-catalog: these keys need a description: {undescribed}")

    # Consistency
    for p, s in rendered.items():
        n = cat.nodes[s]
        if not n["types"]:
            raise SystemExit(f"gen-catalog: no type for {p}")
        for ref in ("legacy", "replacement"):
            if ref in n and n[ref] not in rendered:
                raise SystemExit(f"gen-catalog: {p}: {ref} target {n[ref]} is not in the catalog")
        if "enum" in n and not n["enum"]:
            raise SystemExit(f"gen-catalog: empty enum for {p}")

    keys = [emit(render(s), cat.nodes[s]) for s in cat.nodes]
    keys.sort(key=lambda k: k["path"])
    return {"source": SOURCE, "generator": "scripts/gen-catalog.py", "format": FORMAT, "keys": keys}


def since(segs, v016: dict[str, bool]) -> str:
    for i in range(len(segs), 0, -1):
        p = render(segs[:i])
        if p in SINCE_OVERRIDES:
            return SINCE_OVERRIDES[p]
    if render(segs) in v016:
        return V_OLD
    for i in range(len(segs) - 1, 0, -1):
        p = render(segs[:i])
        if p in v016:
            return V_NEW if v016[p] else V_OLD
    return V_NEW


DESCRIBED_ROOTS = ("security.auth", "model", "env", "modelProviders", "providerProtocol", "proxy",
                   "$version", "providerMetadata")


def legacy_only(n: dict) -> bool:
    """An old key as a whole (not a current key with an old value form)."""
    return bool(n.get("legacy") and not n.get("legacyTypes")) or \
        n.get("deprecated", "").startswith("V1 key")


def needs_description(segs, n: dict) -> bool:
    if legacy_only(n):
        return False
    if len(segs) == 1:
        return True
    p = render(segs)
    return any(p == r or p.startswith(r + ".") or p.startswith(r + "[") for r in DESCRIBED_ROOTS)


FIELD_ORDER = ["path", "type", "enum", "default", "open", "required", "minimum", "maximum",
               "mergeStrategy", "since", "operatorOnly", "legacy", "legacyTypes", "inverted",
               "deprecated", "replacement", "description"]


FLAGS = ("open", "required", "operatorOnly", "inverted")


def emit(path: str, n: dict) -> dict:
    out: dict = {"path": path}
    types = [t for t in TYPES if t in n["types"]]
    # Keep the upstream primary type first (e.g. model: object before its legacy string form).
    types.sort(key=lambda t: n["types"].index(t))
    out["type"] = types[0] if len(types) == 1 else types
    for k in FIELD_ORDER[2:]:
        if k not in n or n[k] is None or (k in FLAGS and not n[k]):
            continue
        out[k] = n[k]
    if "legacyTypes" in out:
        out["legacyTypes"] = sorted(set(out["legacyTypes"]))
    return out


def serialize(catalog: dict) -> str:
    lines = ["{",
             f'  "source": {json.dumps(catalog["source"], ensure_ascii=False)},',
             f'  "generator": {json.dumps(catalog["generator"], ensure_ascii=False)},',
             f'  "format": {json.dumps(catalog["format"], ensure_ascii=False)},',
             '  "keys": [']
    body = [("    " + json.dumps(k, ensure_ascii=False, separators=(", ", ": "))) for k in catalog["keys"]]
    lines.append(",\n".join(body))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv[1:]
    extra = [a for a in argv[1:] if a != "--check"]
    if extra:
        print(f"usage: {argv[0]} [--check]", file=sys.stderr)
        return 2
    for p in (SCHEMA_0244, SCHEMA_0161, DESCRIPTIONS):
        if not p.is_file():
            print(f"gen-catalog: input not found: {p} (set QWEN_SETTINGS_SHARED to the shared/ folder)",
                  file=sys.stderr)
            return 2
    text = serialize(build())
    if check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else None
        if current != text:
            print(f"gen-catalog: {OUTPUT.relative_to(ROOT)} is stale; run `python3 scripts/gen-catalog.py`",
                  file=sys.stderr)
            return 1
        print(f"gen-catalog: {OUTPUT.relative_to(ROOT)} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"gen-catalog: wrote {OUTPUT.relative_to(ROOT)} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
