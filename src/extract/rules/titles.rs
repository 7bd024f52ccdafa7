//! Job titles: the post list × modifiers, at token starts.
//! A family of [`super`] rules.

#[allow(unused_imports)]
use super::*;

/// Posts (job titles). Each may also take the modifiers of [`TITLE_MODIFIERS`].
pub const POSTS: &[&str] = &[
    "书记",
    "第一书记",
    "总书记",
    "支部书记",
    "党支部书记",
    "村支部书记",
    "党委书记",
    "常委",
    "委员",
    "常务委员",
    "党组成员",
    "党组书记",
    "主任",
    "主席",
    "市长",
    "县长",
    "区长",
    "镇长",
    "乡长",
    "省长",
    "州长",
    "局长",
    "部长",
    "组织部长",
    "宣传部长",
    "统战部长",
    "武装部长",
    "厅长",
    "处长",
    "科长",
    "所长",
    "站长",
    "院长",
    "校长",
    "园长",
    "馆长",
    "社长",
    "会长",
    "理事长",
    "秘书长",
    "董事长",
    "总经理",
    "经理",
    "总裁",
    "厂长",
    "村长",
    "组长",
    "队长",
    "村民组长",
    "主编",
    "总编辑",
    "总监",
    "记者",
    "通讯员",
    "总理",
    "总统",
    "首相",
    "议长",
    "外长",
    "大使",
    "委员长",
    "国务委员",
    "政委",
    "司令员",
    "参谋长",
    "检察长",
    "庭长",
    "审判长",
    "调研员",
    "巡视员",
    "指导员",
    "教授",
    "研究员",
    "院士",
    "行长",
    "署长",
    "主任委员",
    "发言人",
    "领队",
    "教练",
    "主教练",
    "村主任",
    "大臣",
    "司令",
    "协调员",
    "国王",
    "女王",
    "总督",
    "特使",
    "总干事",
    "秘书",
    "参赞",
    "领事",
    "总领事",
    "总参谋长",
    "军长",
    "师长",
    "团长",
    "舰长",
    "船长",
    "法官",
    "检察官",
    "工程师",
    "总工程师",
    "律师",
    "上将",
    "中将",
    "少将",
    "上校",
    "中校",
    "少校",
];

/// Modifiers that may precede a post.
pub const TITLE_MODIFIERS: &[&str] = &["常务副", "副", "代理", "执行", "名誉", "前", "原"];

/// Every post with and without its modifiers (built once; the strings live
/// as long as the program, like the lists they are made from).
pub(super) static TITLE_LIST: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut v: Vec<&'static str> = Vec::new();
    for p in POSTS {
        v.push(p);
        for m in TITLE_MODIFIERS {
            v.push(Box::leak(format!("{m}{p}").into_boxed_str()));
        }
    }
    v
});

pub(super) static TITLES: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(&TITLE_LIST));

pub(super) const MAX_TITLE_CHARS: usize = 8;

/// The first two characters of every post (a cheap test before hashing).
pub(super) static TITLE_PAIRS: LazyLock<PairSet> =
    LazyLock::new(|| PairSet::from_words(TITLE_LIST.iter().copied(), 14));

pub(super) static TITLE_FIRST_CHARS: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::nth_chars(TITLE_LIST.iter().copied(), 0));

/// Organisation words after which a post starts even inside a jieba token
/// (`市委常委`, `市委书记`).
pub(super) const LEVEL_ORGS: &[&str] = &[
    "市委",
    "县委",
    "省委",
    "区委",
    "党委",
    "党工委",
    "党组",
    "政府",
    "管委会",
    "工委",
    "人大",
    "政协",
    "委员会",
    "常委会",
    "国务院",
    "中央",
];

/// [`LEVEL_ORGS`] with their lengths in characters.
pub(super) static LEVEL_ORG_LENS: LazyLock<Vec<(&'static str, usize)>> =
    LazyLock::new(|| LEVEL_ORGS.iter().map(|&w| (w, w.chars().count())).collect());

/// Job titles at token starts (longest match): `副书记`, `组织部长`,
/// `常务副书记`, `第一书记`, `镇长`. A title must end at a token end or
/// right before a surname (jieba sometimes glues a title to a name).
pub fn titles(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let n = ctx.chars.len();
    let firsts: &CharSet = &TITLE_FIRST_CHARS;
    let mut pos = 0;
    while pos < n {
        let Some(k) = ctx.chars[pos..].iter().position(|&c| firsts.has(c)) else {
            break;
        };
        pos += k;
        if ctx
            .chars
            .get(pos + 1)
            .is_none_or(|&c1| !TITLE_PAIRS.may_start(ctx.chars[pos], c1))
        {
            pos += 1;
            continue;
        }
        if ctx.tok_starting[pos] == NO_TOK
            && !LEVEL_ORG_LENS
                .iter()
                .any(|&(w, l)| pos >= l && ctx.has_at(pos - l, w))
        {
            pos += 1;
            continue;
        }
        let mut found = None;
        for len in (1..=MAX_TITLE_CHARS.min(n - pos)).rev() {
            if len < 2 {
                break;
            }
            let end = pos + len;
            if !TITLES.may_end_with(ctx.chars[end - 1]) {
                continue;
            }
            // `委员/会`: the post word begins a body's name.
            let ends_ok = (ctx.tok_ending[end] != NO_TOK
                || ctx.chars.get(end).is_some_and(|&c| is_single_surname(c)))
                && !(ctx.chars[end - 1] == '员' && ctx.chars.get(end) == Some(&'会'));
            if !ends_ok {
                continue;
            }
            buf.clear();
            buf.extend(&ctx.chars[pos..end]);
            if TITLES.has(&buf) {
                found = Some(end);
                break;
            }
        }
        if let Some(end) = found {
            out.push(Span::new(pos, end, EntityType::Title, Source::Rule, 0.9));
            pos = end;
        } else {
            pos += 1;
        }
    }
    // A post at the end of a token that names its field or country
    // (`某政部长`, `外交大臣`, `某国总理`): the longest known post inside.
    let covered = coverage(n, out.iter());
    for (_, t) in ctx.hinted(Hint::Title) {
        let len = t.len();
        if len < 4
            || !TITLES.may_end_with(ctx.chars[t.end() - 1])
            || covered[t.end() - 1]
            || !ctx.all_han(t)
        {
            continue;
        }
        for k in (2..=(len - 2).min(MAX_TITLE_CHARS)).rev() {
            if !TITLE_PAIRS.may_start(ctx.chars[t.end() - k], ctx.chars[t.end() - k + 1]) {
                continue;
            }
            buf.clear();
            buf.extend(&ctx.chars[t.end() - k..t.end()]);
            if TITLES.has(&buf) {
                out.push(Span::new(
                    t.end() - k,
                    t.end(),
                    EntityType::Title,
                    Source::Rule,
                    0.85,
                ));
                break;
            }
        }
    }
    out
}

/// The organisation glued before a post inside one jieba token (`市委书记`
/// → ORG `市委`): the token's part before the title when it ends with an
/// organisation word.
pub fn orgs_before_inner_titles(ctx: &Ctx<'_>, titles: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for t in titles {
        if ctx.tok_starting[t.start] != NO_TOK {
            continue;
        }
        let i = ctx.toks.partition_point(|k| k.start() <= t.start);
        let Some(tok) = i.checked_sub(1).map(|k| &ctx.toks[k]) else {
            continue;
        };
        if tok.start() >= t.start {
            continue;
        }
        let prefix: String = crate::extract::text_of(&ctx.chars[tok.start()..t.start]);
        if prefix.chars().count() >= 2 && LEVEL_ORGS.iter().any(|w| prefix.ends_with(w)) {
            // A place right before belongs to it (`某某` + `市委书记`).
            let start = match i.checked_sub(2).map(|k| &ctx.toks[k]) {
                Some(p) if p.pos == Pos::Ns && p.end() == tok.start() => p.start(),
                _ => tok.start(),
            };
            out.push(Span::new(
                start,
                t.start,
                EntityType::Org,
                Source::Rule,
                0.75,
            ));
        }
    }
    out
}
