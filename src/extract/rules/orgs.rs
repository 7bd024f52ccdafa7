//! Organisations: head words, teams, media, ministries in posts, departments, jieba `nt`, companies.
//! A family of [`super`] rules.

#[allow(unused_imports)]
use super::*;

/// Head words that end an organisation's name, longest first.
pub const ORG_HEADS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "人大常委会",
    "有限公司",
    "委员会",
    "管委会",
    "村委会",
    "居委会",
    "党工委",
    "党支部",
    "总支部",
    "办事处",
    "总领事馆",
    "领事馆",
    "大使馆",
    "使馆",
    "总厂",
    "办公室",
    "服务中心",
    "卫生院",
    "研究院",
    "研究所",
    "派出所",
    "检察院",
    "总工会",
    "联合会",
    "基金会",
    "出版社",
    "电视台",
    "广播电台",
    "人民政府",
    "集团",
    "公司",
    "合作社",
    "支部",
    "党委",
    "党组",
    "工委",
    "纪委",
    "政协",
    "人大",
    "政府",
    "中心",
    "医院",
    "学校",
    "小学",
    "中学",
    "大学",
    "学院",
    "法院",
    "银行",
    "协会",
    "学会",
    "商会",
    "工会",
    "联盟",
    "报社",
    "女队",
    "男队",
    "球队",
    "俱乐部",
    "代表团",
    "艺术团",
    "集训队",
    "总会",
    "中队",
    "大队",
    "支队",
    "总队",
    "局",
    "厂",
    "厅",
    "委",
    "办",
    "院",
    "所",
    "部",
    "处",
    "科",
    "站",
    "社",
    "党",
    "署",
];

/// Whether `word` ends in a generic head word of two characters or more
/// other than `head` (suffix lookups in a set, not a scan of the list).
pub(super) fn generic_head_suffix(word: &str, head: &str) -> bool {
    word.char_indices().rev().skip(1).take(5).any(|(b, _)| {
        let suffix = &word[b..];
        suffix != head && GENERIC_HEAD_WORDS_SET.has(suffix)
    })
}

/// Words ending in a head word that are not organisations.
pub(super) const GENERIC_HEAD_WORDS: &[&str] = &[
    "政局",
    "当局",
    "工厂",
    "上市公司",
    "加油站",
    "新格局",
    "大部",
    "交界处",
    "总部",
    "结局",
    "部署",
    "大院",
    "各党",
    "格局",
    "布局",
    "全局",
    "大局",
    "局面",
    "内部",
    "外部",
    "全部",
    "局部",
    "干部",
    "中部",
    "东部",
    "西部",
    "南部",
    "北部",
    "部分",
    "好处",
    "到处",
    "之处",
    "难处",
    "相处",
    "各处",
    "此处",
    "深处",
    "场所",
    "住所",
    "厕所",
    "处所",
    "网站",
    "队伍",
    "团队",
    "入党",
    "建党",
    "全党",
    "我党",
    "本党",
    "两委",
    "政党",
    "庭院",
    "书院",
    "一处",
    "所",
    "部",
    "处",
    "院",
    "办",
    "委",
    "局",
    "队",
    "社",
    "站",
    "科",
    "党",
    "署",
    "厅",
    "举办",
    "主办",
    "承办",
    "创办",
    "开办",
    "兴办",
    "包办",
    "督办",
    "代办",
    "查办",
    "合办",
    "协办",
    "筹办",
    "领办",
    "操办",
    "怎么办",
    "基部",
    "头部",
    "腹部",
    "背部",
    "胸部",
    "面部",
    "足部",
    "根部",
    "顶部",
    "底部",
    "尾部",
    "上部",
    "下部",
    "细部",
    "本部",
    "支部",
    "组织",
    "中心",
    "政府",
    "单位",
    "部队",
    "军队",
    "大学",
    "中学",
    "小学",
    "学校",
    "医院",
    "公司",
    "银行",
    "集团",
    "工会",
    "学院",
    "社区",
    "学科",
    "专科",
    "本科",
    "工科",
    "理科",
    "文科",
    "外科",
    "内科",
    "牙科",
    "眼科",
    "教科",
    "百科",
    "转站",
    "车站",
    "驿站",
    "小站",
    "总站",
    "之所",
    "何所",
    "无所",
    "诊所",
    "哨所",
    "寓所",
    "处处",
    "判处",
    "论处",
    "所处",
    "身处",
    "地处",
    "共处",
    "独处",
    "联办",
    "党办",
    "特办",
];

/// Tokens allowed inside an organisation name when they are verbs
/// (`监督所`, `服务中心`, `执法局`).
pub(super) const ORG_VERBS: &[&str] = &[
    "监督", "服务", "管理", "执法", "预防", "控制", "规划", "建设", "发展", "改革", "保障", "监察",
    "检验", "检疫", "研究", "开发", "投资", "交易", "经营", "运输", "生产", "制造", "加工", "培训",
    "促进", "保护", "出版", "咨询", "设计", "养殖", "种植", "信访", "扶贫", "攻坚", "督导", "防治",
    "审计", "统计", "招商", "环保", "卫生", "计生", "监测", "调查", "考核", "督查", "维修", "置业",
];

/// Words that cut an organisation candidate wherever they are: the name
/// starts after them (`科教企业某某公司`).
pub(super) const ORG_CUT_WORDS: &[&str] = &[
    "企业", "单位", "部门", "帮扶", "联村", "成立", "召开", "负责", "领导", "主要", "其他", "所有",
    "每个", "驻村", "确定",
];

/// Leading words dropped from an organisation candidate.
pub(super) const ORG_STOP_PREFIXES: &[&str] = &[
    "全市", "全县", "全省", "全区", "全镇", "全乡", "全村", "全国", "各级", "相关", "有关", "各",
    "全", "该", "本", "其", "每一", "市直", "县直", "镇直", "驻村", "原", "现", "每个", "所有",
    "其他", "主要", "领导", "负责", "成立", "召开", "组织", "部门", "单位", "机关", "企业", "帮扶",
    "联村",
];

/// Whether a token names something (a proper noun or an unknown word) rather
/// than being a common noun, for the organisation rule.
pub(super) fn proper_token(t: &Tok<'_>, is_word: &dyn Fn(&str) -> bool) -> bool {
    t.pos
        .is(tags!(Ns | Nr | Nrt | Nrfg | Nz | Nt | J | X | Eng))
        || matches!(
            t.word,
            "市" | "县"
                | "区"
                | "省"
                | "镇"
                | "乡"
                | "村"
                | "州"
                | "中共"
                | "市委"
                | "县委"
                | "省委"
                | "区委"
                | "市政府办"
                | "市政府"
                | "县政府"
                | "区政府"
                | "镇政府"
                | "乡政府"
                | "县政府办"
                | "区政府办"
                | "自治区"
                | "国际"
                | "世界"
                | "全球"
                | "中华"
                | "中央"
        )
        || (t.len() >= 2 && !is_word(t.word))
}

pub(super) fn org_token_ok(t: &Tok<'_>) -> bool {
    if !t.word.chars().all(is_han) {
        return false;
    }
    if matches!(
        t.word,
        "市" | "县" | "区" | "省" | "镇" | "乡" | "村" | "州" | "中共"
    ) {
        return true;
    }
    if t.pos == Pos::V {
        return ORG_VERBS_SET.has_tok(t);
    }
    if t.pos == Pos::Vn {
        return true;
    }
    // A count is no part of a name, a word starting with a numeral
    // character may be (`五金`, `三峡`).
    let numeral_start = t
        .word
        .starts_with(|c: char| char_list!("一二三四五六七八九十两几数多").has(c));
    let counts = t
        .word
        .chars()
        .nth(1)
        .is_some_and(|c| char_list!("国个家名位项条所座种次年届方岸地省市县级批件大").has(c));
    let named_word = t.pos.is(tags!(N | Nz | Ns | Nr | Nt | J)) && !counts;
    tag_can_name(t.pos)
        && !t.pos.is(tags!(L | I))
        && (!numeral_start || named_word)
        && !matches!(t.word, "的" | "和" | "与" | "及" | "等" | "之")
}

/// Teams whose 队 jieba glued to the next function word (`某国/队以`).
pub fn glued_teams(ctx: &Ctx<'_>, in_place: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    for (j, t) in ctx.hinted(Hint::GluedTeam) {
        let Some(p) = j.checked_sub(1).map(|i| &ctx.toks[i]) else {
            continue;
        };
        if t.len() == 2
            && ctx.chars[t.start()] == '队'
            && char_list!("以在和与把被将对的也都就又还已是").has(ctx.chars[t.start() + 1])
            && place_token(p, in_place)
            && p.len() >= 2
        {
            out.push(Span::new(
                p.start(),
                t.start() + 1,
                EntityType::Org,
                Source::Rule,
                0.75,
            ));
        }
    }
    out
}

/// Team nouns of a sport (`某某围棋队`).
pub(super) const SPORT_TEAMS: &[&str] = &[
    "球队",
    "足球队",
    "篮球队",
    "排球队",
    "乒乓球队",
    "网球队",
    "羽毛球队",
    "棋队",
    "围棋队",
    "象棋队",
    "体操队",
    "游泳队",
    "田径队",
    "女篮",
    "男篮",
    "女排",
    "男排",
    "女足",
    "男足",
];

/// Heads a number may name (`某某九十中学`, `某某三中队`).
pub(super) const NUMBERED_HEADS: &[&str] = &[
    "中学",
    "小学",
    "学校",
    "医院",
    "中队",
    "大队",
    "支队",
    "总队",
    "研究所",
    "分局",
    "派出所",
];

/// Tokens an organisation never extends left over: datelines
/// (`某月某日电`, `本报讯`) and lead-in words.
pub(super) const ORG_LEFT_STOPS: &[&str] = &[
    "月份",
    "年度",
    "报",
    "见图",
    "日电",
    "电",
    "讯",
    "本报讯",
    "据",
    "由原",
    "原",
    "经",
    "由",
    "正由",
];

/// Words that, right after a head word, show it is not the end of a name
/// (`中心组`, `党委成员`, `中心城市`).
pub(super) const NOT_AFTER_HEAD: &[&str] = &[
    "城市",
    "组",
    "小组",
    "成员",
    "班子",
    "干部",
    "工作",
    "建设",
    "委员",
    "书记处",
];

/// Organisations by head word (`…局`, `…委员会`, `…有限公司`, `…党支部`),
/// extended left over name-like tokens, places and other organisations
/// (`某市林业局`, `某镇机关党支部`). `blocked` marks characters that cannot be
/// part of an organisation (job titles, person names).
pub fn head_orgs(
    ctx: &Ctx<'_>,
    blocked: &[bool],
    is_word: &dyn Fn(&str) -> bool,
    in_place: &[bool],
) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (j, t) in ctx.hinted(Hint::OrgHead) {
        let Some(head) = ORG_HEADS_SET.first_suffix_tok(t) else {
            continue;
        };
        if (t.start()..t.end()).any(|k| blocked[k]) {
            continue;
        }
        let head = &head;
        // `某里斯/坚科`: a transliterated name ending like a head.
        if head.chars().count() == 1
            && j > 0
            && toks[j - 1].pos.is(tags!(Nr | Nrt | Nrfg))
            && ctx.chars[toks[j - 1].start()..t.end()]
                .iter()
                .all(|&c| is_transliteration(c) || c == head.chars().next().unwrap_or(' '))
        {
            continue;
        }
        // `两院`, `三会`: a count of bodies, not a name.
        if t.word
            .starts_with(|c: char| char_list!("一二三四五六七八九十两几各").has(c))
        {
            continue;
        }
        // Parts of a region (`某某中南部`) even when jieba tags them `nt`.
        if ["东部", "西部", "南部", "北部", "中部"]
            .iter()
            .any(|d| t.word.ends_with(d))
        {
            continue;
        }
        if t.pos != Pos::Nt && t.word != *head && generic_head_suffix(t.word, head) {
            continue;
        }
        // A verb-tagged token is a head only when it is long enough to be a
        // compound (`禁毒署`), never a short verb (`部署` is generic).
        if t.pos.is(tags!(D | A | Ad | M | Ns | Nr | Nrt | Nrfg)) && t.word != *head
            || (t.pos.is(tags!(V | Vn)) && t.word != *head && t.len() < 3)
        {
            continue;
        }
        if toks
            .get(j + 1)
            .is_some_and(|n| NOT_AFTER_HEAD_SET.has_tok(n))
        {
            continue;
        }
        // `总会` is also an adverb phrase (`总会来`).
        if t.word == "总会" && t.pos != Pos::N {
            continue;
        }
        // A one-character head standing alone must be a noun (`所` is also
        // a particle: `某某所说`).
        if t.word == *head
            && head.chars().count() == 1
            && *head == "所"
            && t.pos.is(tags!(C | U | P | D | V | R | Uj | Ul))
        {
            continue;
        }
        let hlen = head.chars().count();
        let mut start = t.start();
        let mut k = j;
        // A place is the leftmost part of a name: left of it only more
        // places (`某省某市某局`), never a verb jieba tagged as a noun.
        // `in_place` marks characters inside place names.
        let mut after_place = false;
        while k > 0 {
            let p = &toks[k - 1];
            let place = p.pos == Pos::Ns || (p.start()..p.end()).any(|x| in_place[x]);
            let whole_place = (p.start()..p.end()).all(|x| in_place[x]);
            // `某市/九十/中学`: a number names a school or a unit.
            // `某地/首届/某会`, `六届/某大`: a term of office.
            let term = p.pos == Pos::M
                && p.word.ends_with('届')
                && p.word
                    .chars()
                    .all(|c| char_list!("第首一二三四五六七八九十百零〇0123456789届").has(c));
            let numbered = term
                || p.pos == Pos::M
                    && NUMBERED_HEADS.iter().any(|h| t.word.ends_with(h))
                    && p.word
                        .chars()
                        .all(|c| char_list!("第一二三四五六七八九十百零〇0123456789").has(c));
            // `某市住房/和/城乡规划建设局`: two fields of one body.
            let joined_fields = p.word == "和"
                && k >= 2
                && toks[k - 2].pos == Pos::N
                && toks[k - 2].len() >= 2
                && toks[k].pos == Pos::N
                && !ORG_HEADS_SET.ends_any_tok(&toks[k - 2]);
            // `、/和/某家某某有限公司`: after a list comma 和 starts a name
            // (a conjunction never follows 、).
            let list_he = p.word == "和" && k >= 2 && toks[k - 2].word == "、";
            // `某某正之源/科技有限公司`: a set phrase inside a company name.
            let company_phrase = p.pos == Pos::L
                && p.len() <= 4
                && ctx.all_han(p)
                && ["公司", "集团", "有限公司"]
                    .iter()
                    .any(|h| t.word.ends_with(h));
            // `某监督/所/总支部`: 所 (tagged a conjunction) ends the first body.
            let inner_suo = p.word == "所"
                && k >= 2
                && toks[k - 2].pos.is(tags!(N | Vn))
                && toks[k].word.ends_with("支部");
            // `某家/湾/小学`: a village's suffix character.
            let village = p.pos == Pos::Zg
                && matches!(
                    p.word,
                    "湾" | "庄" | "营" | "屯" | "寨" | "店" | "集" | "铺"
                );
            if !(org_token_ok(p)
                || whole_place
                || numbered
                || joined_fields
                || village
                || list_he
                || company_phrase
                || inner_suo)
                || (p.start()..p.end()).any(|x| blocked[x])
                || t.end() - p.start() > 20
                || (after_place
                    && !place
                    && !p.pos.is(tags!(Nz | Nt | J | X | Eng))
                    && p.len() >= 2
                    && is_word(p.word))
                || ORG_LEFT_STOPS_SET.has_tok(p)
                // `某委办公室/县政府办公室`: a whole body on the left and a
                // level word starting the right one: two bodies.
                || (toks[k].word.starts_with(['市', '县', '省', '区', '镇', '乡'])
                    && ORG_HEADS_SET.may_end_tok(p)
                    && ORG_HEADS.iter().any(|h| h.chars().count() >= 2 && p.word.ends_with(h)))
            {
                break;
            }
            after_place = place;
            start = p.start();
            k -= 1;
        }
        // Drop everything up to the last generic word (`科教企业某某公司`).
        let mut p = start;
        while p < t.start() {
            let Some(&ti) = ctx.tok_starting.get(p).filter(|&&i| i != NO_TOK) else {
                break;
            };
            let tk = &toks[ti as usize];
            if ORG_CUT_WORDS_SET.has_tok(tk) || (p == start && ORG_STOP_PREFIXES_SET.has_tok(tk)) {
                start = tk.end();
            }
            p = tk.end();
        }
        // `镇党委`, `市政府`: a level word and a head name no organisation.
        if start + 1 == t.end() - hlen
            && hlen >= 2
            && char_list!("省市县区镇乡村").has(ctx.chars[start])
        {
            continue;
        }
        let len = t.end() - start;
        let prefix = len - hlen;
        let level_committee = hlen == 1
            && *head == "委"
            && prefix == 1
            && char_list!("省市县区镇乡州").has(ctx.chars[start]);
        let ok = if hlen == 1 {
            (prefix >= 2 && len >= 3) || level_committee
        } else {
            prefix >= 1 && len >= 3
        };
        if !ok {
            continue;
        }
        // 政府 alone closes a local government only (某某市政府), not a
        // country's (某国政府 is a place and a common noun).
        if *head == "政府"
            && (!char_list!("省市县区镇乡州").has(ctx.chars[t.end() - hlen - 1]) || prefix < 3)
        {
            continue;
        }
        // Some part must be a name: a proper or unknown token, or a level word.
        // `交运/局`: a field word jieba split from a one-character head.
        let split_field = t.word == *head
            && matches!(*head, "局" | "厅" | "署")
            && t.start() - start == 2
            && ctx
                .starting(start)
                .is_some_and(|f| f.end() == t.start() && f.pos == Pos::N);
        let head_tok_proper = split_field || (t.len() > hlen && proper_token(t, is_word));
        let mut proper = head_tok_proper;
        let mut p = start;
        while !proper && p < t.start() {
            let Some(&ti) = ctx.tok_starting.get(p).filter(|&&i| i != NO_TOK) else {
                break;
            };
            let tk = &toks[ti as usize];
            proper = proper_token(tk, is_word) || (tk.start()..tk.end()).all(|x| in_place[x]);
            p = tk.end();
        }
        if !proper {
            continue;
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Rule,
            0.8,
        ));
    }
    out
}

/// Media names: a name followed by a media suffix (`某某时报`, `某某网`),
/// one or two tokens.
pub fn media_orgs(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (j, t) in ctx.hinted(Hint::Media) {
        if j == 0 {
            continue;
        }
        let p = &toks[j - 1];
        if !p.pos.is(tags!(Ns | Nz | Nt | J | Nr | X)) {
            continue;
        }
        // Each case below ends in a periodical kind (报 among them) or a
        // media suffix.
        if !(MEDIA_KINDS_SET.may_end_tok(t) || crate::lexdata::may_end_media(t.word)) {
            continue;
        }
        // `《某某》杂志`: a title in book brackets and a periodical kind,
        // brackets included.
        if MEDIA_KINDS_SET.has_tok(t) && p.word == "》" {
            let open = (0..j - 1).rev().take(8).find(|&k| toks[k].word == "《");
            if let Some(k) = open
                && k + 2 < j
                && toks[k + 1..j - 1].iter().all(|x| ctx.all_han(x))
            {
                out.push(Span::new(
                    toks[k].start(),
                    t.end(),
                    EntityType::Org,
                    Source::Rule,
                    0.75,
                ));
                continue;
            }
        }
        if t.word == "报" && p.pos.is(tags!(Nr | Nrt | Nz | Ns)) && p.len() >= 2 {
            out.push(Span::new(
                p.start(),
                t.end(),
                EntityType::Org,
                Source::Rule,
                0.7,
            ));
            continue;
        }
        if !crate::lexdata::may_end_media(t.word) {
            continue;
        }
        let s = format!("{}{}", p.word, t.word);
        // `网` alone only after a name token (not `互联网`, `电网`).
        if is_media(&s) && (!t.word.ends_with('网') || t.word == "网") {
            out.push(Span::new(
                p.start(),
                t.end(),
                EntityType::Org,
                Source::Rule,
                0.8,
            ));
        }
    }
    out
}

/// Bodies a state has one of, which news names by the common noun alone.
pub(super) const SINGLE_BODIES: &[&str] = &[
    "国会",
    "内阁",
    "参议院",
    "众议院",
    "议会",
    "上院",
    "下院",
    "议会上院",
    "议会下院",
    "国民议会",
    "海军",
    "陆军",
    "空军",
    "人武部",
    "最高法院",
    "宪法法院",
];

/// Kinds of periodical after a title in book brackets (`《某某》杂志`).
pub(super) const MEDIA_KINDS: &[&str] = &[
    "杂志",
    "周刊",
    "月刊",
    "半月刊",
    "画报",
    "日报",
    "晚报",
    "周报",
    "报",
    "杂志社",
];

/// jieba's own organisation tags (`nt`), a dictionary source.
/// Generic bodies that jieba's dictionary tags as organisations.
pub(super) const NOT_ORGS: &[&str] = &[
    "党委",
    "党组",
    "党组织",
    "基层党组织",
    "村党组织",
    "团组织",
    "党政机关",
    "国家机关",
    "机关",
    "单位",
    "企业",
];

/// Body words ending in 会 (an event otherwise: `音乐会`).
pub(super) const BODY_HUI: &[&str] = &[
    "委员会",
    "协会",
    "学会",
    "工会",
    "商会",
    "联合会",
    "基金会",
    "总会",
    "议会",
    "理事会",
    "董事会",
    "常委会",
    "研究会",
    "促进会",
    "红十字会",
    "组委会",
    "筹委会",
    "管委会",
    "村委会",
    "居委会",
    "联谊会",
    "同乡会",
    "教会",
    "大会",
    "代表大会",
    "人大常委会",
    "国会",
    "基会",
    "总商会",
    "青年会",
];

/// Whether a word jieba tags `nt` names a body: not a discipline
/// (`某某学` but `大学`), an event (`某某会` but `某协会`), a process
/// (`某某化`) or a commodity.
pub(super) fn nt_is_body(word: &str) -> bool {
    if word.ends_with('学') {
        return word.ends_with("大学") || word.ends_with("中学") || word.ends_with("小学");
    }
    if word.ends_with('会') {
        return BODY_HUI.iter().any(|h| word.ends_with(h));
    }
    // `某某中南部`: a part of a region.
    let region_part = word.ends_with('部')
        && word
            .chars()
            .rev()
            .nth(1)
            .is_some_and(|c| char_list!("东西南北中").has(c));
    !word.ends_with(['化', '众', '油', '药']) && !word.ends_with("飞行") && !region_part
}

/// Whether `word` starts with a place the gazetteer knows (two characters
/// or more) and goes on after it.
pub(super) fn gaz_prefix(word: &str, gaz: &Gazetteer) -> bool {
    word.char_indices()
        .skip(2)
        .any(|(b, _)| gaz.get(&word[..b]).is_some())
}

/// A country's government or relations (`某国政府`, `某某关系`) are not
/// organisations: the place before them is.
pub fn dictionary_orgs(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    for t in ctx
        .hinted(Hint::TaggedNt)
        .map(|(_, t)| t)
        .filter(|t| t.pos == Pos::Nt && t.len() >= 2 && !NOT_ORGS_SET.has_tok(t))
        .filter(|t| nt_is_body(t.word))
    {
        // `某某美术馆`/nt: a building, a place.
        if FACILITY_HEADS_SET.may_end_tok(t)
            && FACILITY_HEADS
                .iter()
                .any(|h| h.chars().count() >= 2 && t.word.ends_with(h))
        {
            out.push(Span::new(
                t.start(),
                t.end(),
                EntityType::Loc,
                Source::Dictionary,
                0.7,
            ));
            continue;
        }
        if let Some(prefix) = ["政府", "当局", "关系"]
            .iter()
            .find_map(|s| t.word.strip_suffix(s))
        {
            if gaz.get(prefix).is_some() {
                let n = prefix.chars().count();
                out.push(Span::new(
                    t.start(),
                    t.start() + n,
                    EntityType::Loc,
                    Source::Gazetteer,
                    0.8,
                ));
            }
            continue;
        }
        // A body named after a place outranks the place (`某国银行`).
        let source =
            if t.len() >= 3 && ctx.tok_starting.get(t.start()).is_some() && gaz_prefix(t.word, gaz)
            {
                Source::Rule
            } else {
                Source::Dictionary
            };
        // `第某届/某某代表大会`: the term is part of the name; `某某党/中央`:
        // a party's centre is a body of its own.
        let start = match ctx.ending(t.start()) {
            Some(p)
                if p.pos == Pos::M
                    && p.word.ends_with('届')
                    && (t.word.ends_with('会') || t.word.ends_with("人大")) =>
            {
                p.start()
            }
            _ => t.start(),
        };
        let end = match ctx.starting(t.end()) {
            Some(n) if t.word.ends_with('党') && n.word == "中央" => n.end(),
            _ => t.end(),
        };
        out.push(Span::new(start, end, EntityType::Org, source, 0.7));
    }
    // `某省/残联`, `某国/足球报`: a place and an abbreviated federation or
    // a newspaper.
    for (i, p) in ctx.hinted(Hint::TaggedNs) {
        let Some(t) = ctx.toks.get(i + 1) else {
            continue;
        };
        let body = (t.len() == 2 && t.pos.is(tags!(N | J)) && t.word.ends_with(['联', '协']))
            || t.word == "交警"
            || (t.len() >= 3
                && t.pos == Pos::N
                && t.word.ends_with('报')
                && !t.word.ends_with("情报"));
        if body && gaz.get(p.word).is_some() {
            out.push(Span::new(
                p.start(),
                t.end(),
                EntityType::Org,
                Source::Rule,
                0.7,
            ));
        }
    }
    // Bodies a country has one of, named by a common noun (`议会`, `内阁`).
    for (_, t) in ctx
        .hinted(Hint::SingleBody)
        .filter(|(_, t)| SINGLE_BODIES_SET.has_tok(t))
    {
        out.push(Span::new(
            t.start(),
            t.end(),
            EntityType::Org,
            Source::Dictionary,
            0.6,
        ));
    }
    // Abbreviations (`j`) of unions, committees, universities and companies
    // (`某盟`, `某协`, `某联`, `某委`, `某大`, `某钢`, `某航`).
    for t in ctx
        .hinted(Hint::TaggedJ)
        .map(|(_, t)| t)
        .filter(|t| t.pos == Pos::J && (2..=4).contains(&t.len()))
    {
        if t.word.chars().all(|c| PLACE_ABBREVIATIONS_SET.has(c))
            || !t
                .word
                .ends_with(['盟', '协', '联', '委', '大', '钢', '航', '行', '汽'])
            || (t.len() == 2
                && t.word
                    .starts_with(|c: char| char_list!("一二三四五六七八九十两首同通拉扩").has(c)))
            || t.word.ends_with("进行")
            || NOT_ORGS_SET.has_tok(t)
            || gaz.get(t.word).is_some()
            || t.word.ends_with('电')
            || !ctx.all_han(t)
        {
            continue;
        }
        // `市/纪委`: a level word before the abbreviation belongs to it.
        let start = match ctx.ending(t.start()) {
            Some(p) if matches!(p.word, "市" | "县" | "省" | "区" | "镇" | "乡") => p.start(),
            _ => t.start(),
        };
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Model,
            0.5,
        ));
    }
    out
}

/// Three-character dictionary words ending in 部/局/署 that are no body:
/// body parts, music, games, turns of events.
pub(super) const NOT_DEPARTMENTS: &[&str] = &[
    "下腹部",
    "下颌部",
    "会阴部",
    "低音部",
    "高音部",
    "中音部",
    "咽喉部",
    "外阴部",
    "头顶部",
    "头颈部",
    "木质部",
    "脚踝部",
    "颌面部",
    "鱼际部",
    "黄斑部",
    "韧皮部",
    "躯干部",
    "接合部",
    "结合部",
    "再现部",
    "呈示部",
    "展开部",
    "团干部",
    "干部部",
    "决胜局",
    "发球局",
    "开好局",
    "大变局",
    "踢出局",
    "纸牌局",
    "战斗部",
    "掩蔽部",
];

/// Ministries and departments named by a field alone (`某业部`, `某务局`,
/// `某某署`): a three-character dictionary word of a field word and 部,
/// 局 or 署, which jieba often tags as a common noun (or even a person).
/// A level organ or a place right before it belongs to it (`省委/宣传部`).
pub fn departments(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool, blocked: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    for (j, t) in ctx.hinted(Hint::Department) {
        if !(3..=5).contains(&t.len())
            || !t.word.ends_with(['部', '局', '署', '委'])
            || !t.pos.is(tags!(N | Nr | Nt | J | Nz))
            || NOT_DEPARTMENTS_SET.has_tok(t)
            || t.word.ends_with("党委")
            || generic_head_suffix(t.word, "")
            || (t.start()..t.end()).any(|k| blocked[k])
        {
            continue;
        }
        let field = &t.word[..t.word.len() - 3];
        // `市教委`, `团县委`: a level word and an abbreviated committee.
        let level_committee = t.len() == 3
            && t.word.ends_with('委')
            && t.word.starts_with(['市', '县', '省', '区', '团']);
        if !is_word(field) && !level_committee {
            continue;
        }
        // `…部长`: the post, not the body; `某和某局`: part of a longer name.
        if ctx.chars.get(t.end()) == Some(&'长')
            || (t.start() > 0 && matches!(ctx.chars[t.start() - 1], '和' | '与' | '及'))
        {
            continue;
        }
        let mut start = t.start();
        if j > 0 {
            let p = &ctx.toks[j - 1];
            if (p.pos.is(tags!(Ns | Nt | J)) && ctx.all_han(p) && p.len() >= 2)
                || matches!(p.word, "中央" | "国务院" | "省委" | "市委" | "县委" | "区委")
                // `机场/管理局`, `国内/贸易部`: what it manages.
                || (p.pos.is(tags!(N | S | Nz))
                    && p.len() >= 2
                    && ctx.all_han(p)
                    && !ORG_STOP_PREFIXES_SET.has_tok(p)
                    && !ORG_CUT_WORDS_SET.has_tok(p)
                    && !(p.start()..p.end()).any(|k| blocked[k]))
            {
                start = p.start();
            }
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Rule,
            0.7,
        ));
    }
    out
}

/// Countries listed as teams (`某组的甲国、乙国、丙国`, `甲国、乙国等强队`):
/// sports news names a national team by its country.
pub fn team_lists(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let country = |k: usize| {
        toks.get(k)
            .is_some_and(|t| t.pos == Pos::Ns && gaz.get(t.word) == Some(Level::Country))
    };
    // A list starts at a country tagged `ns`; its items start no other.
    let mut next = 0;
    for (i, _) in ctx.hinted(Hint::TaggedNs) {
        if i < next || !country(i) {
            continue;
        }
        let mut j = i + 1;
        while toks.get(j).is_some_and(|t| t.word == "、") && country(j + 1) {
            j += 2;
        }
        let items = (j - i).div_ceil(2);
        let start = toks[i].start();
        let end = toks[j - 1].end();
        let before_group = start >= 2 && ctx.has_at(start - 2, "组的");
        let after_team = ["等强队", "等队", "等球队"]
            .iter()
            .any(|w| ctx.has_at(end, w));
        if items >= 2 && (before_group || after_team) {
            for t in toks[i..j].iter().step_by(2) {
                out.push(Span::new(
                    t.start(),
                    t.end(),
                    EntityType::Org,
                    Source::Rule,
                    0.75,
                ));
            }
        }
        next = j;
    }
    out
}

/// Industry words a company's short name ends in (`某某药业`, `某某工贸`).
pub(super) const INDUSTRIES: &[&str] = &[
    "药业", "乳业", "陶瓷", "工贸", "食品", "实业", "置业", "科技", "电器", "建材", "制药", "纺织",
    "服饰", "物流", "地产", "商贸", "酒业", "油脂", "化工", "钢铁", "家居", "牧业", "农牧", "传媒",
    "股份", "控股", "电子", "机械",
];

/// Companies by their short name: a brand and an industry word, standing
/// alone between list or sentence punctuation (`、某某药业、`). A place
/// and an industry alone is an industry (`某省食品`), not a company.
pub fn industry_orgs(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    let chars = &ctx.chars;
    let left_ok = |k: usize| {
        k == 0
            || matches!(
                chars[k - 1],
                '、' | '，' | ',' | '。' | '；' | '：' | '“' | '（' | '(' | ' ' | '\n'
            )
    };
    let right_ok = |k: usize| {
        chars
            .get(k)
            .is_none_or(|c| char_list!("、，,。；;等和与及）)”").has(*c))
    };
    for (j, t) in ctx.hinted(Hint::Industry) {
        if !INDUSTRIES_SET.may_end_tok(t)
            || !INDUSTRIES_SET.has_tok(t)
            || j == 0
            || !right_ok(t.end())
        {
            continue;
        }
        // The brand: one or two tokens right before, delimited on the left.
        // After punctuation, or after a verb or 了 (`走访了/某某药业`).
        let left_ok =
            |k: usize| left_ok(k) || ctx.ending(k).is_some_and(|p| p.pos.is(tags!(V | Ul | P)));
        let Some(start) = (1..=2)
            .filter(|&k| k <= j)
            .map(|k| ctx.toks[j - k].start())
            .find(|&s| left_ok(s))
        else {
            continue;
        };
        let brand: String = crate::extract::text_of(&chars[start..t.start()]);
        let n = t.start() - start;
        if !(2..=6).contains(&n) || !brand.chars().all(is_han) || gaz.get(&brand).is_some() {
            continue;
        }
        if ctx.toks[j.saturating_sub(2)..j]
            .iter()
            .filter(|x| x.start() >= start)
            .any(|x| x.pos.is(tags!(V | Vn | P | C | U | Uj | R | M | Q)))
        {
            continue;
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Rule,
            0.7,
        ));
    }
    out
}

/// Names before a job title (`某某某总理`): a two- or three-character
/// token starting with a surname, whatever jieba tagged it.
pub fn names_before_titles(ctx: &Ctx<'_>, titles: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for ti in titles {
        let Some(t) = ctx.ending(ti.start) else {
            continue;
        };
        if (2..=3).contains(&t.len())
            && let Some(sl) = surname_at(&ctx.chars, t.start())
            && t.len() > sl
            && (t.start() + sl..t.end()).all(|k| given_ok(ctx.chars[k]))
            && t.pos.is(tags!(Nr | T | X | Nz | Nrfg | Nrt))
            // `和谈/协调员`: a preposition-like surname on a dictionary word.
            && !(t.pos == Pos::Nz && char_list!("和向于从同与把在及对为将以由经万能").has(ctx.chars[t.start()]))
        {
            out.push(Span::new(
                t.start(),
                t.end(),
                EntityType::Per,
                Source::Rule,
                0.75,
            ));
        }
    }
    out
}

/// Sports teams: a place and/or a sponsor's name followed by `队`
/// (`某国队`, `某市某某队`, `某某女队`). The token right before `队` must be a
/// place or a proper or unknown word, not a common noun (`工作队`).
pub fn teams(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool, in_place: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let proper = |t: &Tok<'_>| {
        t.pos.is(tags!(Nz | Nt | J | Nrt))
            || (t.len() >= 2
                && !is_word(t.word)
                && ctx.all_han(t)
                && !t.pos.is(tags!(V | Vn | D | R | P | C | A)))
    };
    for (j, t) in ctx.hinted(Hint::Team) {
        // Both cases below end in 队 or a sport team noun.
        if !t.word.ends_with('队') && !SPORT_TEAMS_SET.may_end_tok(t) {
            continue;
        }
        // `某国队`, `某某队` in one token: the part before 队 is a place
        // or an unknown name.
        let glued = t.len() >= 3
            && t.word.ends_with('队')
            && !t.pos.is(tags!(V | Vn | A | D))
            && ((t.start()..t.end() - 1).all(|k| in_place[k]) || {
                let prefix = &t.word[..t.word.len() - '队'.len_utf8()];
                !is_word(prefix) && prefix.chars().all(is_han) && !prefix.ends_with(['小', '大'])
            });
        // `女队`, `围棋队`: the team noun, maybe with its sport or section.
        let team_noun = matches!(
            t.word,
            "队" | "女队" | "男队" | "青年队" | "国家队" | "少年队"
        ) || SPORT_TEAMS_SET.has_tok(t);
        if !glued && !team_noun {
            continue;
        }
        if j == 0 && !glued {
            continue;
        }
        let p = &toks[j.saturating_sub(1)];
        // `某市/某某/队`: a place, a word and the team noun.
        let place_noun = !glued
            && j >= 2
            && p.pos.is(tags!(N | V | Vn))
            && p.len() == 2
            && (place_token(&toks[j - 2], in_place) || proper(&toks[j - 2]));
        if !(glued || place_token(p, in_place) || proper(p) || place_noun) {
            continue;
        }
        let (mut start, mut k, mut parts) = if glued {
            (t.start(), j, 0)
        } else {
            (p.start(), j - 1, 1)
        };
        while k > 0 && parts < 3 {
            let q = &toks[k - 1];
            if place_token(q, in_place) || (proper(q) && !place_token(&toks[k], in_place)) {
                start = q.start();
                k -= 1;
                parts += 1;
            } else {
                break;
            }
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Rule,
            0.75,
        ));
    }
    out
}

/// Extra occurrences of names found by a rule: every other occurrence of
/// the same text becomes an entity of the same type (document consistency).
pub fn propagate(ctx: &Ctx<'_>, found: &[Span], label: EntityType) -> Vec<Span> {
    let mut names: Vec<Vec<char>> = found
        .iter()
        .filter(|s| s.label == label && s.source == Source::Rule && s.end - s.start >= 2)
        .map(|s| ctx.chars[s.start..s.end].to_vec())
        .collect();
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    if names.is_empty() {
        return out;
    }
    // One pass over the text for all names: a character that starts no
    // name is passed over after one filter test. Each name's matches are
    // taken left to right without overlapping, and the output keeps the
    // names' sorted order.
    let mut firsts = CharFilter::default();
    for name in &names {
        firsts.insert(name[0]);
    }
    let mut found_at: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut next_free = vec![0; names.len()];
    let chars = &ctx.chars;
    let mut next = 0;
    while let Some(k) = chars[next..].iter().position(|&c| firsts.may_have(c)) {
        let i = next + k;
        next = i + 1;
        let c = chars[i];
        // The names are sorted: those starting with `c` are side by side.
        let from = names.partition_point(|n| n[0] < c);
        for (k, name) in names.iter().enumerate().skip(from) {
            if name[0] != c {
                break;
            }
            if i >= next_free[k] && chars[i..].starts_with(name) {
                found_at[k].push(i);
                next_free[k] = i + name.len();
            }
        }
    }
    for (name, starts) in names.iter().zip(found_at) {
        for i in starts {
            out.push(Span::new(
                i,
                i + name.len(),
                label.clone(),
                Source::Rule,
                0.75,
            ));
        }
    }
    out
}

/// Marks the characters covered by `spans` in a text of `n` characters.
pub fn coverage<'s>(n: usize, spans: impl Iterator<Item = &'s Span>) -> Vec<bool> {
    let mut covered = vec![false; n + 1];
    for s in spans {
        covered[s.start..s.end].fill(true);
    }
    covered
}

/// Whether a token is a place: tagged `ns` by jieba or inside a place name
/// found by the place rules (`in_place`, from [`coverage`]).
pub(super) fn place_token(t: &Tok<'_>, in_place: &[bool]) -> bool {
    t.pos == Pos::Ns || in_place[t.start()..t.end()].iter().all(|&b| b)
}

/// Whether `pos` starts a han character run (for callers' boundary checks).
pub fn han_at(ctx: &Ctx<'_>, pos: usize) -> bool {
    ctx.han_at(pos)
}
