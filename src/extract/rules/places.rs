//! Places: administrative suffixes, gazetteer tokens and prefixes, abbreviations, buildings and sites.
//! A family of [`super`] rules.

#[allow(unused_imports)]
use super::*;

/// Place suffixes for administrative units, longest first.
pub const PLACE_SUFFIXES: &[&str] = &[
    "街道",
    "社区",
    "自治州",
    "自治县",
    "村",
    "镇",
    "乡",
    "县",
    "市",
    "区",
    "省",
    "州",
    "旗",
];

/// Words that end with a place suffix but are not names of a place, or
/// prefixes that make a generic noun (贫困村, 全市, 该镇).
pub(super) const GENERIC_PLACE_PREFIXES: &[&str] = &[
    "贫困",
    "全",
    "该",
    "本",
    "各",
    "每",
    "此",
    "这",
    "那",
    "城",
    "农",
    "乡",
    "外",
    "邻",
    "城市",
    "农村",
    "新农",
    "两",
    "下",
    "上",
    "山",
    "老",
    "郊",
    "边",
    "辖",
    "园",
    "景",
    "开发",
    "集聚",
    "示范",
    "试验",
    "自贸",
    "新",
    "灾",
    "牧",
    "林",
    "矿",
    "市",
    "县",
    "镇",
    "社",
    "街",
    "都",
    "超",
    "股",
    "门",
    "夜",
    "省",
    "家",
    "故",
    "返",
    "重点",
    "薄弱",
    "软弱涣散",
    "先进",
    "后进",
    "文明",
    "卫生",
    "美丽",
    "特色",
    "行政",
    "自然",
    "试点",
    "整",
    "入",
    "进",
    "驻",
    "包",
    "到",
    "在",
    "出",
    "回",
    "离",
    "跨",
    "兄弟",
    "友邻",
    "周边",
    "所在",
    "相关",
    "城关",
    "山区",
    "村",
    "小",
    "大",
    "一",
    "二",
    "三",
    "几",
    "多",
    "个",
    "同",
    "近",
    "远",
    "其",
    "我",
    "你",
    "他",
    "本地",
    "当地",
    "外地",
    "异地",
    "各地",
    "湾区",
    "社会",
    "城乡",
    "县乡",
    "乡村",
    "市县",
    "省市",
    "地",
    "分",
];

pub(super) fn place_prefix_ok(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.chars().all(is_han)
        && !GENERIC_PLACE_PREFIXES_SET.has(prefix)
        && !prefix.ends_with('的')
}

pub(super) fn tag_can_name(tag: Pos) -> bool {
    !tag.is(tags!(
        V | Vd
            | Vi
            | P
            | C
            | U
            | Uj
            | Ul
            | Uz
            | Ud
            | Ug
            | Uv
            | D
            | R
            | Rr
            | Rz
            | M
            | Mq
            | Q
            | F
            | T
            | Y
            | E
            | O
            | Zg
            | Ad
            | W
            | Df
            | K
            | H
    ))
}

/// Characters that end a place chain when scanning left from a suffix.
pub(super) const PLACE_STOP_CHARS: &str =
    "的了在是和与及等对为从向到将把被由于而并或之这那其该各每全本此个两几多驻包因来去共至经";

/// Place names ending in an administrative suffix (`某某镇`, `某庄村`,
/// `某某路街道`, `某某社区`). The name is the run of name-like characters
/// before the suffix (at most four), stopping at a preceding place suffix
/// (`某镇某村` gives two places) or a function word, and starting at a token
/// boundary. The piece right before the suffix must not be a generic word; a
/// dictionary word not tagged as a name needs a list or chain context
/// (`、`, `某镇某村`). `is_word` says whether a string is in the segmenter's
/// dictionary.
pub fn suffix_places(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let chars = &ctx.chars;
    let is_suffix_char = |c: char| char_list!("村镇乡县市区省州旗").has(c);
    for (i, t) in ctx.hinted(Hint::PlaceSuffix) {
        let Some(suf) = PLACE_SUFFIXES_SET.first_suffix_tok(t) else {
            continue;
        };
        let suf = &suf;
        // `某某地区` is a region named by its first part, not a unit.
        if t.word.ends_with("地区") || (t.word == "区" && i > 0 && toks[i - 1].word.ends_with('地'))
        {
            continue;
        }
        if t.pos.is(tags!(V | Vn | D | P | C | R | M | Q)) {
            continue;
        }
        let sfx = t.end() - suf.chars().count();
        // Scan left over name characters.
        let mut lim = sfx;
        while lim > 0 && sfx - lim < 4 {
            let c = chars[lim - 1];
            if !is_han(c)
                || PLACE_STOP_CHARS_SET.has(c)
                || is_suffix_char(c)
                || (lim >= 2 && (ctx.has_at(lim - 2, "街道") || ctx.has_at(lim - 2, "社区")))
            {
                break;
            }
            lim -= 1;
        }
        if lim == sfx {
            continue;
        }
        // `该镇`, `全村`: a demonstrative and a level word are no place.
        let chain = lim > 0
            && !(lim >= 2
                && PLACE_STOP_CHARS_SET.has(chars[lim - 2])
                && is_suffix_char(chars[lim - 1]))
            && (is_suffix_char(chars[lim - 1])
                || (lim >= 2 && (ctx.has_at(lim - 2, "街道") || ctx.has_at(lim - 2, "社区"))));
        // The longest start at a token boundary (or right after a chain
        // suffix, or inside the suffix token) whose token can be a name.
        let mut start = None;
        for p in lim..sfx {
            let tok_start = ctx.tok_starting[p] != NO_TOK;
            if !(tok_start || (p == lim && chain) || p >= t.start()) {
                continue;
            }
            if tok_start && p < t.start() && !(p == lim && chain) {
                let tk = &toks[ctx.tok_starting[p] as usize];
                let is_near = tk.end() == sfx;
                let proper = tk.pos.is(tags!(Ns | Nr | Nz | Nt | J | X | Nrt))
                    || tk.len() == 1
                    || !is_word(tk.word);
                // In a list of places (`、某某某村`) any noun or numeral
                // word may start the name (`牌坊/庄村`, `七里/井村`).
                let in_list = p > 0
                    && matches!(chars[p - 1], '、' | '与' | '和')
                    && tk.pos.is(tags!(N | M | S | F | A))
                    && (t.word == *suf || t.pos.is(tags!(Nr | Ns | Nz | X | Zg)));
                if !in_list && (!tag_can_name(tk.pos) || (!is_near && !proper)) {
                    continue;
                }
            }
            start = Some(p);
            break;
        }
        let Some(start) = start else { continue };
        let prefix: String = crate::extract::text_of(&chars[start..sfx]);
        if !place_prefix_ok(&prefix) {
            continue;
        }
        // The piece right before the suffix.
        let (near, near_tok) = if t.start() < sfx {
            (&t.word[..t.word.len() - suf.len()], Some(t))
        } else if i > 0 {
            (toks[i - 1].word, Some(&toks[i - 1]))
        } else {
            ("", None)
        };
        // A generic one-character piece (`山村`, `家村`) is fine after a
        // name token (`某/山村`, `某/家村`).
        let named_start = ctx.tok_starting[start] != NO_TOK
            && near_tok.is_some_and(|nt| start < nt.start())
            && toks[ctx.tok_starting[start] as usize]
                .pos
                .is(tags!(Nr | Ns | Nz | Nrt));
        if GENERIC_PLACE_PREFIXES_SET.has(near) && !(near.chars().count() == 1 && named_start) {
            continue;
        }
        let listed = chain
            || (start > 0 && matches!(chars[start - 1], '、' | '和' | '与'))
            || matches!(chars.get(t.end()), Some('、'));
        let named = near_tok.is_some_and(|x| x.pos.is(tags!(Ns | Nr | Nz | J | Nrt)));
        let dict = near.chars().count() >= 2 && is_word(near);
        let whole_dict = t.start() < sfx && is_word(t.word) && t.pos != Pos::Ns;
        if (dict && !named && !listed)
            || (whole_dict && !listed)
            || (sfx - start == 1 && !listed && !named)
        {
            continue;
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Loc,
            Source::Rule,
            0.75,
        ));
    }
    out
}

/// Landmark suffixes: a name token ending in one is a place.
pub(super) const LANDMARK_SUFFIXES: CharList =
    CharList::new("郡堡宫寺庙岛阁矶湖河湾沟岭峰川顶原洲");

/// Suffixes too rare at the end of a Chinese given name to read a
/// surname-initial token ending in them as a person.
pub(super) const STRONG_LANDMARK_SUFFIXES: CharList = CharList::new("郡堡宫寺庙岛阁矶湖湾沟");

/// Places that jieba tags as a person or an unknown noun (`某某宫`,
/// `某某岛`, `某某郡`): a token of three characters or more ending in a
/// landmark suffix. A token that starts with a surname must end in a
/// strong suffix (a given name may end in 峰 or 川); a common noun
/// (`大草原`) is not a name.
pub fn landmark_places(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let mut out = Vec::new();
    for (_, t) in ctx.hinted(Hint::Landmark) {
        if t.len() < 3 {
            continue;
        }
        let last = ctx.chars[t.end() - 1];
        if !LANDMARK_SUFFIXES.has(last) {
            continue;
        }
        let name_tag = t.pos.is(tags!(Nr | Nrt | Nrfg));
        let noun_tag = t.pos.is(tags!(Nz | N)) && !is_word(t.word);
        if !(name_tag || noun_tag) || !ctx.all_han(t) {
            continue;
        }
        if surname_at(&ctx.chars, t.start()).is_some() && !STRONG_LANDMARK_SUFFIXES.has(last) {
            continue;
        }
        out.push(Span::new(
            t.start(),
            t.end(),
            EntityType::Loc,
            Source::Rule,
            0.65,
        ));
    }
    out
}

/// Bare names of places found with their suffix (`某某镇` → `某某`), as
/// places wherever they occur in the article.
pub fn place_short_names(ctx: &Ctx<'_>, places: &[Span]) -> Vec<Span> {
    let mut shorts: Vec<Span> = Vec::new();
    for p in places {
        let last = ctx.chars[p.end - 1];
        if p.end - p.start >= 3 && char_list!("镇乡县").has(last) {
            shorts.push(Span::new(
                p.start,
                p.end - 1,
                EntityType::Loc,
                Source::Rule,
                0.7,
            ));
        }
    }
    propagate(ctx, &shorts, EntityType::Loc)
        .into_iter()
        .map(|mut s| {
            s.source = Source::Gazetteer;
            s.confidence = 0.6;
            s
        })
        .collect()
}

/// Places from the gazetteer: a token, or two or three tokens together,
/// spelling a known division (`某某市`, `某某镇`, a country, a province's
/// short name). A single short-name token must be tagged as a name by jieba.
pub fn gazetteer_places(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let mut buf = String::new();
    for i in 0..toks.len() {
        // One cheap test of the first two characters for all three spans.
        let (s0, c0) = (toks[i].start(), ctx.chars[toks[i].start()]);
        if !is_han(c0)
            || !ctx
                .chars
                .get(s0 + 1)
                .is_some_and(|&c1| gaz.may_start_pair(c0, c1))
        {
            continue;
        }
        buf.clear();
        let mut best = None;
        let mut len = 0;
        for k in 0..3 {
            let Some(t) = toks.get(i + k) else { break };
            len += t.len();
            if len > gaz.max_chars() || !ctx.all_han(t) {
                break;
            }
            buf.push_str(t.word);
            if let Some(level) = gaz.get(&buf)
                && !NOT_PLACES_SET.has(buf.as_str())
            {
                // Countries, provinces and cities are names whatever jieba
                // tagged them (it tags some cities `nrt`, `n` or `d`).
                let single_ok = k > 0
                    || t.pos.is(tags!(Ns | Nz | J | Nr | Nt | X))
                    || (level != Level::Town
                        && level != Level::County
                        && !t.pos.is(tags!(V | P | C | R | M | Q | U | Uj)))
                    || PLACE_SUFFIXES_SET.ends_any_tok(t);
                if single_ok {
                    best = Some(t.end());
                }
            }
        }
        if let Some(end) = best {
            out.push(Span::new(
                toks[i].start(),
                end,
                EntityType::Loc,
                Source::Gazetteer,
                0.85,
            ));
        } else if let Some((a, b)) = split_known_places(&toks[i], gaz) {
            // One token holding two known places (`某省某市`).
            out.push(Span::new(
                a.0,
                a.1,
                EntityType::Loc,
                Source::Gazetteer,
                0.85,
            ));
            out.push(Span::new(
                b.0,
                b.1,
                EntityType::Loc,
                Source::Gazetteer,
                0.85,
            ));
        }
    }
    out
}

/// A place token that is two known places in a row (`某省某市`), split
/// after the first: both parts at least two characters and in the
/// gazetteer.
pub(super) fn split_known_places(
    t: &Tok<'_>,
    gaz: &Gazetteer,
) -> Option<((usize, usize), (usize, usize))> {
    if t.pos != Pos::Ns || t.len() < 4 || gaz.get(t.word).is_some() {
        return None;
    }
    t.word
        .char_indices()
        .enumerate()
        .skip(2)
        .take_while(|(k, _)| t.len() - k >= 2)
        .find(|&(_, (b, _))| {
            gaz.get(&t.word[..b]).is_some_and(|l| l != Level::Town)
                && gaz.get(&t.word[b..]).is_some()
        })
        .map(|(k, _)| ((t.start(), t.start() + k), (t.start() + k, t.end())))
}

/// Places glued to a following word in one jieba token (`某国总理`,
/// `某省境内`): the token starts with a country, province or city from the
/// gazetteer and the rest is a dictionary word.
pub fn gazetteer_prefixes(
    ctx: &Ctx<'_>,
    gaz: &Gazetteer,
    is_word: &dyn Fn(&str) -> bool,
) -> Vec<Span> {
    let mut out = Vec::new();
    for t in &ctx.toks {
        let n = t.len();
        // Every prefix starts with the token's first two characters, so a
        // pair no name starts with rules them all out.
        if n < 3
            || !gaz.may_start_pair(ctx.chars[t.start()], ctx.chars[t.start() + 1])
            || t.pos.is(tags!(J | Ns | Nt))
            || gaz.get(t.word).is_some()
            || !ctx.all_han(t)
            || ORG_HEADS_SET.ends_any_tok(t)
        {
            continue;
        }
        // The longest prefix naming a country, province or city.
        let Some((chars, head_end)) = t
            .word
            .char_indices()
            .enumerate()
            .skip(2)
            .filter(|&(_, (b, _))| {
                let head = &t.word[..b];
                gaz.get(head)
                    .is_some_and(|l| !matches!(l, Level::Town | Level::County))
                    && !NOT_PLACES_SET.has(head)
            })
            .map(|(k, (b, _))| (k, b))
            .last()
        else {
            continue;
        };
        let rest = &t.word[head_end..];
        if is_word(rest) || TITLES.has(rest) {
            out.push(Span::new(
                t.start(),
                t.start() + chars,
                EntityType::Loc,
                Source::Gazetteer,
                0.8,
            ));
        }
    }
    out
}

/// One-character abbreviations of countries and provinces used in pairs
/// (`中美`, `京津`).
pub(super) const PLACE_ABBREVIATIONS: &str = "中美日俄英法德韩朝印巴以埃澳加意西葡荷越泰菲蒙非欧亚港台京沪津渝苏浙皖闽赣鲁豫鄂湘粤桂琼川黔滇藏陕甘青宁疆";

/// Words after a pair of abbreviations that jieba keeps in one token
/// (`中美关系`, `某某等国`, `某某高原`).
pub(super) const AFTER_PAIR: &[&str] = &[
    "关系", "两国", "等国", "三国", "地区", "高原", "铁路", "公路", "边境", "边界", "两地", "三地",
    "合作", "会谈", "友好", "贸易", "之间",
];

/// Kinds of a regional art or cuisine named by a one-character
/// abbreviation (`京剧`, `川菜`): the abbreviation is a place.
pub(super) const ABBREVIATED_KINDS: CharList = CharList::new("剧戏菜韵腔曲");

/// Pairs of one-character place abbreviations tagged as a single word by
/// jieba (`中美关系` → 中, 美): each character is a place. Two country
/// abbreviations (`中日`, `中葡`) are a pair whatever jieba's tag; a place
/// abbreviation with a regional art (`京剧`) is a place.
pub fn abbreviation_pairs(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    for (_, t) in ctx.hinted(Hint::PlaceAbbreviation) {
        if !(2..=6).contains(&t.len()) || !PLACE_ABBREVIATIONS_SET.has(ctx.chars[t.start()]) {
            continue;
        }
        let mut cs = t.word.char_indices();
        let (Some((_, c0)), Some((_, c1))) = (cs.next(), cs.next()) else {
            continue;
        };
        let rest = cs.next().map_or("", |(b, _)| &t.word[b..]);
        if t.len() == 2
            && PLACE_ABBREVIATIONS_SET.has(c0)
            && ABBREVIATED_KINDS.has(c1)
            && !t.pos.is_verb()
        {
            out.push(Span::new(
                t.start(),
                t.start() + 1,
                EntityType::Loc,
                Source::Rule,
                0.6,
            ));
            continue;
        }
        // `中美关系` is one dictionary word: look at its first two characters.
        let n = if t.len() >= 4 && AFTER_PAIR_SET.has(rest) {
            2
        } else {
            t.len()
        };
        let word = &t.word[..t
            .word
            .char_indices()
            .nth(n)
            .map_or(t.word.len(), |(b, _)| b)];
        let countries = n == 2
            && COUNTRY_ABBREVIATIONS_SET.has(c0)
            && COUNTRY_ABBREVIATIONS_SET.has(c1)
            && c0 != c1
            && !t.pos.is(tags!(V | Vn | A | D | M | Q | P | C | U | R));
        // `鲁/西亚/努小`: part of a transliteration jieba broke up.
        if (2..=3).contains(&n)
            && (countries
                || (t.pos.is(tags!(J | Ns | Nz | Nt))
                    && word.chars().all(|c| PLACE_ABBREVIATIONS_SET.has(c))
                    && gaz.get(word).is_none()))
            && !NOT_PLACES_SET.has(word)
            && !in_broken_transliteration(ctx, t)
        {
            for k in t.start()..t.start() + n {
                out.push(Span::new(k, k + 1, EntityType::Loc, Source::Rule, 0.6));
            }
        }
    }
    out
}

/// Common nouns that jieba's dictionary tags as places.
pub(super) const NOT_PLACES: &[&str] = &[
    "美德",
    "中西",
    "城市",
    "和平",
    "各乡镇",
    "镇村",
    "镇区",
    "上门",
    "美化",
    "深度",
    "安宁",
    "青山",
    "示范区",
    "经济技术开发区",
    "产业集聚区",
    "集聚区",
    "文明城市",
    "满意度",
    "海洋",
    "山水",
    "山区",
    "大国",
    "外国",
    "两国",
    "各国",
    "黑洞",
    "治安",
    "大桥",
    "上半场",
    "下半场",
    "滑坡",
    "海关",
    "友谊",
    "福利",
    "白云",
    "海港",
    "海峡",
    "普及",
    "大街",
    "大城市",
    "小城镇",
    "开发区",
    "长达",
    "西瓜",
    "街道",
    "农村",
    "城乡",
    "山村",
    "郊区",
    "城区",
    "市区",
    "地区",
    "乡村",
    "乡镇",
    "城镇",
    "社区",
    "园区",
    "景区",
    "辖区",
    "灾区",
    "老区",
    "边区",
    "林区",
    "牧区",
    "矿区",
    "新区",
    "特区",
    "国外",
    "境外",
    "海外",
    "天下",
    "人间",
    "世界",
    "全球",
    "当地",
    "本地",
    "外地",
    "各地",
    "内地",
    "东方",
    "西方",
    "南方",
    "北方",
    "中原地区",
    "沿海",
    "内陆",
    "高原",
    "平原",
    "盆地",
    "大陆",
    "半岛",
    "岛屿",
    "山路",
    "山间",
    "田野",
    "港口",
    "机场",
    "车站",
    "广场",
    "公园",
    "大厦",
    "宾馆",
    "饭店",
    "会堂",
    "故乡",
    "家乡",
    "老家",
    "祖国",
    "国家",
    "大山",
    "高山",
    "冰山",
    "山洞",
    "山沟",
    "山坡",
    "山湾",
    "深山老林",
    "池塘",
    "深涧",
    "海滨",
    "火海",
    "大湖",
    "长河",
    "内河",
    "河口",
    "古都",
    "古庙",
    "小城",
    "大城市",
    "中小城市",
    "大中城市",
    "港口城市",
    "直辖市",
    "自治区",
    "百强县",
];

/// Country abbreviations that stand alone for the country.
pub(super) const COUNTRY_ABBREVIATIONS: &str = "中美日俄英法德韩朝印巴以埃澳加意越泰菲蒙欧";

/// Words after which a one-character country abbreviation is a place
/// (`俄总统`, `中方`).
pub(super) const AFTER_ABBREVIATION: &[&str] = &[
    "总统",
    "总理",
    "首相",
    "外长",
    "政府",
    "方面",
    "方",
    "军",
    "两国",
    "关系",
    "双方",
    "经贸",
    "合作",
    "建交",
    "友好",
    "边境",
    "领导人",
    "驻",
    "外交部",
    "国防部",
    "副总统",
    "副总理",
    "议会",
    "元首",
    "大使",
    "使馆",
];

/// Verbs after which `华` (China) or a country abbreviation is a place
/// (`访华`, `来华投资`).
pub(super) const BEFORE_ABBREVIATION: &str = "访来对驻在赴抵离援侵反旅留返";

/// One-character country abbreviations used alone: a separate token
/// followed by a word such as 总统 or 方 (`俄总统`, `中方`), an
/// abbreviation + 方 word (`美方`), or a verb + 华 word (`访华`, `来华`).
pub fn abbreviation_singles(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (i, t) in ctx.hinted(Hint::AbbreviationStart) {
        let first = ctx.chars[t.start()];
        if t.len() >= 2
            && COUNTRY_ABBREVIATIONS_SET.has(first)
            && AFTER_ABBREVIATION_SET.has(&t.word[first.len_utf8()..])
        {
            out.push(Span::new(
                t.start(),
                t.start() + 1,
                EntityType::Loc,
                Source::Rule,
                0.65,
            ));
            continue;
        }
        let (c0, c1) = match t.len() {
            1 => (first, None),
            2 => (first, Some(ctx.chars[t.start() + 1])),
            _ => continue,
        };
        let single_abbr = |k: usize| {
            toks.get(k).is_some_and(|n| {
                n.len() == 1
                    && n.word.chars().all(|c| PLACE_ABBREVIATIONS_SET.has(c))
                    && !n.pos.is(tags!(P | C | V | D | U | M | Q | R))
            })
        };
        match c1 {
            None if PLACE_ABBREVIATIONS_SET.has(c0) => {
                // `中、美`: a list goes on with another abbreviation or place.
                let listed = toks.get(i + 1).is_some_and(|n| n.word == "、")
                    && (single_abbr(i + 2) || toks.get(i + 2).is_some_and(|n| n.pos == Pos::Ns));
                let next_ok = COUNTRY_ABBREVIATIONS_SET.has(c0)
                    && (listed
                        || toks
                            .get(i + 1)
                            .is_some_and(|n| AFTER_ABBREVIATION_SET.has_tok(n)));
                // `中/美`, `日/俄`: two abbreviations side by side; or an
                // abbreviation jieba itself tags as a place or short form.
                // Not inside a run of one-character tokens (a transliteration
                // jieba broke up, `某西/亚`).
                let lone = |k: usize| {
                    toks.get(k)
                        .is_none_or(|n| n.len() > 1 || !is_han(ctx.chars[n.start()]))
                };
                // `日` is also a day (`27日/俄`): a number before it rules
                // the pair out, a number tag alone does not.
                let after_number = i > 0
                    && toks[i - 1].word.chars().last().is_some_and(|c| {
                        c.is_ascii_digit() || char_list!("一二三四五六七八九十〇零两").has(c)
                    });
                let tag_ok = !t.pos.is(tags!(P | C | V | D | U | Q | R))
                    && (t.pos != Pos::M || (c0 == '日' && !after_number));
                let pair = tag_ok
                    && ((single_abbr(i + 1) && lone(i + 2) && (i == 0 || lone(i - 1)))
                        || (i > 0 && single_abbr(i - 1) && lone(i + 1) && (i < 2 || lone(i - 2))));
                let tagged = t.pos.is(tags!(J | Ns)) && !char_list!("中法西亚非").has(c0);
                let prev_ok = i > 0
                    && toks[i - 1].word == "、"
                    && i > 1
                    && toks[i - 2].len() == 1
                    && toks[i - 2]
                        .word
                        .chars()
                        .all(|c| COUNTRY_ABBREVIATIONS_SET.has(c));
                if next_ok || prev_ok || pair || tagged {
                    out.push(Span::new(
                        t.start(),
                        t.end(),
                        EntityType::Loc,
                        Source::Rule,
                        0.65,
                    ));
                }
            }
            Some('方') if COUNTRY_ABBREVIATIONS_SET.has(c0) => {
                out.push(Span::new(
                    t.start(),
                    t.start() + 1,
                    EntityType::Loc,
                    Source::Rule,
                    0.65,
                ));
            }
            Some(c)
                if BEFORE_ABBREVIATION_SET.has(c0)
                    && (c == '华'
                        || COUNTRY_ABBREVIATIONS_SET.has(c)
                        || char_list!("京沪港澳台").has(c))
                    && c != '中'
                    && c != '以'
                    && c != '加'
                    && c != '意'
                    && c != '法'
                    && c != '英'
                    && c != '日' =>
            {
                out.push(Span::new(
                    t.start() + 1,
                    t.end(),
                    EntityType::Loc,
                    Source::Rule,
                    0.65,
                ));
            }
            _ => {}
        }
    }
    out
}

/// Currency names that jieba's dictionary tags as places with the country
/// (`某国马克`).
pub(super) const CURRENCIES: &[&str] = &[
    "克朗",
    "马克",
    "卢比",
    "法郎",
    "卢布",
    "比索",
    "里拉",
    "英镑",
    "日元",
    "美元",
    "兰特",
    "第纳尔",
    "林吉特",
    "比塞塔",
    "盾",
    "元",
];

/// Whether a word jieba tags `ns` is a place: not a verb phrase ending in
/// 国 that no gazetteer knows (`建国`, `科教兴国`), not a currency, not
/// a room of a building (`馆里`).
pub(super) fn dictionary_place_ok(word: &str, gaz: &Gazetteer) -> bool {
    // `馆里`, `各支部`: a room or a demonstrative, not a place.
    if word.starts_with(['馆', '各', '该', '每']) || word.ends_with('部') {
        return false;
    }
    if word.ends_with('国') && gaz.get(word).is_none() {
        return false;
    }
    if CURRENCIES_SET.ends_any(word) {
        return false;
    }
    true
}

/// Last characters of two-character place words: continents, regions,
/// rivers, seas, mountains, cities.
pub(super) const SHORT_PLACE_ENDINGS: CharList =
    CharList::new("洲江河海湖山岛城关亚湾峡京平东南西北美尼桥陵丹");

/// jieba's dictionary tags many two-character phrases `ns` (`惠及`,
/// `广为`, `挪窝`, `南北`): an unknown two-character word is a place only
/// when it ends like one and is not a pair of directions, or stands in a
/// list.
pub(super) fn short_dictionary_place_ok(ctx: &Ctx<'_>, t: &Tok<'_>) -> bool {
    let (a, b) = (ctx.chars[t.start()], ctx.chars[t.start() + 1]);
    let listed = (t.start() > 0 && ctx.chars[t.start() - 1] == '、')
        || ctx.chars.get(t.end()) == Some(&'、');
    // `东北`, `西南` are regions; `南北`, `东西` are not.
    if char_list!("东西南北").has(a)
        && char_list!("东西南北").has(b)
        && !(char_list!("东西").has(a) && char_list!("南北").has(b))
    {
        return false;
    }
    // `鲁/西亚/努小`: part of a transliteration jieba broke up.
    (listed || SHORT_PLACE_ENDINGS.has(b)) && !in_broken_transliteration(ctx, t)
}

/// Whether token `t` is a piece of a transliteration jieba broke up
/// (`鲁/西亚/努小`): a one-character name before it or a transliterated
/// name after it.
pub(super) fn in_broken_transliteration(ctx: &Ctx<'_>, t: &Tok<'_>) -> bool {
    ctx.ending(t.start())
        .is_some_and(|p| p.len() == 1 && p.pos.is(tags!(Nr | Nrt)))
        || ctx
            .starting(t.end())
            .is_some_and(|nx| nx.pos.is(tags!(Nrt | Nrfg)))
}

/// Generic tails jieba glues to a place word.
pub(super) const PLACE_TAILS: &[&str] = &["地区", "政府", "各国", "市民", "流域", "山水", "人民"];

/// jieba's own place tags (`ns`, two characters or more, not a common noun),
/// a dictionary source. A trailing `地区` is left out (`东北地区` → 东北).
pub fn dictionary_places(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    ctx.toks
        .iter()
        .filter(|t| t.pos == Pos::Ns && t.len() >= 2 && !NOT_PLACES_SET.has_tok(t))
        .filter_map(|t| {
            if !dictionary_place_ok(t.word, gaz) {
                // `某国马克`: the country before the currency.
                let c = CURRENCIES_SET.first_suffix_tok(t)?;
                let prefix = &t.word[..t.word.len() - c.len()];
                gaz.get(prefix)?;
                let n = prefix.chars().count();
                return Some(Span::new(
                    t.start(),
                    t.start() + n,
                    EntityType::Loc,
                    Source::Gazetteer,
                    0.8,
                ));
            }
            // `离京`, `赴沪`: a verb glued to a one-character place.
            let mut cs = t.word.chars();
            if let (Some(v), Some(p), None) = (cs.next(), cs.next(), cs.next())
                && BEFORE_ABBREVIATION_SET.has(v)
                && PLACE_ABBREVIATIONS_SET.has(p)
            {
                return Some(Span::new(
                    t.start() + 1,
                    t.end(),
                    EntityType::Loc,
                    Source::Dictionary,
                    0.7,
                ));
            }
            if t.len() == 2 && gaz.get(t.word).is_none() && !short_dictionary_place_ok(ctx, t) {
                return None;
            }
            // `某某地区`, `某国政府`, `某洲各国`, `某某流域`: the place without
            // the generic tail.
            let end = match PLACE_TAILS.iter().find(|s| t.word.ends_with(*s)) {
                Some(s) if t.len() >= s.chars().count() + 2 => t.end() - s.chars().count(),
                _ => t.end(),
            };
            Some(Span::new(
                t.start(),
                end,
                EntityType::Loc,
                Source::Dictionary,
                0.7,
            ))
        })
        .collect()
}

/// Heads of buildings and sites, which are places (`某某大厦`, `某某体育馆`).
pub(super) const FACILITY_HEADS: &[&str] = &[
    "大会堂",
    "大厦",
    "体育馆",
    "体育场",
    "展览馆",
    "展览中心",
    "博物馆",
    "美术馆",
    "纪念馆",
    "大剧院",
    "剧院",
    "广场",
    "公园",
    "植物园",
    "动物园",
    "机场",
    "火车站",
    "车站",
    "码头",
    "大桥",
    "隧道",
    "寺",
    "宫",
    "庙",
    "塔",
    "阁",
    "楼",
    "亭",
];

/// Celestial bodies, places in news usage.
pub(super) const CELESTIAL: &[&str] = &[
    "地球",
    "月球",
    "火星",
    "金星",
    "木星",
    "水星",
    "土星",
    "天王星",
    "海王星",
    "冥王星",
    "银河系",
    "太阳系",
];

/// Buildings and sites named by a place or a proper name and a facility
/// head (`某某大厦`, `某市体育馆`), and celestial bodies: places. A token
/// that jieba tags as an organisation but ends in a facility head is a
/// place too.
pub fn facilities(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool, in_place: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (j, t) in ctx.hinted(Hint::Facility) {
        if CELESTIAL_SET.has_tok(t) {
            out.push(Span::new(
                t.start(),
                t.end(),
                EntityType::Loc,
                Source::Rule,
                0.7,
            ));
            continue;
        }
        let Some(head) = FACILITY_HEADS_SET.first_suffix_tok(t) else {
            continue;
        };
        let head = &head;
        let hlen = head.chars().count();
        let named = |x: &Tok<'_>| {
            x.pos.is(tags!(Ns | Nz | Nt | J | Nrt | Nr))
                || (x.start()..x.end()).all(|k| in_place[k])
                || (x.len() >= 2 && !is_word(x.word) && ctx.all_han(x))
        };
        if t.len() > hlen {
            // One token: `某某大厦` tagged as a name or organisation.
            if t.pos.is(tags!(Nt | Ns | Nz)) && t.len() >= hlen + 2 {
                out.push(Span::new(
                    t.start(),
                    t.end(),
                    EntityType::Loc,
                    Source::Rule,
                    0.75,
                ));
            }
            continue;
        }
        if hlen == 1 || j == 0 {
            continue;
        }
        let p = &toks[j - 1];
        if !named(p) {
            continue;
        }
        let mut start = p.start();
        if j >= 2
            && named(&toks[j - 2])
            && (toks[j - 2].start()..toks[j - 2].end()).all(|k| in_place[k])
        {
            start = toks[j - 2].start();
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Loc,
            Source::Rule,
            0.75,
        ));
    }
    out
}

/// Ministries and bureaus inside a post word (`某国财政部长` → ORG
/// `某国财政部`): a token ending in 部长 or 局长 whose stem is a
/// department, extended left over places. Party departments
/// (`组织部长`) stay posts.
pub fn orgs_in_posts(ctx: &Ctx<'_>, in_place: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (j, t) in ctx.hinted(Hint::Chief) {
        // Every post this rule splits ends in 长.
        if !t.word.ends_with('长') {
            continue;
        }
        // `某国 农林 部长`, `某洲 发展 银行行长`: a place, one or two field
        // words, then the post.
        let bank = t.word.ends_with("银行行长");
        if matches!(t.word, "部长" | "局长") || bank {
            let mut k = j;
            let mut fields = 0;
            while k > 0
                && fields < 2
                && toks[k - 1].pos.is(tags!(N | Vn | J | Nz))
                && toks[k - 1].len() >= 2
                && !toks[k - 1]
                    .word
                    .ends_with(['局', '部', '委', '办', '院', '厅'])
                && !place_token(&toks[k - 1], in_place)
            {
                k -= 1;
                fields += 1;
            }
            if (fields > 0 || bank) && k > 0 && place_token(&toks[k - 1], in_place) {
                let mut start = toks[k - 1].start();
                while k > 1 && place_token(&toks[k - 2], in_place) {
                    k -= 1;
                    start = toks[k - 1].start();
                }
                let end = if bank { t.end() - 2 } else { t.end() - 1 };
                out.push(Span::new(start, end, EntityType::Org, Source::Rule, 0.7));
            }
            continue;
        }
        if t.len() < 4
            || !(t.word.ends_with("部长") || t.word.ends_with("局长"))
            || t.word.starts_with("副")
            || matches!(t.word, "组织部长" | "宣传部长" | "统战部长")
            || !ctx.all_han(t)
        {
            continue;
        }
        let mut start = t.start();
        let mut k = j;
        while k > 0 {
            let p = &toks[k - 1];
            if place_token(p, in_place) {
                start = p.start();
                k -= 1;
            } else {
                break;
            }
        }
        if k > 0 && toks[k - 1].word.ends_with('委') {
            continue;
        }
        out.push(Span::new(
            start,
            t.end() - 1,
            EntityType::Org,
            Source::Rule,
            0.7,
        ));
    }
    out
}
