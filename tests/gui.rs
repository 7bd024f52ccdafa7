//! The real app, driven through egui_kittest on a copy of the seeds.
#![cfg(feature = "gui")]

mod common;

use std::path::Path;
use std::process::Command as Process;

use common::app::app_harness;
use common::seed_copy;
use egui::{Event, Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use pizhu::store::{AnnotationKind, Store};
use pizhu::ui::app::{PizhuApp, reader_id};

fn harness(arch: &Path) -> Harness<'static, PizhuApp> {
    app_harness(Harness::builder().with_size([1400.0, 900.0]), arch)
}

fn click_at(h: &mut Harness<'static, PizhuApp>, pos: Pos2) {
    h.event(Event::PointerMoved(pos));
    h.step();
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.step();
    }
    h.step();
}

fn export(arch: &Path) -> Vec<serde_json::Value> {
    let out = Process::new(env!("CARGO_BIN_EXE_pizhu"))
        .args(["export", arch.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn labels_of(export: &[serde_json::Value], id: &str) -> Vec<(u64, u64, String)> {
    let a = export.iter().find(|a| a["id"] == id).unwrap();
    a["label"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l[0].as_u64().unwrap(),
                l[1].as_u64().unwrap(),
                l[2].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn read_annotate_reject_undo_tag_search_and_raw_view() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    assert_eq!(h.state().articles.len(), 11);

    // Every seed article renders (kittest panics on a missing glyph).
    let ids: Vec<String> = h.state().articles.iter().map(|a| a.id.clone()).collect();
    for id in &ids {
        h.state_mut().select(id);
        h.step();
        h.step();
    }

    // Click an article by its title.
    let title = "撸起袖子抓党建 扑下身子促脱贫";
    h.get_by_label(title).click();
    h.step();
    h.step();
    let id = h.state().selected.clone().unwrap();
    let text = h.state().view.as_ref().unwrap().article.text.clone();
    assert!(text.starts_with(title));

    // Select a span and press 1: a PER annotation lands in the SQLite file.
    let start = text.chars().position(|c| c == '何').unwrap();
    let ctx = h.ctx.clone();
    let mut state = egui::TextEdit::load_state(&ctx, reader_id()).unwrap_or_default();
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::two(
            egui::text::CCursor::new(start),
            egui::text::CCursor::new(start + 3),
        )));
    state.store(&ctx, reader_id());
    ctx.memory_mut(|m| m.request_focus(reader_id()));
    h.step();
    h.step();
    assert_eq!(h.state().selection, Some((start, start + 3)));
    h.event(Event::Text("1".into()));
    h.step();
    h.step();
    let db = arch.join(".pizhu/pizhu.sqlite");
    {
        let store = Store::open(&db).unwrap();
        let anns = store.annotations(&id).unwrap();
        let per = anns
            .iter()
            .find(|a| a.kind == AnnotationKind::Entity)
            .expect("annotation saved");
        assert_eq!(per.quote.exact, "何先程");
        assert_eq!(per.label.as_ref().unwrap().as_str(), "PER");
    }

    // Click an automatic entity, reject it: gone from `pizhu export`.
    let victim = h
        .state()
        .view
        .as_ref()
        .unwrap()
        .entities
        .iter()
        .find(|e| e.annotation_id.is_none() && e.entity.start > 20)
        .unwrap()
        .clone();
    let span = (
        victim.entity.start as u64,
        victim.entity.end as u64,
        victim.entity.label.as_str().to_string(),
    );
    assert!(labels_of(&export(&arch), &id).contains(&span));
    let pos = h.state().text_pos(victim.entity.start).unwrap();
    click_at(&mut h, pos);
    assert_eq!(
        h.state().popup.as_ref().map(|p| p.entity.entity.start),
        Some(victim.entity.start)
    );
    h.get_by_label("Reject (Delete)").click();
    h.step();
    h.step();
    assert!(!labels_of(&export(&arch), &id).contains(&span));

    // Undo restores it.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.step();
    h.step();
    assert!(labels_of(&export(&arch), &id).contains(&span));

    // Add a tag, then filter the list by it.
    ctx.memory_mut(|m| m.surrender_focus(reader_id()));
    h.step();
    h.event(Event::Text("t".into()));
    h.step();
    h.step();
    h.event(Event::Text("重点".into()));
    h.step();
    h.key_press(Key::Enter);
    h.step();
    h.step();
    assert_eq!(
        Store::open(&db).unwrap().article_tags(&id).unwrap(),
        vec!["重点"]
    );
    h.get_by_value("any tag").click();
    h.step();
    h.step();
    h.step();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "重点")
        .click();
    h.step();
    h.step();
    let visible: Vec<String> = h
        .state()
        .visible
        .iter()
        .map(|&i| h.state().articles[i].id.clone())
        .collect();
    assert_eq!(visible, vec![id.clone()]);
    h.state_mut().filter.tag = None;
    h.step();

    // Search 脱贫 filters the list.
    ctx.memory_mut(|m| m.surrender_focus(egui::Id::unique("tag_input")));
    h.state_mut().filter.query = "脱贫".into();
    h.step();
    h.step();
    let n = h.state().visible.len();
    let store = Store::open(&db).unwrap();
    let expected = store.search("脱贫", 1000).unwrap().len();
    assert_eq!(n, expected);
    assert!(n > 0 && n < 11);

    // The raw view shows the same entity at the mapped place.
    h.get_by_label("View").click();
    h.step();
    h.step();
    h.step();
    h.get_by_label("Raw text (original file)").click();
    h.step();
    h.step();
    let app = h.state();
    assert!(app.settings.raw_view);
    let view = app.view.as_ref().unwrap();
    let raw: Vec<char> = view.raw.as_ref().unwrap().chars().collect();
    let r0 = view.article.raw_range.0;
    let marks = pizhu::ui::reader::raw_marks(view, &app.settings.shown);
    let person = marks.iter().find(|m| m.2.as_str() == "PER").unwrap();
    let shown: String = raw[r0 + person.0..r0 + person.1].iter().collect();
    assert!(
        shown.contains("何先程")
            || view
                .entities
                .iter()
                .any(|e| e.entity.text == shown.replace(' ', ""))
    );
}

#[test]
fn reader_layout_is_memoised() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    let before = h.state().layout_builds();
    for _ in 0..10 {
        h.step();
    }
    assert_eq!(
        h.state().layout_builds(),
        before,
        "no rebuilds when nothing changed"
    );
    h.state_mut().commands.push(pizhu::ui::Command::Step(1));
    h.step();
    h.step();
    assert!(h.state().layout_builds() > before);
}
