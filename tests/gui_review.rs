//! The real app through egui_kittest: mouse selections on wrapped lines,
//! single-click entity popups, the export dialog, and review mode, each
//! checked against the SQLite file.
#![cfg(feature = "gui")]

mod common;

use std::path::Path;

use common::app::app_harness;
use common::seed_copy;
use egui::accesskit::Role;
use egui::{Event, Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use pizhu::store::{AnnotationKind, EntityStatus, Store};
use pizhu::ui::app::{PizhuApp, Prompt};

fn harness(arch: &Path) -> Harness<'static, PizhuApp> {
    app_harness(Harness::builder().with_size([1400.0, 900.0]), arch)
}

fn steps(h: &mut Harness<'static, PizhuApp>, n: usize) {
    for _ in 0..n {
        h.step();
    }
}

fn button(h: &mut Harness<'static, PizhuApp>, pos: Pos2, pressed: bool) {
    h.event(Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    });
    h.step();
}

fn click_at(h: &mut Harness<'static, PizhuApp>, pos: Pos2) {
    h.event(Event::PointerMoved(pos));
    h.step();
    button(h, pos, true);
    button(h, pos, false);
    h.step();
}

/// A quick click: press and release arrive in the same frame, as they often
/// do from a real mouse.
fn quick_click_at(h: &mut Harness<'static, PizhuApp>, pos: Pos2) {
    h.event(Event::PointerMoved(pos));
    h.step();
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.step();
    h.step();
}

/// A mouse drag from `a` to `b` in several frames, as a hand would do it.
fn drag(h: &mut Harness<'static, PizhuApp>, a: Pos2, b: Pos2) {
    h.event(Event::PointerMoved(a));
    h.step();
    button(h, a, true);
    for k in 1..=6 {
        let t = k as f32 / 6.0;
        h.event(Event::PointerMoved(a + (b - a) * t));
        h.step();
    }
    button(h, b, false);
    h.step();
}

fn select_article(h: &mut Harness<'static, PizhuApp>, file_prefix: &str, index: usize) -> String {
    let id = h
        .state()
        .articles
        .iter()
        .find(|a| a.file.starts_with(file_prefix) && a.index == index)
        .unwrap()
        .id
        .clone();
    h.state_mut().select(&id);
    steps(h, 3);
    id
}

fn db(arch: &Path) -> Store {
    Store::open(&arch.join(".pizhu/pizhu.sqlite")).unwrap()
}

/// Code points `a..b` of the article text.
fn slice(h: &Harness<'static, PizhuApp>, a: usize, b: usize) -> String {
    let text = &h.state().view.as_ref().unwrap().article.text;
    text.chars().skip(a).take(b - a).collect()
}

/// Character pairs (a, b) with `a` in the middle of a wrapped row and `b`
/// on the next row (the row ends by wrapping, not at a line break).
fn wrapped_pairs(h: &Harness<'static, PizhuApp>) -> Vec<(usize, usize)> {
    let app = h.state();
    let text: Vec<char> = app.view.as_ref().unwrap().article.text.chars().collect();
    let body = app.view.as_ref().unwrap().article.body_start;
    let mut out = Vec::new();
    let mut row_start = body;
    for i in body + 1..text.len() {
        let (Some(p), Some(q)) = (app.text_pos(i - 1), app.text_pos(i)) else {
            continue;
        };
        if q.y > p.y + 5.0 {
            // i starts a new row; a wrap if the previous character is not a break.
            if text[i - 1] != '\n' && i - row_start > 10 {
                let a = row_start + (i - row_start) / 2;
                if text.len() > i + 6 && !text[a..i + 6].contains(&'\n') {
                    out.push((a, i + 5));
                }
            }
            row_start = i;
        }
    }
    out
}

#[test]
fn drag_on_wrapped_lines_selects_the_exact_characters() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    // The article of the report (file 001, article 3), then the first one.
    for (file, index) in [("001", 2), ("000", 0)] {
        let id = select_article(&mut h, file, index);
        let pairs = wrapped_pairs(&h);
        assert!(pairs.len() >= 3, "{file}#{index} has wrapped rows");
        for &(a, b) in pairs.iter().take(4) {
            // Unfocus the reader first: the first drag after Esc must work too.
            h.key_press(Key::Escape);
            steps(&mut h, 2);
            let pa = h.state().text_pos(a).unwrap();
            let pb = h.state().text_pos(b).unwrap();
            assert!(pb.y > pa.y, "b is on a later row");
            drag(&mut h, pa, pb);
            assert_eq!(
                h.state().selection,
                Some((a, b)),
                "{file}#{index}: dragged over 「{}」",
                slice(&h, a, b)
            );
        }
        // Marking the last drag stores exactly those characters.
        let &(a, b) = &pairs[pairs.len().min(4) - 1];
        let n = h
            .state()
            .view
            .as_ref()
            .unwrap()
            .article
            .text
            .chars()
            .count();
        let layout = |h: &Harness<'static, PizhuApp>| {
            (0..n)
                .step_by(7)
                .map(|i| h.state().text_pos(i).unwrap())
                .collect::<Vec<_>>()
        };
        let before = layout(&h);
        h.event(Event::Text("3".into()));
        steps(&mut h, 2);
        // Nothing reflowed: the side panel did not widen with the new entity.
        assert_eq!(layout(&h), before);
        let anns = db(&arch).annotations(&id).unwrap();
        let org = anns
            .iter()
            .find(|x| x.kind == AnnotationKind::Entity)
            .expect("entity saved");
        assert_eq!((org.start, org.end), (a, b));
        assert_eq!(org.quote.exact, slice(&h, a, b));
    }
}

#[test]
fn one_click_opens_the_entity_popup_even_without_focus() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    select_article(&mut h, "001", 2);
    let ents: Vec<_> = h
        .state()
        .view
        .as_ref()
        .unwrap()
        .entities
        .iter()
        .filter(|e| e.entity.start > 30 && e.entity.end - e.entity.start >= 2)
        .take(3)
        .cloned()
        .collect();
    assert_eq!(ents.len(), 3);
    for (k, e) in ents.iter().enumerate() {
        // Esc takes the focus away from the reader (and closes any popup).
        h.key_press(Key::Escape);
        steps(&mut h, 2);
        assert!(h.state().popup.is_none());
        let pos = h.state().text_pos(e.entity.start).unwrap();
        if k == 1 {
            click_at(&mut h, pos);
        } else {
            quick_click_at(&mut h, pos);
        }
        let popup = h.state().popup.clone().expect("one click opens the popup");
        assert_eq!(popup.entity.entity.start, e.entity.start);
        // Beside the entity, not on it: below the clicked row.
        assert!(popup.pos.y > pos.y, "{:?} below {:?}", popup.pos, pos);
    }
    // A click on the right half of an entity's last character opens it too.
    h.key_press(Key::Escape);
    steps(&mut h, 2);
    let (e, p, q) = ents
        .iter()
        .map(|e| {
            let p = h.state().text_pos(e.entity.end - 1).unwrap();
            let q = h.state().text_pos(e.entity.end).unwrap();
            (e, p, q)
        })
        .find(|(_, p, q)| p.y == q.y)
        .expect("an entity not at a row end");
    quick_click_at(&mut h, p + (q - p) * 0.5);
    assert_eq!(
        h.state().popup.as_ref().map(|p| p.entity.entity.start),
        Some(e.entity.start)
    );
    // The popup stays open after a retype, following the entity, and closes
    // after a deletion. No "1 articles".
    for n in h.query_all_by_label_contains("articles") {
        let l = n.accesskit_node().label().unwrap_or_default();
        assert!(!l.contains("(1 articles"), "{l}");
    }
    let e = h.state().popup.clone().unwrap().entity;
    let new = if e.entity.label.as_str() == "ORG" {
        "LOC"
    } else {
        "ORG"
    };
    h.get_by_label(new).click();
    steps(&mut h, 3);
    let p = h.state().popup.clone().expect("still open after retype");
    assert_eq!(p.entity.entity.label.as_str(), new);
    assert_eq!(p.entity.status, EntityStatus::User);
    h.get_by_label("grow ▶").click();
    steps(&mut h, 3);
    let p = h.state().popup.clone().expect("still open after grow");
    assert_eq!(p.entity.entity.end, e.entity.end + 1);
    h.get_by_label("Reject (Delete)").click();
    steps(&mut h, 3);
    assert!(h.state().popup.is_none(), "closed after deletion");
}

#[test]
fn export_name_follows_the_format_lives_outside_and_asks_before_overwriting() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    h.get_by_label("File").click();
    steps(&mut h, 2);
    h.get_by_label("Export…").click();
    steps(&mut h, 2);
    let path_of = |h: &Harness<'static, PizhuApp>| match &h.state().prompt {
        Some(Prompt::Export { path, .. }) => path.clone(),
        other => panic!("no export prompt: {other:?}"),
    };
    let jsonl = path_of(&h);
    assert!(jsonl.ends_with(".jsonl"), "{jsonl}");
    let arch_c = arch.canonicalize().unwrap();
    assert!(
        !Path::new(&jsonl).starts_with(&arch_c),
        "default {jsonl} is outside the archive"
    );
    h.get_by_label("Format").click();
    steps(&mut h, 2);
    h.get_by_label("markdown").click();
    steps(&mut h, 2);
    let md = path_of(&h);
    assert_eq!(md, jsonl.trim_end_matches(".jsonl").to_string() + ".md");
    h.get_by_role_and_label(Role::Button, "Export").click();
    steps(&mut h, 3);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with('#'), "markdown written to {md}");
    // Exporting again to the same name asks first; Cancel leaves the file.
    std::fs::write(&md, "keep me").unwrap();
    h.get_by_label("File").click();
    steps(&mut h, 2);
    h.get_by_label("Export…").click();
    steps(&mut h, 2);
    h.get_by_label("Format").click();
    steps(&mut h, 2);
    h.get_by_label("markdown").click();
    steps(&mut h, 2);
    h.get_by_role_and_label(Role::Button, "Export").click();
    steps(&mut h, 2);
    assert!(h.query_by_label_contains("Overwrite it?").is_some());
    h.get_by_label("Cancel").click();
    steps(&mut h, 2);
    assert_eq!(std::fs::read_to_string(&md).unwrap(), "keep me");
    h.get_by_role_and_label(Role::Button, "Export").click();
    steps(&mut h, 2);
    h.get_by_label("Overwrite").click();
    steps(&mut h, 3);
    assert_ne!(std::fs::read_to_string(&md).unwrap(), "keep me");
    std::fs::remove_file(&md).unwrap();
}

#[test]
fn review_mode_accepts_rejects_retypes_moves_and_undoes_with_keys() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    let id = select_article(&mut h, "001", 2);
    h.event(Event::Text("r".into()));
    steps(&mut h, 2);
    let queue = h
        .state()
        .review
        .as_ref()
        .expect("R starts review")
        .state
        .clone();
    let n = queue.items.len();
    assert!(n >= 5, "{n} automatic entities to review");
    // Least confident first (ties in reading order).
    for w in queue.items.windows(2) {
        assert!(
            w[0].confidence < w[1].confidence
                || (w[0].confidence == w[1].confidence && w[0].start < w[1].start)
        );
    }
    let current = |h: &Harness<'static, PizhuApp>| {
        h.state()
            .review
            .as_ref()
            .unwrap()
            .state
            .current()
            .cloned()
            .unwrap()
    };
    let rows = |kind: AnnotationKind| {
        db(&arch)
            .annotations(&id)
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == kind)
            .map(|a| (a.start, a.end, a.label.map(|l| l.as_str().to_string())))
            .collect::<Vec<_>>()
    };
    assert!(
        h.query_by_label_contains(&format!("entity 1 of {n}"))
            .is_some()
    );

    // Enter accepts.
    let first = current(&h);
    assert_eq!(h.state().review_target(), Some((first.start, first.end)));
    h.key_press(Key::Enter);
    steps(&mut h, 2);
    assert_eq!(
        rows(AnnotationKind::Accept),
        vec![(
            first.start,
            first.end,
            Some(first.label.as_str().to_string())
        )]
    );
    assert!(
        h.query_by_label_contains(&format!("entity 2 of {n}"))
            .is_some()
    );

    // Delete rejects.
    let second = current(&h);
    h.key_press(Key::Delete);
    steps(&mut h, 2);
    assert!(rows(AnnotationKind::Reject).contains(&(
        second.start,
        second.end,
        Some(second.label.as_str().to_string())
    )));
    assert!(!h.state().view.as_ref().unwrap().entities.iter().any(|e| (
        e.entity.start,
        e.entity.end
    ) == (
        second.start,
        second.end
    )));

    // 1–6 retype: the entity becomes a user entity of the new type.
    let third = current(&h);
    let (digit, label) = if third.label.as_str() == "LOC" {
        ("3", "ORG")
    } else {
        ("2", "LOC")
    };
    h.event(Event::Text(digit.into()));
    steps(&mut h, 2);
    assert!(rows(AnnotationKind::Entity).contains(&(
        third.start,
        third.end,
        Some(label.to_string())
    )));

    // → moves the end boundary, the entity stays under review; Ctrl+Z undoes.
    let fourth = current(&h);
    let before = db(&arch).annotations(&id).unwrap().len();
    h.key_press(Key::ArrowLeft);
    steps(&mut h, 2);
    let moved = current(&h);
    if fourth.end - fourth.start >= 2 {
        assert_eq!((moved.start, moved.end), (fourth.start, fourth.end - 1));
        assert!(rows(AnnotationKind::Entity).contains(&(
            fourth.start,
            fourth.end - 1,
            Some(fourth.label.as_str().to_string())
        )));
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        steps(&mut h, 2);
        assert_eq!(db(&arch).annotations(&id).unwrap().len(), before);
        assert_eq!(current(&h), fourth);
    }
    // Ctrl+Z again undoes the retype and goes back to that entity.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    steps(&mut h, 2);
    assert_eq!(current(&h), third);
    assert!(rows(AnnotationKind::Entity).is_empty());

    // Space skips the rest; at the end Enter marks the article reviewed.
    for _ in 0..n {
        if h.state().review.as_ref().unwrap().state.article_done() {
            break;
        }
        h.key_press(Key::Space);
        steps(&mut h, 1);
    }
    steps(&mut h, 2);
    assert!(
        h.query_by_label_contains("Mark the article reviewed?")
            .is_some()
    );
    assert!(!db(&arch).article(&id).unwrap().reviewed);
    h.key_press(Key::Enter);
    steps(&mut h, 2);
    assert!(db(&arch).article(&id).unwrap().reviewed);
    assert!(h.state().review.is_none(), "the article review is over");
    // Nothing else changed: one accept, one reject.
    assert_eq!(rows(AnnotationKind::Accept).len(), 1);
    assert_eq!(rows(AnnotationKind::Reject).len(), 1);
}

#[test]
fn archive_review_walks_articles_of_one_type() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    select_article(&mut h, "000", 0);
    h.event(Event::Text("R".into()));
    steps(&mut h, 2);
    // Only people.
    {
        let app = h.state_mut();
        let mut filter = app.review.as_ref().unwrap().state.filter.clone();
        filter.types = ["PER".to_string()].into_iter().collect();
        app.start_review(pizhu::ui::review::ReviewScope::Archive, filter);
    }
    steps(&mut h, 2);
    let first_article = h.state().selected.clone().unwrap();
    let mut seen_articles = vec![first_article.clone()];
    let mut rejected = 0;
    let t0 = std::time::Instant::now();
    let mut keys = 0;
    for _ in 0..400 {
        keys += 1;
        let Some(r) = h.state().review.as_ref() else {
            break;
        };
        if r.state.article_done() {
            // Decline marking, go on to the next article.
            h.key_press(Key::N);
        } else {
            let it = r.state.current().unwrap().clone();
            assert_eq!(it.label.as_str(), "PER");
            h.key_press(Key::Delete);
            rejected += 1;
        }
        steps(&mut h, 1);
        if let Some(s) = &h.state().selected
            && !seen_articles.contains(s)
        {
            seen_articles.push(s.clone());
        }
    }
    // A figure, not an assertion (timed tests are flaky): the app's own cost
    // of one review key, frame included.
    eprintln!(
        "review: {keys} keys in {:?} ({:.1} ms per key)",
        t0.elapsed(),
        t0.elapsed().as_secs_f64() * 1000.0 / keys as f64
    );
    assert!(h.state().review.is_none(), "the queue ends");
    assert!(seen_articles.len() >= 3, "walked {seen_articles:?}");
    let store = db(&arch);
    let total: usize = seen_articles
        .iter()
        .map(|a| {
            store
                .annotations(a)
                .unwrap()
                .iter()
                .filter(|x| x.kind == AnnotationKind::Reject)
                .count()
        })
        .sum();
    assert_eq!(total, rejected);
    for a in &seen_articles {
        assert!(
            store
                .effective_entities(a)
                .unwrap()
                .iter()
                .all(|e| e.entity.label.as_str() != "PER"),
            "every person of {a} was rejected"
        );
        assert!(!store.article(a).unwrap().reviewed);
    }
}

fn export_format(arch: &Path, format: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pizhu"))
        .args(["export", arch.to_str().unwrap(), "--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn ocr_corrections_reach_the_exports_and_the_entity_follows() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    let id = select_article(&mut h, "001", 2);
    let e = h
        .state()
        .view
        .as_ref()
        .unwrap()
        .entities
        .iter()
        .find(|e| e.entity.start > 30 && e.entity.label.as_str() == "ORG")
        .unwrap()
        .clone();
    // Select the entity's text, then "Correct…".
    let pa = h.state().text_pos(e.entity.start).unwrap();
    let pb = h.state().text_pos(e.entity.end).unwrap();
    drag(&mut h, pa, pb);
    assert_eq!(h.state().selection, Some((e.entity.start, e.entity.end)));
    h.get_by_label("Correct…").click();
    steps(&mut h, 3);
    // The box shows the text it corrects and has the focus: typing replaces
    // the selected-all field content.
    assert!(
        h.query_by_label_contains(&format!("「{}」 →", e.entity.text))
            .is_some()
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.event(Event::Text("测试机构".into()));
    steps(&mut h, 2);
    h.get_by_label("Save correction").click();
    steps(&mut h, 3);
    let anns = db(&arch).annotations(&id).unwrap();
    let c = anns
        .iter()
        .find(|a| a.kind == AnnotationKind::Correction)
        .expect("correction saved");
    assert_eq!(c.replacement.as_deref(), Some("测试机构"));
    // The entity shows its corrected text in the panel.
    assert_eq!(
        h.state()
            .view
            .as_ref()
            .unwrap()
            .shown_text(e.entity.start, e.entity.end),
        "测试机构"
    );
    assert!(h.query_by_label("测试机构").is_some());

    // jsonl: a `corrections` list over the source text.
    let jsonl = export_format(&arch, "jsonl");
    let rec: serde_json::Value = jsonl
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["id"] == id.as_str())
        .unwrap();
    assert_eq!(
        rec["corrections"],
        serde_json::json!([{
            "start": e.entity.start,
            "end": e.entity.end,
            "text": e.entity.text,
            "replacement": "测试机构"
        }])
    );
    // Reading copies show the corrected text.
    for f in ["markdown", "html"] {
        let out = export_format(&arch, f);
        assert!(out.contains("测试机构"), "{f}");
    }
    // W3C: an `editing` annotation.
    let w3c: serde_json::Value = serde_json::from_str(&export_format(&arch, "w3c")).unwrap();
    let items = w3c["first"]["items"].as_array().unwrap();
    let edit = items
        .iter()
        .find(|a| a["motivation"] == "editing")
        .expect("an editing annotation");
    assert_eq!(edit["body"][0]["value"], "测试机构");
}

#[test]
fn note_box_takes_the_first_keystrokes_search_hits_step_and_pages_scroll() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    let id = select_article(&mut h, "001", 2);
    let pairs = wrapped_pairs(&h);
    let (a, b) = pairs[0];
    let pa = h.state().text_pos(a).unwrap();
    let pb = h.state().text_pos(b).unwrap();
    drag(&mut h, pa, pb);
    // N opens the note box; what is typed next lands in it.
    h.event(Event::Text("n".into()));
    steps(&mut h, 2);
    let quote = slice(&h, a, b);
    // (Longer than the toolbar's 16-character preview, so only the box shows all of it.)
    assert!(quote.chars().count() > 16);
    assert!(
        h.query_by_label(&format!("「{quote}」")).is_some(),
        "the box shows 「{quote}」"
    );
    h.event(Event::Text("要核实".into()));
    steps(&mut h, 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    steps(&mut h, 3);
    let anns = db(&arch).annotations(&id).unwrap();
    let note = anns
        .iter()
        .find(|x| x.kind == AnnotationKind::Highlight)
        .expect("note saved");
    assert_eq!((note.start, note.end), (a, b));
    assert_eq!(note.note.as_deref(), Some("要核实"));
    assert!(h.state().prompt.is_none());

    // Search: hits in the article, F3 steps through them, snippets in the list.
    let word: String = slice(&h, a, a + 2);
    h.state_mut().filter.query = word.clone();
    steps(&mut h, 3);
    let hits = h.state().search_hits();
    assert!(!hits.is_empty());
    assert!(h.state().snippets.contains_key(&id));
    h.key_press(Key::F3);
    steps(&mut h, 2);
    assert_eq!(h.state().hit_cursor, Some(0));
    h.key_press(Key::F3);
    steps(&mut h, 2);
    assert_eq!(h.state().hit_cursor, Some(1 % hits.len()));
    h.state_mut().filter.query.clear();
    steps(&mut h, 2);

    // PageDown and End scroll the reader, Home goes back (a long article).
    select_article(&mut h, "000", 0);
    h.key_press(Key::Escape);
    steps(&mut h, 2);
    let top = h.state().reader_metrics.0;
    h.key_press(Key::PageDown);
    steps(&mut h, 3);
    let down = h.state().reader_metrics.0;
    assert!(
        down > top + 100.0,
        "{top} → {down} {:?}",
        h.state().reader_metrics
    );
    h.key_press(Key::End);
    steps(&mut h, 3);
    let (end, view_h, content) = h.state().reader_metrics;
    assert!(
        (end - (content - view_h)).abs() < 2.0,
        "{end} {view_h} {content}"
    );
    h.key_press(Key::Home);
    steps(&mut h, 3);
    assert_eq!(h.state().reader_metrics.0, 0.0);
}

#[test]
fn apply_to_all_previews_and_asks_before_touching_many_articles() {
    let (_g, arch) = seed_copy();
    let mut h = harness(&arch);
    select_article(&mut h, "000", 0);
    // An automatic entity whose text is in more than three articles.
    let store = db(&arch);
    let e = h
        .state()
        .view
        .as_ref()
        .unwrap()
        .entities
        .iter()
        .filter(|e| e.entity.start > 10 && e.entity.label.as_str() == "LOC")
        .find(|e| store.article_ids_containing(&e.entity.text).unwrap().len() > 3)
        .expect("a frequent place")
        .clone();
    let n = store.article_ids_containing(&e.entity.text).unwrap().len();
    let pos = h.state().text_pos(e.entity.start).unwrap();
    click_at(&mut h, pos);
    assert!(h.state().popup.is_some());
    h.get_by_label("Always LOC").click();
    steps(&mut h, 2);
    // Nothing changed yet: a preview asks first.
    assert!(store.lexicon_list().unwrap().is_empty());
    let preview = match &h.state().prompt {
        Some(Prompt::ApplyToAll { preview, .. }) => preview.clone(),
        other => panic!("no preview: {other:?}"),
    };
    assert_eq!(preview.articles, n);
    assert!(preview.occurrences.len() >= n);
    assert_eq!(
        preview.adds + preview.retypes + preview.unchanged,
        preview.occurrences.len(),
        "{preview:?}"
    );
    assert!(preview.unchanged >= 1, "{preview:?}");
    assert!(
        preview
            .occurrences
            .iter()
            .all(|(_, _, ctx)| ctx.contains(&format!("「{}」", e.entity.text)))
    );
    assert!(
        h.query_by_label_contains(&format!("in {n} articles: about"))
            .is_some()
    );
    h.get_by_label("Apply").click();
    steps(&mut h, 2);
    // The relabelling runs in the background (with a progress count).
    common::app::wait_idle(&mut h);
    let lex = store.lexicon_list().unwrap();
    assert_eq!(lex.len(), 1);
    assert_eq!(lex[0].text, e.entity.text);
    // After re-extraction every occurrence is a place.
    for id in store.article_ids_containing(&e.entity.text).unwrap() {
        assert!(
            store
                .effective_entities(&id)
                .unwrap()
                .iter()
                .filter(|x| x.entity.text == e.entity.text)
                .all(|x| x.entity.label.as_str() == "LOC")
        );
    }
}
