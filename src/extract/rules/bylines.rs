//! Bylines: reporters and correspondents around role words.
//! A family of [`super`] rules.

#[allow(unused_imports)]
use super::*;

/// Byline roles, longest first.
pub(super) const BYLINE_ROLES: &[&str] = &[
    "本报记者",
    "见习记者",
    "特约记者",
    "实习记者",
    "记者",
    "通讯员",
    "实习生",
    "摄影",
    "编辑",
];

/// Bylines: `记者 某某某 某某时报 某某某`, `通讯员 某某 某某某 文/图`: the role
/// is a TITLE, space-separated names are PER, media names ORG (also a media
/// name glued before the role, `某报融媒记者`).
pub fn bylines(ctx: &Ctx<'_>) -> Vec<Span> {
    let chars = &ctx.chars;
    let n = chars.len();
    let mut out = Vec::new();
    let (starts, seconds): (&CharSet, &CharSet) = (&BYLINE_STARTS, &BYLINE_SECONDS);
    let mut pos = 0;
    while pos < n {
        let Some(k) = chars[pos..].iter().position(|&c| starts.has(c)) else {
            break;
        };
        pos += k;
        if !chars.get(pos + 1).is_some_and(|&c| seconds.has(c)) {
            pos += 1;
            continue;
        }
        let Some(role) = BYLINE_ROLES.iter().find(|r| ctx.has_at(pos, r)) else {
            pos += 1;
            continue;
        };
        let rlen = role.chars().count();
        let role_end = pos + rlen;
        // What follows: optional spaces then a name.
        let mut p = role_end;
        while p < n && is_space(chars[p]) {
            p += 1;
        }
        let spaced = p > role_end;
        let mut names = Vec::new();
        let mut q = p;
        loop {
            let ws = q;
            let mut we = ws;
            while we < n && is_han(chars[we]) {
                we += 1;
            }
            let wlen = we - ws;
            if wlen == 0 {
                break;
            }
            let word = ctx.text(ws, we);
            let delimited = we >= n || !is_han(chars[we]);
            let name_len_ok = match surname_at(chars, ws) {
                Some(2) => (3..=4).contains(&wlen),
                Some(_) => (2..=3).contains(&wlen),
                None => false,
            };
            if spaced && delimited && name_len_ok {
                names.push(Span::new(ws, we, EntityType::Per, Source::Rule, 0.9));
            } else if spaced && delimited && is_media(&word) {
                names.push(Span::new(ws, we, EntityType::Org, Source::Rule, 0.85));
            } else if BYLINE_ROLES.contains(&word.as_str()) {
                names.push(Span::new(ws, we, EntityType::Title, Source::Rule, 0.9));
            } else if !spaced && names.is_empty() {
                // `记者某某某说`: a glued name.
                if let Some(e) = name_at(ctx, ws) {
                    names.push(Span::new(ws, e, EntityType::Per, Source::Rule, 0.8));
                }
                break;
            } else {
                break;
            }
            q = we;
            let mut sp = q;
            while sp < n && is_space(chars[sp]) {
                sp += 1;
            }
            if sp == q || sp >= n {
                break;
            }
            q = sp;
        }
        if names.iter().any(|s| s.label == EntityType::Per) {
            out.push(Span::new(
                pos,
                role_end,
                EntityType::Title,
                Source::Rule,
                0.9,
            ));
            // A media name glued before the role.
            let mut ms = pos;
            let mut media = None;
            while ms > 0 && is_han(chars[ms - 1]) && pos - ms < 8 {
                ms -= 1;
                if is_media(&ctx.text(ms, pos)) && ctx.tok_starting[ms] != NO_TOK {
                    media = Some(ms);
                }
            }
            if let Some(ms) = media {
                out.push(Span::new(ms, pos, EntityType::Org, Source::Rule, 0.85));
            }
            out.extend(names);
        }
        pos = role_end;
    }
    out
}
