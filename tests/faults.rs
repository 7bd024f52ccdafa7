//! Fault injection: each test reproduces one data-safety defect of issue 14
//! (hostile files, names, paths and imports) on real files, a real SQLite
//! store and the real `pizhu` binary. Every test failed before its fix.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::seed_copy;
use pizhu::archive::{self, SkipReason};
use pizhu::export::{ExportOptions, Format, export, import};
use pizhu::extract::NewsExtractor;
use pizhu::index::{IndexOptions, IndexSummary, index_archive};
use pizhu::store::{AnnotationKind, NewAnnotation, Store};

fn extractor() -> &'static NewsExtractor {
    static EX: std::sync::OnceLock<NewsExtractor> = std::sync::OnceLock::new();
    EX.get_or_init(pizhu::extract::default_extractor)
}

fn db_of(arch: &Path) -> PathBuf {
    arch.join(".pizhu").join("pizhu.sqlite")
}

fn index(arch: &Path) -> (Store, IndexSummary) {
    std::fs::create_dir_all(arch.join(".pizhu")).unwrap();
    let mut store = Store::open(&db_of(arch)).unwrap();
    let s = index_archive(
        arch,
        &mut store,
        extractor(),
        &IndexOptions::default(),
        &|_| {},
    )
    .unwrap();
    (store, s)
}

fn pizhu(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pizhu"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every effective entity of every article, as comparable strings.
fn all_entities(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for id in store.article_ids().unwrap() {
        for e in store.effective_entities(&id).unwrap() {
            out.push(format!(
                "{id} {} {} {}",
                e.entity.start,
                e.entity.end,
                e.entity.label.as_str()
            ));
        }
    }
    out
}

fn seed_name(arch: &Path, prefix: &str) -> PathBuf {
    std::fs::read_dir(arch)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap()
}

// ---- 1. encodings ------------------------------------------------------------

/// `printf '\xe6\x96' >> 001_….txt`: the file stays UTF-8 (one U+FFFD), its
/// articles and annotations survive, and the summary counts the bad bytes.
#[test]
fn one_bad_byte_keeps_a_utf8_file_utf8() {
    let (_g, arch) = seed_copy();
    let (store, s) = index(&arch);
    assert_eq!(s.articles, 11);
    let file = seed_name(&arch, "001");
    let rel = file.file_name().unwrap().to_str().unwrap().to_string();
    let first = store
        .articles()
        .unwrap()
        .into_iter()
        .find(|a| a.file == rel)
        .unwrap();
    let text = store.article(&first.id).unwrap().text;
    let at = text.chars().count() / 2;
    store
        .add_annotation(
            &first.id,
            AnnotationKind::Highlight,
            at,
            at + 6,
            NewAnnotation::default(),
        )
        .unwrap();
    drop(store);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend_from_slice(b"\xe6\x96");
    std::fs::write(&file, &bytes).unwrap();

    let (store, s) = index(&arch);
    assert_eq!(s.articles, 11, "{s:?}");
    assert_eq!(s.orphaned, 0, "{s:?}");
    assert!(s.skipped.is_empty(), "{s:?}");
    assert!(
        s.warnings
            .iter()
            .any(|(p, w)| p == &rel && w.contains("2 invalid bytes")),
        "{:?}",
        s.warnings
    );
    assert_eq!(store.article(&first.id).unwrap().text, text);
    assert_eq!(store.file_encoding(&rel).unwrap().as_deref(), Some("UTF-8"));

    let d = archive::decode(&bytes).unwrap();
    assert_eq!(d.invalid_bytes, 2);
    assert_eq!(d.text.matches('\u{FFFD}').count(), 1);
}

/// A file mixing UTF-8 and GB18030 paragraphs is read line by line: both
/// read right; a GB18030 file with one stray UTF-8 line stays GB18030.
#[test]
fn mixed_utf8_and_gb18030_lines_are_each_decoded() {
    let utf8 = "第一段：市政府召开会议，研究部署今年的重点工作。\n";
    let gb = "第二段：县教育局发布通知，要求各学校做好开学准备。\n";
    let (gb_bytes, _, _) = encoding_rs::GB18030.encode(gb);
    let mut bytes = Vec::new();
    for _ in 0..3 {
        bytes.extend_from_slice(utf8.as_bytes());
        bytes.extend_from_slice(&gb_bytes);
    }
    let d = archive::decode(&bytes).unwrap();
    assert_eq!(d.text, format!("{utf8}{gb}").repeat(3));
    assert_eq!(d.invalid_bytes, 0);
    assert!(
        d.encoding.contains("UTF-8") && d.encoding.contains("gb18030"),
        "{}",
        d.encoding
    );

    // Mostly GB18030 with one UTF-8 line: the default is GB18030.
    let mut bytes = gb_bytes.repeat(20).to_vec();
    bytes.extend_from_slice(utf8.as_bytes());
    let d = archive::decode(&bytes).unwrap();
    assert_eq!(d.text, format!("{}{utf8}", gb.repeat(20)));
    // GB18030 lines whose bytes are valid two-byte UTF-8 sequences by chance
    // stay GB18030: `一为要时同也说学` is all valid UTF-8 (Greek, Cyrillic,
    // Arabic…) in GB18030 bytes, and `踢成` = CC DF B3 C9 holds DF B3.
    let short = "比赛踢成平局。\n一为要时同也说学\n";
    assert!(std::str::from_utf8(&encoding_rs::GB18030.encode("一为要时同也说学").0).is_ok());
    let mut bytes = gb_bytes.repeat(3).to_vec();
    for _ in 0..3 {
        bytes.extend_from_slice(&encoding_rs::GB18030.encode(short).0);
    }
    let d = archive::decode(&bytes).unwrap();
    assert_eq!(d.text, format!("{}{}", gb.repeat(3), short.repeat(3)));
    assert_eq!(d.encoding, "gb18030");
    // Pure GB18030.
    let d = archive::decode(&gb_bytes.repeat(5)).unwrap();
    assert_eq!(d.text, gb.repeat(5));
    assert_eq!(d.encoding, "gb18030");
}

/// A large UTF-8 file with scattered bad bytes (the 60 MB case ran
/// over 500 s): every line stays UTF-8, each bad byte one U+FFFD. The
/// detection is linear (see `archive`); the time is measured in the report,
/// not here.
#[test]
fn large_file_with_scattered_bad_bytes_stays_utf8() {
    let line = "本报讯 今年以来，全市坚持稳中求进工作总基调，经济运行总体平稳。\n";
    let mut bytes = Vec::with_capacity(9 << 20);
    let mut bad = 0;
    let mut n = 0;
    while bytes.len() < 8 << 20 {
        bytes.extend_from_slice(line.as_bytes());
        n += 1;
        if n % 500 == 0 {
            bytes.push(0xB0);
            bad += 1;
        }
    }
    let d = archive::decode(&bytes).unwrap();
    assert_eq!(d.encoding, "UTF-8");
    assert_eq!(d.invalid_bytes, bad);
    assert_eq!(d.text.matches('\u{FFFD}').count(), bad);
    assert_eq!(d.text.matches("稳中求进").count(), n);
}

// ---- 2. export over the database or a source file ----------------------------

#[test]
fn export_refuses_the_database_its_folder_and_source_files() {
    let (_g, arch) = seed_copy();
    let a = arch.to_str().unwrap();
    let (ok, _, err) = pizhu(&["index", a]);
    assert!(ok, "{err}");
    let store = Store::open(&db_of(&arch)).unwrap();
    let id = store.article_ids().unwrap()[0].clone();
    store
        .add_annotation(
            &id,
            AnnotationKind::Highlight,
            0,
            4,
            NewAnnotation::default(),
        )
        .unwrap();
    drop(store);
    let db = db_of(&arch);
    let db_bytes = std::fs::read(&db).unwrap();
    let source = seed_name(&arch, "002");
    let source_bytes = std::fs::read(&source).unwrap();
    for out in [
        db.clone(),
        arch.join(".pizhu/pizhu.sqlite-wal"),
        arch.join(".pizhu/other.jsonl"),
        arch.join("sub/../.pizhu/x.jsonl"),
        source.clone(),
    ] {
        let o = out.to_str().unwrap();
        let (ok, _, err) = pizhu(&["export", a, "--format", "jsonl", "--out", o]);
        assert!(!ok, "export to {o} was allowed");
        assert!(err.contains(o) && err.contains("refusing"), "{o}: {err}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), db_bytes);
    assert_eq!(std::fs::read(&source).unwrap(), source_bytes);
    assert!(!arch.join(".pizhu/other.jsonl").exists());
    let store = Store::open(&db).unwrap();
    assert_eq!(store.annotation_count().unwrap(), 1);
}

/// `--out /dev/stdout` with standard output redirected to a file: written
/// straight to the stream (no temporary file beside `/dev/stdout`).
#[cfg(unix)]
#[test]
fn export_to_dev_stdout_redirected_to_a_file() {
    let (g, arch) = seed_copy();
    let out = g.path().join("o.jsonl");
    let status = Command::new(env!("CARGO_BIN_EXE_pizhu"))
        .args(["export", arch.to_str().unwrap(), "--format", "jsonl"])
        .args(["--out", "/dev/stdout"])
        .stdout(std::fs::File::create(&out).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 11);
    assert!(std::fs::symlink_metadata("/dev/stdout").is_ok());
}

// ---- 3. file names that are not UTF-8 ------------------------------------------

#[cfg(unix)]
#[test]
fn non_utf8_file_names_keep_their_own_identity() {
    use std::os::unix::ffi::OsStrExt;
    let g = tempfile::tempdir().unwrap();
    let arch = g.path().join("archive");
    std::fs::create_dir_all(&arch).unwrap();
    // Two GBK names ("啊.txt" = B0 A1, "阿.txt" = B0 A2): invalid UTF-8,
    // and a lossy conversion made both `��.txt`.
    let names: Vec<Vec<u8>> = ["啊.txt", "阿.txt"]
        .iter()
        .map(|n| encoding_rs::GBK.encode(n).0.into_owned())
        .collect();
    let bodies = [
        "会议召开\n\n本报讯 市政府昨日召开常务会议，研究部署防汛工作。\n",
        "学校开学\n\n本报讯 全市中小学今日开学，各校做好了准备工作。\n",
    ];
    for (n, b) in names.iter().zip(bodies) {
        std::fs::write(arch.join(std::ffi::OsStr::from_bytes(n)), b).unwrap();
    }
    let files = archive::list_files(&arch, None).unwrap();
    assert_eq!(files.len(), 2);
    assert_ne!(files[0].rel, files[1].rel);
    for f in &files {
        assert_eq!(archive::path_of(&arch, &f.rel), f.path);
    }
    assert_eq!(files[0].rel, "\\xB0\\xA1.txt");
    assert_eq!(files[1].rel, "\\xB0\\xA2.txt");
    let (store, s) = index(&arch);
    assert_eq!(s.files, 2);
    let arts = store.articles().unwrap();
    let texts: Vec<String> = arts
        .iter()
        .map(|a| store.article(&a.id).unwrap().text)
        .collect();
    assert!(texts.iter().any(|t| t.contains("防汛")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("开学")), "{texts:?}");
    // Names that are valid UTF-8 keep their plain form; a backslash is escaped.
    assert_eq!(archive::escape_name("新闻.txt".as_ref()), "新闻.txt");
    assert_eq!(archive::escape_name("a\\xB0.txt".as_ref()), "a\\\\xB0.txt");
    assert_eq!(archive::unescape_name("a\\\\xB0.txt"), b"a\\xB0.txt");
    assert_eq!(
        archive::escape_name(std::ffi::OsStr::from_bytes(b"a\xB0.txt")),
        "a\\xB0.txt"
    );
}

// ---- 7. imports whose text is not the article's ------------------------------

#[test]
fn import_skips_documents_whose_text_is_not_their_article() {
    let (g, arch) = seed_copy();
    let (mut store, _) = index(&arch);
    let before = all_entities(&store);
    let id = store
        .article_ids()
        .unwrap()
        .into_iter()
        .max_by_key(|id| store.auto_entities(id).unwrap().len())
        .unwrap();
    assert!(store.auto_entities(&id).unwrap().len() > 5);

    // jsonl: the id of an article, a different text, no labels.
    let j = g.path().join("other.jsonl");
    let doc = serde_json::json!({"id": id, "text": "完全不同的文本", "label": []});
    std::fs::write(&j, format!("{doc}\n")).unwrap();
    let s = import(&mut store, Format::Jsonl, &j).unwrap();
    assert_eq!(s.rejected, 0, "{s}");
    assert_eq!(s.mismatched.len(), 1, "{s}");
    assert!(s.to_string().contains(&id), "{s}");

    // brat: a stray x.ann without x.txt whose only span is a short entity.
    let auto = store.auto_entities(&id).unwrap();
    let short = auto.iter().find(|e| e.text.chars().count() <= 4).unwrap();
    let b = g.path().join("brat");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(
        b.join("x.ann"),
        format!(
            "T1\t{} 0 {}\t{}\n",
            short.label.as_str(),
            short.text.chars().count(),
            short.text
        ),
    )
    .unwrap();
    let s = import(&mut store, Format::Brat, &b).unwrap();
    assert_eq!(s.rejected, 0, "{s}");
    assert_eq!(s.matched_by_text + s.matched_by_id, 0, "{s}");

    // brat: the article's own name with a .txt of another text.
    std::fs::remove_file(b.join("x.ann")).unwrap();
    std::fs::write(
        b.join(format!("{id}.txt")),
        "另一篇文章的正文，与原文毫无关系。",
    )
    .unwrap();
    std::fs::write(b.join(format!("{id}.ann")), "T1\tLOC 0 2\t另一\n").unwrap();
    let s = import(&mut store, Format::Brat, &b).unwrap();
    assert_eq!(s.rejected, 0, "{s}");
    assert_eq!(s.mismatched.len(), 1, "{s}");
    assert_eq!(all_entities(&store), before);
    assert_eq!(store.annotation_count().unwrap(), 0);

    // A slightly changed text (an export of an older cleaning) places its
    // spans by quote and rejects nothing; the exact text still applies whole.
    let text = store.article(&id).unwrap().text;
    let e = &auto[auto.len() / 2];
    let changed = format!("（转载）{text}");
    let doc = serde_json::json!({"id": id, "text": changed,
        "label": [[e.start + 4, e.end + 4, "MONEY"]]});
    std::fs::write(&j, format!("{doc}\n")).unwrap();
    let s = import(&mut store, Format::Jsonl, &j).unwrap();
    assert_eq!((s.rejected, s.added, s.moved), (0, 1, 1), "{s}");
    assert!(s.mismatched.is_empty(), "{s}");
    let doc = serde_json::json!({"id": id, "text": text, "label": []});
    std::fs::write(&j, format!("{doc}\n")).unwrap();
    let s = import(&mut store, Format::Jsonl, &j).unwrap();
    assert!(s.rejected > 0, "{s}");
}

// ---- 10. CSV injection ---------------------------------------------------------

#[test]
fn csv_cells_that_spreadsheets_would_run_are_neutralised() {
    let (g, arch) = seed_copy();
    let (store, _) = index(&arch);
    let id = store.article_ids().unwrap()[0].clone();
    let notes = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "ok",
    ];
    for (i, n) in notes.iter().enumerate() {
        store
            .add_annotation(
                &id,
                AnnotationKind::Highlight,
                i,
                i + 2,
                NewAnnotation {
                    note: Some(n.to_string()),
                    color: Some("=1+1".into()),
                    ..NewAnnotation::default()
                },
            )
            .unwrap();
    }
    let out = g.path().join("h.csv");
    let opts = ExportOptions {
        what: pizhu::export::CsvWhat::Highlights,
        ..ExportOptions::default()
    };
    export(&store, Format::Csv, &out, &opts).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let mut seen = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        for cell in rec.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula cell {cell:?}"
            );
        }
        seen.push(pizhu::export::csv::unneutralize(&rec[7]).to_string());
        assert_eq!(&rec[6], "'=1+1");
    }
    for n in notes {
        assert!(seen.iter().any(|s| s == n), "{n:?} not read back: {seen:?}");
        let cell = pizhu::export::csv::neutralize(n);
        assert_eq!(pizhu::export::csv::unneutralize(&cell), n);
    }
    assert!(seen.contains(&"ok".to_string()));
}

// ---- 11. symbolic links in the output, exports inside the archive -------------

#[cfg(unix)]
#[test]
fn exports_never_write_through_links_nor_into_the_archive() {
    use std::os::unix::fs::symlink;
    let (g, arch) = seed_copy();
    let (store, _) = index(&arch);
    let victim = g.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();

    // A link as the output file: refused, the target untouched.
    let link = g.path().join("out.jsonl");
    symlink(&victim, &link).unwrap();
    let err = export(&store, Format::Jsonl, &link, &ExportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("symbolic link") && err.contains("out.jsonl"),
        "{err}"
    );
    // A stale temporary file that is a link: replaced, not followed.
    let out = g.path().join("x.jsonl");
    symlink(&victim, g.path().join("x.jsonl.part")).unwrap();
    export(&store, Format::Jsonl, &out, &ExportOptions::default()).unwrap();

    // Links inside a brat output folder: replaced by the files, not followed.
    let brat = g.path().join("brat");
    std::fs::create_dir_all(&brat).unwrap();
    let id = store.article_ids().unwrap()[0].clone();
    let stem = pizhu::export::brat::file_stem(&id);
    symlink(&victim, brat.join(format!("{stem}.txt"))).unwrap();
    symlink(&victim, brat.join("annotation.conf")).unwrap();
    export(&store, Format::Brat, &brat, &ExportOptions::default()).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let meta = std::fs::symlink_metadata(brat.join(format!("{stem}.txt"))).unwrap();
    assert!(meta.file_type().is_file());

    // Inside the archive: refused.
    let err = export(
        &store,
        Format::Markdown,
        &arch.join("copy.md"),
        &ExportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("inside the archive"), "{err}");
    let err = export(
        &store,
        Format::Brat,
        &arch.join("brat-out"),
        &ExportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("inside the archive"), "{err}");
    // What indexing never reads may go there: a jsonl file, a hidden folder.
    export(
        &store,
        Format::Jsonl,
        &arch.join("out.jsonl"),
        &ExportOptions::default(),
    )
    .unwrap();
    export(
        &store,
        Format::Markdown,
        &arch.join(".exports/copy.md"),
        &ExportOptions::default(),
    )
    .unwrap();

    // Exports copied into the archive are not read back as articles.
    let md = g.path().join("copy.md");
    let html = g.path().join("copy.html");
    let folder = g.path().join("copies/");
    export(&store, Format::Markdown, &md, &ExportOptions::default()).unwrap();
    export(&store, Format::Html, &html, &ExportOptions::default()).unwrap();
    export(&store, Format::Html, &folder, &ExportOptions::default()).unwrap();
    drop(store);
    std::fs::copy(&md, arch.join("copy.md")).unwrap();
    std::fs::copy(&html, arch.join("copy.html")).unwrap();
    let copied = arch.join("brat-copy");
    std::fs::create_dir_all(&copied).unwrap();
    for e in std::fs::read_dir(&brat).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, copied.join(p.file_name().unwrap())).unwrap();
    }
    let reading = arch.join("reading-copy");
    std::fs::create_dir_all(&reading).unwrap();
    for e in std::fs::read_dir(g.path().join("copies")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, reading.join(p.file_name().unwrap())).unwrap();
    }
    let (_, s) = index(&arch);
    assert_eq!(s.articles, 11, "{s:?}");
    let why: Vec<String> = s.skipped.iter().map(|(p, w)| format!("{p}: {w}")).collect();
    assert!(
        why.iter()
            .any(|w| w.starts_with("copy.md") && w.contains("exported by Pizhu")),
        "{why:?}"
    );
    assert!(why.iter().any(|w| w.starts_with("copy.html")), "{why:?}");
    assert!(
        s.warnings
            .iter()
            .any(|(p, w)| p == "brat-copy" && w.contains("exported by Pizhu")),
        "{:?}",
        s.warnings
    );
    assert_eq!(
        why.iter()
            .filter(|w| w.starts_with("reading-copy/"))
            .count(),
        11,
        "{why:?}"
    );
}

// ---- 12. a literal `<` in HTML -------------------------------------------------

#[test]
fn a_literal_less_than_in_html_keeps_the_text() {
    let (text, map) = archive::strip_html("<h1>3 < 5 的标题</h1><p>正文 a<b 和 x <= y。</p>");
    assert!(text.contains("3 < 5 的标题"), "{text:?}");
    assert!(text.contains("正文 a"), "{text:?}");
    assert_eq!(map.len(), text.chars().count());
    // An unclosed `<` at the end keeps what follows.
    let (text, _) = archive::strip_html("<p>甲 <乙丙");
    assert!(text.contains("甲 <乙丙"), "{text:?}");
    let (text, _) = archive::strip_html(&"x < y ".repeat(20000));
    assert_eq!(text.chars().count(), 6 * 20000);
}

// ---- 13. links, loops, UTF-16 without BOM, size units, SQLite errors ---------

#[cfg(unix)]
#[test]
fn links_out_of_the_archive_and_loops_are_reported_not_followed() {
    use std::os::unix::fs::symlink;
    let (g, arch) = seed_copy();
    let outside = g.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("secret.txt"),
        "外部文件\n\n本报讯 这篇文章不在档案里。\n",
    )
    .unwrap();
    symlink(&outside, arch.join("out-dir")).unwrap();
    symlink(outside.join("secret.txt"), arch.join("out-file.txt")).unwrap();
    std::fs::create_dir_all(arch.join("sub")).unwrap();
    symlink(&arch, arch.join("sub/loop")).unwrap();
    symlink(g.path().join("nowhere.txt"), arch.join("broken.txt")).unwrap();
    // A link inside the archive to one of its own files is fine.
    symlink(seed_name(&arch, "003"), arch.join("sub/same.txt")).unwrap();

    let listing = archive::list_archive(&arch, None).unwrap();
    let problems: Vec<String> = listing
        .problems
        .iter()
        .map(|(p, w)| format!("{p}: {w}"))
        .collect();
    let has = |p: &str, w: &str| problems.iter().any(|x| x.starts_with(p) && x.contains(w));
    assert!(has("out-dir", "outside the archive"), "{problems:?}");
    assert!(has("out-file.txt", "outside the archive"), "{problems:?}");
    assert!(has("sub/loop", "loop"), "{problems:?}");
    assert!(has("broken.txt", "broken"), "{problems:?}");
    assert!(listing.files.iter().all(|f| !f.rel.starts_with("out")));
    assert!(listing.files.iter().any(|f| f.rel == "sub/same.txt"));

    let (_, s) = index(&arch);
    assert_eq!(s.warnings.len(), 4, "{:?}", s.warnings);

    // An unlistable folder is reported by name (root reads everything, so
    // only an unprivileged user can see this).
    let locked = arch.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::write(locked.join("a.txt"), "甲").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let unreadable = std::fs::read_dir(&locked).is_err();
    let listing = archive::list_archive(&arch, None).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    if unreadable {
        assert!(
            listing
                .problems
                .iter()
                .any(|(p, w)| p == "locked" && w.contains("cannot list")),
            "{:?}",
            listing.problems
        );
    }
}

#[test]
fn utf16_without_bom_is_text() {
    let text = "市政府举行签约仪式。\r\nPizhu 2024年3月5日\n";
    for le in [true, false] {
        let bytes: Vec<u8> = text
            .encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect();
        let d = archive::decode(&bytes).unwrap();
        assert_eq!(d.text, text);
        assert!(
            d.encoding
                .starts_with(if le { "UTF-16LE" } else { "UTF-16BE" })
        );
    }
    // Real binary stays binary.
    let bin: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 13) as u8).collect();
    assert_eq!(archive::decode(&bin).unwrap_err(), SkipReason::Binary);
}

#[test]
fn size_limit_message_uses_the_units_of_the_option() {
    let (_g, arch) = seed_copy();
    let big = arch.join("big.txt");
    let line = "本报讯 今天天气很好。\n".repeat(1000);
    let mut body = String::new();
    while body.len() < 3 * 1024 * 1024 / 2 {
        body.push_str(&line);
    }
    std::fs::write(&big, &body).unwrap();
    let (ok, out, err) = pizhu(&["index", arch.to_str().unwrap(), "--max-file-mb", "1"]);
    assert!(ok, "{err}");
    assert!(out.contains("over the 1 MB limit"), "{out}");
    assert!(out.contains("1.5 MB"), "{out}");
    let r = SkipReason::TooLarge {
        size: 60 * archive::MB,
        limit: 50 * archive::MB,
    };
    assert_eq!(
        r.to_string(),
        "file too large: 60 MB is over the 50 MB limit (--max-file-mb)"
    );
}

#[test]
fn a_database_error_is_printed_once_with_a_hint() {
    let (_g, arch) = seed_copy();
    std::fs::create_dir_all(arch.join(".pizhu")).unwrap();
    std::fs::write(db_of(&arch), vec![b'x'; 8192]).unwrap();
    let (ok, _, err) = pizhu(&["index", arch.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(err.matches("file is not a database").count(), 1, "{err}");
    assert!(err.contains("hint:") && err.contains(".recover"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.contains("error")).count(),
        1,
        "{err}"
    );
}

// ---- tests that cannot pass by skipping ----------------------------------------

/// Run by [`skips_fail_on_ci`] in a child process only.
#[test]
#[ignore = "run by skips_fail_on_ci"]
fn skip_probe() {
    common::skip_or_fail("skip_probe", "a tool this test needs is missing");
}

/// With `CI` set, a test that cannot run fails; without, it passes saying why.
#[test]
fn skips_fail_on_ci() {
    let me = std::env::current_exe().unwrap();
    let run = |ci: Option<&str>| {
        let mut c = Command::new(&me);
        c.args(["--ignored", "--exact", "skip_probe", "--nocapture"]);
        match ci {
            Some(v) => c.env("CI", v),
            None => c.env_remove("CI"),
        };
        let o = c.output().unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    let (ok, out) = run(Some("true"));
    assert!(!ok && out.contains("cannot run on CI"), "{out}");
    let (ok, out) = run(None);
    assert!(ok && out.contains("SKIPPED skip_probe"), "{out}");
    let (ok, _) = run(Some("false"));
    assert!(ok);
}

/// `.ci/run` installs what the unskippable tests need and sets `CI`.
#[test]
fn ci_script_installs_python_consumers_and_vulkan() {
    let s = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    for needed in [
        "mesa-vulkan-drivers",
        "python3-venv",
        "tests/consumers/requirements.txt",
        "export CI=",
    ] {
        assert!(s.contains(needed), "{needed}");
    }
    assert!(!s.contains("will be skipped"));
}
