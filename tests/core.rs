//! Core behaviour on the real seed archive: splitting, cleaning, offsets,
//! encodings, storage, search, anchoring.

mod common;

use std::collections::BTreeMap;

use common::{seed_copy, seed_file};
use pizhu::extract::{EntityType, JiebaExtractor};
use pizhu::index::{IndexOptions, index_archive};
use pizhu::split::split_articles;
use pizhu::store::{AnnotationKind, NewAnnotation, Store};

fn split_seed(prefix: &str) -> Vec<pizhu::split::ParsedArticle> {
    let text = std::fs::read_to_string(seed_file(prefix)).unwrap();
    split_articles(&text, None)
}

fn index(arch: &std::path::Path) -> (Store, pizhu::index::IndexSummary) {
    let loc = pizhu::db_location(arch, None).unwrap();
    let mut store = Store::open(&loc.path).unwrap();
    let s = index_archive(
        arch,
        &mut store,
        &JiebaExtractor::new(),
        &IndexOptions::default(),
        &|_| {},
    )
    .unwrap();
    (store, s)
}

#[test]
fn seed_files_split_into_the_expected_articles() {
    // Counts decided by reading the files (see ARCHITECTURE.md, "Splitting").
    let expected = [("000", 3), ("001", 4), ("002", 2), ("003", 1), ("004", 1)];
    for (prefix, n) in expected {
        let arts = split_seed(prefix);
        let titles: Vec<_> = arts.iter().map(|a| a.title.clone()).collect();
        assert_eq!(arts.len(), n, "seed {prefix}: {titles:#?}");
    }
    let a = split_seed("000");
    assert!(
        a[0].title
            .as_deref()
            .unwrap()
            .starts_with("新郑市举行“组织联村助党建")
    );
    assert_eq!(
        a[1].title.as_deref(),
        Some("打好五大战役 为“新郑蓝”再添光彩")
    );
    assert_eq!(
        a[1].subtitle.as_deref(),
        Some("新郑市召开大气污染防治督导组成立一周年表彰会")
    );
    assert_eq!(
        a[2].title.as_deref(),
        Some("新郑市公安局召开渣土车专项整治工作动员誓师大会")
    );
    assert_eq!(a[0].date.as_deref(), Some("8月1日"));
    assert_eq!(a[0].source.as_deref(), Some("新郑时报"));
    assert!(a[0].byline.contains(&"杨宜锦".to_string()));
    let b = split_seed("001");
    assert!(b[1].title.as_deref().unwrap().starts_with("新郑市组织召开"));
    assert!(b[2].title.as_deref().unwrap().starts_with("今年前9个月"));
    assert!(
        b[3].title
            .as_deref()
            .unwrap()
            .starts_with("新郑市大气污染防治督导组召开会议")
    );
    assert_eq!(b[0].byline, vec!["杨宜锦", "李显文", "赵辉"]);
    let c = split_seed("002");
    assert!(c[1].title.as_deref().unwrap().starts_with("真抓实干推进"));
    assert_eq!(c[1].date.as_deref(), Some("10月24日"));
    let d = split_seed("004");
    assert_eq!(d[0].title.as_deref(), Some("撸起袖子抓党建 扑下身子促脱贫"));
    assert_eq!(
        d[0].subtitle.as_deref(),
        Some("党旗映红脱贫路 中牟县郑庵镇抓党建促脱贫成效明显")
    );
    assert_eq!(d[0].source.as_deref(), Some("郑报融媒"));
    let e = split_seed("003");
    assert_eq!(e[0].title, None);
    assert_eq!(e[0].date.as_deref(), Some("6月10日"));
}

#[test]
fn cleaning_joins_breaks_and_drops_debris() {
    let a = split_seed("000");
    assert!(a[0].text.contains("新村镇水泉村"), "{}", a[0].text);
    assert!(!a[0].text.contains("#"));
    let b = split_seed("001");
    assert!(b[0].text.contains("党建电子沙盘观摩中"));
    assert!(b[0].text.contains("观摩推进一遍"));
    let d = split_seed("004");
    assert!(d[0].text.contains("不折不扣"));
    assert!(d[0].text.contains("郑庵镇党委要求"));
    assert!(d[0].text.contains("筹资60余万元"));
    assert!(
        d[0].text.contains("郑报融媒记者 张朝晖"),
        "byline spaces are kept"
    );
    let e = split_seed("003");
    for debris in ["|", "上一篇", "版权声明", "版权所有"] {
        assert!(!e[0].text.contains(debris), "{debris} left in 003");
    }
    assert!(
        e[0].text.contains("记者 杨宜锦 新郑时报"),
        "separator spaces are kept"
    );
    assert_eq!(e[0].source.as_deref(), Some("新郑时报"));
}

#[test]
fn offset_map_points_back_at_the_raw_text() {
    for prefix in ["000", "001", "002", "003", "004"] {
        let raw = std::fs::read_to_string(seed_file(prefix)).unwrap();
        let rc: Vec<char> = raw.chars().collect();
        for a in split_articles(&raw, None) {
            assert_eq!(a.map.len(), a.text.chars().count());
            for (c, &m) in a.text.chars().zip(&a.map) {
                if c == '\n' {
                    continue;
                }
                let r = rc[m];
                assert!(
                    r == c || (c == ' ' && r.is_whitespace()),
                    "{prefix}: {c:?} maps to {r:?}"
                );
            }
            assert!(a.raw_range.0 <= a.raw_range.1 && a.raw_range.1 <= rc.len());
        }
    }
}

#[test]
fn gbk_and_utf16_copies_index_to_the_same_articles() {
    let raw = std::fs::read_to_string(seed_file("001")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let arch = dir.path();
    std::fs::write(arch.join("utf8.txt"), &raw).unwrap();
    std::fs::write(arch.join("gbk.txt"), encoding_rs::GBK.encode(&raw).0).unwrap();
    let mut u16 = vec![0xFF, 0xFE];
    for u in raw.encode_utf16() {
        u16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(arch.join("utf16.txt"), u16).unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(raw.as_bytes());
    std::fs::write(arch.join("bom.md"), bom).unwrap();
    let (store, s) = index(arch);
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in store.articles().unwrap() {
        by_file
            .entry(a.file.clone())
            .or_default()
            .push(store.article(&a.id).unwrap().text);
    }
    let want = &by_file["utf8.txt"];
    assert_eq!(want.len(), 4);
    for f in ["gbk.txt", "utf16.txt", "bom.md"] {
        assert_eq!(&by_file[f], want, "{f}");
    }
    assert_eq!(
        store.file_encoding("gbk.txt").unwrap().as_deref(),
        Some("gb18030")
    );
    assert_eq!(
        store.file_encoding("utf16.txt").unwrap().as_deref(),
        Some("UTF-16LE")
    );
}

#[test]
fn bad_files_are_skipped_with_reasons_and_indexing_goes_on() {
    let (_g, arch) = seed_copy();
    std::fs::write(
        arch.join("binary.txt"),
        [0u8, 159, 146, 150, 0, 1, 2, 3, 0, 255],
    )
    .unwrap();
    std::fs::write(arch.join("empty.txt"), b"").unwrap();
    std::fs::write(arch.join("ignored.pdf"), b"%PDF").unwrap();
    std::fs::create_dir_all(arch.join(".hidden")).unwrap();
    std::fs::write(arch.join(".hidden/x.txt"), "隐藏的文件不应被读取。").unwrap();
    let (_store, s) = index(&arch);
    let reasons: BTreeMap<_, _> = s.skipped.iter().cloned().collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons["binary.txt"].contains("binary"));
    assert!(reasons["empty.txt"].contains("empty"));
    assert_eq!(s.articles, 11);
    assert_eq!(s.files, 7);
}

#[test]
fn reindexing_is_incremental_and_keeps_annotations() {
    let (_g, arch) = seed_copy();
    let (store, s1) = index(&arch);
    assert_eq!(s1.files_read, 5);
    let a = store
        .articles()
        .unwrap()
        .into_iter()
        .find(|a| a.file.starts_with("004"))
        .unwrap();
    let art = store.article(&a.id).unwrap();
    let chars: Vec<char> = art.text.chars().collect();
    let pos = art
        .text
        .find("曹西峰")
        .map(|b| art.text[..b].chars().count())
        .unwrap();
    let ann = store
        .add_annotation(
            &a.id,
            AnnotationKind::Entity,
            pos,
            pos + 3,
            NewAnnotation {
                label: Some(EntityType::Per),
                ..Default::default()
            },
        )
        .unwrap();
    store.tag_article(&a.id, "扶贫").unwrap();
    drop(store);
    let (store, s2) = index(&arch);
    assert_eq!(s2.files_read, 0, "nothing changed");
    assert_eq!(store.annotation(ann).unwrap().start, pos);
    drop(store);
    // Edit the source: insert a paragraph before the annotation.
    let f = arch.join(seed_file("004").file_name().unwrap());
    let raw = std::fs::read_to_string(&f).unwrap();
    let edited = raw.replacen(
        "郑庵镇镇长曹西峰(右一)",
        "新加的一段话。\n\n郑庵镇镇长曹西峰(右一)",
        1,
    );
    std::fs::write(&f, edited).unwrap();
    // Make sure the mtime check sees a change even within the same second.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let (store, s3) = index(&arch);
    assert_eq!(s3.files_read, 1);
    let moved = store.annotation(ann).unwrap();
    assert!(!moved.orphan);
    let new_text = store.article(&moved.article_id).unwrap().text;
    let got: String = new_text.chars().skip(moved.start).take(3).collect();
    assert_eq!(got, "曹西峰");
    assert_ne!(moved.start, pos);
    assert_eq!(store.article_tags(&a.id).unwrap(), vec!["扶贫"]);
    let _ = chars;
    drop(store);
    // Remove the passage entirely: the annotation is kept as an orphan.
    let gone = std::fs::read_to_string(&f)
        .unwrap()
        .replace("曹西峰", "某某某")
        .replace("郑庵镇镇长", "");
    std::fs::write(&f, gone).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(later + std::time::Duration::from_secs(5))
        .unwrap();
    let (store, s4) = index(&arch);
    assert!(s4.orphaned >= 1);
    assert!(store.orphans().unwrap().iter().any(|o| o.id == ann));
}

#[test]
fn full_text_search_finds_two_character_chinese_words() {
    let (_g, arch) = seed_copy();
    let (store, _) = index(&arch);
    for word in ["脱贫", "党建"] {
        let hits = store.search(word, 100).unwrap();
        let expected: Vec<String> = store
            .articles()
            .unwrap()
            .into_iter()
            .filter(|a| {
                let art = store.article(&a.id).unwrap();
                art.text.contains(word)
            })
            .map(|a| a.id)
            .collect();
        assert!(!expected.is_empty());
        let mut got: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
        got.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got, want, "{word}");
        assert!(hits[0].snippet.contains(word));
    }
    assert!(store.search("不存在的词语组合", 10).unwrap().is_empty());
}

#[test]
fn effective_entities_reflect_corrections() {
    let (_g, arch) = seed_copy();
    let (store, _) = index(&arch);
    let id = store.article_ids().unwrap()[0].clone();
    let auto = store.auto_entities(&id).unwrap();
    let first = auto[0].clone();
    store
        .add_annotation(
            &id,
            AnnotationKind::Reject,
            first.start,
            first.end,
            NewAnnotation {
                label: Some(first.label.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    let eff = store.effective_entities(&id).unwrap();
    assert!(
        !eff.iter()
            .any(|e| e.entity.start == first.start && e.entity.end == first.end)
    );
    assert_eq!(eff.len(), auto.len() - 1);
}

#[test]
fn html_files_are_stripped_and_map_back_to_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let html = "<html><head><title>x</title><style>p{color:red}</style></head><body>\
        <h1>某市召开工作会议</h1><p>本报讯 5月3日,某市召开工作会议,会议要求各单位&amp;部门落实责任。</p>\
        <p>记者 王小明</p></body></html>";
    std::fs::write(dir.path().join("page.html"), html).unwrap();
    let (store, s) = index(dir.path());
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    let id = store.article_ids().unwrap()[0].clone();
    let a = store.article(&id).unwrap();
    assert!(a.text.contains("各单位&部门"), "{}", a.text);
    assert!(!a.text.contains('<'));
    assert_eq!(a.date.as_deref(), Some("5月3日"));
    let src: Vec<char> = html.chars().collect();
    let pos = a.text.chars().position(|c| c == '责').unwrap();
    assert_eq!(src[a.offset_map[pos]], '责');
}

#[test]
fn files_over_the_size_limit_are_skipped() {
    let (_g, arch) = seed_copy();
    let loc = pizhu::db_location(&arch, None).unwrap();
    let mut store = Store::open(&loc.path).unwrap();
    let opts = IndexOptions {
        max_file_bytes: 7_500,
        force: false,
    };
    let s = index_archive(&arch, &mut store, &JiebaExtractor::new(), &opts, &|_| {}).unwrap();
    assert_eq!(s.skipped.len(), 3, "{:?}", s.skipped);
    assert!(s.skipped.iter().all(|(_, why)| why.contains("too large")));
    assert_eq!(s.articles, 5);
}
