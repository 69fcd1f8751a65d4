//! Endpoint knowledge as data: every base URL the product knows, by provider, protocol, region
//! and plan, and the variable its key conventionally lives in. Rules, completion, hover and
//! `doctor` all read this one catalog.
//!
//! Sources: `shared/reference/providers.md` (§1 Model Studio: AC-base = Alibaba Cloud "Base URL
//! overview"; §2 OpenRouter; §3 other hosted providers; §4 local servers) and `qwen-code.md` §6
//! (Qwen Code's `/auth` presets, `QwenLM/qwen-code:packages/core/src/providers/presets/*.ts`).

use super::Protocol;

/// What a base URL is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Pay-as-you-go API keys.
    Standard,
    /// Alibaba Cloud Coding Plan (subscription, `sk-sp-` keys).
    CodingPlan,
    /// Alibaba Cloud Token Plan (team subscription).
    TokenPlan,
    /// A provider's coding subscription other than Alibaba's (Kimi Code, GLM coding).
    Coding,
    /// A server on this machine.
    Local,
}

impl Plan {
    pub fn label(self) -> &'static str {
        match self {
            Plan::Standard => "pay-as-you-go",
            Plan::CodingPlan => "Coding Plan",
            Plan::TokenPlan => "Token Plan",
            Plan::Coding => "coding plan",
            Plan::Local => "local",
        }
    }
}

/// One known base URL.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// Provider family; the same for every endpoint whose keys are interchangeable in kind
    /// (e.g. all of Alibaba Cloud Model Studio).
    pub provider: Provider,
    pub protocol: Protocol,
    /// Region label for display, e.g. "Singapore (International)".
    pub region: Option<&'static str>,
    pub plan: Plan,
    pub url: &'static str,
    /// The variable Qwen Code's preset (or the provider's docs) keeps the key in.
    pub variable: Option<&'static str>,
}

/// Provider families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    ModelStudio,
    OpenRouter,
    ModelScope,
    OpenAi,
    Anthropic,
    Google,
    DeepSeek,
    Moonshot,
    Zhipu,
    ZAi,
    MiniMax,
    SiliconFlow,
    XAi,
    HuggingFace,
    Requesty,
    Mimo,
    Local,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::ModelStudio => "Alibaba Cloud Model Studio",
            Provider::OpenRouter => "OpenRouter",
            Provider::ModelScope => "ModelScope",
            Provider::OpenAi => "OpenAI",
            Provider::Anthropic => "Anthropic",
            Provider::Google => "Google Gemini",
            Provider::DeepSeek => "DeepSeek",
            Provider::Moonshot => "Moonshot (Kimi)",
            Provider::Zhipu => "Zhipu BigModel",
            Provider::ZAi => "Z.AI",
            Provider::MiniMax => "MiniMax",
            Provider::SiliconFlow => "SiliconFlow",
            Provider::XAi => "xAI",
            Provider::HuggingFace => "Hugging Face",
            Provider::Requesty => "Requesty",
            Provider::Mimo => "Xiaomi MiMo",
            Provider::Local => "local server",
        }
    }

    /// Routers that accept keys for many upstream providers: never a key mismatch.
    pub fn is_gateway(self) -> bool {
        matches!(
            self,
            Provider::OpenRouter | Provider::Requesty | Provider::HuggingFace | Provider::Local
        )
    }
}

use Plan::*;
use Protocol::{Anthropic as A, Gemini as G, OpenAi as O};
use Provider as P;

const fn ep(
    provider: Provider,
    protocol: Protocol,
    region: Option<&'static str>,
    plan: Plan,
    url: &'static str,
    variable: Option<&'static str>,
) -> Endpoint {
    Endpoint {
        provider,
        protocol,
        region,
        plan,
        url,
        variable,
    }
}

const BEIJING: Option<&str> = Some("China (Beijing)");
const SINGAPORE: Option<&str> = Some("Singapore (International)");
const VIRGINIA: Option<&str> = Some("US (Virginia)");
const HONG_KONG: Option<&str> = Some("China (Hong Kong)");
const DASHSCOPE: Option<&str> = Some("DASHSCOPE_API_KEY");
const CODING_PLAN: Option<&str> = Some("BAILIAN_CODING_PLAN_API_KEY");
const TOKEN_PLAN: Option<&str> = Some("BAILIAN_TOKEN_PLAN_API_KEY");

pub const ENDPOINTS: &[Endpoint] = &[
    // Model Studio pay-as-you-go, shared domains (AC-base; Qwen Code "Standard API Key" preset,
    // alibaba-standard.ts, for the four OpenAI URLs).
    ep(
        P::ModelStudio,
        O,
        BEIJING,
        Standard,
        "https://dashscope.aliyuncs.com/compatible-mode/v1",
        DASHSCOPE,
    ),
    ep(
        P::ModelStudio,
        O,
        SINGAPORE,
        Standard,
        "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
        DASHSCOPE,
    ),
    ep(
        P::ModelStudio,
        O,
        VIRGINIA,
        Standard,
        "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
        DASHSCOPE,
    ),
    ep(
        P::ModelStudio,
        O,
        HONG_KONG,
        Standard,
        "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1",
        DASHSCOPE,
    ),
    ep(
        P::ModelStudio,
        A,
        BEIJING,
        Standard,
        "https://dashscope.aliyuncs.com/apps/anthropic",
        DASHSCOPE,
    ),
    ep(
        P::ModelStudio,
        A,
        SINGAPORE,
        Standard,
        "https://dashscope-intl.aliyuncs.com/apps/anthropic",
        DASHSCOPE,
    ),
    ep(
        P::ModelStudio,
        A,
        VIRGINIA,
        Standard,
        "https://dashscope-us.aliyuncs.com/apps/anthropic",
        DASHSCOPE,
    ),
    ep(
        P::ModelStudio,
        A,
        HONG_KONG,
        Standard,
        "https://cn-hongkong.dashscope.aliyuncs.com/apps/anthropic",
        DASHSCOPE,
    ),
    // Coding Plan (help.aliyun.com coding-plan-quickstart; alibaba-coding-plan.ts): `/v1`, not
    // `/compatible-mode/v1`.
    ep(
        P::ModelStudio,
        O,
        BEIJING,
        CodingPlan,
        "https://coding.dashscope.aliyuncs.com/v1",
        CODING_PLAN,
    ),
    ep(
        P::ModelStudio,
        O,
        SINGAPORE,
        CodingPlan,
        "https://coding-intl.dashscope.aliyuncs.com/v1",
        CODING_PLAN,
    ),
    ep(
        P::ModelStudio,
        A,
        BEIJING,
        CodingPlan,
        "https://coding.dashscope.aliyuncs.com/apps/anthropic",
        CODING_PLAN,
    ),
    ep(
        P::ModelStudio,
        A,
        SINGAPORE,
        CodingPlan,
        "https://coding-intl.dashscope.aliyuncs.com/apps/anthropic",
        CODING_PLAN,
    ),
    // Token Plan (help.aliyun.com more-tools; alibaba-token-plan.ts).
    ep(
        P::ModelStudio,
        O,
        BEIJING,
        TokenPlan,
        "https://token-plan.cn-beijing.maas.aliyuncs.com/compatible-mode/v1",
        TOKEN_PLAN,
    ),
    ep(
        P::ModelStudio,
        O,
        SINGAPORE,
        TokenPlan,
        "https://token-plan.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1",
        TOKEN_PLAN,
    ),
    ep(
        P::ModelStudio,
        A,
        BEIJING,
        TokenPlan,
        "https://token-plan.cn-beijing.maas.aliyuncs.com/apps/anthropic",
        TOKEN_PLAN,
    ),
    ep(
        P::ModelStudio,
        A,
        SINGAPORE,
        TokenPlan,
        "https://token-plan.ap-southeast-1.maas.aliyuncs.com/apps/anthropic",
        TOKEN_PLAN,
    ),
    // OpenRouter (openrouter.ai/docs/quickstart; openrouter.ts preset). Anthropic: the SDK
    // appends /v1/messages, so the base is /api (providers.md §2).
    ep(
        P::OpenRouter,
        O,
        None,
        Standard,
        "https://openrouter.ai/api/v1",
        Some("OPENROUTER_API_KEY"),
    ),
    ep(
        P::OpenRouter,
        A,
        None,
        Standard,
        "https://openrouter.ai/api",
        Some("OPENROUTER_API_KEY"),
    ),
    // modelscope.ts preset.
    ep(
        P::ModelScope,
        O,
        None,
        Standard,
        "https://api-inference.modelscope.cn/v1",
        Some("MODELSCOPE_API_KEY"),
    ),
    // DEFAULT_OPENAI_BASE_URL; Anthropic SDK default (no /v1); Gemini default.
    ep(
        P::OpenAi,
        O,
        None,
        Standard,
        "https://api.openai.com/v1",
        Some("OPENAI_API_KEY"),
    ),
    ep(
        P::Anthropic,
        A,
        None,
        Standard,
        "https://api.anthropic.com",
        Some("ANTHROPIC_API_KEY"),
    ),
    ep(
        P::Google,
        G,
        None,
        Standard,
        "https://generativelanguage.googleapis.com",
        Some("GEMINI_API_KEY"),
    ),
    ep(
        P::Google,
        O,
        None,
        Standard,
        "https://generativelanguage.googleapis.com/v1beta/openai",
        Some("GEMINI_API_KEY"),
    ),
    // api-docs.deepseek.com; deepseek.ts preset.
    ep(
        P::DeepSeek,
        O,
        None,
        Standard,
        "https://api.deepseek.com",
        Some("DEEPSEEK_API_KEY"),
    ),
    ep(
        P::DeepSeek,
        O,
        None,
        Standard,
        "https://api.deepseek.com/v1",
        Some("DEEPSEEK_API_KEY"),
    ),
    ep(
        P::DeepSeek,
        A,
        None,
        Standard,
        "https://api.deepseek.com/anthropic",
        Some("DEEPSEEK_API_KEY"),
    ),
    // platform.kimi.com; moonshot.ts / kimi.ts presets.
    ep(
        P::Moonshot,
        O,
        Some("China"),
        Standard,
        "https://api.moonshot.cn/v1",
        Some("MOONSHOT_API_KEY"),
    ),
    ep(
        P::Moonshot,
        O,
        Some("International"),
        Standard,
        "https://api.moonshot.ai/v1",
        Some("MOONSHOT_API_KEY"),
    ),
    ep(
        P::Moonshot,
        A,
        Some("China"),
        Standard,
        "https://api.moonshot.cn/anthropic",
        Some("MOONSHOT_API_KEY"),
    ),
    ep(
        P::Moonshot,
        A,
        Some("International"),
        Standard,
        "https://api.moonshot.ai/anthropic",
        Some("MOONSHOT_API_KEY"),
    ),
    ep(
        P::Moonshot,
        O,
        None,
        Coding,
        "https://api.kimi.com/coding/v1",
        Some("KIMI_CODE_API_KEY"),
    ),
    // docs.bigmodel.cn; zai.ts preset.
    ep(
        P::Zhipu,
        O,
        Some("China"),
        Standard,
        "https://open.bigmodel.cn/api/paas/v4",
        Some("ZHIPU_API_KEY"),
    ),
    ep(
        P::Zhipu,
        O,
        Some("China"),
        Coding,
        "https://open.bigmodel.cn/api/coding/paas/v4",
        Some("ZHIPU_API_KEY"),
    ),
    ep(
        P::Zhipu,
        A,
        Some("China"),
        Standard,
        "https://open.bigmodel.cn/api/anthropic",
        Some("ZHIPU_API_KEY"),
    ),
    ep(
        P::ZAi,
        O,
        Some("International"),
        Standard,
        "https://api.z.ai/api/paas/v4",
        Some("ZAI_API_KEY"),
    ),
    ep(
        P::ZAi,
        O,
        Some("International"),
        Coding,
        "https://api.z.ai/api/coding/paas/v4",
        Some("ZAI_API_KEY"),
    ),
    // minimax.ts preset.
    ep(
        P::MiniMax,
        O,
        Some("International"),
        Standard,
        "https://api.minimax.io/v1",
        Some("MINIMAX_API_KEY"),
    ),
    ep(
        P::MiniMax,
        O,
        Some("China"),
        Standard,
        "https://api.minimaxi.com/v1",
        Some("MINIMAX_API_KEY"),
    ),
    ep(
        P::MiniMax,
        A,
        Some("International"),
        Standard,
        "https://api.minimax.io/anthropic",
        Some("MINIMAX_API_KEY"),
    ),
    ep(
        P::MiniMax,
        A,
        Some("China"),
        Standard,
        "https://api.minimaxi.com/anthropic",
        Some("MINIMAX_API_KEY"),
    ),
    // docs.siliconflow.cn.
    ep(
        P::SiliconFlow,
        O,
        Some("China"),
        Standard,
        "https://api.siliconflow.cn/v1",
        Some("SILICONFLOW_API_KEY"),
    ),
    ep(
        P::SiliconFlow,
        O,
        Some("International"),
        Standard,
        "https://api.siliconflow.com/v1",
        Some("SILICONFLOW_API_KEY"),
    ),
    // grok.ts, huggingface.ts, requesty.ts, xiaomi-mimo.ts presets.
    ep(
        P::XAi,
        O,
        None,
        Standard,
        "https://api.x.ai/v1",
        Some("XAI_API_KEY"),
    ),
    ep(
        P::HuggingFace,
        O,
        None,
        Standard,
        "https://router.huggingface.co/v1",
        Some("HUGGINGFACE_API_KEY"),
    ),
    ep(
        P::Requesty,
        O,
        None,
        Standard,
        "https://router.requesty.ai/v1",
        Some("REQUESTY_API_KEY"),
    ),
    ep(
        P::Mimo,
        O,
        None,
        Standard,
        "https://api.xiaomimimo.com/v1",
        Some("MIMO_API_KEY"),
    ),
    // Local servers (providers.md §4): OpenAI-compatible, `/v1` required.
    ep(
        P::Local,
        O,
        Some("Ollama"),
        Local,
        "http://localhost:11434/v1",
        Some("OLLAMA_API_KEY"),
    ),
    ep(
        P::Local,
        A,
        Some("Ollama"),
        Local,
        "http://localhost:11434",
        Some("OLLAMA_API_KEY"),
    ),
    ep(
        P::Local,
        O,
        Some("LM Studio"),
        Local,
        "http://localhost:1234/v1",
        Some("LMSTUDIO_API_KEY"),
    ),
    ep(
        P::Local,
        O,
        Some("vLLM"),
        Local,
        "http://localhost:8000/v1",
        Some("VLLM_API_KEY"),
    ),
    ep(
        P::Local,
        O,
        Some("llama.cpp"),
        Local,
        "http://localhost:8080/v1",
        Some("LLAMACPP_API_KEY"),
    ),
    ep(
        P::Local,
        O,
        Some("SGLang"),
        Local,
        "http://localhost:30000/v1",
        Some("SGLANG_API_KEY"),
    ),
];

/// Workspace-dedicated and trial Model Studio domains: `<id>.<region>.maas.aliyuncs.com`
/// (AC-base), with the pay-as-you-go paths.
const MAAS_REGIONS: &[(&str, &str)] = &[
    ("cn-beijing", "China (Beijing)"),
    ("ap-southeast-1", "Singapore (International)"),
    ("ap-northeast-1", "Japan (Tokyo)"),
    ("eu-central-1", "Germany (Frankfurt)"),
    ("us-east-1", "US (Virginia)"),
    ("cn-hongkong", "China (Hong Kong)"),
];

/// A parsed base URL: host (lowercase, no port) and path without trailing slashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub scheme: String,
    pub host: String,
    pub path: String,
    /// `scheme://host[:port]` as the parser normalised it.
    pub origin: String,
}

/// Parses an absolute http(s) URL the way Node's `new URL()` does (WHATWG). Memoized per
/// thread, like [`endpoint_for_host`].
pub fn parse_url(s: &str) -> Option<Parsed> {
    thread_local! {
        static CACHE: std::cell::RefCell<rustc_hash::FxHashMap<String, Option<Parsed>>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(s).cloned()) {
        return hit;
    }
    let parsed = parse_url_uncached(s);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 1024 {
            c.clear();
        }
        c.insert(s.to_string(), parsed.clone());
    });
    parsed
}

fn parse_url_uncached(s: &str) -> Option<Parsed> {
    let url = url::Url::parse(s).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let origin = match url.port() {
        Some(port) => format!("{}://{}:{port}", url.scheme(), host),
        None => format!("{}://{}", url.scheme(), host),
    };
    Some(Parsed {
        scheme: url.scheme().to_string(),
        host,
        path: url.path().trim_end_matches('/').to_string(),
        origin,
    })
}

/// The host of an absolute URL, lowercased, without port or user info.
pub fn host(url: &str) -> Option<String> {
    parse_url(url).map(|p| p.host)
}

/// How a host relates to Model Studio (DashScope).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DashScopeHost {
    /// A shared pay-as-you-go domain (region label).
    Shared(&'static str),
    /// A workspace-dedicated or trial domain `<id>.<region>.maas.aliyuncs.com`.
    Workspace(&'static str),
    CodingPlan(&'static str),
    TokenPlan(&'static str),
}

impl DashScopeHost {
    pub fn plan(self) -> Plan {
        match self {
            DashScopeHost::Shared(_) | DashScopeHost::Workspace(_) => Standard,
            DashScopeHost::CodingPlan(_) => CodingPlan,
            DashScopeHost::TokenPlan(_) => TokenPlan,
        }
    }

    pub fn region(self) -> &'static str {
        match self {
            DashScopeHost::Shared(r)
            | DashScopeHost::Workspace(r)
            | DashScopeHost::CodingPlan(r)
            | DashScopeHost::TokenPlan(r) => r,
        }
    }

    /// The path this host serves `protocol` on, e.g. `/compatible-mode/v1`.
    pub fn path_for(self, protocol: Protocol) -> Option<&'static str> {
        match (self.plan(), protocol) {
            (_, Protocol::Anthropic) => Some("/apps/anthropic"),
            (CodingPlan, Protocol::OpenAi) => Some("/v1"),
            (_, Protocol::OpenAi) => Some("/compatible-mode/v1"),
            _ => None,
        }
    }
}

/// Each catalog endpoint with its parsed URL, computed once.
static PARSED: std::sync::LazyLock<Vec<(Parsed, &'static Endpoint)>> =
    std::sync::LazyLock::new(|| {
        ENDPOINTS
            .iter()
            .filter_map(|e| Some((parse_url(e.url)?, e)))
            .collect()
    });

/// Classifies a Model Studio host; `None` for any other host (including unknown `aliyuncs.com`
/// hosts, which [`is_aliyun`] tells apart).
pub fn dashscope_host(host: &str) -> Option<DashScopeHost> {
    for (parsed, e) in PARSED.iter().filter(|(_, e)| e.provider == P::ModelStudio) {
        if parsed.host == host {
            let region = e.region.unwrap_or("");
            return Some(match e.plan {
                CodingPlan => DashScopeHost::CodingPlan(region),
                TokenPlan => DashScopeHost::TokenPlan(region),
                _ => DashScopeHost::Shared(region),
            });
        }
    }
    let rest = host.strip_suffix(".maas.aliyuncs.com")?;
    let (id, region) = rest.split_once('.')?;
    let valid_id = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let region = MAAS_REGIONS.iter().find(|(r, _)| *r == region)?.1;
    valid_id.then_some(DashScopeHost::Workspace(region))
}

/// An Alibaba Cloud host (`*.aliyuncs.com`).
pub fn is_aliyun(host: &str) -> bool {
    host == "aliyuncs.com" || host.ends_with(".aliyuncs.com")
}

/// The catalog endpoint whose host serves `url` (same host; the path may differ). Memoized per
/// thread: a settings file repeats a handful of base URLs, and every rule asks about them.
pub fn endpoint_for_host(url: &str) -> Option<&'static Endpoint> {
    thread_local! {
        static CACHE: std::cell::RefCell<rustc_hash::FxHashMap<String, Option<&'static Endpoint>>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(url).copied()) {
        return hit;
    }
    let found = endpoint_for_host_uncached(url);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 1024 {
            c.clear();
        }
        c.insert(url.to_string(), found);
    });
    found
}

fn endpoint_for_host_uncached(url: &str) -> Option<&'static Endpoint> {
    let parsed = parse_url(url)?;
    if let Some(ds) = dashscope_host(&parsed.host) {
        return ENDPOINTS
            .iter()
            .find(|e| {
                e.provider == P::ModelStudio && e.plan == ds.plan() && e.region == Some(ds.region())
            })
            .or_else(|| ENDPOINTS.iter().find(|e| e.provider == P::ModelStudio));
    }
    if is_loopback(&parsed.host) {
        return ENDPOINTS.iter().find(|e| {
            parse_url(e.url).is_some_and(|p| p.host == "localhost") && same_port(e.url, url)
        });
    }
    ENDPOINTS.iter().find(|e| {
        parse_url(e.url).is_some_and(|p| {
            p.host == parsed.host || parsed.host.ends_with(&format!(".{}", p.host))
        })
    })
}

fn same_port(a: &str, b: &str) -> bool {
    let port = |s: &str| {
        url::Url::parse(s)
            .ok()
            .and_then(|u| u.port_or_known_default())
    };
    port(a) == port(b)
}

/// The provider a base URL belongs to.
pub fn provider_for(url: &str) -> Option<Provider> {
    let host = host(url)?;
    if is_loopback(&host) {
        return Some(P::Local);
    }
    if dashscope_host(&host).is_some() {
        return Some(P::ModelStudio);
    }
    endpoint_for_host(url).map(|e| e.provider)
}

/// The variable a key for `url` conventionally lives in.
pub fn variable_for(url: &str) -> Option<&'static str> {
    endpoint_for_host(url).and_then(|e| e.variable)
}

/// Loopback hosts: the key never leaves the machine.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h.ends_with(".localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The provider a variable name belongs to, when the name is specific to one provider.
/// `OPENAI_API_KEY` is not: it is the default for every OpenAI-compatible endpoint.
pub fn provider_of_variable(name: &str) -> Option<Provider> {
    if name == "OPENAI_API_KEY" {
        return None;
    }
    ENDPOINTS
        .iter()
        .find(|e| e.variable == Some(name) && e.provider != P::Local)
        .map(|e| e.provider)
}

/// The URL the SDK requests for a base URL (qwen-code.md §6; providers.md §5 "SDK join").
pub fn request_url(protocol: Protocol, base: &str, model: &str, responses: bool) -> String {
    let base = base.trim_end_matches('/');
    match protocol {
        Protocol::Anthropic => format!("{base}/v1/messages"),
        Protocol::Gemini | Protocol::VertexAi => {
            format!("{base}/v1beta/models/{model}:streamGenerateContent?alt=sse")
        }
        _ if responses => format!("{base}/responses"),
        _ => format!("{base}/chat/completions"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_providers() {
        assert_eq!(
            host("https://User@Example.com:8080/v1").as_deref(),
            Some("example.com")
        );
        assert_eq!(host("http://[::1]:11434/v1").as_deref(), Some("[::1]"));
        assert_eq!(host("example.com/v1"), None);
        assert_eq!(host("h:1234/v1"), None);
        assert_eq!(
            variable_for("https://coding-intl.dashscope.aliyuncs.com/v1"),
            Some("BAILIAN_CODING_PLAN_API_KEY")
        );
        assert_eq!(
            variable_for("https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1"),
            Some("DASHSCOPE_API_KEY")
        );
        assert_eq!(
            variable_for("https://ws1.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1"),
            Some("DASHSCOPE_API_KEY")
        );
        assert_eq!(
            variable_for("https://openrouter.ai/api/v1"),
            Some("OPENROUTER_API_KEY")
        );
        assert_eq!(
            variable_for("http://localhost:11434/v1"),
            Some("OLLAMA_API_KEY")
        );
        assert_eq!(provider_for("http://127.0.0.1:9/v1"), Some(Provider::Local));
        assert_eq!(
            provider_for("https://cn-hongkong.aliyuncs.com/compatible-mode/v1"),
            None
        );
        assert!(is_aliyun("cn-hongkong.aliyuncs.com"));
        assert_eq!(
            dashscope_host("token-plan.cn-beijing.maas.aliyuncs.com"),
            Some(DashScopeHost::TokenPlan("China (Beijing)"))
        );
        assert_eq!(
            dashscope_host("ws-1.eu-central-1.maas.aliyuncs.com"),
            Some(DashScopeHost::Workspace("Germany (Frankfurt)"))
        );
        assert_eq!(
            provider_of_variable("DASHSCOPE_API_KEY"),
            Some(Provider::ModelStudio)
        );
        assert_eq!(provider_of_variable("OPENAI_API_KEY"), None);
    }

    #[test]
    fn request_urls() {
        assert_eq!(
            request_url(Protocol::OpenAi, "https://x/v1/", "m", false),
            "https://x/v1/chat/completions"
        );
        assert_eq!(
            request_url(Protocol::Anthropic, "https://x/apps/anthropic", "m", false),
            "https://x/apps/anthropic/v1/messages"
        );
        assert_eq!(
            request_url(Protocol::OpenAi, "https://x/v1", "m", true),
            "https://x/v1/responses"
        );
        assert_eq!(
            request_url(Protocol::Gemini, "https://g", "gemini-2.5-pro", false),
            "https://g/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
        );
    }

    #[test]
    fn every_catalog_url_parses() {
        for e in ENDPOINTS {
            assert!(parse_url(e.url).is_some(), "{}", e.url);
        }
    }
}
