//! The team views through egui_kittest on a real SQLite store: taking one
//! side in the curation window writes the curated set (and undoes), the
//! switcher shows another annotator's work, the agreement table.
#![cfg(feature = "gui")]

mod common;

use common::app::app_harness;
use common::seed_copy;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use pizhu::export::Format;
use pizhu::store::Store;
use pizhu::teams::{Span, entity_set};
use pizhu::ui::app::Command;

/// Spans by position: (start, end, type).
type Labels<'a> = &'a [(usize, usize, &'a str)];

/// Imports complete jsonl documents of `id` (spans by position, marked
/// reviewed) under each name.
fn import_as(db: &std::path::Path, id: &str, who: &[(&str, Labels<'_>)]) {
    let mut s = Store::open(db).unwrap();
    let text = s.article(id).unwrap().text;
    let dir = tempfile::tempdir().unwrap();
    for (name, labels) in who {
        let d = serde_json::json!({
            "id": id, "text": text, "reviewed": true,
            "label": labels.iter().map(|(a, b, l)| serde_json::json!([a, b, l])).collect::<Vec<_>>(),
        });
        let p = dir.path().join(format!("{name}.jsonl"));
        std::fs::write(&p, format!("{d}\n")).unwrap();
        s.set_annotator(name).unwrap();
        pizhu::export::import(&mut s, Format::Jsonl, &p).unwrap();
    }
}

/// The app on a copy of the seeds: (its folder, the harness, the database,
/// the first article's id).
fn seeds_app() -> (
    tempfile::TempDir,
    Harness<'static, pizhu::ui::app::PizhuApp>,
    std::path::PathBuf,
    String,
) {
    let (g, arch) = seed_copy();
    let h = app_harness(Harness::builder().with_size([1400.0, 900.0]), &arch);
    let db = h.state().db_path.clone().unwrap();
    let id = h.state().articles[0].id.clone();
    (g, h, db, id)
}

/// Shows article `id` and opens the curation window, curating into `gold`.
fn open_curation_into_gold(h: &mut Harness<'_, pizhu::ui::app::PizhuApp>, id: &str) {
    h.state_mut().select(id);
    h.state_mut().team.into = "gold".into();
    h.state_mut().team.curation_open = true;
    h.state_mut().team.invalidate();
    h.step();
    h.step();
}

#[test]
fn taking_one_side_writes_the_curated_annotation() {
    let (_g, mut h, db, id) = seeds_app();
    let shown_before = h.state().annotator_name();
    import_as(
        &db,
        &id,
        &[
            ("ann", &[(0, 3, "PER"), (10, 14, "LOC")]),
            ("ben", &[(0, 3, "PER"), (10, 14, "ORG")]),
        ],
    );
    open_curation_into_gold(&mut h, &id);
    // Both versions of the one disagreement, one above the other.
    let _ = h.get_by_label_contains("1 disagreements, 1 not yet settled in gold");
    let _ = h.get_by_label("Take ann's 10..14");
    h.get_by_label("Take ben's 10..14").click();
    h.step();
    h.step();
    let s = Store::open(&db).unwrap();
    let gold = entity_set(&s, &id, "gold").unwrap();
    assert!(gold.contains(&Span::new(10, 14, "ORG")), "{gold:?}");
    assert!(!gold.contains(&Span::new(10, 14, "LOC")));
    let rows = s.with_annotator("gold", |s| s.annotations(&id)).unwrap();
    assert!(rows.iter().all(|a| a.annotator == "gold") && !rows.is_empty());
    // Nobody else's work changed, and the window says the region is settled.
    assert_eq!(
        entity_set(&s, &id, "ann").unwrap(),
        vec![Span::new(0, 3, "PER"), Span::new(10, 14, "LOC")]
    );
    assert_eq!(h.state().annotator_name(), shown_before);
    let _ = h.get_by_label_contains("gold has ben's version");
    // One undo step takes it back.
    h.state_mut().commands.push(Command::Undo);
    h.step();
    h.step();
    assert!(
        !entity_set(&s, &id, "gold")
            .unwrap()
            .contains(&Span::new(10, 14, "ORG"))
    );
    assert!(
        s.with_annotator("gold", |s| s.annotations(&id))
            .unwrap()
            .is_empty()
    );

    // The switcher shows ann's work in the reader.
    h.state_mut().commands.push(Command::SetAnnotator {
        name: "ann".into(),
        remember: false,
    });
    h.step();
    h.step();
    let shown: Vec<Span> = h
        .state()
        .view
        .as_ref()
        .unwrap()
        .entities
        .iter()
        .map(|e| Span::new(e.entity.start, e.entity.end, e.entity.label.as_str()))
        .collect();
    assert_eq!(
        shown,
        vec![Span::new(0, 3, "PER"), Span::new(10, 14, "LOC")]
    );
    let _ = h.get_by_label("annotator: ann");

    // Your name, from the Team menu: saved for the archive (the command
    // line's default too) and shown.
    h.get_by_label("Team").click();
    h.step();
    h.state_mut().team.name_input = "zoe".into();
    h.step();
    h.get_by_label("Use this name").click();
    h.step();
    h.step();
    assert_eq!(h.state().annotator_name(), "zoe");
    assert_eq!(
        Store::open(&db)
            .unwrap()
            .meta("annotator")
            .unwrap()
            .as_deref(),
        Some("zoe")
    );
    assert_eq!(Store::open(&db).unwrap().annotator(), "zoe");

    // The agreement table: one pair, its figures per type.
    h.state_mut().team.agreement_open = true;
    // Computed on its own thread: step until the table is there.
    for _ in 0..500 {
        h.step();
        if h.state().team.report.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.step();
    let _ = h.get_by_label("ann × ben");
    let _ = h.get_by_label("LOC F1 / kappa");
}

#[test]
fn keys_in_the_curation_window_take_a_side_and_undo() {
    let (_g, mut h, db, id) = seeds_app();
    import_as(
        &db,
        &id,
        &[
            ("ann", &[(0, 3, "PER"), (10, 14, "LOC"), (20, 22, "ORG")]),
            ("ben", &[(0, 3, "PER"), (10, 14, "ORG")]),
        ],
    );
    open_curation_into_gold(&mut h, &id);
    let gold = |s: &Store| entity_set(s, &id, "gold").unwrap();
    let s = Store::open(&db).unwrap();
    // Keys while the pointer is elsewhere are the reader's: nothing taken.
    h.key_press(egui::Key::Num2);
    h.step();
    h.step();
    assert!(
        gold(&s).iter().all(|x| x.start >= 22 || x.end <= 10),
        "{:?}",
        gold(&s)
    );
    // Over the window: 2 takes ben's version of the first disagreement,
    // then the current one moves to the next.
    h.get_by_label_contains("2 disagreements, 1 not yet settled in gold")
        .hover();
    h.step();
    h.key_press(egui::Key::Num2);
    h.step();
    h.step();
    assert!(
        gold(&s).contains(&Span::new(10, 14, "ORG")),
        "{:?}",
        gold(&s)
    );
    assert!(!gold(&s).iter().any(|x| x.start == 20));
    assert_eq!(h.state().team.current, 1);
    let _ = h.get_by_label_contains("2 disagreements, 0 not yet settled in gold");
    // Up goes back to the first; Down to the second; 1 takes ann's 20..22.
    h.key_press(egui::Key::ArrowUp);
    h.step();
    assert_eq!(h.state().team.current, 0);
    h.key_press(egui::Key::ArrowDown);
    h.step();
    assert_eq!(h.state().team.current, 1);
    h.key_press(egui::Key::Num1);
    h.step();
    h.step();
    assert!(
        gold(&s).contains(&Span::new(20, 22, "ORG")),
        "{:?}",
        gold(&s)
    );
    // The reader saw none of these keys: no entity added for ann's
    // selection-less reader, the article did not change.
    assert_eq!(h.state().selected.as_deref(), Some(id.as_str()));
    // Ctrl+Z undoes the last take, then the first.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    h.step();
    assert!(!gold(&s).contains(&Span::new(20, 22, "ORG")));
    assert!(gold(&s).contains(&Span::new(10, 14, "ORG")));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    h.step();
    assert!(
        s.with_annotator("gold", |s| s.annotations(&id))
            .unwrap()
            .is_empty()
    );
    // Nobody else's work changed.
    assert_eq!(
        entity_set(&s, &id, "ben").unwrap(),
        vec![Span::new(0, 3, "PER"), Span::new(10, 14, "ORG")]
    );
}

#[test]
fn a_merged_highlight_says_whose_it_was() {
    let (_g, mut h, db, id) = seeds_app();
    let s = Store::open(&db).unwrap();
    let me = h.state().annotator_name();
    s.with_annotator(&me, |s| {
        let a = s.add_annotation_by(
            &id,
            pizhu::store::AnnotationKind::Highlight,
            2,
            6,
            pizhu::store::NewAnnotation {
                note: Some("checked".into()),
                ..Default::default()
            },
            true,
        )?;
        s.set_made_by(a, Some("ann, ben"))?;
        s.add_annotation(
            &id,
            pizhu::store::AnnotationKind::Highlight,
            20,
            24,
            pizhu::store::NewAnnotation::default(),
        )
    })
    .unwrap();
    h.state_mut().select(&id);
    h.step();
    h.step();
    let _ = h.get_by_label("※ checked");
    // Only the merged one names its makers.
    assert_eq!(h.query_all_by_label_contains("from ").count(), 1);
    let _ = h.get_by_label("from ann, ben");
}

#[test]
fn a_tie_the_merge_left_out_is_not_shown_as_settled() {
    use pizhu::teams::{MergeOptions, Scope, merge};
    let (_g, mut h, db, id) = seeds_app();
    // Two annotators, one entity only ann has: a majority merge has no
    // majority there and leaves it out, so the curated set has nothing
    // there, which looks like ben's version.
    import_as(
        &db,
        &id,
        &[
            ("ann", &[(0, 3, "PER"), (20, 22, "ORG")]),
            ("ben", &[(0, 3, "PER")]),
        ],
    );
    let s = Store::open(&db).unwrap();
    let report = merge(
        &s,
        &MergeOptions {
            annotators: vec!["ann".into(), "ben".into()],
            into: "gold".into(),
            strategy: "majority".parse().unwrap(),
            scope: Scope::Reviewed,
        },
    )
    .unwrap();
    assert_eq!(report.conflicts.len(), 1, "{report}");
    let left_out = |s: &Store| {
        s.with_annotator("gold", |s| s.merge_conflicts(&id))
            .unwrap()
    };
    assert_eq!(left_out(&s).len(), 1);
    open_curation_into_gold(&mut h, &id);
    let _ = h.get_by_label_contains("1 disagreements, 1 not yet settled in gold");
    let _ = h.get_by_label_contains("left out by the merge (no majority)");
    // Taking ben's version (nothing there) settles it, though it writes
    // no entity.
    h.get_by_label("Take ben's 20..22").click();
    h.step();
    h.step();
    let _ = h.get_by_label_contains("1 disagreements, 0 not yet settled in gold");
    let _ = h.get_by_label("√ gold has ben's version");
    assert!(left_out(&s).is_empty());
    // One undo puts the conflict back.
    h.state_mut().commands.push(Command::Undo);
    h.step();
    h.step();
    assert_eq!(left_out(&s).len(), 1);
    let _ = h.get_by_label_contains("1 disagreements, 1 not yet settled in gold");
}
