//! `pizhu stats --by month` and `pizhu cooccur` (the real binary) against
//! counts recomputed here from the jsonl export of the same archive: the
//! seeds, and a generated archive with dated folders.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use common::seed_copy;
use pizhu::insights::resolve_date;

fn pizhu(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pizhu"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pizhu {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// One exported article: month (`None`: undated) and distinct (text, type).
struct Doc {
    month: Option<String>,
    ents: HashSet<(String, String)>,
}

fn export(arch: &str) -> Vec<Doc> {
    pizhu(&["export", arch, "--format", "jsonl"])
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let text = v["text"].as_str().unwrap();
            let chars: Vec<char> = text.chars().collect();
            let ents = v["label"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let (s, t) = (
                        e[0].as_u64().unwrap() as usize,
                        e[1].as_u64().unwrap() as usize,
                    );
                    (
                        chars[s..t].iter().collect::<String>(),
                        e[2].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let month = resolve_date(v["date"].as_str(), text, v["file"].as_str().unwrap())
                .map(|d| d.month.to_string());
            Doc { month, ents }
        })
        .collect()
}

/// CSV output as rows keyed by the first column.
fn csv_rows(out: &str) -> (Vec<String>, BTreeMap<String, Vec<usize>>) {
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut rows = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let key = rec[0].to_string();
        let counts = rec.iter().skip(1).map(|c| c.parse().unwrap()).collect();
        assert!(rows.insert(key, counts).is_none(), "duplicate row");
    }
    (header, rows)
}

/// Checks every count of `stats --by month` (articles, two entities, a type)
/// and of `cooccur` (PER×ORG, LOC×ORG) against the export.
fn check(arch: &Path) -> (usize, usize) {
    let a = arch.to_str().unwrap();
    let docs = export(a);
    assert!(!docs.is_empty());

    // The two most mentioned people (by articles), recomputed from the export.
    let mut per: HashMap<&str, usize> = HashMap::new();
    for d in &docs {
        for (t, l) in &d.ents {
            if l == "PER" {
                *per.entry(t).or_default() += 1;
            }
        }
    }
    let mut per: Vec<(&str, usize)> = per.into_iter().collect();
    per.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    let picks: Vec<String> = per.iter().take(2).map(|p| p.0.to_string()).collect();
    assert_eq!(picks.len(), 2, "the archive has people");

    // Articles and the picked people per month.
    let mut args = vec![
        "stats", a, "--by", "month", "--format", "csv", "--type", "PER",
    ];
    for p in &picks {
        args.extend(["--entity", p.as_str()]);
    }
    let (header, rows) = csv_rows(&pizhu(&args));
    assert_eq!(
        header,
        ["month", "articles", picks[0].as_str(), picks[1].as_str()]
    );
    let mut want: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for d in &docs {
        let key = d.month.clone().unwrap_or_else(|| "undated".into());
        let row = want.entry(key).or_insert_with(|| vec![0; 3]);
        row[0] += 1;
        for (i, p) in picks.iter().enumerate() {
            row[i + 1] += usize::from(d.ents.contains(&(p.clone(), "PER".into())));
        }
    }
    want.entry("undated".into()).or_insert_with(|| vec![0; 3]);
    // The command lists every month between the first and the last.
    let nonzero: BTreeMap<String, Vec<usize>> = rows
        .clone()
        .into_iter()
        .filter(|(k, v)| k == "undated" || v[0] > 0)
        .collect();
    assert_eq!(nonzero, want);
    assert!(rows.values().all(|v| v.len() == 3));

    // Mentions of a type per month: distinct entities of the type per article.
    let (header, rows) = csv_rows(&pizhu(&[
        "stats", a, "--by", "month", "--type", "org", "--format", "csv",
    ]));
    assert_eq!(header, ["month", "articles", "ORG"]);
    let mut want: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for d in &docs {
        let key = d.month.clone().unwrap_or_else(|| "undated".into());
        let row = want.entry(key).or_insert_with(|| vec![0; 2]);
        row[0] += 1;
        row[1] += d.ents.iter().filter(|e| e.1 == "ORG").count();
    }
    want.entry("undated".into()).or_insert_with(|| vec![0; 2]);
    let rows: BTreeMap<_, _> = rows
        .into_iter()
        .filter(|(k, v)| k == "undated" || v[0] > 0)
        .collect();
    assert_eq!(rows, want);

    // Co-occurrence, every pair (a large --top), for two type pairs.
    let mut pairs_seen = 0;
    for (ta, tb) in [("PER", "ORG"), ("LOC", "ORG")] {
        let out = pizhu(&[
            "cooccur", a, "--type", ta, "--with", tb, "--top", "1000000", "--format", "csv",
        ]);
        let mut r = csv::Reader::from_reader(out.as_bytes());
        assert_eq!(
            r.headers().unwrap().iter().collect::<Vec<_>>(),
            [ta, tb, "articles"]
        );
        let mut got: HashMap<(String, String), usize> = HashMap::new();
        let mut last = usize::MAX;
        for rec in r.records() {
            let rec = rec.unwrap();
            let n: usize = rec[2].parse().unwrap();
            assert!(n <= last, "most articles first");
            last = n;
            got.insert((rec[0].to_string(), rec[1].to_string()), n);
        }
        let mut want: HashMap<(String, String), usize> = HashMap::new();
        for d in &docs {
            for (x, lx) in &d.ents {
                for (y, ly) in &d.ents {
                    if lx == ta && ly == tb && x != y {
                        *want.entry((x.clone(), y.clone())).or_default() += 1;
                    }
                }
            }
        }
        assert_eq!(got, want, "{ta}×{tb}");
        pairs_seen += got.len();
        // --top keeps the most frequent.
        let out = pizhu(&["cooccur", a, "--type", ta, "--with", tb, "--top", "3"]);
        assert!(out.lines().count() <= 4, "{out}");
    }
    let dated = docs.iter().filter(|d| d.month.is_some()).count();
    (dated, pairs_seen)
}

#[test]
fn counts_match_the_export_on_the_seeds() {
    let (_g, arch) = seed_copy();
    let (_dated, pairs) = check(&arch);
    assert!(pairs > 0);
    // JSON carries the same numbers.
    let a = arch.to_str().unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&pizhu(&["stats", a, "--by", "month", "--format", "json"])).unwrap();
    let total: u64 = v["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["articles"].as_u64().unwrap())
        .sum::<u64>()
        + v["undated"]["articles"].as_u64().unwrap();
    assert_eq!(total, 11);
    // Without --by, the old summary.
    assert!(pizhu(&["stats", a]).starts_with("articles: 11\nentities per type:"));
}

#[test]
fn counts_match_the_export_on_a_generated_archive() {
    let dir = tempfile::tempdir().unwrap();
    let arch = dir.path().join("gen");
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/make_archive.py");
    let tool = if tool.is_file() {
        tool
    } else {
        Path::new("/work/shared/tools/make_archive.py").to_path_buf()
    };
    let st = Command::new("python3")
        .arg(&tool)
        .args(["--articles", "300"])
        .arg(&arch)
        .status()
        .expect("python3 runs make_archive.py");
    assert!(st.success());
    let (dated, pairs) = check(&arch);
    // Folders by year/month: every article is placed.
    assert!(dated >= 290, "{dated} of 300 dated");
    assert!(pairs > 0);
    // `pizhu dates`: one row per article with its source; the generated
    // datelines have no year, so the year comes from the folder.
    let out = pizhu(&["dates", arch.to_str().unwrap()]);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 300);
    let text_path = rows.iter().filter(|r| r[3] == "text+path").count();
    assert!(
        text_path > 150,
        "{text_path} dates from the dateline and the path"
    );
    for r in &rows {
        let year = r[1].split('/').next().unwrap();
        if r[3] == "text+path" || r[3] == "path" {
            assert!(r[2].starts_with(year), "{r:?}");
        }
    }
}

/// The Insights window on the seeds, in the real app: it reads the archive
/// off the UI thread, shows the counts, and a click on a matrix cell or on
/// the undated button narrows the article list.
#[cfg(feature = "gui")]
#[test]
fn insights_window_shows_data_and_filters_the_list() {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use pizhu::ui::insights::Chart;

    let (_g, arch) = seed_copy();
    let mut h = common::app::app_harness(Harness::builder().with_size([1400.0, 900.0]), &arch);
    assert_eq!(h.state().visible.len(), 11);
    h.state_mut().insights.open = true;
    settle(&mut h);
    let c = h
        .state()
        .insights
        .computed
        .clone()
        .expect("aggregates computed");
    // The seeds carry no year: all undated, counted apart and shown.
    assert_eq!(c.months.undated, vec![11]);
    assert!(
        h.query_all_by_value("11 articles in the list: 0 dated, 11 undated.")
            .next()
            .is_some()
    );
    h.get_by_label("Undated articles: 11").click();
    h.run_steps(3);
    assert_eq!(h.state().filter.chart.as_ref().unwrap().1.len(), 11);
    h.get_by_label("× clear").click();
    h.run_steps(3);
    assert!(h.state().filter.chart.is_none());

    // Top people: bars with counts equal to the export's article counts.
    h.get_by_label("Top entities").click();
    h.run_steps(3);
    assert_eq!(h.state().insights.chart, Chart::Top);
    assert!(!c.top.is_empty() && c.top[0].1 >= c.top.last().unwrap().1);
    // The default lines: the three most mentioned people.
    assert_eq!(h.state().insights.entities.len(), 3);
    // Save CSV writes the chart's data beside the archive.
    h.get_by_label("Save CSV").click();
    h.run_steps(2);
    let csv_path = arch.parent().unwrap().join("archive-top-entities.csv");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    assert!(csv.starts_with("PER,articles\n"), "{csv}");
    assert_eq!(csv.lines().count(), c.top.len() + 1);
    let (name, n) = &c.top[0];
    assert_eq!(csv.lines().nth(1).unwrap(), format!("{name},{n}"));

    // Co-occurrence: click the most frequent pair's cell.
    h.get_by_label("Co-occurrence").click();
    h.run_steps(3);
    let top = c.pairs[0].clone();
    let label = top.articles.to_string();
    h.get_all_by_label(&label).next().expect("a cell").click();
    h.run_steps(3);
    let (what, ids) = h
        .state()
        .filter
        .chart
        .clone()
        .expect("a cell narrows the list");
    assert!(what.contains('×'), "{what}");
    assert_eq!(ids.len(), top.articles);
    assert_eq!(h.state().visible.len(), top.articles);
    // The chart now follows the narrowed list.
    settle(&mut h);
    let c2 = h.state().insights.computed.clone().unwrap();
    let dated: usize = c2.months.rows.iter().map(|r| r.1[0]).sum();
    assert_eq!(dated + c2.months.undated[0], top.articles);
}

/// A snapshot of the Insights window (top people on the seeds), rendered on
/// the CPU like tests/snapshots.rs; skipped without a Vulkan driver.
/// Regenerate with `UPDATE_SNAPSHOTS=1 cargo test --test insights`.
#[cfg(feature = "gui")]
#[test]
fn insights_snapshot() {
    use egui_kittest::{Harness, SnapshotOptions};
    use pizhu::ui::insights::Chart;

    let found = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .any(|e| e.is_ok());
    if !found {
        eprintln!("SKIPPED: no Vulkan driver installed");
        return;
    }
    let (_g, arch) = seed_copy();
    let mut h =
        common::app::app_harness(Harness::builder().with_size([1280.0, 800.0]).wgpu(), &arch);
    h.state_mut().insights.open = true;
    h.state_mut().insights.chart = Chart::Top;
    settle(&mut h);
    h.run_steps(4);
    // The archive lives in a random temp folder: hide the status bar.
    h.mask(egui::Rect::from_min_max(
        egui::pos2(0.0, 770.0),
        egui::pos2(1280.0, 800.0),
    ));
    let _ = &mut h;
    h.snapshot_options(
        "insights_top",
        &SnapshotOptions::new().threshold(1.5).max_failed_pixels(400),
    );
    // Save PNG: the window, cropped from a screenshot, beside the archive.
    use egui_kittest::kittest::Queryable;
    h.get_by_label("Save PNG").click();
    h.run_steps(4);
    let png = std::fs::read(arch.parent().unwrap().join("archive-top-entities.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 5_000, "{} bytes", png.len());
    assert!(
        h.state().status.starts_with("saved "),
        "{}",
        h.state().status
    );
}

/// Steps frames until the Insights window has read the archive and computed
/// its aggregates (both happen on background threads).
#[cfg(feature = "gui")]
fn settle(h: &mut egui_kittest::Harness<'static, pizhu::ui::app::PizhuApp>) {
    for _ in 0..2000 {
        h.step();
        let v = &h.state().insights;
        if v.computed.is_some() && !v.is_busy() {
            h.step();
            if !h.state().insights.is_busy() {
                return;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the Insights window did not settle");
}

/// The stored facts (entity ids in `article_facts`, names in
/// `entity_names`) give the same answers as a full pass over every
/// article's text and effective entities after each write path: apply to
/// all with its undo and redo, a lexicon entry removed and re-extracted,
/// corrections (reject, accept, a user entity, a text correction), a file
/// removed, and transactions and savepoints rolled back after they had
/// added new names (whose ids SQLite then gives to other names).
#[test]
fn stored_entity_ids_stay_exact_under_every_write_path() {
    use pizhu::edit::{Edit, Editor};
    use pizhu::extract::{Entity, EntityType, JiebaExtractor, Source};
    use pizhu::index::{IndexOptions, index_archive};
    use pizhu::insights::Insights;
    use pizhu::store::Store;

    let (_g, arch) = seed_copy();
    let loc = pizhu::db_location(&arch, None).unwrap();
    let mut store = Store::open(&loc.path).unwrap();
    let ex = JiebaExtractor::new();
    index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    let check = |store: &Store, what: &str| common::assert_facts_match_full_pass(store, what);
    check(&store, "fresh index");
    let ids = store.article_ids().unwrap();
    let ent = |text: &str, label: EntityType| Entity {
        start: 0,
        end: text.chars().count(),
        text: text.to_string(),
        label,
        source: Source::Lexicon,
        confidence: 1.0,
    };
    let with = |store: &Store, id: &str, e: Entity| {
        let mut v = store.auto_entities(id).unwrap();
        v.push(e);
        v.sort_by_key(|e| (e.start, e.end));
        store.replace_auto_entities(id, &v).unwrap();
    };

    // A transaction adds a new name, then fails: rolled back. The next new
    // name gets the same id; the first, used again, must get its own.
    let r: pizhu::Result<()> = store.atomically(|s| {
        with(s, &ids[0], ent("甲乙丙丁", EntityType::Per));
        Err(pizhu::Error::Invalid("rolled back".into()))
    });
    assert!(r.is_err());
    with(&store, &ids[0], ent("戊己庚辛", EntityType::Org));
    with(&store, &ids[1], ent("甲乙丙丁", EntityType::Per));
    let out = check(&store, "after a rolled-back transaction");
    assert!(
        out.contains("(\"甲乙丙丁\", 1)") && out.contains("(\"戊己庚辛\", 1)"),
        "{out}"
    );
    // The same inside one transaction: a savepoint rolled back, the
    // transaction committed.
    store
        .atomically(|s| {
            let r: pizhu::Result<()> = s.atomically(|s| {
                with(s, &ids[2], ent("子丑寅卯", EntityType::Loc));
                Err(pizhu::Error::Invalid("rolled back".into()))
            });
            assert!(r.is_err());
            with(s, &ids[2], ent("辰巳午未", EntityType::Per));
            Ok(())
        })
        .unwrap();
    with(&store, &ids[3], ent("子丑寅卯", EntityType::Loc));
    let out = check(&store, "after a rolled-back savepoint");
    assert!(
        out.contains("(\"子丑寅卯\", 1)") && out.contains("(\"辰巳午未\", 1)"),
        "{out}"
    );

    // Apply to all, undo, redo; never an entity.
    let word = store.stats(3).unwrap().top[1].0.clone();
    let mut ed = Editor::new();
    let before = check(&store, "before apply to all");
    ed.apply(
        &store,
        Edit::LexiconAdd {
            text: word.clone(),
            label: EntityType::Custom("EVENT".into()),
        },
    )
    .unwrap();
    let added = check(&store, "apply to all");
    assert!(added != before && added.contains("EVENT: [(\""), "{added}");
    ed.undo(&store).unwrap().unwrap();
    assert_eq!(check(&store, "undo"), before);
    ed.redo(&store).unwrap().unwrap();
    assert_eq!(check(&store, "redo"), added);
    ed.apply(&store, Edit::LexiconReject { text: word.clone() })
        .unwrap();
    check(&store, "never an entity");
    // Forgetting the entry: re-extracted by the next run.
    ed.apply(&store, Edit::LexiconRemove { text: word.clone() })
        .unwrap();
    index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    check(&store, "lexicon entry removed, re-extracted");

    // Corrections: read in full with the annotations.
    let ents = store.effective_entities(&ids[4]).unwrap();
    ed.apply(
        &store,
        Edit::RejectEntity {
            article: ids[4].clone(),
            entity: ents[0].clone(),
        },
    )
    .unwrap();
    ed.apply(
        &store,
        Edit::AcceptEntity {
            article: ids[4].clone(),
            entity: ents[1].clone(),
        },
    )
    .unwrap();
    ed.apply(
        &store,
        Edit::AddEntity {
            article: ids[5].clone(),
            start: 0,
            end: 3,
            label: EntityType::Org,
        },
    )
    .unwrap();
    ed.apply(
        &store,
        Edit::AddCorrection {
            article: ids[5].clone(),
            start: 3,
            end: 4,
            replacement: "正".into(),
        },
    )
    .unwrap();
    check(&store, "corrections");
    // `pizhu dates` (from the stored dates, the corrected articles
    // resolved again) lists what resolving every article's text gives.
    let out = pizhu(&["dates", arch.to_str().unwrap(), "--no-refresh"]);
    let mut want: HashMap<String, String> = HashMap::new();
    store
        .for_each_article_entities(|id, file, date, text, _| {
            let d = resolve_date(date, text, file);
            let when = d.map_or(String::new(), |d| d.to_string());
            let src = d.map_or("undated", |d| d.source.as_str());
            want.insert(id.to_string(), format!("{id}\t{file}\t{when}\t{src}"));
        })
        .unwrap();
    let want: Vec<String> = store
        .article_ids()
        .unwrap()
        .iter()
        .map(|id| want[id].clone())
        .collect();
    assert_eq!(out.lines().skip(1).collect::<Vec<_>>(), want);
    ed.undo(&store).unwrap().unwrap();
    ed.undo(&store).unwrap().unwrap();
    check(&store, "corrections undone");

    // A file removed from the archive: its articles leave the facts.
    let n = Insights::load(&store).unwrap().docs.len();
    let f = std::fs::read_dir(&arch)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "md" || x == "txt"))
        .unwrap();
    std::fs::remove_file(&f).unwrap();
    index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    check(&store, "file removed");
    let ins = Insights::load(&store).unwrap();
    assert!(ins.docs.len() < n);
    assert_eq!(ins.docs.len(), store.article_count().unwrap());
}
