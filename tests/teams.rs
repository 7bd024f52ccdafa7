//! Teams: annotators, import under a name, agreement, merge, migration —
//! the real `pizhu` binary on a real SQLite file, and the library.
//!
//! The hand-made annotations are spans by position on the first seed
//! article (its text is read at run time; no name from it appears here).
//! Every jsonl document is complete and carries the article's own text, so
//! each annotator's entities in that article are exactly the spans listed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use pizhu::store::Store;
use pizhu::teams::{Span, char_labels, entity_set};
use serde_json::Value;

/// Runs the binary with no OS user in the environment (the current
/// annotator is then the archive's saved one, or `default`), plus `env`.
fn pizhu_env(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pizhu"));
    cmd.args(args).env_remove("USER").env_remove("USERNAME");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct Fixture {
    _g: tempfile::TempDir,
    arch: PathBuf,
    db: PathBuf,
    /// The first article.
    id: String,
    text: String,
    /// Its length in characters.
    n: usize,
}

impl Fixture {
    fn new() -> Fixture {
        let (g, arch) = common::seed_copy();
        let db = g.path().join("team.sqlite");
        let f = Fixture {
            arch,
            db,
            _g: g,
            id: String::new(),
            text: String::new(),
            n: 0,
        };
        let (ok, _, err) = f.run(&["index", f.a()]);
        assert!(ok, "{err}");
        let s = f.store();
        let id = s.articles().unwrap()[0].id.clone();
        let text = s.article(&id).unwrap().text;
        let n = text.chars().count();
        assert!(
            n > 40,
            "the first seed article is long enough for the spans"
        );
        Fixture { id, text, n, ..f }
    }

    fn a(&self) -> &str {
        self.arch.to_str().unwrap()
    }

    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let mut v: Vec<&str> = args.to_vec();
        v.extend(["--db", self.db.to_str().unwrap()]);
        pizhu_env(&v, &[])
    }

    fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }

    /// A complete jsonl document for the first article, marked reviewed.
    fn doc(&self, name: &str, labels: &[(usize, usize, &str)]) -> PathBuf {
        let d = serde_json::json!({
            "id": self.id,
            "text": self.text,
            "label": labels.iter().map(|(s, e, l)| serde_json::json!([s, e, l])).collect::<Vec<_>>(),
            "reviewed": true,
        });
        let p = self._g.path().join(format!("{name}.jsonl"));
        std::fs::write(&p, format!("{d}\n")).unwrap();
        p
    }

    /// [`Fixture::doc`] with highlights and article tags, written to `file`.jsonl.
    fn doc_with(
        &self,
        file: &str,
        labels: &[(usize, usize, &str)],
        highlights: Value,
        tags: Value,
    ) -> PathBuf {
        let d = serde_json::json!({
            "id": self.id, "text": self.text, "reviewed": true, "tags": tags, "highlights": highlights,
            "label": labels.iter().map(|(s, e, l)| serde_json::json!([s, e, l])).collect::<Vec<_>>(),
        });
        let p = self._g.path().join(format!("{file}.jsonl"));
        std::fs::write(&p, format!("{d}\n")).unwrap();
        p
    }

    /// `pizhu merge` of ann and ben into gold, union strategy: its report.
    fn merge_union_into_gold(&self) -> String {
        let (ok, out, err) = self.run(&[
            "merge",
            self.a(),
            "--annotators",
            "ann,ben",
            "--into",
            "gold",
            "--strategy",
            "union",
        ]);
        assert!(ok, "{err}");
        out
    }

    fn import(&self, name: &str, file: &Path) -> String {
        let (ok, out, err) = self.run(&[
            "import",
            self.a(),
            "--format",
            "jsonl",
            "--annotator",
            name,
            file.to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
        out
    }

    fn agreement(&self, names: &str) -> Value {
        let (ok, out, err) = self.run(&["agreement", self.a(), "--annotators", names, "--json"]);
        assert!(ok, "{err}");
        serde_json::from_str(&out).unwrap()
    }
}

/// Annotator A: PER 0..3, LOC 10..14, ORG 20..22.
const A: &[(usize, usize, &str)] = &[(0, 3, "PER"), (10, 14, "LOC"), (20, 22, "ORG")];
/// Annotator B: PER 0..3, ORG 10..14 (same span as A's LOC), ORG 30..32.
const B: &[(usize, usize, &str)] = &[(0, 3, "PER"), (10, 14, "ORG"), (30, 32, "ORG")];

fn score<'a>(rows: &'a Value, ty: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == ty)
        .unwrap_or_else(|| panic!("no row {ty} in {rows}"))
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((got - want).abs() < 1e-9, "got {got}, want {want}");
}

#[test]
fn hand_made_annotations_give_the_hand_computed_f1_and_kappa() {
    let f = Fixture::new();
    let pa = f.doc("a", A);
    let pb = f.doc("b", B);
    f.import("ann", &pa);
    f.import("ben", &pb);
    f.import("cai", &pa);
    // Each annotator's entities are exactly the spans of their file.
    let s = f.store();
    let set = |n: &str| entity_set(&s, &f.id, n).unwrap();
    let spans = |l: &[(usize, usize, &str)]| {
        let mut v: Vec<Span> = l.iter().map(|(s, e, t)| Span::new(*s, *e, t)).collect();
        v.sort();
        v
    };
    assert_eq!(set("ann"), spans(A));
    assert_eq!(set("ben"), spans(B));
    // This process's current annotator (its OS user, else `default`) has
    // no corrections: nothing was imported as them.
    assert_eq!(
        s.annotator(),
        pizhu::teams::os_user().unwrap_or_else(|| "default".into())
    );
    assert!(s.annotations(&f.id).unwrap().is_empty());

    let r = f.agreement("ann,ben");
    let p = &r["pairs"][0];
    assert_eq!(
        (p["a"].as_str(), p["b"].as_str()),
        (Some("ann"), Some("ben"))
    );
    // One article (the only one both reviewed), all its characters.
    assert_eq!(p["articles"], 1);
    assert_eq!(p["characters"].as_u64(), Some(f.n as u64));
    let rows = &p["scores"];
    // F1 = 2·matched / (|A| + |B|).
    // PER: both have 0..3 → 2·1/2 = 1. LOC: A 1, B 0 → 0. ORG: A 20..22,
    // B 10..14 and 30..32, none shared → 0. All: PER only → 2·1/6 = 1/3.
    close(&score(rows, "PER")["f1"], 1.0);
    close(&score(rows, "LOC")["f1"], 0.0);
    close(&score(rows, "ORG")["f1"], 0.0);
    let all = score(rows, "all");
    close(&all["f1"], 1.0 / 3.0);
    assert_eq!(
        (all["spans_a"].as_u64(), all["spans_b"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(all["matched"], 1);
    // Overall kappa on the N characters (labels PER, LOC, ORG, O):
    // A: PER 3, LOC 4, ORG 2, O N−9. B: PER 3, ORG 4+2 = 6, O N−9.
    // Agreement: 0..3 (PER, 3) and the N−11 characters both leave O;
    // 10..14, 20..22 and 30..32 differ. pₒ = (N−8)/N.
    // pₑ = (3·3 + 4·0 + 2·6 + (N−9)²)/N².
    let n = f.n as f64;
    let po = (n - 8.0) / n;
    let pe = (9.0 + 12.0 + (n - 9.0) * (n - 9.0)) / (n * n);
    close(&all["kappa"], (po - pe) / (1.0 - pe));
    // PER alone: both cover exactly 0..3 → κ = 1.
    close(&score(rows, "PER")["kappa"], 1.0);
    // LOC alone: A covers 4 characters, B none: pₒ = (N−4)/N,
    // pₑ = (N−4)·N/N² = (N−4)/N = pₒ → κ = 0.
    close(&score(rows, "LOC")["kappa"], 0.0);
    // ORG alone: A covers 2, B covers 6, no character in common:
    // pₒ = (N−8)/N; pₑ = (2·6 + (N−2)(N−6))/N².
    let pe_org = (12.0 + (n - 2.0) * (n - 6.0)) / (n * n);
    close(&score(rows, "ORG")["kappa"], (po - pe_org) / (1.0 - pe_org));

    // Three annotators: Fleiss' kappa (cai = ann).
    let r = f.agreement("ann,ben,cai");
    assert_eq!(r["pairs"].as_array().unwrap().len(), 3);
    close(&score(&r["pairs"][1]["scores"], "all")["kappa"], 1.0); // ann × cai
    let fl = &r["fleiss"];
    assert_eq!(fl["articles"], 1);
    // Per character, 3 raters: 0..3 all PER (Pᵢ = 1); 10..14 LOC, ORG,
    // LOC; 20..22 ORG, O, ORG; 30..32 O, ORG, O (each Pᵢ = (2²+1²−3)/6 =
    // 1/3); the other N−11 all O (Pᵢ = 1). P̄ = (3 + (N−11) + 8/3)/N.
    // Totals: PER 9, LOC 8, ORG 2+6+2 = 10, O 3N−27;
    // Pₑ = (81 + 64 + 100 + (3N−27)²)/(3N)².
    let pbar = (3.0 + (n - 11.0) + 8.0 / 3.0) / n;
    let pe3 = (81.0 + 64.0 + 100.0 + (3.0 * n - 27.0).powi(2)) / (9.0 * n * n);
    close(
        &score(&fl["scores"], "all")["kappa"],
        (pbar - pe3) / (1.0 - pe3),
    );
    assert_eq!(
        score(&fl["scores"], "all")["spans"],
        serde_json::json!([3, 3, 3])
    );

    // The table says what each figure rests on.
    let (ok, out, err) = f.run(&["agreement", f.a(), "--annotators", "ann,ben"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!("ann × ben: 1 articles, {} characters", f.n)),
        "{out}"
    );
    assert!(out.contains("symmetric"), "{out}");
    // Without --annotators: every annotator with reviewed articles.
    let (ok, out, err) = f.run(&["agreement", f.a(), "--json"]);
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["annotators"].as_array().unwrap().len(), 3);
    // An unknown name, or a single annotator, is an error that says so.
    let (ok, _, err) = f.run(&["agreement", f.a(), "--annotators", "ann,nobody"]);
    assert!(!ok && err.contains("nobody"), "{err}");
    let (ok, _, err) = f.run(&["agreement", f.a(), "--annotators", "ann"]);
    assert!(!ok && err.contains("two or more"), "{err}");
}

#[test]
fn importing_twice_changes_nothing_and_two_names_agree_fully() {
    let f = Fixture::new();
    let pa = f.doc("a", A);
    let first = f.import("ann", &pa);
    assert!(first.contains("marked reviewed: 1"), "{first}");
    let snapshot = |f: &Fixture| {
        let s = f.store();
        let mut rows: Vec<String> = s
            .with_annotator("ann", |s| s.annotations(&f.id))
            .unwrap()
            .iter()
            .map(|a| format!("{:?} {} {} {:?}", a.kind, a.start, a.end, a.label))
            .collect();
        rows.sort();
        (rows, s.annotators().unwrap())
    };
    let before = snapshot(&f);
    let again = f.import("ann", &pa);
    assert!(again.contains("annotations: 0 added"), "{again}");
    assert!(again.contains("marked reviewed: 0"), "{again}");
    assert_eq!(snapshot(&f), before);
    // Nothing went to anyone else: the current annotator has no work.
    let s = f.store();
    assert!(s.annotations(&f.id).unwrap().is_empty());
    assert!(!s.article(&f.id).unwrap().reviewed);
    drop(s);

    // The same file under a second name: full agreement.
    f.import("bob", &pa);
    let r = f.agreement("ann,bob");
    for row in r["pairs"][0]["scores"].as_array().unwrap() {
        close(&row["f1"], 1.0);
        close(&row["kappa"], 1.0);
    }

    // Two people who accept the automatic entities unchanged agree fully.
    let s = f.store();
    let other = s.articles().unwrap()[1].id.clone();
    assert!(!s.auto_entities(&other).unwrap().is_empty());
    for n in ["xia", "yan"] {
        s.with_annotator(n, |s| s.set_reviewed(&other, true))
            .unwrap();
    }
    drop(s);
    let r = f.agreement("xia,yan");
    let all = score(&r["pairs"][0]["scores"], "all");
    close(&all["f1"], 1.0);
    close(&all["kappa"], 1.0);
    assert_eq!(r["pairs"][0]["articles"], 1);
}

#[test]
fn merge_strategies_conflicts_and_reruns() {
    let f = Fixture::new();
    f.import("ann", &f.doc("a", A));
    f.import("ben", &f.doc("b", B));
    f.import("cai", &f.doc("c", A));
    let merge = |names: &str, into: &str, strategy: &str| {
        let (ok, out, err) = f.run(&[
            "merge",
            f.a(),
            "--annotators",
            names,
            "--into",
            into,
            "--strategy",
            strategy,
        ]);
        assert!(ok, "{err}");
        out
    };
    let set = |n: &str| entity_set(&f.store(), &f.id, n).unwrap();
    let spans = |l: &[(usize, usize, &str)]| {
        let mut v: Vec<Span> = l.iter().map(|(s, e, t)| Span::new(*s, *e, t)).collect();
        v.sort();
        v
    };

    // Majority of two: only what both have; every difference is a tie.
    let out = merge("ann,ben", "gold", "majority");
    assert!(out.contains("conflicts (left out): 3"), "{out}");
    assert!(out.contains(&format!("{} 10..14", f.id)), "{out}");
    assert!(
        out.contains("ann: LOC 10..14") && out.contains("ben: ORG 10..14"),
        "{out}"
    );
    assert!(out.contains("ben: nothing"), "{out}"); // 20..22
    assert_eq!(set("gold"), spans(&[(0, 3, "PER")]));
    assert!(
        !f.store()
            .with_annotator("gold", |s| s.article(&f.id))
            .unwrap()
            .reviewed
    );
    // Again: nothing written.
    let out = merge("ann,ben", "gold", "majority");
    assert!(out.contains("annotations: 0 added, 0 removed"), "{out}");

    // Majority of three: A's set wins two to one everywhere; settled.
    let out = merge("ann,ben,cai", "gold", "majority");
    assert!(out.contains("conflicts (left out): 0"), "{out}");
    assert!(out.contains("1 settled"), "{out}");
    assert_eq!(set("gold"), spans(A));
    assert!(
        f.store()
            .with_annotator("gold", |s| s.article(&f.id))
            .unwrap()
            .reviewed
    );

    // Union: everything, except the cluster where the types differ.
    let out = merge("ann,ben", "gold", "union");
    assert!(out.contains("conflicts (left out): 1"), "{out}");
    assert_eq!(
        set("gold"),
        spans(&[(0, 3, "PER"), (20, 22, "ORG"), (30, 32, "ORG")])
    );

    // prefer:ben: ben's set.
    let out = merge("ann,ben", "gold", "prefer:ben");
    assert!(out.contains("conflicts (left out): 0"), "{out}");
    assert_eq!(set("gold"), spans(B));
    let out = merge("ann,ben", "gold", "prefer:ben");
    assert!(out.contains("annotations: 0 added, 0 removed"), "{out}");

    // Exports default to the curated set; --annotator picks anyone's.
    let labels = |args: &[&str]| {
        let mut v = vec!["export", f.a(), "--format", "jsonl"];
        v.extend(args);
        let (ok, out, err) = f.run(&v);
        assert!(ok, "{err}");
        let doc: Value = out
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|d| d["id"] == f.id.as_str())
            .unwrap();
        let mut l: Vec<(u64, u64, String)> = doc["label"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x[0].as_u64().unwrap(),
                    x[1].as_u64().unwrap(),
                    x[2].as_str().unwrap().to_string(),
                )
            })
            .collect();
        l.sort();
        (l, err)
    };
    let as_tuples = |l: &[(usize, usize, &str)]| {
        let mut v: Vec<(u64, u64, String)> = l
            .iter()
            .map(|(s, e, t)| (*s as u64, *e as u64, t.to_string()))
            .collect();
        v.sort();
        v
    };
    let (l, err) = labels(&[]);
    assert_eq!(l, as_tuples(B));
    assert!(err.contains("curated set gold"), "{err}");
    assert_eq!(labels(&["--annotator", "ann"]).0, as_tuples(A));

    // A person's work is never overwritten by a merge; nor is a merged name.
    let (ok, _, err) = f.run(&["merge", f.a(), "--annotators", "ann,ben", "--into", "cai"]);
    assert!(!ok && err.contains("person"), "{err}");
    let (ok, _, err) = f.run(&["merge", f.a(), "--annotators", "ann,ben", "--into", "ann"]);
    assert!(!ok && err.contains("one of the annotators"), "{err}");
    let (ok, _, err) = f.run(&[
        "merge",
        f.a(),
        "--annotators",
        "ann,ben",
        "--into",
        "g2",
        "--strategy",
        "prefer:zed",
    ]);
    assert!(!ok && err.contains("zed"), "{err}");
    assert_eq!(set("cai"), spans(A));

    // `annotators` lists everyone, the curated set marked.
    let (ok, out, err) = f.run(&["annotators", f.a()]);
    assert!(ok, "{err}");
    for n in ["ann", "ben", "cai", "gold"] {
        assert!(out.lines().any(|l| l.starts_with(n)), "{n}: {out}");
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("gold") && l.ends_with("yes")),
        "{out}"
    );
    // Agreement leaves curated sets out unless named.
    let (ok, out, _) = f.run(&["agreement", f.a(), "--json"]);
    assert!(ok);
    assert!(!out.contains("\"gold\""), "{out}");
}

#[test]
fn taking_one_side_writes_the_curated_set_and_undoes() {
    use pizhu::edit::{Edit, Editor};
    let f = Fixture::new();
    f.import("ann", &f.doc("a", A));
    f.import("ben", &f.doc("b", B));
    let s = f.store();
    let names = vec!["ann".to_string(), "ben".to_string()];
    let regions = pizhu::teams::disagreements(&s, &f.id, &names).unwrap();
    // 10..14 (LOC or ORG), 20..22 (ann only), 30..32 (ben only).
    let at: Vec<(usize, usize)> = regions.iter().map(|c| (c.start, c.end)).collect();
    assert_eq!(at, vec![(10, 14), (20, 22), (30, 32)]);
    let before = entity_set(&s, &f.id, "gold").unwrap();
    let mut ed = Editor::new();
    ed.apply(
        &s,
        Edit::TakeSide {
            article: f.id.clone(),
            from: "ben".into(),
            into: "gold".into(),
            start: 10,
            end: 14,
        },
    )
    .unwrap();
    let now = entity_set(&s, &f.id, "gold").unwrap();
    assert!(now.contains(&Span::new(10, 14, "ORG")), "{now:?}");
    assert!(
        !now.iter()
            .any(|x| x.start < 14 && 10 < x.end && x.label != "ORG")
    );
    // Outside the region, nothing changed.
    let outside = |v: &[Span]| -> Vec<Span> {
        v.iter()
            .filter(|x| x.end <= 10 || x.start >= 14)
            .cloned()
            .collect()
    };
    assert_eq!(outside(&now), outside(&before));
    // Stored under gold, nobody else.
    assert!(
        s.with_annotator("ann", |s| s.annotations(&f.id))
            .unwrap()
            .iter()
            .all(|a| a.annotator == "ann")
    );
    assert!(
        s.annotations(&f.id)
            .unwrap()
            .iter()
            .all(|a| a.annotator == "gold")
    );
    // Taking ann's side of 20..22, then undoing it.
    ed.apply(
        &s,
        Edit::TakeSide {
            article: f.id.clone(),
            from: "ann".into(),
            into: "gold".into(),
            start: 20,
            end: 22,
        },
    )
    .unwrap();
    assert!(
        entity_set(&s, &f.id, "gold")
            .unwrap()
            .contains(&Span::new(20, 22, "ORG"))
    );
    ed.undo(&s).unwrap();
    assert_eq!(
        entity_set(&s, &f.id, "gold").unwrap(),
        now,
        "undo puts the set back"
    );
    ed.undo(&s).unwrap();
    assert_eq!(entity_set(&s, &f.id, "gold").unwrap(), before);
}

#[test]
fn a_second_merge_keeps_what_was_decided_by_hand() {
    use pizhu::edit::{Edit, Editor};
    let f = Fixture::new();
    f.import("ann", &f.doc("a", A));
    f.import("ben", &f.doc("b", B));
    let merge = |names: &str, strategy: &str| {
        let (ok, out, err) = f.run(&[
            "merge",
            f.a(),
            "--annotators",
            names,
            "--into",
            "gold",
            "--strategy",
            strategy,
        ]);
        assert!(ok, "{err}");
        out
    };
    let set = |n: &str| entity_set(&f.store(), &f.id, n).unwrap();
    let reviewed = || {
        f.store()
            .with_annotator("gold", |s| s.article(&f.id))
            .unwrap()
            .reviewed
    };
    // Union: 10..14 (LOC or ORG) is a conflict, left out; not reviewed.
    let out = merge("ann,ben", "union");
    assert!(out.contains("conflicts (left out): 1"), "{out}");
    assert!(
        out.contains("kept because made by hand: 0 regions, 0"),
        "{out}"
    );
    assert!(!reviewed());

    // The curator marks the article reviewed by hand, leaving the
    // conflict out on purpose: the next merge keeps the mark.
    let s = f.store();
    s.set_annotator("gold").unwrap();
    let mut ed = Editor::new();
    ed.apply(
        &s,
        Edit::SetReviewed {
            article: f.id.clone(),
            reviewed: true,
        },
    )
    .unwrap();
    let out = merge("ann,ben", "union");
    assert!(out.contains("0 regions, 1 reviewed marks"), "{out}");
    assert!(reviewed(), "a reviewed mark made by hand survives");

    // Hand decisions: ben's side of 10..14; the merged ORG 30..32 deleted;
    // the merged ORG 20..22 retyped LOC.
    ed.apply(
        &s,
        Edit::TakeSide {
            article: f.id.clone(),
            from: "ben".into(),
            into: "gold".into(),
            start: 10,
            end: 14,
        },
    )
    .unwrap();
    let shown = |s: &Store, start: usize| {
        s.effective_entities(&f.id)
            .unwrap()
            .into_iter()
            .find(|e| e.entity.start == start)
            .unwrap()
    };
    let e30 = shown(&s, 30);
    ed.apply(
        &s,
        Edit::RejectEntity {
            article: f.id.clone(),
            entity: e30,
        },
    )
    .unwrap();
    let e20 = shown(&s, 20);
    ed.apply(
        &s,
        Edit::ChangeEntity {
            article: f.id.clone(),
            entity: e20,
            start: 20,
            end: 22,
            label: "LOC".parse().unwrap(),
        },
    )
    .unwrap();
    let hand = spans_of(&[(0, 3, "PER"), (10, 14, "ORG"), (20, 22, "LOC")]);
    assert_eq!(set("gold"), hand);
    drop(s);

    // The same merge again: every hand decision stays, each reported.
    let out = merge("ann,ben", "union");
    assert_eq!(set("gold"), hand, "{out}");
    assert!(
        out.contains("kept because made by hand: 3 regions"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{} 30..32 {:?}: by hand nothing; merge would write ORG 30..32",
            f.id,
            f.text.chars().skip(30).take(2).collect::<String>()
        )),
        "{out}"
    );
    assert!(
        out.contains("by hand LOC 20..22; merge would write ORG 20..22"),
        "{out}"
    );
    assert!(out.contains("conflicts (left out): 0"), "{out}");
    assert!(reviewed());
    // Another strategy changes nothing that was decided by hand either,
    // and nothing else: the merge's own 0..3 stays.
    let out = merge("ann,ben", "prefer:ann");
    assert_eq!(set("gold"), hand, "{out}");
    assert!(out.contains("annotations: 0 added, 0 removed"), "{out}");
    // What the merge decided itself it still fills and updates: a third
    // voter's span elsewhere comes in.
    let mut c = A.to_vec();
    c.push((40, 42, "LOC"));
    f.import("cai", &f.doc("c", &c));
    let out = merge("ann,ben,cai", "union");
    let mut want = hand.clone();
    want.push(Span::new(40, 42, "LOC"));
    want.sort();
    assert_eq!(set("gold"), want, "{out}");

    // Undoing the deletion of a merged entity brings it back with no trace
    // of the hand decision.
    let s = f.store();
    s.set_annotator("gold").unwrap();
    ed.undo(&s).unwrap(); // the retype
    ed.undo(&s).unwrap(); // the deletion
    assert!(
        entity_set(&s, &f.id, "gold")
            .unwrap()
            .contains(&Span::new(30, 32, "ORG"))
    );
    assert!(
        !s.annotations(&f.id)
            .unwrap()
            .iter()
            .any(|a| a.start == 30 && !a.by_merge),
        "no hand-made row left at 30..32"
    );
}

fn spans_of(l: &[(usize, usize, &str)]) -> Vec<Span> {
    let mut v: Vec<Span> = l.iter().map(|(s, e, t)| Span::new(*s, *e, t)).collect();
    v.sort();
    v
}

#[test]
fn exports_name_their_annotator_and_jsonl_comes_back_under_it() {
    let f = Fixture::new();
    f.import("ann", &f.doc("a", A));
    let dir = f._g.path();
    let export = |format: &str, out: &Path, extra: &[&str]| {
        let mut v = vec![
            "export",
            f.a(),
            "--format",
            format,
            "--annotator",
            "ann",
            "--out",
            out.to_str().unwrap(),
        ];
        v.extend(extra);
        let (ok, _, err) = f.run(&v);
        assert!(ok, "{err}");
    };
    // jsonl: every document names its annotator; every field stays.
    let jl = dir.join("ann-export.jsonl");
    export("jsonl", &jl, &[]);
    let docs: Vec<Value> = std::fs::read_to_string(&jl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(docs.len() > 1);
    for d in &docs {
        assert_eq!(d["annotator"], "ann", "{d}");
        for k in [
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
            "corrections",
            "entity_tags",
            "reviewed",
        ] {
            assert!(d.get(k).is_some(), "{k} missing in {d}");
        }
    }
    // W3C: a creator on every annotation.
    let w3 = dir.join("ann.w3c.json");
    export("w3c", &w3, &[]);
    let c: Value = serde_json::from_str(&std::fs::read_to_string(&w3).unwrap()).unwrap();
    let items = c["first"]["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for it in items {
        assert_eq!(it["creator"]["name"], "ann", "{it}");
        assert_eq!(it["creator"]["id"], "urn:pizhu:annotator:ann");
        assert_eq!(it["creator"]["type"], "Person");
    }
    // CSV: `annotator` last, in each kind of table.
    for what in ["entities", "highlights", "corrections"] {
        let csvp = dir.join(format!("ann-{what}.csv"));
        export("csv", &csvp, &["--what", what]);
        let body = std::fs::read_to_string(&csvp).unwrap();
        let mut lines = body.trim_start_matches('\u{feff}').lines();
        let head = lines.next().unwrap();
        assert!(head.ends_with(",annotator"), "{what}: {head}");
        if what == "entities" {
            assert!(
                head.starts_with("article_id,file,title,type,text,start,end,source,status,tags,")
            );
            let row = lines.next().unwrap();
            assert!(row.ends_with(",ann"), "{row}");
        }
    }
    // brat: a comment in annotation.conf (the .ann format has no place).
    let brat = dir.join("ann-brat");
    export("brat", &brat, &[]);
    let conf = std::fs::read_to_string(brat.join("annotation.conf")).unwrap();
    assert!(conf.lines().any(|l| l == "# Annotator: ann"), "{conf}");

    // The jsonl export imported without --annotator goes back under ann:
    // nothing added, nothing under the current annotator (`default`).
    let (ok, out, err) = f.run(&["import", f.a(), "--format", "jsonl", jl.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("annotations: 0 added"), "{out}");
    assert!(out.contains("marked reviewed: 0"), "{out}");
    assert!(
        out.contains(&format!(
            "stored as the file names them: ann ({} documents)",
            docs.len()
        )),
        "{out}"
    );
    let s = f.store();
    assert_eq!(s.annotator(), "default");
    assert_eq!(s.annotation_count().unwrap(), 0);
    assert!(
        s.annotators()
            .unwrap()
            .iter()
            .all(|a| a.name != "default" || !a.has_work())
    );
    drop(s);
    // With --annotator the user says whose it is: bob's, ann's untouched.
    let (ok, out, err) = f.run(&[
        "import",
        f.a(),
        "--format",
        "jsonl",
        "--annotator",
        "bob",
        jl.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "documents naming another annotator, stored under --annotator as asked: {}",
            docs.len()
        )),
        "{out}"
    );
    assert_eq!(set_of(&f, "bob"), set_of(&f, "ann"));
    let r = f.agreement("ann,bob");
    close(&score(&r["pairs"][0]["scores"], "all")["f1"], 1.0);
    // A fresh archive gets the work under ann too, from jsonl and from W3C
    // (whose `creator` names whose work it is).
    for (format, file, db) in [("jsonl", &jl, "other.sqlite"), ("w3c", &w3, "third.sqlite")] {
        let db = dir.join(db);
        let (ok, _, err) = pizhu_env(&["index", f.a(), "--db", db.to_str().unwrap()], &[]);
        assert!(ok, "{err}");
        let (ok, out, err) = pizhu_env(
            &[
                "import",
                f.a(),
                "--format",
                format,
                file.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ],
            &[("USER", "zoe")],
        );
        assert!(ok, "{format}: {err}");
        assert!(
            out.contains("stored as the file names them: ann"),
            "{format}: {out}"
        );
        let s = Store::open(&db).unwrap();
        assert_eq!(entity_set(&s, &f.id, "ann").unwrap(), set_of(&f, "ann"));
        assert_eq!(
            s.with_annotator("zoe", |s| s.annotation_count()).unwrap(),
            0
        );
    }
}

fn set_of(f: &Fixture, name: &str) -> Vec<Span> {
    entity_set(&f.store(), &f.id, name).unwrap()
}

/// A highlight as compared: start, end, note, made by, by merge.
type Hl = (usize, usize, Option<String>, Option<String>, bool);

#[test]
fn merge_brings_highlights_and_tags_marked_by_who_made_them() {
    let f = Fixture::new();
    let slice = |a: usize, b: usize| f.text.chars().skip(a).take(b - a).collect::<String>();
    let doc = |name: &str, labels: &[(usize, usize, &str)], hl: Value, tags: Value| {
        f.doc_with(&format!("{name}-hl"), labels, hl, tags)
    };
    let pa = doc(
        "ann",
        A,
        serde_json::json!([{"start": 5, "end": 8, "text": slice(5, 8), "note": "ann's note", "color": "#ffd54f"}]),
        serde_json::json!(["t1"]),
    );
    let pb = doc(
        "ben",
        B,
        serde_json::json!([
            {"start": 5, "end": 8, "text": slice(5, 8), "note": "ann's note", "color": "#ffd54f"},
            {"start": 40, "end": 44, "text": slice(40, 44), "note": "ben's note"}
        ]),
        serde_json::json!(["t1", "t2"]),
    );
    f.import("ann", &pa);
    f.import("ben", &pb);
    let merge = || f.merge_union_into_gold();
    let out = merge();
    assert!(
        out.contains("highlights: 2 added, 0 removed; article tags: 2 added, 0 removed"),
        "{out}"
    );
    let s = f.store();
    let gold = |s: &Store| {
        let mut h: Vec<Hl> = s
            .with_annotator("gold", |s| s.annotations(&f.id))
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == pizhu::store::AnnotationKind::Highlight)
            .map(|a| (a.start, a.end, a.note, a.made_by, a.by_merge))
            .collect();
        h.sort();
        let t = s
            .with_annotator("gold", |s| s.article_tag_rows(&f.id))
            .unwrap();
        (h, t)
    };
    let (h, t) = gold(&s);
    assert_eq!(
        h,
        vec![
            (
                5,
                8,
                Some("ann's note".into()),
                Some("ann, ben".into()),
                true
            ),
            (40, 44, Some("ben's note".into()), Some("ben".into()), true),
        ]
    );
    assert_eq!(
        t,
        vec![
            ("t1".to_string(), true, Some("ann, ben".to_string())),
            ("t2".to_string(), true, Some("ben".to_string())),
        ]
    );
    // Again: nothing to do.
    let out = merge();
    assert!(
        out.contains("highlights: 0 added, 0 removed; article tags: 0 added, 0 removed"),
        "{out}"
    );
    // The curated set's own highlight and tag (by hand) stay; what ben
    // no longer has goes.
    s.with_annotator("gold", |s| {
        s.tag_article(&f.id, "mine")?;
        s.add_annotation(
            &f.id,
            pizhu::store::AnnotationKind::Highlight,
            50,
            52,
            pizhu::store::NewAnnotation {
                note: Some("curator".into()),
                ..Default::default()
            },
        )
    })
    .unwrap();
    let ben_hl = s
        .with_annotator("ben", |s| s.annotations(&f.id))
        .unwrap()
        .into_iter()
        .find(|a| a.start == 40)
        .unwrap();
    s.delete_annotation(ben_hl.id).unwrap();
    s.with_annotator("ben", |s| s.untag_article(&f.id, "t2"))
        .unwrap();
    let out = merge();
    assert!(
        out.contains("highlights: 0 added, 1 removed; article tags: 0 added, 1 removed"),
        "{out}"
    );
    let (h, t) = gold(&s);
    assert_eq!(h.len(), 2, "{h:?}");
    assert!(h.contains(&(50, 52, Some("curator".into()), None, false)));
    let names: Vec<&str> = t.iter().map(|(n, ..)| n.as_str()).collect();
    assert_eq!(names, ["mine", "t1"]);
    // The export says who made a merged highlight.
    let (ok, out, err) = f.run(&["export", f.a(), "--format", "jsonl", "--annotator", "gold"]);
    assert!(ok, "{err}");
    let d: Value = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|d| d["id"] == f.id.as_str())
        .unwrap();
    let hl = d["highlights"].as_array().unwrap();
    assert!(
        hl.iter()
            .any(|x| x["start"] == 5 && x["made_by"] == "ann, ben"),
        "{d}"
    );
    assert!(
        hl.iter()
            .any(|x| x["start"] == 50 && x.get("made_by").is_none()),
        "{d}"
    );
    // Both exports that carry it import back saying who made what.
    for (format, ext) in [("jsonl", "jsonl"), ("w3c", "jsonld")] {
        let (ok, out, err) = f.run(&["export", f.a(), "--format", format, "--annotator", "gold"]);
        assert!(ok, "{err}");
        let p = f._g.path().join(format!("gold-export.{ext}"));
        std::fs::write(&p, out).unwrap();
        let copy = format!("copy-{format}");
        let (ok, _, err) = f.run(&[
            "import",
            f.a(),
            "--format",
            format,
            "--annotator",
            &copy,
            p.to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
        let mut made: Vec<(usize, Option<String>)> = s
            .with_annotator(&copy, |s| s.annotations(&f.id))
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == pizhu::store::AnnotationKind::Highlight)
            .map(|a| (a.start, a.made_by))
            .collect();
        made.sort();
        assert_eq!(
            made,
            [(5, Some("ann, ben".to_string())), (50, None)],
            "{format}"
        );
    }
}

#[test]
fn what_the_curator_removes_by_hand_a_second_merge_does_not_bring_back() {
    use pizhu::edit::{Edit, Editor};
    use pizhu::store::{AnnotationKind, NewAnnotation};
    let f = Fixture::new();
    let slice = |a: usize, b: usize| f.text.chars().skip(a).take(b - a).collect::<String>();
    // Both annotators agree on the entities, so the article is settled and
    // the merge marks it reviewed.
    let doc = |name: &str, hl: Value, tags: Value| f.doc_with(&format!("{name}-rm"), A, hl, tags);
    let h1 = serde_json::json!({"start": 5, "end": 8, "text": slice(5, 8), "note": "n1", "color": "#ffd54f"});
    let h2 = serde_json::json!({"start": 40, "end": 44, "text": slice(40, 44), "note": "n2"});
    f.import(
        "ann",
        &doc("ann", serde_json::json!([h1]), serde_json::json!(["t1"])),
    );
    f.import(
        "ben",
        &doc(
            "ben",
            serde_json::json!([h1, h2]),
            serde_json::json!(["t1", "t2"]),
        ),
    );
    let merge = || f.merge_union_into_gold();
    let out = merge();
    assert!(out.contains("1 settled (marked reviewed)"), "{out}");
    let s = f.store();
    s.set_annotator("gold").unwrap();
    let highlights = |s: &Store| {
        let mut h: Vec<(usize, Option<String>, bool)> = s
            .annotations(&f.id)
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == AnnotationKind::Highlight)
            .map(|a| (a.start, a.note, a.by_merge))
            .collect();
        h.sort();
        h
    };
    let state = |s: &Store| {
        (
            highlights(s),
            s.article_tags(&f.id).unwrap(),
            s.article(&f.id).unwrap().reviewed,
        )
    };
    let merged = state(&s);
    assert_eq!(
        merged,
        (
            vec![(5, Some("n1".into()), true), (40, Some("n2".into()), true)],
            vec!["t1".to_string(), "t2".to_string()],
            true
        )
    );
    // The curator, by hand: deletes one merged highlight, rewrites the
    // other's note, removes a tag and takes the reviewed mark away.
    let id_of = |start: usize| {
        s.annotations(&f.id)
            .unwrap()
            .into_iter()
            .find(|a| a.kind == AnnotationKind::Highlight && a.start == start)
            .unwrap()
            .id
    };
    let mut ed = Editor::new();
    let (h5, h40) = (id_of(5), id_of(40));
    for e in [
        Edit::DeleteAnnotation { id: h40 },
        Edit::UpdateAnnotation {
            id: h5,
            fields: NewAnnotation {
                color: Some("#ffd54f".into()),
                note: Some("rewritten".into()),
                ..Default::default()
            },
        },
        Edit::UntagArticle {
            article: f.id.clone(),
            tag: "t2".into(),
        },
        Edit::SetReviewed {
            article: f.id.clone(),
            reviewed: false,
        },
    ] {
        ed.apply(&s, e).unwrap();
    }
    let curated = (
        vec![(5, Some("rewritten".into()), false)],
        vec!["t1".to_string()],
        false,
    );
    assert_eq!(state(&s), curated);
    // A second merge brings none of it back, and says so.
    let out = merge();
    assert!(
        out.contains("not brought back because removed by hand: 2 highlights, 1 article tags, 1 reviewed marks"),
        "{out}"
    );
    assert_eq!(state(&s), curated, "{out}");
    // Undo puts everything back as the merge made it; the next merge then
    // has nothing to do (no duplicate of the restored highlights).
    while ed.undo(&s).unwrap().is_some() {}
    assert_eq!(state(&s), merged);
    let out = merge();
    assert!(
        out.contains("highlights: 0 added, 0 removed; article tags: 0 added, 0 removed"),
        "{out}"
    );
    assert!(
        out.contains("not brought back because removed by hand: 0 highlights, 0 article tags, 0 reviewed marks"),
        "{out}"
    );
    assert_eq!(state(&s), merged);
    // Redo removes them again; still respected.
    while ed.redo(&s).unwrap().is_some() {}
    merge();
    assert_eq!(state(&s), curated);
}

#[test]
fn an_old_database_migrates_to_default_and_keeps_showing_its_work() {
    let dir = tempfile::tempdir().unwrap();
    let arch = dir.path().join("archive");
    std::fs::create_dir_all(&arch).unwrap();
    let db = dir.path().join("old.sqlite");
    {
        // A version-5 database as the previous Pizhu wrote it, with work.
        let c = rusqlite::Connection::open(&db).unwrap();
        for m in &pizhu::store::MIGRATIONS[..5] {
            c.execute_batch(m).unwrap();
        }
        c.execute_batch(
            "PRAGMA user_version=5;
             INSERT INTO files(id, path, size, mtime, hash) VALUES (1, 'a.txt', 9, 1, 'h');
             INSERT INTO articles(rid, id, file_id, idx, title, text, offset_map, raw_start, raw_end, hash)
               VALUES (1, 'art1', 1, 0, '标题', '正文内容还有', x'', 0, 7, 'x');
             INSERT INTO annotations(article_id, kind, start, end, exact, label)
               VALUES ('art1', 'entity', 0, 2, '正文', 'ORG');
             INSERT INTO annotations(article_id, kind, start, end, exact, note)
               VALUES ('art1', 'highlight', 2, 4, '内容', '注');
             INSERT INTO reviewed(article_id) VALUES ('art1');
             INSERT INTO tags(id, name) VALUES (1, '重要');
             INSERT INTO article_tags(article_id, tag_id) VALUES ('art1', 1);
             INSERT INTO entity_tags(text, label, tag_id) VALUES ('正文', 'ORG', 1);
             INSERT INTO lexicon(text, label, action) VALUES ('内容', 'ORG', 'add');",
        )
        .unwrap();
    }
    // The OS user is someone else: the work is still what the archive shows.
    let run = |args: &[&str]| {
        let mut v = args.to_vec();
        v.extend(["--db", db.to_str().unwrap(), "--no-refresh"]);
        pizhu_env(&v, &[("USER", "alice")])
    };
    let (ok, out, err) = run(&["annotators", arch.to_str().unwrap()]);
    assert!(ok, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("* default"))
        .expect(&out);
    // reviewed 1, annotated 1, 1 entity decision, 1 highlight, 2 tags, 1 lexicon entry.
    assert_eq!(line, "* default\t1\t1\t1\t1\t2\t1\t", "{out}");
    let check = |s: &Store| {
        assert_eq!(s.user_version().unwrap(), pizhu::store::schema_version());
        assert_eq!(s.annotator(), "default");
        assert!(s.article("art1").unwrap().reviewed);
        assert_eq!(s.annotations("art1").unwrap().len(), 2);
        assert_eq!(s.article_tags("art1").unwrap(), vec!["重要".to_string()]);
        assert_eq!(
            s.entity_tags("正文", &pizhu::extract::EntityType::Org)
                .unwrap(),
            vec!["重要".to_string()]
        );
        assert_eq!(s.lexicon_list().unwrap().len(), 1);
        assert_eq!(s.meta("annotator").unwrap().as_deref(), Some("default"));
    };
    check(&Store::open(&db).unwrap());
    // Twice: nothing to do, nothing lost.
    check(&Store::open(&db).unwrap());
    // --annotator shows another person's (empty) work, and writes as them.
    let (ok, out, _) = run(&["annotators", arch.to_str().unwrap(), "--annotator", "alice"]);
    assert!(
        ok && out.contains("* alice (current, no work yet)"),
        "{out}"
    );
    // Renaming gives the migrated work to a person, and keeps it shown.
    let (ok, out, err) = run(&[
        "annotators",
        arch.to_str().unwrap(),
        "--rename",
        "default",
        "alice",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("renamed default to alice"), "{out}");
    let s = Store::open(&db).unwrap();
    assert_eq!(s.annotator(), "alice");
    assert_eq!(s.annotations("art1").unwrap().len(), 2);
    assert!(s.article("art1").unwrap().reviewed);
}

#[test]
fn a_new_archive_starts_with_the_os_user_then_the_saved_name() {
    let (g, arch) = common::seed_copy();
    let db = g.path().join("n.sqlite");
    let a = arch.to_str().unwrap();
    let d = db.to_str().unwrap();
    let (ok, out, err) = pizhu_env(&["annotators", a, "--db", d], &[("USER", "li")]);
    assert!(ok, "{err}");
    assert!(out.contains("* li (current, no work yet)"), "{out}");
    let (ok, out, err) = pizhu_env(
        &["annotators", a, "--db", d, "--use", "wang"],
        &[("USER", "li")],
    );
    assert!(ok, "{err}");
    assert!(out.contains("* wang"), "{out}");
    let (ok, out, _) = pizhu_env(&["annotators", a, "--db", d], &[("USER", "li")]);
    assert!(ok && out.contains("* wang"), "{out}");
    // The lexicon is shared; each entry says who made it.
    let (ok, _, err) = pizhu_env(&["lexicon", "add", a, "测试词", "ORG", "--db", d], &[]);
    assert!(ok, "{err}");
    let (ok, out, _) = pizhu_env(
        &["lexicon", "list", a, "--db", d, "--annotator", "zhao"],
        &[],
    );
    assert!(ok && out.contains("add\t测试词\tORG\twang"), "{out}");
    let (ok, _, err) = pizhu_env(&["annotators", a, "--db", d, "--annotator", "a,b"], &[]);
    assert!(!ok && err.contains("comma"), "{err}");
}

/// Cross-checks Cohen's kappa against scikit-learn's `cohen_kappa_score`
/// on the character labels of the hand-made annotations
/// (`tests/consumers/kappa.py`); skips when Python or scikit-learn is
/// missing, except on CI.
#[test]
fn cohen_kappa_matches_scikit_learn() {
    let f = Fixture::new();
    f.import("ann", &f.doc("a", A));
    f.import("ben", &f.doc("b", B));
    let r = f.agreement("ann,ben");
    let s = f.store();
    let types: Vec<String> = r["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    let (sa, sb) = (
        entity_set(&s, &f.id, "ann").unwrap(),
        entity_set(&s, &f.id, "ben").unwrap(),
    );
    let mut cases = Vec::new();
    for (i, ty) in types
        .iter()
        .chain(std::iter::once(&"all".to_string()))
        .enumerate()
    {
        let sel: Vec<String> = if i < types.len() {
            vec![ty.clone()]
        } else {
            types.clone()
        };
        cases.push(serde_json::json!({
            "type": ty,
            "a": char_labels(f.n, &sa, &sel),
            "b": char_labels(f.n, &sb, &sel),
            "kappa": score(&r["pairs"][0]["scores"], ty)["kappa"],
        }));
    }
    let input = f._g.path().join("kappa.json");
    std::fs::write(&input, serde_json::to_string(&cases).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/consumers/kappa.py");
    let Ok(run) = Command::new("python3").arg(&script).arg(&input).output() else {
        common::skip_or_fail("cohen_kappa_matches_scikit_learn", "python3 not found");
        return;
    };
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    if run.status.code() == Some(3) {
        common::skip_or_fail(
            "cohen_kappa_matches_scikit_learn",
            &format!("{stdout}{stderr}"),
        );
        return;
    }
    assert!(
        run.status.success(),
        "kappa check failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(&format!("{} kappas agree", cases.len())),
        "{stdout}"
    );
    println!("{stdout}");
}

#[test]
fn conform_reports_what_it_cannot_represent() {
    let f = Fixture::new();
    let s = f.store();
    let e = s.auto_entities(&f.id).unwrap()[0].clone();
    let auto = Span::new(e.start, e.end, e.label.as_str());
    // A user span over the automatic one hides it: the set cannot hold both.
    let user = Span::new(e.start, e.end + 1, "MONEY");
    let (changes, differ) = s
        .with_annotator("gold", |s| {
            pizhu::teams::conform(s, &f.id, None, &[auto.clone(), user.clone()])
        })
        .unwrap();
    assert!(!changes.is_empty());
    assert_eq!(differ, vec![auto.clone()]);
    let now = entity_set(&s, &f.id, "gold").unwrap();
    assert!(now.contains(&user) && !now.contains(&auto));
    // A representable target: nothing differs (the hidden automatic entity
    // is now rejected rather than confirmed), and again nothing is written.
    let target: Vec<Span> = now.clone();
    let conform = || {
        s.with_annotator("gold", |s| pizhu::teams::conform(s, &f.id, None, &target))
            .unwrap()
    };
    let (changes, differ) = conform();
    assert_eq!(changes.len(), 2, "the confirmation becomes a rejection");
    assert!(differ.is_empty());
    assert_eq!(entity_set(&s, &f.id, "gold").unwrap(), now);
    let (changes, differ) = conform();
    assert!(changes.is_empty() && differ.is_empty());
}

#[test]
fn brat_and_w3c_exports_of_one_annotator_import_as_another_and_agree() {
    let f = Fixture::new();
    f.import("ann", &f.doc("a", A));
    let out = f._g.path().join(".exports");
    std::fs::create_dir_all(&out).unwrap();
    let (w3c, brat) = (out.join("ann.json"), out.join("brat"));
    for (format, path) in [("w3c", &w3c), ("brat", &brat)] {
        let (ok, _, err) = f.run(&[
            "export",
            f.a(),
            "--format",
            format,
            "--annotator",
            "ann",
            "--only-reviewed",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
    }
    for (name, format, path) in [("dan", "w3c", &w3c), ("eve", "brat", &brat)] {
        let (ok, out, err) = f.run(&[
            "import",
            f.a(),
            "--format",
            format,
            "--annotator",
            name,
            path.to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
        assert!(out.contains("documents: 1"), "{format}: {out}");
    }
    let set = |n: &str| entity_set(&f.store(), &f.id, n).unwrap();
    assert_eq!(set("dan"), set("ann"));
    assert_eq!(set("eve"), set("ann"));
    // W3C carries the reviewed mark; brat does not: compare over the
    // articles each annotated.
    let s = f.store();
    assert!(s.reviewed_by("dan").unwrap().contains(&f.id));
    assert!(s.reviewed_by("eve").unwrap().is_empty());
    drop(s);
    let (ok, out, err) = f.run(&[
        "agreement",
        f.a(),
        "--annotators",
        "ann,dan,eve",
        "--annotated",
        "--json",
    ]);
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    for p in r["pairs"].as_array().unwrap() {
        assert_eq!(p["articles"], 1);
        close(&score(&p["scores"], "all")["f1"], 1.0);
        close(&score(&p["scores"], "all")["kappa"], 1.0);
    }
    close(&score(&r["fleiss"]["scores"], "all")["kappa"], 1.0);
}
