//! Person–title–organisation relations read off an article's entities:
//! `某市委副书记王某某` → 王某某 holds 市委副书记 at 某市委.
//!
//! A person is linked to the job titles right before them (a chain of
//! `[ORG|place] TITLE` joined by `、`, then a list of names joined by `、` or
//! spaces), and a title to the organisation right before it. When that
//! organisation ends in a level word (`市委`, `党工委`, `县政府`…) the word
//! is repeated in the title (`副书记` at `某市委` → `市委副书记`).

use serde::Serialize;

use super::{Entity, EntityType};

/// One person holding a title (and/or belonging to an organisation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Role {
    /// The person's name.
    pub person: String,
    /// The post, if known.
    pub title: Option<String>,
    /// The organisation, if known.
    pub org: Option<String>,
    /// Where the person is mentioned (code points).
    pub start: usize,
}

/// Organisation endings that are part of a post's full name.
const LEVEL_WORDS: &[&str] = &[
    "市委",
    "县委",
    "省委",
    "区委",
    "州委",
    "镇党委",
    "乡党委",
    "党工委",
    "党委",
    "党组",
    "市政府",
    "县政府",
    "区政府",
    "省政府",
    "镇政府",
    "乡政府",
];

/// Organisation words that may stand bare before a title (`管委会主任`).
const BARE_ORGS: &[&str] = &[
    "管委会",
    "党工委",
    "人大工委",
    "市委",
    "县委",
    "省委",
    "区委",
    "党委",
    "党组",
    "市政府",
    "县政府",
    "镇政府",
    "乡政府",
    "村委会",
    "居委会",
    "人大",
    "政协",
    "纪委",
];

fn gap<'a>(chars: &'a [char], a: &Entity, b: &Entity) -> &'a [char] {
    if a.end <= b.start && b.start <= chars.len() {
        &chars[a.end..b.start]
    } else {
        &[]
    }
}

fn is_list_sep(g: &[char]) -> bool {
    matches!(g, ['、'] | [' '] | ['\u{3000}'])
}

/// The full post name: the level word an organisation ends with, then the post.
pub fn full_title(org: Option<&str>, title: &str) -> String {
    if let Some(org) = org
        && let Some(level) = LEVEL_WORDS.iter().find(|w| org.ends_with(*w))
        && !title.starts_with(level)
    {
        return format!("{level}{title}");
    }
    title.to_string()
}

/// The organisation written right before `title` without being an entity
/// (`管委会主任`): a bare organisation word, with a place before it if any.
fn bare_org_before(chars: &[char], ents: &[Entity], ti: usize) -> Option<String> {
    let t = &ents[ti];
    for w in BARE_ORGS {
        let wl = w.chars().count();
        if t.start < wl {
            continue;
        }
        let s = t.start - wl;
        if chars[s..t.start].iter().copied().eq(w.chars()) {
            // A place right before the bare word belongs to it (某市 + 委).
            if ti > 0 {
                let p = &ents[ti - 1];
                if p.end == s && p.label == EntityType::Loc {
                    let place: String = chars[p.start..p.end].iter().collect();
                    let word = w
                        .strip_prefix(['市', '县', '区', '省', '镇', '乡'])
                        .filter(|_| place.ends_with(['市', '县', '区', '省', '镇', '乡']));
                    return Some(format!("{place}{}", word.unwrap_or(w)));
                }
            }
            return Some((*w).to_string());
        }
    }
    None
}

/// Person–title–organisation relations in `text` given its entities
/// (sorted by start, not overlapping).
pub fn person_roles(text: &str, ents: &[Entity]) -> Vec<Role> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for (i, p) in ents.iter().enumerate() {
        if p.label != EntityType::Per || p.end > chars.len() {
            continue;
        }
        // Skip back over the list of names this one belongs to.
        let mut j = i;
        while j > 0
            && ents[j - 1].label == EntityType::Per
            && is_list_sep(gap(&chars, &ents[j - 1], &ents[j]))
        {
            j -= 1;
        }
        let mut roles = Vec::new();
        // Then a chain of titles, each with its organisation.
        let mut k = j;
        loop {
            if k == 0 {
                break;
            }
            let cand = &ents[k - 1];
            let g = gap(&chars, cand, &ents[k]);
            let joined = g.is_empty() || (k == j && matches!(g, [' '] | ['\u{3000}']));
            let chained = k != j && matches!(g, ['、']);
            if !(joined || chained) {
                break;
            }
            match cand.label {
                EntityType::Title => {
                    let ti = k - 1;
                    let mut org = None;
                    let mut next = ti;
                    if ti > 0 {
                        let o = &ents[ti - 1];
                        if matches!(o.label, EntityType::Org) && o.end == cand.start {
                            org = Some(o.text.clone());
                            next = ti - 1;
                        }
                    }
                    if org.is_none() {
                        org = bare_org_before(&chars, ents, ti);
                    }
                    let title = full_title(org.as_deref(), &cand.text);
                    roles.push((Some(title), org));
                    k = next;
                }
                EntityType::Org if k == j => {
                    // `某某时报 李某`: an organisation right before the name.
                    roles.push((None, Some(cand.text.clone())));
                    break;
                }
                _ => break,
            }
        }
        for (title, org) in roles {
            out.push(Role {
                person: p.text.clone(),
                title,
                org,
                start: p.start,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Source;

    fn e(text: &str, all: &str, label: EntityType, from: usize) -> Entity {
        crate::extract::entity_at(all, text, from, label, Source::Rule, 1.0)
    }

    #[test]
    fn title_with_level_org_and_name_lists() {
        let t = "甲乙市委副书记王某光讲话。甲乙市委常委、组织部长黄某东，市领导马某、秦某等";
        let ents = vec![
            e("甲乙市委", t, EntityType::Org, 0),
            e("副书记", t, EntityType::Title, 0),
            e("王某光", t, EntityType::Per, 0),
            e("甲乙市委", t, EntityType::Org, 10),
            e("常委", t, EntityType::Title, 10),
            e("组织部长", t, EntityType::Title, 10),
            e("黄某东", t, EntityType::Per, 10),
            e("马某", t, EntityType::Per, 10),
            e("秦某", t, EntityType::Per, 10),
        ];
        let r = person_roles(t, &ents);
        let has = |p: &str, ti: Option<&str>, o: Option<&str>| {
            r.iter()
                .any(|x| x.person == p && x.title.as_deref() == ti && x.org.as_deref() == o)
        };
        assert!(has("王某光", Some("市委副书记"), Some("甲乙市委")), "{r:?}");
        assert!(has("黄某东", Some("组织部长"), None), "{r:?}");
        assert!(has("黄某东", Some("市委常委"), Some("甲乙市委")), "{r:?}");
        assert!(!r.iter().any(|x| x.person == "马某"), "{r:?}");
    }

    #[test]
    fn byline_media_and_bare_org() {
        let t = "管委会主任郭某明主持。记者 杨某 某某时报 李某";
        let ents = vec![
            e("主任", t, EntityType::Title, 0),
            e("郭某明", t, EntityType::Per, 0),
            e("记者", t, EntityType::Title, 0),
            e("杨某", t, EntityType::Per, 0),
            e("某某时报", t, EntityType::Org, 0),
            e("李某", t, EntityType::Per, 0),
        ];
        let r = person_roles(t, &ents);
        assert!(r.contains(&Role {
            person: "郭某明".into(),
            title: Some("主任".into()),
            org: Some("管委会".into()),
            start: 5
        }));
        assert!(
            r.iter()
                .any(|x| x.person == "杨某" && x.title.as_deref() == Some("记者"))
        );
        assert!(
            r.iter()
                .any(|x| x.person == "李某" && x.org.as_deref() == Some("某某时报"))
        );
    }
}
