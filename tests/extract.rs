//! Extraction on the seed archive: F1 floors against the hand-written gold
//! in `tests/gold/`, learning from lexicon corrections, and the who's-who.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use common::{seed_copy, seeds};
use pizhu::extract::eval::Scores;
use pizhu::extract::{EntityType, Extractor, default_extractor};
use pizhu::index::{IndexOptions, index_archive, reextract};
use pizhu::split::split_articles;
use pizhu::store::{AnnotationKind, NewAnnotation, Store};

fn gold_sets(stem: &str) -> Vec<(String, EntityType)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/gold")
        .join(format!("{stem}.tsv"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (ty, ent) = line.split_once('\t').expect("TYPE<TAB>text");
        out.insert((ent.to_string(), ty.parse::<EntityType>().unwrap()));
    }
    out.into_iter().collect()
}

/// Scores the default extractor on every seed file (file-level entity sets).
fn seed_scores() -> Scores {
    let ex = default_extractor();
    let mut scores = Scores::default();
    let mut files: Vec<_> = std::fs::read_dir(seeds())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        let mut pred = BTreeSet::new();
        for a in split_articles(&text, None) {
            for e in ex.extract(&a.text) {
                pred.insert((e.text, e.label));
            }
        }
        let pred: Vec<_> = pred.into_iter().collect();
        scores.add_sets(&gold_sets(&stem), &pred, &EntityType::BUILTIN);
    }
    scores
}

#[test]
fn seed_gold_f1_floors() {
    let s = seed_scores();
    println!("{}", s.report());
    // Floors guarding what the extractor reaches (news-tagger-9: 0.955
    // overall, 0.989 PER, 0.941 ORG; news-tagger-8: 0.952 / 0.989 / 0.931;
    // news-tagger-5 to -7: 0.953
    // overall, 0.989 PER, 0.942 ORG, with the article-level steps; news-tagger-4
    // 0.944 / 0.978 / 0.932, news-tagger-1 0.936 / 0.978 / 0.913).
    // The rules alone reached 0.948 / 0.989 / 0.932 here (news-rules-8); the
    // tagger reaches 0.936 against 0.806 on pd_dev and 0.882 against 0.746
    // on MSRA test. The targets: 0.95 overall, 0.98 PER.
    let overall = s.overall().f1();
    let per = s.of(&EntityType::Per).f1();
    assert!(
        overall >= SEED_OVERALL_FLOOR,
        "overall F1 {overall:.3}\n{}",
        s.report()
    );
    assert!(per >= SEED_PER_FLOOR, "PER F1 {per:.3}\n{}", s.report());
    let org = s.of(&EntityType::Org).f1();
    assert!(org >= SEED_ORG_FLOOR, "ORG F1 {org:.3}\n{}", s.report());
}

const SEED_OVERALL_FLOOR: f64 = 0.95;
const SEED_PER_FLOOR: f64 = 0.98;
// news-tagger-8 (LAC word classes) reaches 0.931 here, two organisations
// fewer than news-tagger-7's 0.942, while it gains 0.013 on unseen MSRA
// articles and 0.005 on the held-out split (ARCHITECTURE.md, "The tagger").
const SEED_ORG_FLOOR: f64 = 0.93;

fn index(arch: &Path) -> Store {
    let loc = pizhu::db_location(arch, None).unwrap();
    let mut store = Store::open(&loc.path).unwrap();
    index_archive(
        arch,
        &mut store,
        &default_extractor(),
        &IndexOptions::default(),
        &|_| {},
    )
    .unwrap();
    store
}

#[test]
fn lexicon_corrections_apply_everywhere_and_keep_user_annotations() {
    let (_dir, arch) = seed_copy();
    let mut store = index(&arch);
    let ex = default_extractor();
    // A hand-made entity on a word that the lexicon will touch.
    let id = store
        .article_ids_containing("承诺书")
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let text = store.article(&id).unwrap().text;
    let pos = text[..text.find("承诺书").unwrap()].chars().count();
    let ann = store
        .add_annotation(
            &id,
            AnnotationKind::Entity,
            pos,
            pos + 3,
            NewAnnotation {
                label: Some(EntityType::Custom("DOC".into())),
                ..Default::default()
            },
        )
        .unwrap();
    let before = store.annotation(ann).unwrap();

    // Make sure 承诺书 is an entity first (whatever the extractor thinks of
    // it), so that rejecting it has something to remove.
    store.lexicon_add("承诺书", &EntityType::Title).unwrap();
    assert!(reextract(&mut store, &ex, "承诺书").unwrap() > 0);
    assert!(
        store
            .auto_entities(&id)
            .unwrap()
            .iter()
            .any(|e| e.text == "承诺书")
    );
    store.lexicon_reject("承诺书").unwrap();
    assert!(reextract(&mut store, &ex, "承诺书").unwrap() > 0);
    store.lexicon_add("新郑时报", &EntityType::Org).unwrap();
    assert!(reextract(&mut store, &ex, "新郑时报").unwrap() > 0);

    let mut seen = 0;
    for id in store.article_ids().unwrap() {
        let text = store.article(&id).unwrap().text;
        let auto = store.auto_entities(&id).unwrap();
        assert!(auto.iter().all(|e| e.text != "承诺书"), "{id}: {auto:?}");
        let chars: Vec<char> = text.chars().collect();
        let needle: Vec<char> = "新郑时报".chars().collect();
        let orgs: HashSet<(usize, usize)> = auto
            .iter()
            .filter(|e| e.label == EntityType::Org && e.text == "新郑时报")
            .map(|e| (e.start, e.end))
            .collect();
        for i in 0..chars.len().saturating_sub(needle.len() - 1) {
            if chars[i..i + needle.len()] == needle[..] {
                seen += 1;
                assert!(orgs.contains(&(i, i + needle.len())), "{id} at {i}");
            }
        }
    }
    assert!(seen >= 3, "新郑时报 occurs in the seeds");
    // The user's own annotation is untouched and still wins.
    assert_eq!(store.annotation(ann).unwrap(), before);
    let eff = store.effective_entities(&id).unwrap();
    assert!(eff.iter().any(|e| e.annotation_id == Some(ann)));
}

#[test]
fn whos_who_links_people_titles_and_organisations() {
    let (_dir, arch) = seed_copy();
    let store = index(&arch);
    let card = store.person_card("王效光").unwrap();
    assert!(card.titles.contains(&"市委副书记".to_string()), "{card:?}");
    assert!(card.orgs.contains(&"新郑市委".to_string()), "{card:?}");
    assert_eq!(card.articles.len(), 1, "{card:?}");
    let people = store.people().unwrap();
    let reporter = people.iter().find(|c| c.name == "杨宜锦").unwrap();
    assert!(reporter.articles.len() >= 5, "{reporter:?}");
    assert!(
        reporter.titles.contains(&"记者".to_string()),
        "{reporter:?}"
    );
    // Most mentioned first.
    assert!(
        people
            .windows(2)
            .all(|w| w[0].articles.len() >= w[1].articles.len())
    );
    // Unknown names give an empty card.
    assert!(store.person_card("无此人").unwrap().articles.is_empty());
}

/// Invented district names (in no seed and no evaluation file).
const AREAS: [&str; 16] = [
    "青禾", "栗园", "苇塘", "杏坪", "榆坎", "桑岭", "蒲滩", "棠溪", "麦垛", "槐屯", "菱角", "藕池",
    "柿沟", "芦湾", "蓼岸", "楸坡",
];

/// One article naming three `某某片区` districts (the archive's own
/// convention: a district is a place, `片区` included).
fn district_article(a: &str, b: &str, c: &str) -> String {
    format!(
        "{a}片区今年新修道路三条，居民出行更方便。\n市里决定在{b}片区建设一所学校。\n{c}片区和{a}片区的居民代表参加了座谈。\n"
    )
}

/// `(start, end)` of every `某某片区` in `text`.
fn districts(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    (2..chars.len().saturating_sub(1))
        .filter(|&i| chars[i] == '片' && chars[i + 1] == '区')
        .map(|i| (i - 2, i + 2))
        .collect()
}

/// F1 of the automatic LOC entities of the unreviewed articles against
/// their districts (exact spans; any other PER/LOC/ORG is a false positive).
fn unreviewed_district_f1(store: &Store) -> f64 {
    let mut s = Scores::default();
    for a in store.articles().unwrap().iter().filter(|a| !a.reviewed) {
        let text = store.article(&a.id).unwrap().text;
        let gold: Vec<_> = districts(&text)
            .into_iter()
            .map(|k| (k, EntityType::Loc))
            .collect();
        let pred: Vec<_> = store
            .auto_entities(&a.id)
            .unwrap()
            .into_iter()
            .map(|e| ((e.start, e.end), e.label))
            .collect();
        s.add_sets(
            &gold,
            &pred,
            &[EntityType::Per, EntityType::Loc, EntityType::Org],
        );
    }
    s.overall().f1()
}

#[test]
fn learning_from_reviewed_articles_raises_f1_on_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let arch = dir.path().join("archive");
    std::fs::create_dir_all(&arch).unwrap();
    // Ten one-article files: the first six will be reviewed, the last four
    // (other names) are the test.
    for k in 0..10 {
        let (a, b, c) = if k < 6 {
            (AREAS[k], AREAS[(k + 1) % 6], AREAS[(k + 2) % 6])
        } else {
            let j = 6 + (k - 6) * 2;
            (AREAS[j], AREAS[j + 1], AREAS[(j + 2).min(15)])
        };
        std::fs::write(arch.join(format!("{k:02}.txt")), district_article(a, b, c)).unwrap();
    }
    let loc = pizhu::db_location(&arch, None).unwrap();
    let mut store = index(&arch);
    let before = unreviewed_district_f1(&store);
    let mut ids: Vec<String> = store.article_ids().unwrap();
    ids.sort();
    assert_eq!(ids.len(), 10);
    for a in store.articles().unwrap().iter().take(6) {
        let text = store.article(&a.id).unwrap().text;
        for (s, e) in districts(&text) {
            store
                .add_annotation(
                    &a.id,
                    AnnotationKind::Entity,
                    s,
                    e,
                    NewAnnotation {
                        label: Some(EntityType::Loc),
                        ..Default::default()
                    },
                )
                .unwrap();
        }
        store.set_reviewed(&a.id, true).unwrap();
    }
    let (ex, summary) = pizhu::extract::learn::learn_from_reviewed(&mut store, &loc.path).unwrap();
    assert_eq!(summary.reviewed, 6);
    assert_eq!(summary.reextracted, 4);
    assert!(summary.model.exists());
    let after = unreviewed_district_f1(&store);
    println!("F1 on the unreviewed articles: {before:.3} before, {after:.3} after");
    assert!(
        after >= before + 0.05,
        "F1 on unreviewed articles: {before:.3} before, {after:.3} after"
    );
    // Review order: least confident first, unreviewed articles only.
    let order = pizhu::extract::learn::least_confident(&store, 100).unwrap();
    assert!(!order.is_empty());
    assert!(
        order
            .windows(2)
            .all(|w| w[0].1.confidence <= w[1].1.confidence)
    );
    let reviewed: Vec<String> = store
        .articles()
        .unwrap()
        .into_iter()
        .filter(|a| a.reviewed)
        .map(|a| a.id)
        .collect();
    assert!(order.iter().all(|(id, _)| !reviewed.contains(id)));
    // The archive now uses the adapted model; going back restores the
    // shipped one.
    let archive_ex = pizhu::extract::learn::extractor_for(&loc.path);
    assert_eq!(archive_ex.version(), ex.version());
    assert_ne!(ex.version(), default_extractor().version());
    assert!(pizhu::extract::learn::forget_adapted(&loc.path).unwrap());
    assert_eq!(
        pizhu::extract::learn::extractor_for(&loc.path).version(),
        default_extractor().version()
    );
}

#[test]
fn shipped_tagger_loads_and_decides_names() {
    let ex = default_extractor();
    assert!(ex.tagger().is_some(), "the shipped model must load");
    assert!(ex.version().starts_with("news-tagger-"));
    // Names in contexts unlike the training data (invented, in no corpus).
    let v: Vec<(String, EntityType, f32)> = ex
        .extract("据栗园县融媒体中心消息，退休教师钱小棠把自家果园改成了研学基地。")
        .into_iter()
        .map(|e| (e.text, e.label, e.confidence))
        .collect();
    assert!(
        v.iter()
            .any(|(t, l, _)| t == "钱小棠" && *l == EntityType::Per),
        "{v:?}"
    );
    assert!(
        v.iter().all(|(_, _, c)| (0.0..=1.0).contains(c)),
        "confidences are probabilities: {v:?}"
    );
    let has = |v: &[pizhu::extract::Entity], l: EntityType, t: &str| {
        v.iter().any(|e| e.label == l && e.text == t)
    };
    // The product's conventions over the model: two bodies side by side are
    // two; a post is a TITLE from the rules, not part of a name; dates and
    // money stay with the rules; one LOC per administrative unit.
    let v = ex.extract("县委办公室县政府办公室联合发文，栗园县教育局副局长钱小棠出席。");
    assert!(has(&v, EntityType::Org, "县委办公室"), "{v:?}");
    assert!(has(&v, EntityType::Org, "县政府办公室"), "{v:?}");
    assert!(has(&v, EntityType::Title, "副局长"), "{v:?}");
    assert!(has(&v, EntityType::Per, "钱小棠"), "{v:?}");
    let v =
        ex.extract("2023年5月，苇塘镇桑岭村投入120万元修建了文化广场，村支书曹明远介绍了情况。");
    for (l, t) in [
        (EntityType::Date, "2023年5月"),
        (EntityType::Loc, "苇塘镇"),
        (EntityType::Loc, "桑岭村"),
        (EntityType::Money, "120万元"),
        (EntityType::Per, "曹明远"),
    ] {
        assert!(has(&v, l.clone(), t), "{l} {t} {v:?}");
    }
    // Bare generic bodies are not entities.
    let v = ex.extract("管委会和镇党委的同志参加了会议。");
    assert!(v.is_empty(), "{v:?}");
}

/// Odd text of every kind, generated (deterministic xorshift): Han of the
/// basic block and of extension B, full-width and half-width forms, Chinese
/// and ASCII punctuation, every kind of white space, control characters,
/// combining marks, emoji, private use, and long runs without a sentence end.
fn odd_texts() -> Vec<String> {
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let pools: [&[char]; 6] = [
        &[
            '市', '县', '镇', '村', '局', '委', '会', '公', '司', '省', '区', '张', '王', '李',
            '欧', '阳', '长', '书', '记', '年', '月', '日', '万', '元', '和', '与', '·', '某',
        ],
        &[
            '，', '。', '、', '“', '”', '《', '》', '（', '）', '：', '；', '！', '？', '—', '…',
            ',', '.', '(', ')', '"', '\'', '!', '?', '-', '/', '%', '０', '９', 'Ａ', 'ｚ',
        ],
        &[
            ' ', '\t', '\n', '\r', '\u{3000}', '\u{a0}', '\u{200b}', '\u{feff}', '\u{0}', '\u{7}',
            '\u{1b}', '\u{85}', '\u{2028}',
        ],
        &[
            '\u{301}',
            '\u{20000}',
            '\u{2a6d6}',
            '\u{1f600}',
            '\u{e000}',
            '\u{fffd}',
            '\u{10ffff}',
            'é',
            'ß',
            'Ω',
            'я',
            'ا',
            '\u{fe0f}',
        ],
        &[
            '0', '1', '2', '9', 'a', 'Z', '年', '月', '号', '亿', '元', '第', '十', '百',
        ],
        &[],
    ];
    let mut texts = vec![
        String::new(),
        "。".repeat(3000),
        "张".repeat(5000),
        "市委".repeat(2000),
        "某某县某某镇".repeat(1500),
        "的".repeat(20_000),
        "县委书记".repeat(1000) + "。",
    ];
    for _ in 0..400 {
        let len = (next() % 300) as usize;
        let mut t = String::new();
        for _ in 0..len {
            let r = next();
            let pool = pools[(r % 6) as usize];
            let c = if pool.is_empty() {
                char::from_u32(0x4e00 + (r >> 8) as u32 % 0x51a6).unwrap_or('一')
            } else {
                pool[((r >> 8) % pool.len() as u64) as usize]
            };
            t.push(c);
        }
        texts.push(t);
    }
    texts
}

/// Extraction never panics on odd text, and what it returns is well formed:
/// spans inside the text, each entity's text the text at its span, entities
/// not overlapping, confidences probabilities.
#[test]
fn odd_text_gives_well_formed_entities() {
    let ex = default_extractor();
    for text in odd_texts() {
        let chars: Vec<char> = text.chars().collect();
        let mut ents = ex.extract(&text);
        ents.sort_by_key(|e| (e.start, e.end));
        for e in &ents {
            assert!(
                e.start < e.end && e.end <= chars.len(),
                "{e:?} in {} chars",
                chars.len()
            );
            let at: String = chars[e.start..e.end].iter().collect();
            assert_eq!(at, e.text, "{e:?}");
            assert!((0.0..=1.0).contains(&e.confidence), "{e:?}");
        }
        for w in ents.windows(2) {
            assert!(w[0].end <= w[1].start, "overlap: {:?} {:?}", w[0], w[1]);
        }
    }
}
