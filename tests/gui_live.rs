//! The app keeping an open archive live, through egui_kittest on a real
//! SQLite store: "apply to all" relabelling in the background with a
//! progress count, new files picked up without a restart, read-only
//! databases, and learning from reviewed articles.
#![cfg(feature = "gui")]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::app::{app_harness, wait_idle};
use common::seed_copy;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use pizhu::edit::Edit;
use pizhu::store::Store;
use pizhu::ui::app::{Command, PizhuApp};

fn harness(arch: &Path) -> Harness<'static, PizhuApp> {
    app_harness(Harness::builder().with_size([1400.0, 900.0]), arch)
}

fn db_of(h: &Harness<'static, PizhuApp>) -> std::path::PathBuf {
    h.state().db_path.clone().expect("an open database")
}

#[test]
fn apply_to_all_relabels_in_the_background_with_a_count() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    // Any automatic entity of the article shown.
    let (text, label) = {
        let v = h.state().view.clone().expect("an article is shown");
        let e = v
            .entities
            .iter()
            .find(|e| e.entity.text.chars().count() >= 2)
            .expect("the article has an entity")
            .entity
            .clone();
        (e.text, e.label)
    };
    // The edit and an undo queued in the same frame: the apply-to-all starts
    // on its thread and the frame returns; the undo is refused with a message
    // (nothing is lost silently) while it runs.
    h.state_mut()
        .commands
        .push(Command::ApplyToAll(text.clone(), None));
    h.state_mut().commands.push(Command::Undo);
    h.step();
    let err = h.state().error.clone().unwrap_or_default();
    let running = h.state().relabel.is_some();
    assert!(
        running || err.is_empty(),
        "the undo was refused only if the relabelling was still running"
    );
    if running {
        assert!(err.contains("busy relabelling"), "{err}");
        assert!(
            h.state().status.starts_with("relabelling"),
            "{}",
            h.state().status
        );
    }
    h.state_mut().error = None;
    let mut seen = Vec::new();
    let t0 = Instant::now();
    while h.state().is_busy() && t0.elapsed() < Duration::from_secs(120) {
        h.step();
        seen.push(h.state().status.clone());
        std::thread::sleep(Duration::from_millis(5));
    }
    wait_idle(&mut h);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert!(h.state().relabel.is_none());
    let store = Store::open(&db_of(&h)).unwrap();
    assert!(
        store
            .lexicon_list()
            .unwrap()
            .iter()
            .any(|e| e.text == text && e.action == "reject"),
        "the rejection is stored"
    );
    let shown = h
        .state()
        .view
        .as_ref()
        .unwrap()
        .entities
        .iter()
        .filter(|e| e.entity.text == text && e.entity.label == label)
        .count();
    assert_eq!(
        shown, 0,
        "the reader no longer shows the rejected text as an entity"
    );
    let progress_lines: Vec<_> = seen.iter().filter(|s| s.contains(" / ")).collect();
    eprintln!(
        "relabel: {} frames, progress lines seen: {:?}",
        seen.len(),
        progress_lines.last()
    );
    // The editor came back from the thread: the edit is undoable.
    h.state_mut().commands.push(Command::Undo);
    h.step();
    wait_idle(&mut h);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert!(
        !Store::open(&db_of(&h))
            .unwrap()
            .lexicon_list()
            .unwrap()
            .iter()
            .any(|e| e.text == text),
        "undone"
    );
}

#[test]
fn new_files_appear_without_a_restart() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    h.state_mut().freshness.every = Duration::from_millis(50);
    // An unchanged archive is not re-indexed by the poll.
    for _ in 0..10 {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !h.state().is_busy() && !h.state().status.contains("archive changed"),
        "an unchanged archive was re-indexed: {}",
        h.state().status
    );
    let before = h.state().articles.len();
    {
        // What one poll costs on the UI thread.
        let store = Store::open_read_only(&db_of(&h)).unwrap();
        let version = store.meta("extractor_version").unwrap().unwrap();
        let t = Instant::now();
        assert!(pizhu::index::looks_unchanged_as(&arch, &store, &version).unwrap());
        eprintln!("one freshness poll: {:?}", t.elapsed());
    }
    std::fs::write(
        arch.join("900_new.txt"),
        "# 市图书馆举行开放日活动\n\n本报讯 今天上午，市图书馆举行开放日活动，市民踊跃参加，\
         馆员介绍了新到的图书和阅览室的开放时间。\n",
    )
    .unwrap();
    let t0 = Instant::now();
    while h.state().articles.len() <= before && t0.elapsed() < Duration::from_secs(60) {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        h.state().articles.len() > before,
        "the new file's article did not appear (status: {})",
        h.state().status
    );
    eprintln!("new file listed after {:?}", t0.elapsed());
    wait_idle(&mut h);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
}

#[test]
fn a_read_only_database_shows_a_banner_and_refuses_edits() {
    let (_g, arch) = seed_copy();
    let db = {
        let h = harness(&arch);
        db_of(&h)
    };
    let reviewed_before = Store::open(&db).unwrap().articles().unwrap();
    let orig = std::fs::metadata(&db).unwrap().permissions();
    let mut perm = orig.clone();
    perm.set_readonly(true);
    std::fs::set_permissions(&db, perm).unwrap();
    let mut h = harness(&arch);
    assert!(h.state().read_only, "status: {}", h.state().status);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert!(
        !h.state().articles.is_empty(),
        "the articles can still be read"
    );
    h.step();
    let _ = h.get_by_label_contains("READ-ONLY");
    let id = h.state().selected.clone().unwrap();
    h.state_mut()
        .commands
        .push(Command::Edit(Edit::SetReviewed {
            article: id,
            reviewed: true,
        }));
    h.step();
    let err = h.state().error.clone().unwrap_or_default();
    assert!(
        err.contains("read-only") && err.contains("not saved"),
        "{err}"
    );
    drop(h);
    std::fs::set_permissions(&db, orig).unwrap();
    let after = Store::open(&db).unwrap().articles().unwrap();
    assert_eq!(
        reviewed_before.iter().filter(|a| a.reviewed).count(),
        after.iter().filter(|a| a.reviewed).count()
    );
}

#[test]
fn learn_from_reviewed_and_back_to_the_shipped_model() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    let db = db_of(&h);
    let model = pizhu::extract::learn::adapted_model_path(&db);
    let id = h.state().selected.clone().unwrap();
    h.state_mut()
        .commands
        .push(Command::Edit(Edit::SetReviewed {
            article: id,
            reviewed: true,
        }));
    h.step();
    let t0 = Instant::now();
    h.state_mut().learn_from_reviewed();
    assert!(h.state().is_busy(), "learning runs on the worker");
    assert!(h.state().status.starts_with("learning"));
    wait_idle(&mut h);
    eprintln!("learn: {:?}", t0.elapsed());
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert!(
        h.state()
            .status
            .starts_with("learnt from 1 reviewed articles"),
        "{}",
        h.state().status
    );
    assert!(model.exists(), "the adapted model was saved");
    h.state_mut().back_to_shipped_model();
    wait_idle(&mut h);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert!(
        h.state().status.starts_with("back to the shipped model"),
        "{}",
        h.state().status
    );
    assert!(!model.exists(), "the adapted model was deleted");
}

#[test]
fn review_shows_the_taggers_confidence_least_confident_first() {
    use pizhu::extract::{Extractor, Source};
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    let db = db_of(&h);
    h.state_mut().start_review(
        pizhu::ui::review::ReviewScope::Article,
        pizhu::ui::review::ReviewFilter::default(),
    );
    h.step();
    h.step();
    let (id, items) = {
        let r = h.state().review.as_ref().expect("review mode is on");
        (
            r.state.article().expect("an article").to_string(),
            r.state.items.clone(),
        )
    };
    assert!(!items.is_empty());
    assert!(
        items.windows(2).all(|w| w[0].confidence <= w[1].confidence),
        "least confident first"
    );
    // The stored confidence of each tagger entity is the tagger's own.
    let text = Store::open(&db).unwrap().article(&id).unwrap().text;
    let fresh = pizhu::extract::learn::extractor_for(&db).extract(&text);
    let mut model = 0;
    for it in items.iter().filter(|it| it.source == Source::Model) {
        let e = fresh
            .iter()
            .find(|e| e.start == it.start && e.end == it.end && e.label == it.label)
            .expect("the queued entity is one the extractor finds");
        assert_eq!(e.source, Source::Model);
        assert!(
            (e.confidence - it.confidence).abs() < 1e-6,
            "{} vs {}",
            e.confidence,
            it.confidence
        );
        model += 1;
    }
    assert!(model > 0, "the tagger found entities in this article");
    let first = &items[0];
    let shown = first.confidence_label();
    if first.source == Source::Model {
        assert!(shown.starts_with("tagger "), "{shown}");
    } else {
        assert_eq!(shown, "rules");
    }
    let _ = h.get_by_label(&shown);
}

/// Visible article ids, sorted.
fn visible_ids(h: &Harness<'static, PizhuApp>) -> Vec<String> {
    let mut v: Vec<String> = h
        .state()
        .visible
        .iter()
        .map(|&i| h.state().articles[i].id.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn a_large_archive_filters_the_list_off_the_ui_thread() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    // Treat the seeds as a large archive: search filters run in the background.
    h.state_mut().list_filter_sync_up_to = 0;
    let all = visible_ids(&h);
    let store = Store::open(&db_of(&h)).unwrap();
    let expect = |q: &str| {
        let mut v: Vec<String> = store
            .search(q, 1000)
            .unwrap()
            .into_iter()
            .map(|x| x.id)
            .collect();
        v.sort();
        v
    };
    let want = expect("脱贫");
    assert!(!want.is_empty() && want.len() < all.len());
    h.state_mut().filter.query = "脱贫".into();
    h.step();
    // The frame only started the search: the list is as it was, and busy.
    assert!(h.state().is_busy());
    assert_eq!(visible_ids(&h), all);
    wait_idle(&mut h);
    assert_eq!(visible_ids(&h), want);
    // Snippets are made for the rows drawn.
    assert!(
        h.state().snippets.values().any(|s| s.contains("脱贫")),
        "{:?}",
        h.state().snippets
    );
    // Typed on while a search runs: only the newest filter is shown.
    for q in ["记", "记者", "书记"] {
        h.state_mut().filter.query = q.into();
        h.step();
    }
    wait_idle(&mut h);
    assert_eq!(visible_ids(&h), expect("书记"));
    assert_eq!(
        h.state()
            .store
            .as_ref()
            .unwrap()
            .search_ids("书记")
            .unwrap()
            .len(),
        expect("书记").len()
    );
    // Cleared while a search runs: the full list at once, and nothing left
    // running (the app goes idle, so it polls the folder for new files again).
    h.state_mut().filter.query = "记者".into();
    h.step();
    assert!(h.state().is_busy());
    h.state_mut().filter.query.clear();
    h.step();
    assert_eq!(visible_ids(&h), all, "no filter: at once");
    assert!(!h.state().is_busy());
}
