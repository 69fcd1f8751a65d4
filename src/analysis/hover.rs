//! Hover: what a key means (from the catalog), and for the values this product understands,
//! what they lead to: a base URL's provider and request URL, where an `envKey`'s variable comes
//! from (masked), which entry `model.name` selects, how many models `selectedType` offers.

use super::locate::{Seg, Spot, locate};
use crate::model::catalog::{Catalog, catalog};
use crate::model::endpoints::{Plan, dashscope_host, endpoint_for_host, parse_url, request_url};
use crate::model::keys::mask;
use crate::model::{Chain, Effective, route_of};
use crate::syntax::TextRange;
use crate::text::{Encoding, LineIndex};
use ropey::Rope;

#[derive(Clone, Debug, PartialEq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
    /// A catalog description, as opposed to this product's own analysis.
    pub generic: bool,
}

pub fn hover(chain: &Chain, offset: usize, generic: bool) -> Option<Hover> {
    let eff = Effective::new(chain);
    let file = eff.target();
    let h = match locate(&file.text, file.parse.root.as_ref(), offset) {
        Spot::Key { object, range, .. } => {
            let name = file.text.get(range.clone())?.trim_matches('"').to_string();
            let mut path = object;
            path.push(Seg::Key(name));
            key_hover(&path, range)
        }
        Spot::Value { path, range } => {
            value_hover(&eff, &path, range.clone()).or_else(|| key_hover(&path, range))
        }
        Spot::None => None,
    }?;
    (generic || !h.generic).then(|| Hover {
        markdown: crate::model::keys::mask_secrets(&h.markdown),
        ..h
    })
}

fn key_hover(path: &[Seg], range: TextRange) -> Option<Hover> {
    let cat = catalog();
    let node = path.iter().try_fold(Catalog::ROOT, |node, seg| match seg {
        Seg::Key(k) => cat.member(node, k),
        Seg::Index(_) => cat.item(node),
    })?;
    let key = cat.key(node)?;
    let types: Vec<&str> = key.types.iter().map(|t| t.name()).collect();
    let mut md = format!(
        "**`{}`** · {}",
        key.path.replace("\\.", "."),
        types.join(" | ")
    );
    if let Some(d) = &key.default {
        md.push_str(&format!(" · default `{d}`"));
    }
    if let Some(desc) = &key.description {
        md.push_str(&format!("\n\n{desc}"));
    }
    if !key.enum_values.is_empty() {
        let values: Vec<String> = key.enum_values.iter().map(|v| format!("`{v}`")).collect();
        md.push_str(&format!("\n\nAllowed: {}", values.join(", ")));
    }
    if let Some(target) = &key.legacy {
        md.push_str(&format!(
            "\n\nLegacy key: use `{target}`{}.",
            if key.inverted {
                " (with the opposite value)"
            } else {
                ""
            }
        ));
    }
    if let Some(why) = &key.deprecated {
        md.push_str(&format!("\n\nDeprecated: {why}"));
    }
    if key.operator_only {
        md.push_str(
            "\n\nHonoured only in the user and system settings files, never from a workspace file.",
        );
    }
    if let Some(since) = &key.since {
        md.push_str(&format!("\n\nSince Qwen Code {since}."));
    }
    Some(Hover {
        range,
        markdown: md,
        generic: !key.path.starts_with("modelProviders"),
    })
}

fn line_of(eff: &Effective, file: usize, offset: usize) -> u32 {
    let rope = Rope::from_str(&eff.file(file).text);
    LineIndex::new(&rope).position(offset, Encoding::Utf16).line + 1
}

fn value_hover(eff: &Effective, path: &[Seg], range: TextRange) -> Option<Hover> {
    let keys: Vec<&str> = path.iter().filter_map(Seg::key).collect();
    let md = match keys.as_slice() {
        ["modelProviders", key, "baseUrl"] if path.len() == 4 => {
            let entry = entry_at(eff, path)?;
            let protocol = route_of(key, &eff.provider_protocol).protocol()?;
            let base = eff.base_url(entry)?;
            let mut md = String::new();
            match (endpoint_for_host(&base.url), parse_url(&base.url)) {
                (Some(e), Some(p)) => {
                    let plan = dashscope_host(&p.host).map_or(e.plan, |d| d.plan());
                    md.push_str(&format!("**{}**", e.provider.name()));
                    let region = dashscope_host(&p.host).map(|d| d.region()).or(e.region);
                    if let Some(r) = region {
                        md.push_str(&format!(" · {r}"));
                    }
                    if plan != Plan::Standard {
                        md.push_str(&format!(" · {}", plan.label()));
                    }
                    md.push_str(&format!(" · {} protocol", protocol.name()));
                    if let Some(v) = e.variable {
                        md.push_str(&format!("\n\nKeys for it usually live in `{v}`."));
                    }
                }
                _ => md.push_str(&format!("{} protocol endpoint", protocol.name())),
            }
            let responses =
                entry.wire_api() == Some("responses") || entry.key == "openai-responses";
            md.push_str(&format!(
                "\n\nRequests: `POST {}`",
                request_url(protocol, &base.url, entry.id().unwrap_or("<id>"), responses)
            ));
            md
        }
        ["modelProviders", _, "envKey"] if path.len() == 4 => {
            let entry = entry_at(eff, path)?;
            let key = eff.key_info(entry)?;
            match (key.resolved, key.fallback) {
                (Some(r), _) => format!(
                    "`{}` = `{}` from {}",
                    key.variable,
                    mask(r.value),
                    eff.describe_source(r.source)
                ),
                (None, Some((d, r))) => format!(
                    "`{}` is not set anywhere Qwen Code looks: it falls back to `{d}` = `{}` from {}",
                    key.variable,
                    mask(r.value),
                    eff.describe_source(r.source)
                ),
                (None, None) => format!("`{}` is not set anywhere Qwen Code looks.", key.variable),
            }
        }
        ["model", "name"] => {
            let sel = eff.selection()?;
            let entry = sel.entry?;
            let key = eff.key_info(&entry).map(|k| k.variable).unwrap_or_default();
            let base = match eff.base_url(&entry) {
                Some(b) => match b.implicit {
                    Some(how) => format!("`{}` ({how})", b.url),
                    None => format!("`{}`", b.url),
                },
                None => "none".into(),
            };
            format!(
                "Selects `{}` under `modelProviders.{}` ({}:{}): {}\n\nBase URL: {base} · key from `{key}`",
                entry.id().unwrap_or(""),
                entry.key,
                eff.display_path(entry.file),
                line_of(eff, entry.file, entry.node.range().start),
                sel.reason,
            )
        }
        ["security", "auth", "selectedType"] => {
            let t = eff.selected_type?.str()?;
            let n = eff.candidates(t).len();
            format!("`{t}` offers {n} model(s) from modelProviders.")
        }
        _ => return None,
    };
    Some(Hover {
        range,
        markdown: md,
        generic: false,
    })
}

fn entry_at<'a>(eff: &'a Effective<'a>, path: &[Seg]) -> Option<&'a crate::model::Entry<'a>> {
    let (Some(Seg::Key(key)), Some(Seg::Index(i))) = (path.get(1), path.get(2)) else {
        return None;
    };
    eff.providers
        .iter()
        .find(|p| p.name == key && eff.is_target(p.at.file))?
        .entries
        .get(*i)
}
