//! Deterministic generator of realistic Qwen Code `settings.json` documents for benchmarks
//! (issue 6).
//!
//! `bench/lsp-latency` carries a Python port of exactly this algorithm and checks, with
//! `--verify-generator`, that both produce byte-identical documents (the bench binary writes
//! its documents when `QWEN_BENCH_WRITE_DOCS=<dir>` is set). Change both together.
//!
//! A document holds `$version`, `env`, `security.auth.selectedType`, `model.name`,
//! `providerProtocol` mapping custom ids, `modelProviders` entries under `openai`, a mapped
//! custom id, `anthropic` and more (CJK and emoji in names and descriptions, `//` and `/* */`
//! comments, nested `generationConfig`), and a few planted problems: one duplicate model
//! (`duplicate-model`), one entry without `envKey` (`envkey-missing`) and one unmapped
//! provider key (`unknown-protocol-key`). Entries are added until the document reaches the
//! requested size. One entry in the middle carries [`EDIT_MARKER`] in its description: the
//! place where the benchmarks type.

/// Unique text inside the description where edits happen; typing goes right after it.
pub const EDIT_MARKER: &str = "✍️ 基准编辑点 edit-point 👉";

/// The seed every benchmark uses.
pub const SEED: u64 = 42;

/// The sizes the benchmarks run at: label and target size in bytes.
pub const SIZES: [(&str, usize); 3] = [
    ("10KB", 10 * 1024),
    ("1MB", 1024 * 1024),
    ("10MB", 10 * 1024 * 1024),
];

/// splitmix64: tiny, seedable and easy to port bit-for-bit.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// One `modelProviders` key: its share of the document and what its entries look like.
struct Group {
    key: &'static str,
    /// Cumulative share of the target size at which this group stops.
    until: f64,
    families: &'static [&'static str],
    /// `baseUrl` and the `envKey` that goes with it.
    endpoints: &'static [(&'static str, &'static str)],
}

const GROUPS: [Group; 5] = [
    Group {
        key: "openai",
        until: 0.40,
        families: &[
            "qwen3-coder-plus",
            "qwen3-max",
            "qwen-plus-latest",
            "deepseek-v3.2",
            "kimi-k2-instruct",
            "gpt-5",
        ],
        endpoints: &[
            (
                "https://dashscope.aliyuncs.com/compatible-mode/v1",
                "DASHSCOPE_API_KEY",
            ),
            (
                "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
                "DASHSCOPE_API_KEY",
            ),
            ("https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
            ("https://api.moonshot.cn/v1", "MOONSHOT_API_KEY"),
            ("https://api.openai.com/v1", "OPENAI_API_KEY"),
        ],
    },
    Group {
        key: "dashscope-intl",
        until: 0.60,
        families: &[
            "qwen3-coder-flash",
            "qwen3-235b-a22b",
            "qwq-plus",
            "qwen-vl-max",
        ],
        endpoints: &[
            (
                "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
                "DASHSCOPE_API_KEY",
            ),
            (
                "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
                "DASHSCOPE_API_KEY",
            ),
        ],
    },
    Group {
        key: "anthropic",
        until: 0.80,
        families: &["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"],
        endpoints: &[
            ("https://api.anthropic.com", "ANTHROPIC_API_KEY"),
            (
                "https://dashscope.aliyuncs.com/apps/anthropic",
                "DASHSCOPE_API_KEY",
            ),
        ],
    },
    Group {
        key: "openrouter",
        until: 0.90,
        families: &["qwen/qwen3-coder", "z-ai/glm-4.6", "moonshotai/kimi-k2"],
        endpoints: &[("https://openrouter.ai/api/v1", "OPENROUTER_API_KEY")],
    },
    Group {
        key: "bedrock-gateway",
        until: 1.0,
        families: &["claude-sonnet-4-5", "claude-3-7-sonnet"],
        endpoints: &[(
            "https://bedrock-gw.internal.example.com/anthropic",
            "BEDROCK_GATEWAY_TOKEN",
        )],
    },
];

const NAMES: &[&str] = &[
    "通义千问",
    "深度求索",
    "月之暗面",
    "智谱清言",
    "Claude",
    "ジェミニ",
    "클로드",
    "Modèle",
];
const EMOJI: &[&str] = &["🚀", "🧠", "⚡", "🐉", "🇯🇵", "👩‍💻", "🔥", "✅", "🦀"];
const DESCRIPTIONS: &[&str] = &[
    "适合长上下文的代码生成",
    "東京リージョン、低レイテンシ",
    "用于代码审查和重构",
    "多语言翻译 · 中文 / English / 日本語",
    "便宜又快，适合自动补全",
    "Reasoning model for hard refactors",
    "团队共享配额，请勿滥用",
];
const TEAMS: &[&str] = &["平台组", "infra", "数据团队", "mobile-ios", "研究院"];
const COMMENTS: &[&str] = &[
    "TODO: 迁移到新的区域",
    "rotated 2025-09 by ops",
    "备用线路 (backup route)",
    "do not remove: used by CI 🔧",
];

fn push_entry(out: &mut String, rng: &mut Rng, group: &Group, index: usize, edit_point: bool) {
    if rng.below(4) == 0 {
        out.push_str("      // ");
        out.push_str(rng.pick(COMMENTS));
        out.push('\n');
    }
    let family = rng.pick(group.families);
    let (url, env_key) = group.endpoints[rng.below(group.endpoints.len())];
    let id = format!("{family}-{index}");
    push_entry_with(out, rng, &id, url, Some(env_key), index, edit_point);
}

#[allow(clippy::too_many_arguments)]
fn push_entry_with(
    out: &mut String,
    rng: &mut Rng,
    id: &str,
    url: &str,
    env_key: Option<&str>,
    index: usize,
    edit_point: bool,
) {
    let name = format!("{} {} #{} {}", rng.pick(NAMES), id, index, rng.pick(EMOJI));
    let description = if edit_point {
        EDIT_MARKER.to_string()
    } else {
        format!("{} {}", rng.pick(DESCRIPTIONS), rng.pick(EMOJI))
    };
    out.push_str("      {\n");
    out.push_str(&format!("        \"id\": \"{id}\",\n"));
    out.push_str(&format!("        \"name\": \"{name}\",\n"));
    out.push_str(&format!("        \"description\": \"{description}\",\n"));
    out.push_str(&format!("        \"baseUrl\": \"{url}\",\n"));
    if let Some(env_key) = env_key {
        if rng.below(8) == 0 {
            out.push_str(&format!(
                "        \"envKey\": /* {} */ \"{env_key}\",\n",
                rng.pick(COMMENTS)
            ));
        } else {
            out.push_str(&format!("        \"envKey\": \"{env_key}\",\n"));
        }
    }
    if rng.below(3) == 0 {
        out.push_str("        \"capabilities\": { \"vision\": true, \"agent\": true },\n");
    }
    let timeout = 30000 + 10000 * rng.below(10);
    let retries = rng.below(6);
    let temperature = rng.below(10);
    let top_p = 5 + rng.below(5);
    let max_tokens = 1024 << rng.below(5);
    out.push_str("        \"generationConfig\": {\n");
    out.push_str(&format!("          \"timeout\": {timeout},\n"));
    out.push_str(&format!("          \"maxRetries\": {retries},\n"));
    out.push_str(&format!(
        "          \"samplingParams\": {{ \"temperature\": 0.{temperature}, \"top_p\": 0.{top_p}, \"max_tokens\": {max_tokens} }}"
    ));
    if rng.below(4) == 0 {
        out.push_str(&format!(
            ",\n          \"customHeaders\": {{ \"X-Team\": \"{}\" }}",
            rng.pick(TEAMS)
        ));
    }
    out.push_str("\n        }\n");
    out.push_str("      }");
}

/// Generates a settings document of about `target` bytes (within one entry or so).
pub fn generate(target: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut out = String::with_capacity(target + 4096);
    out.push_str(
        "// Qwen Code settings: generated benchmark document (qwen-settings-ls, issue 6).\n",
    );
    out.push_str(&format!(
        "// seed {seed}, target {target} bytes. 通义千问 🚀 Not a real configuration.\n"
    ));
    out.push_str("{\n");
    out.push_str("  \"$version\": 4,\n");
    out.push_str("  /* Keys come from the shell; these values are placeholders. */\n");
    out.push_str("  \"env\": {\n");
    for name in [
        "DASHSCOPE_API_KEY",
        "DEEPSEEK_API_KEY",
        "MOONSHOT_API_KEY",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "OPENROUTER_API_KEY",
        "BEDROCK_GATEWAY_TOKEN",
        "SILICONFLOW_API_KEY",
    ] {
        out.push_str(&format!("    \"{name}\": \"placeholder-not-a-key\",\n"));
    }
    out.push_str("    \"HTTPS_PROXY\": \"http://127.0.0.1:7890\"\n");
    out.push_str("  },\n");
    out.push_str("  \"security\": { \"auth\": { \"selectedType\": \"openai\" } },\n");
    out.push_str("  \"model\": {\n");
    out.push_str("    \"name\": \"qwen3-coder-plus\"\n");
    out.push_str("  },\n");
    out.push_str("  // custom provider ids and the SDK each one speaks\n");
    out.push_str("  \"providerProtocol\": {\n");
    out.push_str("    \"dashscope-intl\": \"openai\",\n");
    out.push_str("    \"openrouter\": \"openai\",\n");
    out.push_str("    \"bedrock-gateway\": \"anthropic\"\n");
    out.push_str("  },\n");
    out.push_str("  \"modelProviders\": {\n");
    // what follows the last group, to stop at the right size
    let tail_len = 1024;
    let mut index = 0;
    let mut edit_point_done = false;
    for group in &GROUPS {
        out.push_str(&format!("    // ── {} ──\n", group.key));
        out.push_str(&format!("    \"{}\": [\n", group.key));
        let until = (target as f64 * group.until) as usize;
        let mut first = true;
        loop {
            if !first {
                out.push_str(",\n");
            }
            if index == 0 {
                // the model `model.name` selects
                push_entry_with(
                    &mut out,
                    &mut rng,
                    "qwen3-coder-plus",
                    "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
                    Some("DASHSCOPE_API_KEY"),
                    index,
                    false,
                );
            } else {
                let edit_point = !edit_point_done && out.len() + tail_len >= target / 2;
                edit_point_done |= edit_point;
                push_entry(&mut out, &mut rng, group, index, edit_point);
            }
            index += 1;
            first = false;
            if out.len() + tail_len >= until {
                break;
            }
        }
        if group.key == "openai" {
            // planted: the same id and baseUrl as the first entry (`duplicate-model`), and an
            // entry without envKey (`envkey-missing`)
            out.push_str(",\n      // copied from the top while testing\n");
            push_entry_with(
                &mut out,
                &mut rng,
                "qwen3-coder-plus",
                "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
                Some("DASHSCOPE_API_KEY"),
                index,
                false,
            );
            index += 1;
            out.push_str(",\n");
            push_entry_with(
                &mut out,
                &mut rng,
                "gpt-5-mini",
                "https://api.openai.com/v1",
                None,
                index,
                false,
            );
            index += 1;
        }
        out.push_str("\n    ],\n");
    }
    // planted: not a protocol and not mapped (`unknown-protocol-key`)
    out.push_str("    \"siliconflow\": [\n");
    push_entry_with(
        &mut out,
        &mut rng,
        "Qwen/Qwen3-Coder-480B-A35B-Instruct",
        "https://api.siliconflow.cn/v1",
        Some("SILICONFLOW_API_KEY"),
        index,
        false,
    );
    out.push_str("\n    ]\n");
    out.push_str("  },\n");
    out.push_str("  \"general\": { \"vimMode\": false, \"preferredEditor\": \"code\" },\n");
    out.push_str("  \"ui\": { \"theme\": \"GitHub\", \"hideTips\": true }\n");
    out.push_str("}\n");
    out
}

/// The byte offset right after [`EDIT_MARKER`], inside the description string.
pub fn edit_offset(doc: &str) -> usize {
    doc.find(EDIT_MARKER)
        .expect("generated documents carry the marker")
        + EDIT_MARKER.len()
}
