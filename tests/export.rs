//! Exports and imports on the real seed archive: every format, round trips
//! through jsonl, brat and W3C into a fresh database, brat offsets, 4-byte
//! characters and `\r\n` sources, and the Python consumers.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::seed_copy;
use pizhu::export::{CsvWhat, ExportOptions, Format, Tokens, export, import};
use pizhu::extract::{EntityType, JiebaExtractor};
use pizhu::index::{IndexOptions, index_archive};
use pizhu::store::{AnnotationKind, NewAnnotation, Store};

/// A seeds copy plus one `\r\n` file with characters outside the BMP.
fn archive() -> (tempfile::TempDir, PathBuf) {
    let (g, arch) = seed_copy();
    std::fs::write(
        arch.join("005_crlf.txt"),
        "𠀀村举行表彰大会\r\n\r\n本报讯 3月5日，𠀀村在村委会举行表彰大会，张三出席会议并讲话。\r\n\
         𠀀村村民李四获得表彰，𠀀𠀁（化名）说：“我很高兴。”会议还表彰了新郑市的企业。\r\n",
    )
    .unwrap();
    (g, arch)
}

fn open_indexed(arch: &Path, db: &Path) -> Store {
    let mut store = Store::open(db).unwrap();
    index_archive(
        arch,
        &mut store,
        &JiebaExtractor::new(),
        &IndexOptions::default(),
        &|_| {},
    )
    .unwrap();
    store
}

fn find(text: &str, needle: &str, nth: usize) -> usize {
    let (b, _) = text.match_indices(needle).nth(nth).unwrap();
    text[..b].chars().count()
}

/// Annotates through the core API: entities, rejections, an acceptance,
/// highlights with colours and notes, article and entity tags, a review.
fn annotate(store: &Store) {
    let ids = store.article_ids().unwrap();
    let a0 = &ids[0];
    let text = store.article(a0).unwrap().text;
    let auto = store.auto_entities(a0).unwrap();
    assert!(auto.len() > 6);
    let f = |label: Option<EntityType>| NewAnnotation {
        label,
        ..NewAnnotation::default()
    };
    // Reject one, accept one, retype one (a user entity on the same span).
    let r = &auto[1];
    store
        .add_annotation(
            a0,
            AnnotationKind::Reject,
            r.start,
            r.end,
            f(Some(r.label.clone())),
        )
        .unwrap();
    let ac = &auto[2];
    store
        .add_annotation(
            a0,
            AnnotationKind::Accept,
            ac.start,
            ac.end,
            f(Some(ac.label.clone())),
        )
        .unwrap();
    let rt = &auto[3];
    let new_type = if rt.label == EntityType::Org {
        EntityType::Loc
    } else {
        EntityType::Org
    };
    store
        .add_annotation(
            a0,
            AnnotationKind::Entity,
            rt.start,
            rt.end,
            f(Some(new_type)),
        )
        .unwrap();
    // A new entity, tagged.
    let s = find(&text, "双联双助", 0);
    store
        .add_annotation(
            a0,
            AnnotationKind::Entity,
            s,
            s + 4,
            f(Some(EntityType::Custom("CAMPAIGN".into()))),
        )
        .unwrap();
    store
        .tag_entity("双联双助", &EntityType::Custom("CAMPAIGN".into()), "活动")
        .unwrap();
    // Highlights: one with a colour and a note (newline, tab, markup), one
    // overlapping without.
    let h = find(&text, "据悉", 0);
    store
        .add_annotation(
            a0,
            AnnotationKind::Highlight,
            h,
            h + 20,
            NewAnnotation {
                color: Some("#ffcc00".into()),
                note: Some("要点\n第二行\t<b>&粗</b> \\n".into()),
                ..NewAnnotation::default()
            },
        )
        .unwrap();
    store
        .add_annotation(
            a0,
            AnnotationKind::Highlight,
            h + 10,
            h + 30,
            NewAnnotation::default(),
        )
        .unwrap();
    store.tag_article(a0, "扶贫").unwrap();
    store.tag_article(a0, "重点 关注").unwrap();
    store.set_reviewed(a0, true).unwrap();

    // The \r\n article with 4-byte characters.
    let c = ids
        .iter()
        .find(|id| store.article(id).unwrap().file == "005_crlf.txt")
        .unwrap();
    let t = store.article(c).unwrap().text;
    assert!(!t.contains('\r'));
    let v = find(&t, "𠀀村", 1);
    store
        .add_annotation(
            c,
            AnnotationKind::Entity,
            v,
            v + 2,
            f(Some(EntityType::Loc)),
        )
        .unwrap();
    let w = find(&t, "𠀀𠀁", 0);
    store
        .add_annotation(
            c,
            AnnotationKind::Highlight,
            w,
            w + 2,
            NewAnnotation {
                note: Some("化名".into()),
                ..NewAnnotation::default()
            },
        )
        .unwrap();
    let per = store
        .auto_entities(c)
        .unwrap()
        .into_iter()
        .find(|e| e.text == "张三")
        .unwrap();
    store
        .add_annotation(
            c,
            AnnotationKind::Reject,
            per.start,
            per.end,
            f(Some(EntityType::Per)),
        )
        .unwrap();
    store.tag_article(c, "测试").unwrap();
}

/// Every export of `store` into `dir`, as file name → content.
fn export_all(store: &Store, dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in Format::ALL {
        let mut variants = vec![(f.name().to_string(), ExportOptions::default())];
        if f == Format::Conll {
            variants.push((
                "conll-jieba".into(),
                ExportOptions {
                    tokens: Tokens::Jieba,
                    ..ExportOptions::default()
                },
            ));
        }
        if f == Format::Csv {
            variants.push((
                "csv-highlights".into(),
                ExportOptions {
                    what: CsvWhat::Highlights,
                    ..ExportOptions::default()
                },
            ));
        }
        for (name, opts) in variants {
            let p = dir.join(&name);
            let s = export(store, f, &p, &opts).unwrap();
            assert!(s.articles >= 12, "{name}: {s:?}");
            if f == Format::Brat {
                for e in std::fs::read_dir(&p).unwrap() {
                    let e = e.unwrap();
                    out.insert(
                        format!("brat/{}", e.file_name().to_string_lossy()),
                        std::fs::read_to_string(e.path()).unwrap(),
                    );
                }
            } else {
                out.insert(name, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

fn assert_same(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>, keys: &[&str]) {
    for (k, v) in a {
        if keys.iter().any(|p| k.starts_with(p)) {
            assert_eq!(Some(v), b.get(k), "{k} differs after the round trip");
        }
    }
}

#[test]
fn round_trips_through_jsonl_brat_and_w3c() {
    let (g, arch) = archive();
    let src = open_indexed(&arch, &g.path().join("a.sqlite"));
    annotate(&src);
    let out = g.path().join("out");
    let first = export_all(&src, &out);
    assert!(first["jsonl"].contains("CAMPAIGN"));
    assert!(first["csv"].starts_with('\u{feff}'));

    // (format imported, file, exports that must come back identical)
    let cases: [(Format, PathBuf, &[&str]); 3] = [
        (
            Format::Jsonl,
            out.join("jsonl"),
            &["jsonl", "conll", "markdown", "html", "csv-highlights"],
        ),
        (Format::Brat, out.join("brat"), &["brat/", "conll", "csv"]),
        // W3C carries everything Pizhu knows: every export is identical.
        (Format::W3c, out.join("w3c"), &[""]),
    ];
    for (i, (format, file, same)) in cases.iter().enumerate() {
        let mut fresh = open_indexed(&arch, &g.path().join(format!("b{i}.sqlite")));
        let s = import(&mut fresh, *format, file).unwrap();
        assert!(
            s.orphans.is_empty() && s.unmatched.is_empty(),
            "{format}: {s}"
        );
        assert!(s.added > 0, "{format}: {s}");
        let again = export_all(&fresh, &g.path().join(format!("again{i}")));
        assert_same(&first, &again, same);
        // Importing the same file twice changes nothing.
        let n = fresh.annotation_count().unwrap();
        let s2 = import(&mut fresh, *format, file).unwrap();
        assert_eq!(
            s2.added + s2.rejected + s2.tags_added + s2.reviewed,
            0,
            "{format}: {s2}"
        );
        assert_eq!(fresh.annotation_count().unwrap(), n);
        let third = export_all(&fresh, &g.path().join(format!("third{i}")));
        assert_same(&first, &third, same);
    }
}

#[test]
fn brat_offsets_match_the_text_and_names_stay_inside() {
    let (g, arch) = archive();
    let store = open_indexed(&arch, &g.path().join("a.sqlite"));
    annotate(&store);
    let dir = g.path().join("brat");
    export(&store, Format::Brat, &dir, &ExportOptions::default()).unwrap();
    let mut checked = 0;
    let mut astral = false;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "ann") {
            continue;
        }
        let text: Vec<char> = std::fs::read_to_string(p.with_extension("txt"))
            .unwrap()
            .chars()
            .collect();
        for line in std::fs::read_to_string(&p).unwrap().lines() {
            if !line.starts_with('T') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "{line}");
            let spans = cols[1].split_once(' ').unwrap().1;
            let mut pieces = Vec::new();
            for frag in spans.split(';') {
                let (s, e) = frag.split_once(' ').unwrap();
                let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
                pieces.push(text[s..e].iter().collect::<String>());
            }
            // brat joins fragments with a space in the text column.
            assert_eq!(pieces.join(" "), cols[2], "{}: {line}", p.display());
            astral |= cols[2].contains('𠀀');
            checked += 1;
        }
    }
    assert!(checked > 500 && astral, "{checked}");
    let conf = std::fs::read_to_string(dir.join("annotation.conf")).unwrap();
    assert!(conf.contains("CAMPAIGN") && conf.contains("Tag\tArg:<ENTITY>, Value:活动"));
    use pizhu::export::brat::file_stem;
    for bad in ["../../etc/passwd", "/abs", "a/b\\c", "..", "", "名字"] {
        let s = file_stem(bad);
        assert!(
            !s.is_empty() && !s.contains(['/', '\\', '.']),
            "{bad:?} → {s:?}"
        );
    }
}

#[test]
fn offsets_are_code_points_with_astral_characters() {
    let (g, arch) = archive();
    let store = open_indexed(&arch, &g.path().join("a.sqlite"));
    annotate(&store);
    let p = g.path().join("x.jsonl");
    export(&store, Format::Jsonl, &p, &ExportOptions::default()).unwrap();
    let line = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .find(|l| l.contains("005_crlf.txt"))
        .unwrap()
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let text: Vec<char> = v["text"].as_str().unwrap().chars().collect();
    let loc = v["label"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l[2] == "LOC" && text[l[0].as_u64().unwrap() as usize] == '𠀀')
        .expect("the user entity on 𠀀村");
    let (s, e) = (
        loc[0].as_u64().unwrap() as usize,
        loc[1].as_u64().unwrap() as usize,
    );
    assert_eq!(text[s..e].iter().collect::<String>(), "𠀀村");
    assert!(!v["label"].as_array().unwrap().iter().any(|l| {
        l[2] == "PER"
            && text[l[0].as_u64().unwrap() as usize..l[1].as_u64().unwrap() as usize]
                .iter()
                .collect::<String>()
                == "张三"
    }));
    let h = &v["highlights"][0];
    assert_eq!(h["text"], "𠀀𠀁");
    // W3C positions are code points too, with the quote alongside.
    let w = g.path().join("x.w3c");
    export(&store, Format::W3c, &w, &ExportOptions::default()).unwrap();
    let col: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&w).unwrap()).unwrap();
    let item = col["first"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["motivation"] == "commenting" && a["target"]["selector"][0]["exact"] == "𠀀𠀁")
        .unwrap();
    assert_eq!(item["target"]["selector"][1]["start"], h["start"]);
    // --only-reviewed.
    let r = g.path().join("r.jsonl");
    let s = export(
        &store,
        Format::Jsonl,
        &r,
        &ExportOptions {
            only_reviewed: true,
            ..ExportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(s.articles, 1);
    // HTML escapes article text and notes.
    let html = g.path().join("x.html");
    export(&store, Format::Html, &html, &ExportOptions::default()).unwrap();
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("&lt;b&gt;&amp;粗&lt;/b&gt;") && !html.contains("<b>&粗"));
}

#[test]
fn import_places_by_quote_and_keeps_orphans() {
    let (g, arch) = archive();
    let store = open_indexed(&arch, &g.path().join("a.sqlite"));
    annotate(&store);
    let p = g.path().join("x.jsonl");
    export(&store, Format::Jsonl, &p, &ExportOptions::default()).unwrap();
    let first: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&p).unwrap().lines().next().unwrap()).unwrap();
    // The same article, edited elsewhere: a sentence inserted in front, and
    // one highlight on text that no longer exists.
    let mut edited = first.clone();
    let text = first["text"].as_str().unwrap();
    edited["text"] = format!("编者按：本文有改动。{text}").into();
    let shift = |v: &serde_json::Value| v.as_u64().unwrap() + 10;
    let labels: Vec<serde_json::Value> = first["label"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| serde_json::json!([shift(&l[0]), shift(&l[1]), l[2]]))
        .collect();
    edited["label"] = labels.into();
    let mut hs: Vec<serde_json::Value> = first["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let mut h = h.clone();
            h["start"] = shift(&h["start"]).into();
            h["end"] = shift(&h["end"]).into();
            h
        })
        .collect();
    hs.push(
        serde_json::json!({"start": 0, "end": 3, "text": "不存在", "color": null, "note": "旧"}),
    );
    edited["highlights"] = hs.into();
    // A document that matches no article.
    let stranger =
        serde_json::json!({"id": "nope", "text": "完全不同的一篇文章。", "label": [[0, 2, "LOC"]]});
    // Replace the not-existing highlight's text so no quote can place it.
    let mut edited_text: Vec<char> = edited["text"].as_str().unwrap().chars().collect();
    edited_text.splice(0..3, "不存在".chars());
    edited["text"] = edited_text.iter().collect::<String>().into();
    let imp = g.path().join("edited.jsonl");
    std::fs::write(&imp, format!("{edited}\n{stranger}\n")).unwrap();
    let mut fresh = open_indexed(&arch, &g.path().join("b.sqlite"));
    let s = import(&mut fresh, Format::Jsonl, &imp).unwrap();
    assert_eq!(s.matched_by_id, 1, "{s}");
    assert_eq!(s.unmatched.len(), 1, "{s}");
    assert!(s.moved > 0, "{s}");
    assert_eq!(s.orphans.len(), 2, "{s}");
    assert_eq!(fresh.orphans().unwrap().len(), 2);
    // Placed by quote: the user's entity lands on the same text.
    let id = first["id"].as_str().unwrap();
    let anns = fresh.annotations(id).unwrap();
    assert!(
        anns.iter()
            .any(|a| a.kind == AnnotationKind::Entity && a.quote.exact == "双联双助")
    );
    assert_eq!(
        anns.iter()
            .filter(|a| a.kind == AnnotationKind::Highlight)
            .count(),
        2
    );
    // Twice: nothing new, no duplicate orphans.
    let s2 = import(&mut fresh, Format::Jsonl, &imp).unwrap();
    assert_eq!(s2.added, 0, "{s2}");
    assert_eq!(fresh.orphans().unwrap().len(), 2);
    // Malformed files name the file and the line.
    let badf = g.path().join("bad.jsonl");
    std::fs::write(&badf, "{\"text\": \"x\"}\nnot json\n").unwrap();
    let err = import(&mut fresh, Format::Jsonl, &badf)
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.jsonl") && err.contains("line 2"), "{err}");
}

/// Runs `tests/consumers/check.py` (conllu, jsonschema, csv, brat slicing)
/// on every export; skips when python3 or its packages are missing, except
/// on CI (`CI` set), where that fails.
#[test]
fn python_consumers_read_the_exports() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/consumers/check.py");
    let (g, arch) = archive();
    let store = open_indexed(&arch, &g.path().join("a.sqlite"));
    annotate(&store);
    let out = g.path().join("out");
    export_all(&store, &out);
    let run = Command::new("python3").arg(&script).arg(&out).output();
    let Ok(run) = run else {
        common::skip_or_fail("python_consumers_read_the_exports", "python3 not found");
        return;
    };
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    if run.status.code() == Some(3) {
        common::skip_or_fail(
            "python_consumers_read_the_exports",
            &format!("{stdout}{stderr}"),
        );
        return;
    }
    assert!(
        run.status.success(),
        "consumers failed:\n{stdout}\n{stderr}"
    );
    println!("{stdout}");
}

#[test]
fn reading_copies_escape() {
    use pizhu::export::reading::{html_escape, md_escape, safe_color};
    assert_eq!(html_escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    assert_eq!(md_escape("*a* #1"), "\\*a\\* \\#1");
    assert_eq!(safe_color(&Some("#ff0000".into())), Some("#ff0000".into()));
    assert_eq!(safe_color(&Some("red;x".into())), None);
    assert_eq!("HTML".parse::<Format>().unwrap(), Format::Html);
    let err = "docx".parse::<Format>().unwrap_err().to_string();
    assert!(
        err.contains("jsonl, conll, brat, csv, labelstudio, w3c, markdown, html"),
        "{err}"
    );
}

#[test]
fn odd_files_are_reported_not_panicked_on() {
    let (g, arch) = archive();
    let mut store = open_indexed(&arch, &g.path().join("a.sqlite"));
    let id = store.article_ids().unwrap()[0].clone();
    let text = store.article(&id).unwrap().text;
    let j = g.path().join("odd.jsonl");
    let doc = serde_json::json!({
        "id": id, "text": text,
        "label": [[5, 2, "PER"], [0, 18446744073709551615u64, "LOC"], [0, 2, "坏 类型"]],
        "highlights": [{"start": 99999999, "end": 100000000, "text": "x"}]
    });
    std::fs::write(&j, format!("{doc}\n")).unwrap();
    let s = import(&mut store, Format::Jsonl, &j).unwrap();
    assert_eq!(s.skipped.len(), 4, "{s}");
    let b = g.path().join("brat");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(b.join(format!("{id}.txt")), "别的文字").unwrap();
    std::fs::write(
        b.join(format!("{id}.ann")),
        "T1\tPER 0 2\t别的\nR1\tRel Arg1:T1 Arg2:T1\nA1\tTag T9 x\n#1\tAnnotatorNotes T7\tn\nT2\tPER 2 999999999999\tx\n",
    )
    .unwrap();
    let s = import(&mut store, Format::Brat, &b).unwrap();
    // Its text is another text: reported and skipped whole (issue 14).
    assert!(s.skipped.len() >= 3 && s.mismatched.len() == 1, "{s}");
    assert_eq!(s.added + s.rejected, 0, "{s}");
    std::fs::write(b.join("bad.ann"), "T1\tPER x y\tz\n").unwrap();
    let err = import(&mut store, Format::Brat, &b)
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.ann") && err.contains("line 1"), "{err}");
    let w = g.path().join("odd.json");
    std::fs::write(
        &w,
        r#"[{"type":"Annotation","motivation":"highlighting","target":{"source":"urn:x","selector":{"type":"TextPositionSelector","start":18446744073709551615,"end":3}}},
            {"type":"Annotation","target":"urn:pizhu:article:nope","motivation":"bookmarking"},
            {"type":"Annotation","motivation":"commenting","bodyValue":"注","target":{"source":"urn:y","selector":{"type":"TextQuoteSelector","exact":"新郑市"}}},
            {"type":"Annotation","motivation":"commenting","bodyValue":"注","target":{"source":"urn:z","selector":{"type":"TextQuoteSelector","exact":QUOTE}}}]"#
            .replace(
                "QUOTE",
                &serde_json::to_string(&text.chars().skip(40).take(16).collect::<String>())
                    .unwrap(),
            ),
    )
    .unwrap();
    let s = import(&mut store, Format::W3c, &w).unwrap();
    assert!(!s.skipped.is_empty(), "{s}");
    // A 16-character quote finds its article; a 3-character one matches
    // nothing (issue 14) and is kept as an orphan.
    assert_eq!(s.matched_by_text, 1, "{s}");
    assert!(s.orphans.iter().any(|o| o.contains("新郑市")), "{s}");
}

/// A jsonl document marked `"reviewed": true` (work checked in another
/// tool) marks its article reviewed on import; one without the field, or
/// with `false`, leaves the mark alone. The export writes the field.
#[test]
fn jsonl_import_honours_reviewed() {
    let (_g, arch) = seed_copy();
    let dir = tempfile::tempdir().unwrap();
    let store = open_indexed(&arch, &dir.path().join("a.sqlite"));
    let ids = store.article_ids().unwrap();
    store.set_reviewed(&ids[0], true).unwrap();
    let out = dir.path().join("out.jsonl");
    export(&store, Format::Jsonl, &out, &ExportOptions::default()).unwrap();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_id = |id: &str| lines.iter().find(|v| v["id"] == id).unwrap().clone();
    assert_eq!(by_id(&ids[0])["reviewed"], true);
    assert_eq!(by_id(&ids[1])["reviewed"], false);

    // A fresh database of the same archive: nothing reviewed yet.
    let mut fresh = open_indexed(&arch, &dir.path().join("b.sqlite"));
    let mut second = by_id(&ids[1]);
    second["reviewed"] = serde_json::Value::Bool(true);
    let mut third = by_id(&ids[2]);
    third.as_object_mut().unwrap().remove("reviewed");
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        [by_id(&ids[0]), second, third]
            .iter()
            .map(|v| v.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let summary = import(&mut fresh, Format::Jsonl, &input).unwrap();
    assert_eq!(summary.reviewed, 2);
    let reviewed: Vec<bool> = ids[..3]
        .iter()
        .map(|id| fresh.article(id).unwrap().reviewed)
        .collect();
    assert_eq!(reviewed, [true, true, false]);
    // Importing again changes nothing.
    assert_eq!(
        import(&mut fresh, Format::Jsonl, &input).unwrap().reviewed,
        0
    );
}

/// `--what corrections`: one CSV row per OCR correction, with the source
/// text and its replacement (formula-looking replacements neutralised).
#[test]
fn csv_lists_corrections() {
    let (_g, arch) = seed_copy();
    let dir = tempfile::tempdir().unwrap();
    let store = open_indexed(&arch, &dir.path().join("a.sqlite"));
    let id = store.article_ids().unwrap()[0].clone();
    let text = store.article(&id).unwrap().text;
    let exact: String = text.chars().skip(3).take(4).collect();
    for (start, replacement) in [(3, "改正后"), (10, "=1+1")] {
        store
            .add_annotation(
                &id,
                AnnotationKind::Correction,
                start,
                start + 4,
                NewAnnotation {
                    replacement: Some(replacement.into()),
                    ..NewAnnotation::default()
                },
            )
            .unwrap();
    }
    let out = dir.path().join("c.csv");
    let opts = ExportOptions {
        what: CsvWhat::Corrections,
        ..ExportOptions::default()
    };
    export(&store, Format::Csv, &out, &opts).unwrap();
    let body = std::fs::read_to_string(&out).unwrap();
    let mut r = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "article_id",
            "file",
            "title",
            "start",
            "end",
            "text",
            "replacement",
            "annotator"
        ]
    );
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], id);
    assert_eq!((rows[0][3].as_str(), rows[0][4].as_str()), ("3", "7"));
    assert_eq!(rows[0][5], exact);
    assert_eq!(rows[0][6], "改正后");
    assert_eq!(rows[1][6], "'=1+1");
    // Whose work it is comes last, so the columns before keep their places.
    assert_eq!(rows[0][7], store.annotator());
}
