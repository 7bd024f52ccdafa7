//! Person names: cues, verbs, titles, dotted transliterations, honorifics, jieba name guesses, propagation.
//! A family of [`super`] rules.

#[allow(unused_imports)]
use super::*;

/// Characters that do not start or continue a given name in running text.
pub(super) const GIVEN_STOP: &str = "老的了在是和与及等说对为从向到将也都就又把被让给于而并或之这那其该各每表指陪参汇告主出同个们年月日时上下内外前后里来去要会能可已还再更最很不没无有党村镇乡县市区省局委办院所部讲召率一二三四五六七八九十两几百千万亿共分带";

/// Function words that may follow a bare two-character name guess.
pub(super) const BARE_NAME_FOLLOWERS: &str = "的是也已曾和与等则都就还又便却在从把被将对向给";

/// Characters that never sit inside a given name: particles and pronouns.
pub(super) const GIVEN_HARD_STOP: CharList =
    CharList::new("的了是和与及等说对为从向到将也都就又把被让给于而并或这那其该各每们个在");

/// Words that typically follow a person's name.
pub const NAME_FOLLOWERS: &[&str] = &[
    "说", "表示", "指出", "强调", "介绍", "告诉", "认为", "主持", "出席", "讲话", "汇报", "带领",
    "陪同", "作", "在", "等", "同志", "先生", "女士", "书记", "主任", "一行", "家", "指示", "要求",
    "提出", "坦言", "回忆", "笑着", "激动", "拿到", "领到", "含着", "特意", "当选",
];

/// Words after which a person's name is expected (besides job titles).
pub const NAME_CUES: &[&str] = &[
    "领导",
    "同志",
    "老党员",
    "村民",
    "贫困户",
    "低保户",
    "五保户",
    "对象",
    "选手",
    "运动员",
    "教练员",
    "户主",
];

/// Weaker cues: the name after them must be a jieba token of name length.
pub const WEAK_NAME_CUES: &[&str] = &[
    "党员",
    "群众",
    "干部",
    "队员",
    "老人",
    "专家",
    "农民",
    "工人",
    "医生",
    "教师",
    "老师",
    "学生",
    "志愿者",
    "厂长",
    "老板",
];

pub(super) fn given_ok(c: char) -> bool {
    is_han(c) && !GIVEN_STOP_SET.has(c)
}

/// Length of the surname at `pos` (2 compound, 1 single).
pub fn surname_at(chars: &[char], pos: usize) -> Option<usize> {
    static COMPOUND_PAIRS: LazyLock<Vec<(char, char)>> = LazyLock::new(|| {
        COMPOUND_SURNAMES
            .iter()
            .filter_map(|s| {
                let mut cs = s.chars();
                let pair = (cs.next()?, cs.next()?);
                cs.next().is_none().then_some(pair)
            })
            .collect()
    });
    let c0 = *chars.get(pos)?;
    if let Some(&c1) = chars.get(pos + 1)
        && COMPOUND_PAIRS.contains(&(c0, c1))
    {
        return Some(2);
    }
    is_single_surname(c0).then_some(1)
}

pub(super) fn followed_by_cue(ctx: &Ctx<'_>, pos: usize) -> bool {
    static FIRSTS: LazyLock<CharSet> =
        LazyLock::new(|| CharSet::nth_chars(NAME_FOLLOWERS.iter().copied(), 0));
    ctx.chars.get(pos).is_some_and(|&c| FIRSTS.has(c))
        && NAME_FOLLOWERS.iter().any(|w| ctx.has_at(pos, w))
}

/// The end of a Chinese person name starting at `pos` (surname + one or two
/// given-name characters), using jieba's segmentation when it agrees and a
/// character window otherwise.
pub fn name_at(ctx: &Ctx<'_>, pos: usize) -> Option<usize> {
    let chars = &ctx.chars;
    let sl = surname_at(chars, pos)?;
    let g1 = pos + sl;
    if !chars.get(g1).is_some_and(|&c| given_ok(c)) {
        return None;
    }
    let weak = sl == 1 && char_list!("和向于从同与把在及对为将以由经万能").has(chars[pos]);
    if let Some(t) = ctx.starting(pos) {
        let n = t.len();
        // A verb or a function word is no name (`书记/提高`, `国王/任命`)
        // unless it closes a list item (`、某起超、`).
        let closes = |k: usize| {
            chars
                .get(k)
                .is_none_or(|c| char_list!("、，,。；;等 \u{3000}").has(*c))
        };
        if n > sl
            && (t.pos.is(tags!(V | Vn | D | P | C | Ad | R | U | Uj))
                || (n == sl + 1 && t.pos.is(tags!(N | T | An))))
            && !closes(t.end())
            && !ctx
                .starting(t.end())
                .is_some_and(|t2| t2.len() == 1 && closes(t2.end()))
        {
            return None;
        }
        // jieba's own full-name guess may hold characters that usually end
        // a name (`某育之`, `某玉来`): trust it unless one is a particle.
        let nr_full = t.pos == Pos::Nr
            && n == sl + 2
            && (pos + sl..t.end()).all(|i| is_han(chars[i]) && !GIVEN_HARD_STOP.has(chars[i]));
        if (n == sl + 1 || n == sl + 2)
            && (nr_full || (pos + sl..t.end()).all(|i| given_ok(chars[i])))
        {
            // `某小` + `某…`: 小 starts a two-character given name (a
            // person is not called by surname + 小 alone).
            if n == sl + 1 && chars[g1] == '小' && chars.get(g1 + 1).is_some_and(|&c| given_ok(c))
            {
                return Some(g1 + 2);
            }
            // `付国` + `乾`: a lone given-name character jieba split off.
            if n == sl + 1
                && let Some(t2) = ctx.starting(t.end())
                && t2.len() == 1
                && given_ok(chars[t2.start()])
                && !t2
                    .pos
                    .is(tags!(U | Ug | Ul | Uz | Uj | Uv | Ud | Y | E | P | C | D))
                && !followed_by_cue(ctx, t2.start())
                && ctx.starting(t2.end()).is_none_or(|t3| {
                    t3.len() >= 2
                        || !ctx.all_han(t3)
                        || BARE_NAME_FOLLOWERS.contains(t3.word)
                        || matches!(t3.word, "时" | "说")
                })
            {
                return Some(t2.end());
            }
            // `某云/江说`: jieba glued the last given character to the verb
            // after the name.
            if n == sl + 1
                && let Some(t2) = ctx.starting(t.end())
                && t2.len() == 2
                && given_ok(chars[t2.start()])
                && matches!(chars[t2.start() + 1], '说' | '等')
            {
                return Some(t.end() + 1);
            }
            return Some(t.end());
        }
        if n == sl
            && let Some(t2) = ctx.starting(g1)
            && (1..=2).contains(&t2.len())
            && (!weak || t2.pos.is_name())
            && (g1..t2.end()).all(|i| given_ok(chars[i]))
            && !t2.pos.is(tags!(V | P | C | U | Uj | D | R | M | Q | F))
        {
            return Some(t2.end());
        }
    }
    if weak {
        return None;
    }
    // Character window: two given characters unless the second looks like
    // the start of the next word.
    if followed_by_cue(ctx, g1 + 1) || !chars.get(g1 + 1).is_some_and(|&c| given_ok(c)) {
        return Some(g1 + 1);
    }
    Some(g1 + 2)
}

/// The start of a Chinese person name ending at `end`, from jieba tokens.
pub fn name_ending_at(ctx: &Ctx<'_>, end: usize) -> Option<usize> {
    let t = ctx.ending(end)?;
    let n = t.len();
    if (2..=3).contains(&n)
        && let Some(sl) = surname_at(&ctx.chars, t.start())
        && n > sl
        && (t.start() + sl..end).all(|i| given_ok(ctx.chars[i]))
        && t.pos.is(tags!(Nr | Nrfg | X | Nz | Nrt))
    {
        return Some(t.start());
    }
    if (1..=2).contains(&n)
        && (t.start()..end).all(|i| given_ok(ctx.chars[i]))
        && t.start() > 0
        && let Some(p) = ctx.ending(t.start())
        && p.len() == 1
        && surname_at(&ctx.chars, p.start()) == Some(1)
        && !char_list!("和向于从同与把在及对为将以由经万能").has(ctx.chars[p.start()])
        && t.pos.is(tags!(Nr | X | Ng | Nz | Nrfg | A))
    {
        return Some(p.start());
    }
    None
}

/// Person names right after a job title or a cue word (`市委副书记王某某`,
/// `低保户李某`), continued over lists separated by `、` or spaces
/// (`马某某、秦某某、李某等`).
pub fn names_after_cues(ctx: &Ctx<'_>, titles: &[Span]) -> Vec<Span> {
    let mut starts: Vec<(usize, bool)> = titles.iter().map(|t| (t.end, false)).collect();
    for (i, t) in ctx.hinted(Hint::NameCue) {
        if NAME_CUES_SET.has_tok(t) {
            starts.push((t.end(), false));
        } else if WEAK_NAME_CUES_SET.has_tok(t) {
            starts.push((t.end(), true));
        } else if t.word == "岁" && ctx.toks.get(i + 1).is_some_and(|n| n.word == "的") {
            starts.push((t.end() + 1, false));
        }
    }
    let mut out = Vec::new();
    for (s, weak) in starts {
        if weak {
            let Some(t) = ctx.starting(s) else { continue };
            let sl = surname_at(&ctx.chars, s).unwrap_or(9);
            if !(t.len() > sl && t.len() <= sl + 2 && t.pos.is(tags!(Nr | X | Nz))) {
                continue;
            }
        }
        // A foreign name after a post (`某国外交大臣/某某`): a token jieba
        // tags as a transliteration, or made of transliteration characters.
        if !weak
            && name_at(ctx, s).is_none()
            && let Some(t) = ctx.starting(s)
            && (2..=6).contains(&t.len())
            && (t.pos.is(tags!(Nrt | Nrfg))
                || (t.pos.is(tags!(Nr | Ns | Nz | X))
                    && ctx.chars[t.start()..t.end()]
                        .iter()
                        .all(|&c| is_transliteration(c))))
        {
            // The name may go on over more transliteration tokens
            // (`某列兹/尼奥夫`, `某莫拉/诺`).
            let mut end = t.end();
            while let Some(nx) = ctx.starting(end) {
                if nx.len() <= 4
                    && end - t.start() + nx.len() <= 8
                    && (nx.len() == 1 || nx.pos.is(tags!(Nr | Nrt | Nrfg | X | Nz)))
                    && ctx.chars[nx.start()..nx.end()]
                        .iter()
                        .all(|&c| is_transliteration(c))
                {
                    end = nx.end();
                } else {
                    break;
                }
            }
            out.push(Span::new(
                t.start(),
                end,
                EntityType::Per,
                Source::Rule,
                0.8,
            ));
            continue;
        }
        let mut pos = s;
        let mut first = true;
        while let Some(end) = name_at(ctx, pos) {
            // `某某/委员会`: a name is not followed by a body's head word.
            if ctx
                .starting(end)
                .is_some_and(|nx| ORG_HEADS_SET.has_tok(nx))
            {
                break;
            }
            // Later names of a list must end the way names do (`、`, `等`…).
            let closed = matches!(
                ctx.chars.get(end),
                None | Some('、' | ' ' | '\u{3000}' | '，' | '。' | '等' | '（' | '(' | '\n')
            ) || followed_by_cue(ctx, end);
            if !first && !closed {
                break;
            }
            out.push(Span::new(pos, end, EntityType::Per, Source::Rule, 0.85));
            first = false;
            match ctx.chars.get(end) {
                Some('、') | Some(' ') | Some('\u{3000}') => pos = end + 1,
                _ => break,
            }
        }
    }
    out
}

/// Speech and action verbs that follow a person's name.
pub(super) const SPEECH_VERBS: &[&str] = &[
    "说", "表示", "指出", "强调", "介绍", "告诉", "认为", "主持", "出席", "汇报", "带领", "陪同",
    "含着", "特意", "拿到", "领到",
];

/// Person names right before a speech or action verb (`王某某指出`), from
/// jieba's segmentation.
pub fn names_before_verbs(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for (_, t) in ctx.hinted(Hint::SpeechVerb) {
        if !SPEECH_VERBS_SET.has_tok(t) {
            continue;
        }
        if let Some(s) = name_ending_at(ctx, t.start()) {
            out.push(Span::new(s, t.start(), EntityType::Per, Source::Rule, 0.8));
        }
    }
    out
}

/// Names from jieba's `nr` tags (a model source). Chinese names must start
/// with a known surname; jieba's dictionary also tags many common words `nr`,
/// so a two-character dictionary word needs a context (a title, a cue or a
/// verb next to it) and a three-character one must not end in a common word
/// (`tag_of` gives the dictionary tag of a word). Transliterated names
/// (`nrt`, `nrfg`) are kept as they are.
pub fn model_names(
    ctx: &Ctx<'_>,
    is_word: &dyn Fn(&str) -> bool,
    tag_of: &dyn Fn(&str) -> Option<Pos>,
) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let context = |i: usize| {
        let next = toks.get(i + 1).map(|n| n.word).unwrap_or("");
        let prev = if i > 0 { toks[i - 1].word } else { "" };
        NAME_FOLLOWERS_SET.has(next)
            || TITLES.has(next)
            || TITLES.has(prev)
            || NAME_CUES_SET.has(prev)
    };
    // Only name-tagged tokens start a guess; a surname token with its
    // given name consumes the next token too.
    let mut skip_to = 0;
    for (i, &t) in ctx.hinted(Hint::TaggedName) {
        if i < skip_to {
            continue;
        }
        let n = t.len();
        if t.pos == Pos::Nr {
            let sl = surname_at(&ctx.chars, t.start());
            if n == 1 && sl == Some(1) {
                // Surname token followed by a one- or two-character given name.
                if let Some(t2) = toks.get(i + 1)
                    && (1..=2).contains(&t2.len())
                    && (t2.start()..t2.end()).all(|k| given_ok(ctx.chars[k]))
                    && t2.pos.is(tags!(Nr | X | Ng | Nz | A | Nrfg))
                {
                    out.push(Span::new(
                        t.start(),
                        t2.end(),
                        EntityType::Per,
                        Source::Model,
                        0.55,
                    ));
                    skip_to = i + 2;
                    continue;
                }
            } else if n == 3
                && sl == Some(1)
                && HONORIFICS
                    .iter()
                    .any(|h| h.chars().count() == 2 && t.word.ends_with(h))
            {
                // `某小姐`: the surname is the name, the rest a form of address.
                out.push(Span::new(
                    t.start(),
                    t.start() + 1,
                    EntityType::Per,
                    Source::Model,
                    0.55,
                ));
            } else if (2..=4).contains(&n) && sl.is_some_and(|l| l < n) {
                let known = is_word(t.word);
                // A two-character guess of jieba's HMM needs a weaker
                // context: a list, a role noun or a preposition before it.
                let weak_context = |i: usize| {
                    let prev = if i > 0 { toks[i - 1].word } else { "" };
                    let next = toks.get(i + 1).map_or("", |n| n.word);
                    let prev_last = prev.chars().last().unwrap_or(' ');
                    prev == "、"
                        || next == "、"
                        || (prev.chars().count() == 1
                            && char_list!("找把从对向给让被和与及同请派").has(prev_last))
                        || (prev.chars().count() >= 2
                            && i > 0
                            && toks[i - 1].pos == Pos::N
                            && char_list!("人家将员女儿子妻夫姐妹哥弟手生师友者").has(prev_last))
                };
                // No context at all: the guess must stand as a subject or a
                // possessor, before punctuation or a function word, and not
                // in a run of one-character tokens (a broken transliteration).
                let bare_ok = |i: usize| {
                    let prev_ok = i == 0 || {
                        let p = &toks[i - 1];
                        p.len() > 1 || !is_han(ctx.chars[p.start()])
                    };
                    prev_ok
                        && ctx.chars[t.start() + 1] != '某'
                        && toks.get(i + 1).is_some_and(|nx| {
                            matches!(nx.word, "：" | ":" | "（" | "(")
                                || (nx.len() == 1 && BARE_NAME_FOLLOWERS.contains(nx.word))
                        })
                };
                let ok = if !known {
                    n == 3 || context(i) || (n == 2 && (weak_context(i) || bare_ok(i)))
                } else if n == 2 || n == 4 {
                    context(i)
                } else if !context(i) && known_nr_is_thing(&ctx.chars[t.start()..t.end()]) {
                    false
                } else {
                    let given = &t.word[t
                        .word
                        .char_indices()
                        .nth(sl.unwrap_or(1))
                        .map_or(0, |(b, _)| b)..];
                    !is_word(given)
                        || tag_of(given).is_some_and(|g| {
                            g.is_name() || g.is(tags!(Ns | Nz | T | J))
                        })
                        // A given name that is also a noun (`某志民`) needs
                        // a name's place: before a function word, not after
                        // a verb or 的.
                        || (tag_of(given).is_some_and(|g| g.is(tags!(N | Ng)))
                            && toks.get(i + 1).is_some_and(|nx| {
                                (nx.len() == 1 && BARE_NAME_FOLLOWERS.contains(nx.word))
                                    || NAME_FOLLOWERS_SET.has_tok(nx)
                            })
                            && (i == 0 || !toks[i - 1].pos.is(tags!(V | Vn | Uj | A))))
                        || context(i)
                };
                // `智能化`, `金白银`: a common word inside is not a name.
                let common = |w: &str| is_word(w) && !tag_of(w).is_some_and(|g| g.is_name());
                let b2 = t
                    .word
                    .char_indices()
                    .nth(2)
                    .map_or(t.word.len(), |(b, _)| b);
                let b1 = t.word.char_indices().nth(1).map_or(0, |(b, _)| b);
                let weak =
                    char_list!("和向于从同与把在及对为将以由经万能").has(ctx.chars[t.start()]);
                let inner_word = n == 3
                    && !context(i)
                    && (common(&t.word[..b2])
                        || (!known
                            && tag_of(&t.word[b1..])
                                .is_some_and(|g| g.is(tags!(V | Vn | A | Ad | D | An))))
                        || (!known && weak));
                // A two-character guess of jieba's HMM: the given name may
                // go on into a one-character token (`某某/某`), and a place
                // or road suffix after it shows a place (`某某路`).
                let next = toks.get(i + 1);
                let after = |k: usize| ctx.chars.get(k).copied().unwrap_or('。');
                let mut end = t.end();
                // `真/金白银`: a one-character token before it makes a word
                // with the surname, and the given name is a word too.
                let split_idiom = n == 3
                    && i > 0
                    && toks[i - 1].len() == 1
                    && is_han(ctx.chars[toks[i - 1].start()])
                    && sl == Some(1)
                    && is_word(&format!("{}{}", toks[i - 1].word, ctx.chars[t.start()]))
                    && is_word(&t.word[ctx.chars[t.start()].len_utf8()..]);
                let mut guess_ok = !split_idiom;
                if !known {
                    let sl = sl.unwrap_or(1);
                    let prev_single = i > 0
                        && toks[i - 1].len() == 1
                        && is_han(ctx.chars[toks[i - 1].start()])
                        && !"和与及同向对给让被把由等、将跟找请派带送称为是"
                            .contains(ctx.chars[toks[i - 1].start()]);
                    // `某某/陶瓷`: a guess glued to a common noun names a brand.
                    let before_noun = n == 2
                        && toks.get(i + 1).is_some_and(|nx| {
                            nx.pos == Pos::N
                                && nx.len() >= 2
                                && !NAME_FOLLOWERS_SET.has_tok(nx)
                                && !TITLES.has_tok(nx)
                                && !nx.word.ends_with([
                                    '士', '夫', '长', '师', '员', '家', '生', '者', '手', '工',
                                ])
                        });
                    if (prev_single && n == 2)
                        || before_noun
                        || !(t.start() + sl..t.end()).all(|k| given_ok(ctx.chars[k]))
                    {
                        guess_ok = false;
                    }
                }
                if !known && n == 2 {
                    if let Some(nx) = next
                        && nx.len() == 1
                        && given_ok(ctx.chars[nx.start()])
                        && !char_list!("路街村镇线区县市省乡家号队").has(ctx.chars[nx.start()])
                        && nx.pos.is(tags!(Ng | N | X | Nr | Ns | A | Ag | Nz))
                        && (!is_han(after(nx.end()))
                            || toks
                                .get(i + 2)
                                .is_some_and(|a| a.len() > 1 || NAME_FOLLOWERS_SET.has_tok(a)))
                    {
                        end = nx.end();
                    } else if next.is_some_and(|nx| {
                        char_list!("路街村镇线区县市省乡家号队").has(ctx.chars[nx.start()])
                    }) {
                        guess_ok = false;
                    }
                }
                if ok && !inner_word && guess_ok {
                    out.push(Span::new(
                        t.start(),
                        end,
                        EntityType::Per,
                        Source::Model,
                        0.6,
                    ));
                }
            } else if n >= 5
                && let Some(l) = sl
                && let Some((b, _)) = t.word.char_indices().nth(n - 2)
                && is_word(&t.word[b..])
                && !tag_of(&t.word[b..]).is_some_and(|g| g.is_name())
                && n - 2 > l
            {
                // `某某某理论`: a name glued to a common word.
                out.push(Span::new(
                    t.start(),
                    t.end() - 2,
                    EntityType::Per,
                    Source::Model,
                    0.55,
                ));
            } else if n >= 3
                && sl.is_none()
                && ctx.chars[t.start()..t.end()]
                    .iter()
                    .all(|&c| is_transliteration(c))
                && (!is_word(t.word) || context(i))
            {
                out.push(Span::new(
                    t.start(),
                    t.end(),
                    EntityType::Per,
                    Source::Model,
                    0.5,
                ));
            } else if n == 2 && sl.is_none() && context(i) {
                out.push(Span::new(
                    t.start(),
                    t.end(),
                    EntityType::Per,
                    Source::Model,
                    0.45,
                ));
            }
        } else if t.pos.is(tags!(Nrt | Nrfg))
            && (n >= 3 || (n == 2 && context(i)))
            && (surname_at(&ctx.chars, t.start()).is_some()
                || ctx.chars[t.start()..t.end()]
                    .iter()
                    .all(|&c| is_transliteration(c)))
        {
            // `某莫拉/诺`: a last transliteration syllable jieba split off.
            let end = match toks.get(i + 1) {
                Some(nx)
                    if nx.len() == 1
                        && is_transliteration(ctx.chars[nx.start()])
                        && toks.get(i + 2).is_none_or(|a| {
                            a.len() > 1 || !is_transliteration(ctx.chars[a.start()])
                        }) =>
                {
                    nx.end()
                }
                _ => t.end(),
            };
            out.push(Span::new(
                t.start(),
                end,
                EntityType::Per,
                Source::Model,
                0.5,
            ));
        }
    }
    // A word no person is followed by (`某某现象`, `某某问题`, `某某等地`):
    // before a place word the guess is a place, otherwise nothing.
    out.retain_mut(|sp| {
        let next = ctx.starting(sp.end).map_or("", |nx| nx.word);
        if PLACE_FOLLOWERS_SET.has(next) || ctx.has_at(sp.end, "等地") {
            // An administrative or river suffix is part of the name.
            if matches!(next, "州" | "省" | "市" | "县" | "大区" | "河") {
                sp.end += next.chars().count();
            }
            sp.label = EntityType::Loc;
            sp.confidence = 0.45;
            return true;
        }
        !NOT_PERSON_FOLLOWERS_SET.has(next)
    });
    out
}

/// Words that do not follow a person's name: a name guess before them is
/// a place, a body, a brand or a phenomenon.
pub(super) const NOT_PERSON_FOLLOWERS: &[&str] = &[
    "现象",
    "问题",
    "争端",
    "组织",
    "国家",
    "各国",
    "产油国",
    "成员国",
    "政府",
    "军队",
    "地区",
    "境内",
    "一带",
    "汽车",
    "轿车",
    "公司",
    "集团",
    "决议",
    "小镇",
    "大区",
    "河",
    "州",
    "省",
    "市",
    "县",
    "牌",
    "型",
];

/// Of [`NOT_PERSON_FOLLOWERS`], those that follow a place.
pub(super) const PLACE_FOLLOWERS: &[&str] = &[
    "问题",
    "争端",
    "国家",
    "各国",
    "产油国",
    "成员国",
    "地区",
    "境内",
    "一带",
    "小镇",
    "大区",
    "河",
    "州",
    "省",
    "市",
    "县",
    "军队",
    "政府",
];

/// Last characters of things, not people (`某可证`, `某全性`, `某伯杯`).
pub(super) const THING_ENDINGS: CharList =
    CharList::new("证性车杯器机票卡费率型式品物剂药症赛奖菌");

/// Whether a three-character word jieba's dictionary tags as a name is a
/// thing or a phrase: it ends like a thing, has a numeral or a negation in
/// the given name (`某战三捷`, `某不丁`), or starts with a preposition-like
/// surname before a word (`和某山`).
pub(super) fn known_nr_is_thing(name: &[char]) -> bool {
    let [a, b, c] = name else { return false };
    THING_ENDINGS.has(*c)
        || char_list!("一二三四五六七八九十两不").has(*b)
        || (char_list!("和向于从同与把在及对为将以由经").has(*a)
            && char_list!("山河江湖省市县").has(*c))
}

/// Posts that news writes after a bare surname for a state leader
/// (`某主席`, `某总理`).
pub(super) const LEADER_POSTS: &[&str] = &[
    "主席",
    "总理",
    "总书记",
    "委员长",
    "副主席",
    "副总理",
    "总统",
];

/// A state leader by surname and post in one token (`某主席`): the
/// surname is the person. A doctrine named after a person (`某某某主义`,
/// transliterated): the name is the person.
pub fn surnames_with_posts(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for (_, t) in ctx.hinted(Hint::LeaderPost) {
        // Both cases below have three characters or more.
        if t.len() < 3 {
            continue;
        }
        let c0 = ctx.chars[t.start()];
        let rest = &t.word[c0.len_utf8()..];
        if LEADER_POSTS_SET.has(rest) && is_single_surname(c0) {
            out.push(Span::new(
                t.start(),
                t.start() + 1,
                EntityType::Per,
                Source::Rule,
                0.6,
            ));
        } else if let Some(name) = t.word.strip_suffix("主义")
            && name.chars().count() >= 3
            && name.chars().all(is_transliteration)
        {
            let n = name.chars().count();
            out.push(Span::new(
                t.start(),
                t.start() + n,
                EntityType::Per,
                Source::Rule,
                0.6,
            ));
        }
    }
    out
}

/// Common words of a surname character and 老 (not `某老`, an honorific).
pub(super) const OLD_WORDS: &[&str] = &[
    "元老",
    "长老",
    "父老",
    "古老",
    "养老",
    "敬老",
    "尊老",
    "终老",
    "衰老",
    "苍老",
    "遗老",
    "到老",
    "白头偕老",
];

/// Honorifics after a bare surname (`某先生`, `某老`).
pub(super) const HONORIFICS: &[&str] = &["先生", "小姐", "女士", "老", "夫人", "太太"];

/// A bare surname with an honorific (`某先生`, `某老说`): the surname is the
/// person.
pub fn surnames_with_honorifics(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (i, t) in ctx.hinted(Hint::Surname) {
        let first = ctx.chars[t.start()];
        // `和/夫人`: a conjunction, not a surname.
        if !is_single_surname(first) || char_list!("和与同跟向及").has(first) {
            continue;
        }
        let rest = &t.word[first.len_utf8()..];
        // `元老`: a word, not a surname and an honorific.
        let glued = HONORIFICS_SET.has(rest)
            && !OLD_WORDS.contains(&t.word)
            && (rest != "老"
                || toks
                    .get(i + 1)
                    .is_none_or(|a| NAME_FOLLOWERS_SET.has_tok(a) || !ctx.all_han(a)));
        let split = rest.is_empty()
            && toks.get(i + 1).is_some_and(|n| {
                HONORIFICS_SET.has_tok(n)
                    && (n.word != "老"
                        || toks
                            .get(i + 2)
                            .is_none_or(|a| NAME_FOLLOWERS_SET.has_tok(a) || !ctx.all_han(a)))
            });
        let before_ok = i == 0 || !ctx.han_at(t.start() - 1) || toks[i - 1].len() > 1;
        if (glued || split) && before_ok {
            out.push(Span::new(
                t.start(),
                t.start() + 1,
                EntityType::Per,
                Source::Rule,
                0.6,
            ));
        }
    }
    out
}

/// Separators between the parts of a transliterated name (`某某·某某`).
/// Whether `c` is a dot between the parts of a transliterated name
/// (`·•・‧`; a `match`: this runs on every character).
pub(super) fn is_name_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '・' | '‧')
}

/// Transliterated foreign names written with a middle dot (`卡某·某某特`):
/// runs of transliteration characters (at most seven) joined by dots, cut
/// at token boundaries on the outer ends.
pub fn dotted_names(ctx: &Ctx<'_>) -> Vec<Span> {
    let chars = &ctx.chars;
    let n = chars.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if !is_name_dot(chars[i]) {
            i += 1;
            continue;
        }
        // Left part.
        let mut l = i;
        while l > 0 && i - l < 7 && is_transliteration(chars[l - 1]) {
            l -= 1;
        }
        let Some(start) = (l..i).find(|&p| p == 0 || ctx.tok_starting[p] != NO_TOK) else {
            i += 1;
            continue;
        };
        // Following parts.
        let mut end = i;
        let mut j = i;
        loop {
            let mut r = j + 1;
            while r < n && r - j <= 7 && is_transliteration(chars[r]) {
                r += 1;
            }
            if r == j + 1 {
                break;
            }
            if r < n && is_name_dot(chars[r]) {
                end = r;
                j = r;
                continue;
            }
            // A last part running into a longer token is cut at that
            // token's start (`某某·安南希望`), unless only a verb or a
            // particle follows (`某某·某斯说`).
            end = r;
            if ctx.tok_ending[r] == NO_TOK
                && let Some(ts) = (j + 1..r).rev().find(|&p| ctx.tok_starting[p] != NO_TOK)
            {
                let tk = &ctx.toks[ctx.tok_starting[ts] as usize];
                let tail = tk.end().saturating_sub(r);
                if !(tail == 1 && char_list!("说在和等的与是及将已也").has(chars[r])) && ts > j + 1
                {
                    end = ts;
                }
            }
            break;
        }
        if end > i + 1 && i - start >= 1 {
            out.push(Span::new(start, end, EntityType::Per, Source::Rule, 0.8));
        }
        i = end.max(i + 1);
    }
    out
}

/// Foreign names that jieba breaks into several name tokens (`某斯/某夫`,
/// `某/某斯`): a run of two or more adjacent `nr`/`nrt`/`nrfg` tokens
/// written only in transliteration characters, three characters or more,
/// is one person. A name token that is a Chinese surname plus given name
/// (`王/某`) does not start a run.
pub fn transliteration_runs(ctx: &Ctx<'_>) -> Vec<Span> {
    let toks = &ctx.toks;
    let name_tok = |t: &Tok<'_>| {
        t.pos.is(tags!(Nr | Nrt | Nrfg))
            && (t.start()..t.end()).all(|k| is_transliteration(ctx.chars[k]))
    };
    let mut out = Vec::new();
    // A run starts at a name-tagged token; a run's tokens start no other.
    let mut next = 0;
    for (i, t) in ctx.hinted(Hint::TaggedName) {
        if i < next || !name_tok(t) {
            continue;
        }
        let mut j = i + 1;
        while j < toks.len() && name_tok(&toks[j]) && j - i < 4 {
            j += 1;
        }
        let len = toks[j - 1].end() - toks[i].start();
        // One token with a run after it is enough if the run has a
        // transliteration-only `nrt` in it.
        let has_nrt = toks[i..j].iter().any(|t| t.pos == Pos::Nrt);
        if j - i >= 2 && (3..=10).contains(&len) && (has_nrt || len >= 4) {
            out.push(Span::new(
                toks[i].start(),
                toks[j - 1].end(),
                EntityType::Per,
                Source::Rule,
                0.7,
            ));
        }
        next = j;
    }
    out
}
