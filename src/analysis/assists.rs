//! Code actions that are not fixes: "Switch to <region>" on a Model Studio base URL.

use super::edit::{fix, replace};
use super::{Fix, json_str};
use crate::model::endpoints::{ENDPOINTS, Provider, dashscope_host, parse_url};
use crate::model::{Chain, Effective, has_reference};
use crate::syntax::TextRange;

/// Assists for the part of the target file in `range`.
pub fn assists(chain: &Chain, range: TextRange) -> Vec<Fix> {
    let eff = Effective::new(chain);
    let mut out = Vec::new();
    for entry in eff.target_entries() {
        let Some(value) = entry.field("baseUrl").and_then(|m| m.value.as_ref()) else {
            continue;
        };
        if value.range().start > range.end || range.start > value.range().end {
            continue;
        }
        let (Some(url), Some(protocol)) = (value.as_str(), entry.protocol) else {
            continue;
        };
        if has_reference(url) {
            continue;
        }
        let Some(ds) = parse_url(url).and_then(|p| dashscope_host(&p.host)) else {
            continue;
        };
        for e in ENDPOINTS.iter().filter(|e| {
            e.provider == Provider::ModelStudio
                && e.protocol == protocol
                && e.plan == ds.plan()
                && e.region != Some(ds.region())
        }) {
            out.push(fix(
                format!("Switch to {}", e.region.unwrap_or("")),
                vec![replace(value.range(), json_str(e.url))],
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn offers_the_other_regions_of_the_same_plan() {
        let text = r#"{ "modelProviders": { "openai": [{ "id": "a", "baseUrl": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1" }] } }"#;
        let chain = crate::analysis::tests::chain_from_fixture(text);
        let at = text.find("dashscope-intl").unwrap();
        let titles: Vec<String> = super::assists(&chain, at..at)
            .into_iter()
            .map(|f| f.title)
            .collect();
        assert_eq!(
            titles,
            [
                "Switch to China (Beijing)",
                "Switch to US (Virginia)",
                "Switch to China (Hong Kong)"
            ]
        );
    }
}
