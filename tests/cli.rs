//! The real `pizhu` binary on real files.

mod common;

use std::process::Command;

use common::seed_copy;

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

#[test]
fn index_export_search_stats_and_lexicon() {
    let (_g, arch) = seed_copy();
    let a = arch.to_str().unwrap();
    let (ok, out, err) = pizhu(&["index", a]);
    assert!(ok, "{err}");
    assert!(out.contains("articles: 11"), "{out}");
    assert!(out.contains("skipped: 0"), "{out}");
    assert!(arch.join(".pizhu/pizhu.sqlite").is_file());

    let (ok, out, err) = pizhu(&["export", a, "--format", "jsonl"]);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 11);
    for v in &lines {
        for key in [
            "id",
            "file",
            "index",
            "title",
            "date",
            "source",
            "text",
            "label",
            "tags",
            "highlights",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        let text: Vec<char> = v["text"].as_str().unwrap().chars().collect();
        for l in v["label"].as_array().unwrap() {
            let (s, e) = (
                l[0].as_u64().unwrap() as usize,
                l[1].as_u64().unwrap() as usize,
            );
            assert!(s < e && e <= text.len());
            assert!(l[2].is_string());
        }
    }
    assert_eq!(lines[0]["file"], "000_72e93a97abb16404.txt");

    let (ok, out, _) = pizhu(&["search", a, "脱贫"]);
    assert!(ok);
    assert!(out.lines().count() >= 5, "{out}");
    assert!(out.contains("脱贫"));

    let (ok, out, _) = pizhu(&["stats", a]);
    assert!(ok);
    assert!(out.contains("entities per type"));

    let (ok, out, err) = pizhu(&["lexicon", "add", a, "双联双助", "ORG"]);
    assert!(ok, "{err}");
    assert!(out.contains("articles updated"));
    let (ok, out, _) = pizhu(&["lexicon", "list", a]);
    assert!(ok);
    assert!(out.contains("add\t双联双助\tORG"), "{out}");
    let (_, out, _) = pizhu(&["export", a]);
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let text: Vec<char> = first["text"].as_str().unwrap().chars().collect();
    let tagged: Vec<String> = first["label"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l[2] == "ORG")
        .map(|l| {
            text[l[0].as_u64().unwrap() as usize..l[1].as_u64().unwrap() as usize]
                .iter()
                .collect()
        })
        .collect();
    let occurrences = first["text"].as_str().unwrap().matches("双联双助").count();
    assert_eq!(
        tagged.iter().filter(|t| *t == "双联双助").count(),
        occurrences
    );
    let (ok, _, _) = pizhu(&["lexicon", "reject", a, "双联双助"]);
    assert!(ok);
    let (_, out, _) = pizhu(&["export", a]);
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let text: Vec<char> = first["text"].as_str().unwrap().chars().collect();
    assert!(first["label"].as_array().unwrap().iter().all(|l| {
        let t: String = text[l[0].as_u64().unwrap() as usize..l[1].as_u64().unwrap() as usize]
            .iter()
            .collect();
        t != "双联双助"
    }));
}

#[test]
fn errors_are_clear_and_non_zero() {
    let (ok, _, err) = pizhu(&["index", "/nonexistent/archive"]);
    assert!(!ok);
    assert!(
        err.contains("/nonexistent/archive") && err.contains("not a folder"),
        "{err}"
    );
    let (_g, arch) = seed_copy();
    let (ok, _, err) = pizhu(&["lexicon", "add", arch.to_str().unwrap(), "某词", "坏类型"]);
    assert!(!ok);
    assert!(err.contains("unknown entity type"), "{err}");
    let (ok, _, err) = pizhu(&["export", arch.to_str().unwrap(), "--format", "nope"]);
    assert!(!ok);
    assert!(err.contains("unknown export format"), "{err}");
}

#[test]
fn export_every_format_and_import_into_a_fresh_database() {
    let (g, arch) = seed_copy();
    let a = arch.to_str().unwrap();
    let out = g.path().join("out");
    for f in [
        "jsonl",
        "conll",
        "brat",
        "csv",
        "labelstudio",
        "w3c",
        "markdown",
        "html",
    ] {
        let p = out.join(f);
        let (ok, _, err) = pizhu(&["export", a, "--format", f, "--out", p.to_str().unwrap()]);
        assert!(ok, "{f}: {err}");
        assert!(err.contains("wrote 11 articles"), "{f}: {err}");
        assert!(p.exists());
    }
    let (ok, out_s, _) = pizhu(&["export", a, "--format", "conll", "--tokens", "jieba"]);
    assert!(ok && out_s.starts_with("-DOCSTART-"));
    let (ok, out_s, _) = pizhu(&["export", a, "--format", "csv", "--what", "highlights"]);
    assert!(ok && out_s.starts_with("\u{feff}article_id,file,title,start,end,text,color,note"));
    let per = format!("{}/", out.join("html-per-article").display());
    let (ok, _, err) = pizhu(&["export", a, "--format", "html", "--out", &per]);
    assert!(ok, "{err}");
    assert_eq!(std::fs::read_dir(&per).unwrap().count(), 11);
    let (ok, _, err) = pizhu(&["export", a, "--format", "brat", "--out", "-"]);
    assert!(!ok && err.contains("folder"), "{err}");

    let db = g.path().join("fresh.sqlite");
    let db = db.to_str().unwrap();
    let jsonl = out.join("jsonl");
    let (ok, o, err) = pizhu(&[
        "import",
        a,
        "--db",
        db,
        "--format",
        "jsonl",
        jsonl.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(o.contains("documents: 11 (11 by id"), "{o}");
    let (ok, o, _) = pizhu(&["export", a, "--db", db, "--format", "jsonl"]);
    assert!(ok);
    assert_eq!(o, std::fs::read_to_string(&jsonl).unwrap());

    let (ok, _, err) = pizhu(&["import", a, "--format", "csv", jsonl.to_str().unwrap()]);
    assert!(!ok && err.contains("cannot import csv"), "{err}");
    let bad = g.path().join("bad.json");
    std::fs::write(&bad, "{").unwrap();
    let (ok, _, err) = pizhu(&["import", a, "--format", "w3c", bad.to_str().unwrap()]);
    assert!(!ok && err.contains("bad.json"), "{err}");
}

/// A reader that stops early (`pizhu extract … | head -c 16`) ends the
/// command quietly: no panic message about a broken pipe.
#[test]
fn closed_stdout_is_not_a_panic() {
    use std::io::Read;
    use std::process::Stdio;
    // About 90 KB of text: its token line is far larger than a pipe buffer.
    let mut text = String::new();
    while text.len() < 90_000 {
        text.push_str("记者王某某报道：某某市林业局今天召开会议。");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_pizhu"))
        .args(["extract", "--tokens", &text])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reader is dropped here: the pipe closes after 16 bytes.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bench_prints_both_throughputs_and_their_ratio() {
    let (_g, arch) = seed_copy();
    let (ok, out, err) = pizhu(&["bench", arch.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("11 articles"), "{out}");
    assert!(out.contains("start-up"), "{out}");
    assert!(out.contains("raw jieba tag (HMM), 1 thread:"), "{out}");
    let ratio = out
        .lines()
        .find(|l| l.starts_with("full extraction, 1 thread:"))
        .and_then(|l| {
            l.rsplit_once("), ")?
                .1
                .split('%')
                .next()?
                .parse::<u32>()
                .ok()
        })
        .unwrap_or_else(|| panic!("no ratio in {out}"));
    assert!((1..=1000).contains(&ratio), "{out}");
    assert!(out.contains("threads:"), "{out}");
}
