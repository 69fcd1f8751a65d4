//! Endpoint knowledge as data: which provider a base URL belongs to, and the variable its
//! key conventionally lives in.
//!
//! Sources: `shared/reference/providers.md` §1–§4 and `qwen-code.md` §6 (`/auth` presets).

/// A provider recognised by its host.
pub struct HostRule {
    /// Matches the host exactly, or as a parent domain (`.suffix`).
    pub host: &'static str,
    pub provider: &'static str,
    pub variable: &'static str,
}

/// Most specific first.
pub const HOSTS: &[HostRule] = &[
    // Coding Plan: coding(-intl).dashscope.aliyuncs.com (alibaba-coding-plan.ts preset).
    HostRule {
        host: "coding.dashscope.aliyuncs.com",
        provider: "Alibaba Cloud Coding Plan",
        variable: "BAILIAN_CODING_PLAN_API_KEY",
    },
    HostRule {
        host: "coding-intl.dashscope.aliyuncs.com",
        provider: "Alibaba Cloud Coding Plan",
        variable: "BAILIAN_CODING_PLAN_API_KEY",
    },
    // Token Plan: token-plan.<region>.maas.aliyuncs.com (alibaba-token-plan.ts preset).
    HostRule {
        host: "token-plan.cn-beijing.maas.aliyuncs.com",
        provider: "Alibaba Cloud Token Plan",
        variable: "BAILIAN_TOKEN_PLAN_API_KEY",
    },
    HostRule {
        host: "token-plan.ap-southeast-1.maas.aliyuncs.com",
        provider: "Alibaba Cloud Token Plan",
        variable: "BAILIAN_TOKEN_PLAN_API_KEY",
    },
    // Model Studio pay-as-you-go, shared and workspace domains (alibaba-standard.ts; AC-base).
    HostRule {
        host: "dashscope.aliyuncs.com",
        provider: "Alibaba Cloud Model Studio",
        variable: "DASHSCOPE_API_KEY",
    },
    HostRule {
        host: "dashscope-intl.aliyuncs.com",
        provider: "Alibaba Cloud Model Studio",
        variable: "DASHSCOPE_API_KEY",
    },
    HostRule {
        host: "dashscope-us.aliyuncs.com",
        provider: "Alibaba Cloud Model Studio",
        variable: "DASHSCOPE_API_KEY",
    },
    HostRule {
        host: "maas.aliyuncs.com",
        provider: "Alibaba Cloud Model Studio",
        variable: "DASHSCOPE_API_KEY",
    },
    // openrouter.ts preset.
    HostRule {
        host: "openrouter.ai",
        provider: "OpenRouter",
        variable: "OPENROUTER_API_KEY",
    },
    // modelscope.ts preset.
    HostRule {
        host: "api-inference.modelscope.cn",
        provider: "ModelScope",
        variable: "MODELSCOPE_API_KEY",
    },
    HostRule {
        host: "api.openai.com",
        provider: "OpenAI",
        variable: "OPENAI_API_KEY",
    },
    HostRule {
        host: "api.anthropic.com",
        provider: "Anthropic",
        variable: "ANTHROPIC_API_KEY",
    },
    HostRule {
        host: "generativelanguage.googleapis.com",
        provider: "Google Gemini",
        variable: "GEMINI_API_KEY",
    },
    // deepseek.ts preset.
    HostRule {
        host: "api.deepseek.com",
        provider: "DeepSeek",
        variable: "DEEPSEEK_API_KEY",
    },
    // moonshot.ts / kimi.ts presets.
    HostRule {
        host: "api.moonshot.cn",
        provider: "Moonshot",
        variable: "MOONSHOT_API_KEY",
    },
    HostRule {
        host: "api.moonshot.ai",
        provider: "Moonshot",
        variable: "MOONSHOT_API_KEY",
    },
    HostRule {
        host: "api.kimi.com",
        provider: "Kimi Code",
        variable: "KIMI_CODE_API_KEY",
    },
    // zai.ts preset; BigModel docs.
    HostRule {
        host: "api.z.ai",
        provider: "Z.AI",
        variable: "ZAI_API_KEY",
    },
    HostRule {
        host: "open.bigmodel.cn",
        provider: "Zhipu BigModel",
        variable: "ZHIPU_API_KEY",
    },
    // minimax.ts preset.
    HostRule {
        host: "api.minimax.io",
        provider: "MiniMax",
        variable: "MINIMAX_API_KEY",
    },
    HostRule {
        host: "api.minimaxi.com",
        provider: "MiniMax",
        variable: "MINIMAX_API_KEY",
    },
    // SiliconFlow docs.
    HostRule {
        host: "api.siliconflow.cn",
        provider: "SiliconFlow",
        variable: "SILICONFLOW_API_KEY",
    },
    HostRule {
        host: "api.siliconflow.com",
        provider: "SiliconFlow",
        variable: "SILICONFLOW_API_KEY",
    },
    // grok.ts preset.
    HostRule {
        host: "api.x.ai",
        provider: "xAI",
        variable: "XAI_API_KEY",
    },
    // requesty.ts preset.
    HostRule {
        host: "router.requesty.ai",
        provider: "Requesty",
        variable: "REQUESTY_API_KEY",
    },
];

/// The host of an absolute URL, lowercased, without port or user info.
pub fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The provider a base URL's host belongs to.
pub fn host_rule(url: &str) -> Option<&'static HostRule> {
    let host = host(url)?;
    HOSTS
        .iter()
        .find(|r| host == r.host || host.ends_with(&format!(".{}", r.host)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            host("https://User@Example.com:8080/v1").as_deref(),
            Some("example.com")
        );
        assert_eq!(host("http://[::1]:11434/v1").as_deref(), Some("[::1]"));
        assert_eq!(host("example.com/v1"), None);
        let var = |u| host_rule(u).map(|r| r.variable);
        assert_eq!(
            var("https://coding-intl.dashscope.aliyuncs.com/v1"),
            Some("BAILIAN_CODING_PLAN_API_KEY")
        );
        assert_eq!(
            var("https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1"),
            Some("DASHSCOPE_API_KEY")
        );
        assert_eq!(
            var("https://ws1.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1"),
            Some("DASHSCOPE_API_KEY")
        );
        assert_eq!(
            var("https://openrouter.ai/api/v1"),
            Some("OPENROUTER_API_KEY")
        );
        assert_eq!(var("http://localhost:11434/v1"), None);
    }
}
