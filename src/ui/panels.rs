//! The panels around the reader: menu bar, article list, entity side panel,
//! status bar, and the small windows (entity popup, prompts, help).
//!
//! Each `*_ui` function draws state and pushes [`Command`]s; none of them
//! writes to the store.

use std::collections::BTreeMap;

use egui::{RichText, Ui};

use super::app::{Command, PizhuApp, Prompt, search_id};
use super::highlight::type_color;
use crate::edit::Edit;
use crate::extract::EntityType;

/// The menu bar.
pub fn menu_bar_ui(app: &mut PizhuApp, ui: &mut Ui) {
    egui::Panel::top("menu").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open archive…  Ctrl+O").clicked() {
                    app.prompt = Some(Prompt::Open {
                        path: String::new(),
                    });
                }
                ui.menu_button("Recent archives", |ui| {
                    if app.settings.recent.is_empty() {
                        ui.label("none yet");
                    }
                    for p in app.settings.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            app.commands.push(Command::Open(p));
                        }
                    }
                });
                if ui
                    .add_enabled(app.store.is_some(), egui::Button::new("Export…"))
                    .clicked()
                {
                    let path = app
                        .archive
                        .as_ref()
                        .map(|a| {
                            default_export_path(a, crate::export::Format::Jsonl)
                                .display()
                                .to_string()
                        })
                        .unwrap_or_default();
                    app.prompt = Some(Prompt::Export {
                        format: "jsonl".into(),
                        path,
                        confirm_overwrite: false,
                    });
                }
                super::live::model_menu_items(app, ui);
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                if ui
                    .add_enabled(app.editor.can_undo(), egui::Button::new("Undo  Ctrl+Z"))
                    .clicked()
                {
                    app.commands.push(Command::Undo);
                }
                if ui
                    .add_enabled(
                        app.editor.can_redo(),
                        egui::Button::new("Redo  Ctrl+Shift+Z"),
                    )
                    .clicked()
                {
                    app.commands.push(Command::Redo);
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Insights (charts)…").clicked() {
                    app.insights.open = true;
                }
                ui.checkbox(&mut app.settings.dark, "Dark theme");
                ui.horizontal(|ui| {
                    ui.label("Font size");
                    if ui.button("−").clicked() {
                        app.settings.font_size = (app.settings.font_size - 1.0).max(10.0);
                    }
                    ui.label(format!("{:.0}", app.settings.font_size));
                    if ui.button("+").clicked() {
                        app.settings.font_size = (app.settings.font_size + 1.0).min(40.0);
                    }
                });
                ui.separator();
                ui.label("Entity types shown");
                for t in EntityType::BUILTIN {
                    let mut on = app.settings.shown.contains(t.as_str());
                    if ui
                        .checkbox(&mut on, RichText::new(t.as_str()).color(type_color(&t)))
                        .changed()
                    {
                        if on {
                            app.settings.shown.insert(t.as_str().to_string());
                        } else {
                            app.settings.shown.remove(t.as_str());
                        }
                    }
                }
                ui.separator();
                if ui
                    .checkbox(&mut app.settings.raw_view, "Raw text (original file)")
                    .changed()
                {
                    app.reload_view();
                }
            });
            ui.menu_button("Team", |ui| super::teams::team_menu_ui(app, ui));
            ui.menu_button("Help", |ui| {
                if ui.button("Keyboard shortcuts  ?").clicked() {
                    app.show_shortcuts = true;
                }
                if ui.button("About Pizhu").clicked() {
                    app.show_about = true;
                }
            });
        });
    });
}

/// The status bar.
pub fn status_bar_ui(app: &mut PizhuApp, ui: &mut Ui) {
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            match &app.archive {
                Some(a) => ui.label(a.display().to_string()),
                None => ui.label("no archive"),
            };
            ui.separator();
            let entities: usize = app.articles.iter().map(|a| a.entities).sum();
            let annotations: usize = app.articles.iter().map(|a| a.annotations).sum();
            ui.label(format!(
                "{} articles · {} entities · {} annotations",
                app.articles.len(),
                entities,
                annotations
            ));
            if let Some(p) = app.progress {
                ui.separator();
                let frac = if p.total == 0 {
                    0.0
                } else {
                    p.done as f32 / p.total as f32
                };
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(160.0)
                        .text(format!("indexing {}/{}", p.done, p.total)),
                );
            } else if app.is_busy() {
                ui.separator();
                ui.spinner();
            }
            if let Some(s) = &app.store {
                ui.separator();
                ui.label(format!("annotator: {}", s.annotator()))
                    .on_hover_text("Whose work is shown and written (Team menu)");
            }
            ui.separator();
            ui.label(RichText::new(&app.status).weak());
        });
    });
}

/// The left panel: search, filters and the virtualised article list.
pub fn article_list_ui(app: &mut PizhuApp, ui: &mut Ui) {
    egui::Panel::left("articles")
        .resizable(true)
        .default_size(300.0)
        .show(ui, |ui| {
            let search = ui.add(
                egui::TextEdit::singleline(&mut app.filter.query)
                    .id(search_id())
                    .hint_text("Search (/)")
                    .desired_width(f32::INFINITY),
            );
            if app.focus_search {
                search.request_focus();
                app.focus_search = false;
            }
            // Enter in the search box steps through the hits in the article.
            if search.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                app.refilter();
                app.step_hit(1);
                search.request_focus();
            }
            ui.horizontal(|ui| {
                let tags = app
                    .store
                    .as_ref()
                    .and_then(|s| s.all_tags().ok())
                    .unwrap_or_default();
                let tag_label = ui.label("tag").id;
                egui::ComboBox::from_id_salt("tag_filter")
                    .selected_text(app.filter.tag.clone().unwrap_or_else(|| "any tag".into()))
                    .width(90.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut app.filter.tag, None, "any tag");
                        for t in tags {
                            ui.selectable_value(&mut app.filter.tag, Some(t.clone()), t);
                        }
                    })
                    .response
                    .labelled_by(tag_label);
                let state_label = ui.label("state").id;
                egui::ComboBox::from_id_salt("state_filter")
                    .selected_text(match app.filter.annotated {
                        None => "all",
                        Some(true) => "annotated",
                        Some(false) => "not yet",
                    })
                    .width(80.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut app.filter.annotated, None, "all");
                        ui.selectable_value(&mut app.filter.annotated, Some(true), "annotated");
                        ui.selectable_value(&mut app.filter.annotated, Some(false), "not yet");
                    })
                    .response
                    .labelled_by(state_label);
            });
            ui.add(
                egui::TextEdit::singleline(&mut app.filter.entity)
                    .hint_text("Entity filter")
                    .desired_width(f32::INFINITY),
            );
            super::insights::chart_filter_ui(app, ui);
            ui.label(
                RichText::new(format!(
                    "{} of {} articles",
                    app.visible.len(),
                    app.articles.len()
                ))
                .weak(),
            );
            ui.separator();
            // Rows: a file header before the first article of each file
            // (built when the visible articles change, not every frame).
            if app.list_rows.0 != app.visible_gen {
                let mut rows: Vec<(bool, usize)> = Vec::with_capacity(app.visible.len() + 8);
                let mut last_file: Option<&str> = None;
                for &i in &app.visible {
                    let f = app.articles[i].file.as_str();
                    if last_file != Some(f) {
                        rows.push((true, i));
                        last_file = Some(f);
                    }
                    rows.push((false, i));
                }
                app.list_rows = (app.visible_gen, rows);
            }
            let rows = std::mem::take(&mut app.list_rows.1);
            let searching = app.list_searching();
            let body_h = ui.text_style_height(&egui::TextStyle::Body);
            let row_h = if searching {
                body_h * 2.0 + 8.0
            } else {
                body_h + 6.0
            };
            let mut area = egui::ScrollArea::vertical()
                .id_salt("article_list")
                .auto_shrink([false, false]);
            let sel = app.selected_index();
            if std::mem::take(&mut app.list_to_selected)
                && let Some(k) = rows.iter().position(|&(h, i)| !h && Some(i) == sel)
            {
                // Keep the selected row in view (only scroll when it is not).
                let step = row_h + ui.spacing().item_spacing.y;
                let y = k as f32 * step;
                let (off, h) = app.list_metrics;
                if y < off || y + step > off + h {
                    area = area.vertical_scroll_offset((y - h / 3.0).max(0.0));
                }
            }
            let out = area.show_rows(ui, row_h, rows.len(), |ui, range| {
                for &(header, i) in &rows[range] {
                    let a = &app.articles[i];
                    if header {
                        ui.label(RichText::new(&a.file).small().strong());
                        continue;
                    }
                    let selected = app.selected.as_deref() == Some(a.id.as_str());
                    let mark = if a.reviewed { "√ " } else { "" };
                    let text = format!("{mark}{}", a.title);
                    let resp = ui
                        .add(egui::Button::selectable(selected, text).truncate())
                        .on_hover_text(format!(
                            "{}\n{} · {} · {} entities · {} annotations",
                            a.title,
                            a.date.as_deref().unwrap_or("no date"),
                            a.source.as_deref().unwrap_or("no source"),
                            a.entities,
                            a.annotations
                        ));
                    if resp.clicked() {
                        app.commands.push(Command::Select(a.id.clone()));
                    }
                    if searching {
                        // Made per row drawn when the filter ran in the
                        // background (a large archive).
                        let snip = match app.snippets.get(&a.id) {
                            Some(s) => s.clone(),
                            None => {
                                let q = app.filter_applied.as_ref().map(|f| f.query.as_str());
                                let s = app
                                    .store
                                    .as_ref()
                                    .zip(q)
                                    .and_then(|(st, q)| st.snippet_for(&a.id, q).ok().flatten())
                                    .unwrap_or_default();
                                app.snippets.insert(a.id.clone(), s.clone());
                                s
                            }
                        };
                        ui.add(egui::Label::new(RichText::new(snip).small().weak()).truncate());
                    }
                }
            });
            app.list_metrics = (out.state.clamped_offset().y, out.inner_rect.height());
            app.list_rows.1 = rows;
        });
}

/// The right panel: entities, the selected entity across the archive, tags,
/// highlights and notes.
pub fn side_panel_ui(app: &mut PizhuApp, ui: &mut Ui) {
    egui::Panel::right("side")
        .resizable(true)
        .default_size(300.0)
        .min_size(240.0)
        .show(ui, |ui| {
            let Some(view) = app.view.clone() else {
                ui.label("No article selected.");
                return;
            };
            let article = view.article.id.clone();
            egui::ScrollArea::vertical()
                .id_salt("side_scroll")
                .show(ui, |ui| {
                    let mut reviewed = view.article.reviewed;
                    if ui.checkbox(&mut reviewed, "Reviewed").changed() {
                        app.commands.push(Command::Edit(Edit::SetReviewed {
                            article: article.clone(),
                            reviewed,
                        }));
                    }
                    ui.heading("Entities");
                    // Group by type, then by text.
                    let mut groups: BTreeMap<EntityType, BTreeMap<String, Vec<(usize, usize)>>> =
                        BTreeMap::new();
                    for e in &view.entities {
                        groups
                            .entry(e.entity.label.clone())
                            .or_default()
                            .entry(view.shown_text(e.entity.start, e.entity.end))
                            .or_default()
                            .push((e.entity.start, e.entity.end));
                    }
                    for (t, texts) in &groups {
                        let n: usize = texts.values().map(Vec::len).sum();
                        egui::CollapsingHeader::new(
                            RichText::new(format!("{t} ({n})")).color(type_color(t)),
                        )
                        .id_salt(format!("group_{t}"))
                        .default_open(true)
                        .show(ui, |ui| {
                            // One entity per row, truncated to the panel: long
                            // names never widen the panel or share a row.
                            ui.vertical(|ui| {
                                for (text, spans) in texts {
                                    let focused = app
                                        .focus_entity
                                        .as_ref()
                                        .is_some_and(|(ft, fl, _)| ft == text && fl == t);
                                    let label = if spans.len() > 1 {
                                        format!("{text} ×{}", spans.len())
                                    } else {
                                        text.clone()
                                    };
                                    if ui
                                        .add(egui::Button::selectable(focused, label).truncate())
                                        .on_hover_text(text)
                                        .clicked()
                                    {
                                        let next = match &app.focus_entity {
                                            Some((ft, fl, k)) if ft == text && fl == t => {
                                                (k + 1) % spans.len()
                                            }
                                            _ => 0,
                                        };
                                        app.focus_entity = Some((text.clone(), t.clone(), next));
                                        let (s, e) = spans[next];
                                        app.commands.push(Command::Reveal(s, e));
                                    }
                                }
                            });
                        });
                    }
                    if let Some((text, label, _)) = app.focus_entity.clone() {
                        ui.separator();
                        entity_card_ui(app, ui, &text, &label);
                    }
                    ui.separator();
                    tags_ui(app, ui, &article, &view.tags);
                    ui.separator();
                    ui.heading("Highlights & notes");
                    let mut any = false;
                    for a in &view.annotations {
                        if !matches!(
                            a.kind,
                            crate::store::AnnotationKind::Highlight
                                | crate::store::AnnotationKind::Correction
                        ) {
                            continue;
                        }
                        any = true;
                        ui.horizontal(|ui| {
                            let c = a
                                .color
                                .as_deref()
                                .and_then(super::highlight::parse_color)
                                .unwrap_or(egui::Color32::GRAY);
                            let label = match (&a.kind, &a.replacement) {
                                (crate::store::AnnotationKind::Correction, Some(r)) => {
                                    format!("{} → {}", a.quote.exact, r)
                                }
                                _ => a.quote.exact.chars().take(24).collect(),
                            };
                            if ui
                                .add(
                                    egui::Button::new(
                                        RichText::new(label)
                                            .background_color(c.gamma_multiply(0.6)),
                                    )
                                    .truncate(),
                                )
                                .clicked()
                            {
                                app.commands.push(Command::Reveal(a.start, a.end));
                            }
                            if ui.small_button("×").on_hover_text("Delete").clicked() {
                                app.commands
                                    .push(Command::Edit(Edit::DeleteAnnotation { id: a.id }));
                            }
                        });
                        if let Some(n) = a.note.as_deref().filter(|n| !n.is_empty()) {
                            ui.label(RichText::new(format!("※ {n}")).italics());
                        }
                        // A merged highlight says whose it was.
                        if let Some(m) = a.made_by.as_deref().filter(|m| !m.is_empty()) {
                            ui.label(RichText::new(format!("from {m}")).weak().small())
                                .on_hover_text("Brought into this set by `pizhu merge`");
                        }
                    }
                    if !any {
                        ui.label(RichText::new("Select text and press H or N.").weak());
                    }
                });
        });
}

fn entity_card_ui(app: &mut PizhuApp, ui: &mut Ui, text: &str, label: &EntityType) {
    ui.label(
        RichText::new(format!("{text} · {label}"))
            .strong()
            .color(type_color(label)),
    );
    let Some(store) = &app.store else { return };
    if let Ok(tags) = store.entity_tags(text, label)
        && !tags.is_empty()
    {
        ui.label(format!("tags: {}", tags.join(", ")));
    }
    if *label == EntityType::Per
        && let Ok(card) = store.person_card(text)
    {
        ui.label(RichText::new("Who's who").strong());
        for (title, org) in &card.roles {
            ui.label(format!(
                "{} {}",
                org.as_deref().unwrap_or(""),
                title.as_deref().unwrap_or("")
            ));
        }
        if card.roles.is_empty() && !card.titles.is_empty() {
            ui.label(card.titles.join("、"));
        }
    }
    let mentions = app.mentions_of(text).to_vec();
    ui.label(format!(
        "In {} articles across the archive:",
        mentions.len()
    ));
    for (id, n) in mentions.iter().take(50) {
        let title = app
            .articles
            .iter()
            .find(|a| &a.id == id)
            .map(|a| a.title.clone())
            .unwrap_or_else(|| id.clone());
        if ui.link(format!("{title} ({n})")).clicked() {
            app.commands.push(Command::Select(id.clone()));
        }
    }
}

fn tags_ui(app: &mut PizhuApp, ui: &mut Ui, article: &str, tags: &[String]) {
    ui.heading("Tags");
    ui.horizontal_wrapped(|ui| {
        for t in tags {
            if ui
                .button(format!("{t} ×"))
                .on_hover_text("Remove tag")
                .clicked()
            {
                app.commands.push(Command::Edit(Edit::UntagArticle {
                    article: article.to_string(),
                    tag: t.clone(),
                }));
            }
        }
    });
    let resp = ui.add(
        egui::TextEdit::singleline(&mut app.tag_input)
            .hint_text("Add a tag (T)")
            .id_salt("tag_input"),
    );
    if app.focus_tag {
        resp.request_focus();
        app.focus_tag = false;
    }
    let submit = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let typed = app.tag_input.trim().to_string();
    if !typed.is_empty() {
        let all = app
            .store
            .as_ref()
            .and_then(|s| s.all_tags().ok())
            .unwrap_or_default();
        ui.horizontal_wrapped(|ui| {
            for t in all
                .iter()
                .filter(|t| t.contains(&typed) && !tags.contains(t))
                .take(8)
            {
                if ui.small_button(t).clicked() {
                    app.commands.push(Command::Edit(Edit::TagArticle {
                        article: article.to_string(),
                        tag: t.clone(),
                    }));
                    app.tag_input.clear();
                }
            }
        });
    }
    if (submit || ui.button("Add tag").clicked()) && !typed.is_empty() {
        app.commands.push(Command::Edit(Edit::TagArticle {
            article: article.to_string(),
            tag: typed,
        }));
        app.tag_input.clear();
    }
}

/// Windows: entity popup, prompts, shortcut sheet, about, errors.
pub fn windows_ui(app: &mut PizhuApp, ctx: &egui::Context) {
    entity_popup_ui(app, ctx);
    prompt_ui(app, ctx);
    super::insights::insights_window_ui(app, ctx);
    super::teams::curation_window_ui(app, ctx);
    super::teams::agreement_window_ui(app, ctx);
    if app.show_shortcuts {
        egui::Window::new("Keyboard shortcuts")
            .open(&mut app.show_shortcuts)
            .collapsible(false)
            .show(ctx, |ui| {
                egui::Grid::new("keys").striped(true).show(ui, |ui| {
                    for (k, what) in [
                        ("j / ↓", "next article"),
                        ("k / ↑", "previous article"),
                        ("/", "search"),
                        ("Shift+← → ↑ ↓", "extend the selection in the reader"),
                        ("PageUp / PageDown", "scroll the article a page"),
                        ("Home / End", "top / end of the article"),
                        ("1–6", "mark selection as PER LOC ORG TITLE DATE MONEY"),
                        ("H", "highlight selection"),
                        ("N", "note on selection"),
                        ("T", "tag the article"),
                        ("Delete", "reject the entity in the popup"),
                        ("Esc", "clear selection, close popups"),
                        (
                            "R / Shift+R",
                            "review this article / every unreviewed article",
                        ),
                        ("Review: Enter / Delete", "accept / reject the entity"),
                        ("Review: 1–6", "retype the entity"),
                        ("Review: ← → / Shift+← →", "move its end / start"),
                        ("Review: Space / Ctrl+Z / Esc", "skip / undo / stop"),
                        ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo"),
                        ("Ctrl+O", "open archive"),
                        ("Ctrl+= / Ctrl+-", "font size"),
                        ("?", "this sheet"),
                    ] {
                        ui.label(RichText::new(k).monospace());
                        ui.label(what);
                        ui.end_row();
                    }
                });
            });
    }
    if app.show_about {
        egui::Window::new("About Pizhu")
            .open(&mut app.show_about)
            .show(ctx, |ui| {
                ui.label(format!("Pizhu 批注 {}", env!("CARGO_PKG_VERSION")));
                ui.label("A reader and annotator for archives of Chinese news articles.");
                ui.label("Font: Noto Sans CJK SC (SIL OFL 1.1). Gazetteer: jionlp (Apache-2.0).");
            });
    }
    if let Some(err) = app.error.clone() {
        egui::Window::new("Error")
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label(RichText::new(err).color(egui::Color32::from_rgb(0xd0, 0x30, 0x30)));
                if ui.button("OK").clicked() {
                    app.error = None;
                }
            });
    }
}

/// "Apply to all" asks first when it touches more articles than this.
pub const APPLY_ALL_ASK_ABOVE: usize = 3;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn entity_popup_ui(app: &mut PizhuApp, ctx: &egui::Context) {
    let (Some(mut popup), Some(article)) = (app.popup.clone(), app.selected.clone()) else {
        return;
    };
    // After an edit from the popup, follow the entity to its new span/type.
    if let Some((s, t, label)) = popup.follow.clone()
        && let Some(view) = &app.view
    {
        match view
            .entities
            .iter()
            .find(|e| e.entity.start == s && e.entity.end == t && e.entity.label == label)
        {
            Some(found) => {
                popup.entity = found.clone();
                popup.follow = None;
            }
            None if !app.commands.is_empty() => {}
            None => {
                app.popup = None;
                return;
            }
        }
    }
    let e = popup.entity.clone();
    let mut open = true;
    let mut close = false;
    let mut follow: Option<(usize, usize, EntityType)> = None;
    let shown = app.view.as_ref().map_or_else(
        || e.entity.text.clone(),
        |v| v.shown_text(e.entity.start, e.entity.end),
    );
    let title = if shown == e.entity.text {
        format!("{} · {}", e.entity.text, e.entity.label)
    } else {
        format!("{shown} (source: {}) · {}", e.entity.text, e.entity.label)
    };
    egui::Window::new(title)
        .id(egui::Id::unique((
            "entity_popup",
            popup.pos.x as i32,
            popup.pos.y as i32,
        )))
        .default_pos(popup.pos)
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            ui.label(
                RichText::new(format!(
                    "source: {} · confidence {:.0}% · {:?}",
                    e.entity.source.as_str(),
                    e.entity.confidence * 100.0,
                    e.status
                ))
                .weak(),
            );
            ui.horizontal_wrapped(|ui| {
                ui.label("Type:");
                for t in EntityType::BUILTIN {
                    let b = egui::Button::selectable(
                        t == e.entity.label,
                        RichText::new(t.as_str()).color(type_color(&t)),
                    );
                    if ui.add(b).clicked() && t != e.entity.label {
                        app.commands.push(Command::Edit(Edit::ChangeEntity {
                            article: article.clone(),
                            entity: e.clone(),
                            start: e.entity.start,
                            end: e.entity.end,
                            label: t.clone(),
                        }));
                        follow = Some((e.entity.start, e.entity.end, t));
                    }
                }
            });
            ui.horizontal(|ui| {
                ui.label("Boundaries:");
                let len = app
                    .view
                    .as_ref()
                    .map_or(0, |v| v.article.text.chars().count());
                let (s, t) = (e.entity.start, e.entity.end);
                for (label, ns, nt) in [
                    ("◀ grow", s.saturating_sub(1), t),
                    ("shrink ▶", (s + 1).min(t - 1), t),
                    ("◀ shrink", s, (t - 1).max(s + 1)),
                    ("grow ▶", s, (t + 1).min(len)),
                ] {
                    if ui.small_button(label).clicked() && (ns, nt) != (s, t) {
                        app.commands.push(Command::Edit(Edit::ChangeEntity {
                            article: article.clone(),
                            entity: e.clone(),
                            start: ns,
                            end: nt,
                            label: e.entity.label.clone(),
                        }));
                        follow = Some((ns, nt, e.entity.label.clone()));
                    }
                }
            });
            ui.horizontal(|ui| {
                if ui.button("Reject (Delete)").clicked() {
                    app.commands.push(Command::Edit(Edit::RejectEntity {
                        article: article.clone(),
                        entity: e.clone(),
                    }));
                    close = true;
                }
                if e.status == crate::store::EntityStatus::Auto && ui.button("Accept").clicked() {
                    app.commands.push(Command::Edit(Edit::AcceptEntity {
                        article: article.clone(),
                        entity: e.clone(),
                    }));
                    follow = Some((e.entity.start, e.entity.end, e.entity.label.clone()));
                }
            });
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut popup.tag)
                        .hint_text("tag this entity")
                        .desired_width(120.0),
                );
                if ui.button("Tag").clicked() && !popup.tag.trim().is_empty() {
                    app.commands.push(Command::Edit(Edit::TagEntity {
                        text: e.entity.text.clone(),
                        label: e.entity.label.clone(),
                        tag: popup.tag.trim().to_string(),
                    }));
                    popup.tag.clear();
                }
            });
            ui.separator();
            let count = popup.articles;
            ui.label(format!(
                "Apply to all occurrences ({} {} 「{}」):",
                plural(count, "article", "articles"),
                if count == 1 { "contains" } else { "contain" },
                e.entity.text
            ));
            ui.horizontal(|ui| {
                let mut choice = None;
                if ui.button(format!("Always {}", e.entity.label)).clicked() {
                    choice = Some(Some(e.entity.label.clone()));
                }
                if ui.button("Never an entity").clicked() {
                    choice = Some(None);
                }
                if let Some(label) = choice {
                    close = true;
                    let preview = app.store.as_ref().and_then(|s| {
                        super::app::AllPreview::compute(s, &e.entity.text, label.as_ref()).ok()
                    });
                    match preview {
                        // A change within a few articles goes through at once.
                        Some(p) if p.articles > APPLY_ALL_ASK_ABOVE => {
                            app.prompt = Some(Prompt::ApplyToAll {
                                text: e.entity.text.clone(),
                                label,
                                preview: p,
                            })
                        }
                        _ => app
                            .commands
                            .push(Command::ApplyToAll(e.entity.text.clone(), label)),
                    }
                }
            });
        });
    if follow.is_some() {
        popup.follow = follow;
    }
    app.popup = if open && !close { Some(popup) } else { None };
}

/// The article text of a range, shortened for a dialog.
fn quote_of(app: &PizhuApp, (s, e): (usize, usize)) -> String {
    let Some(view) = &app.view else {
        return String::new();
    };
    let q: String = view.article.text.chars().skip(s).take(e - s).collect();
    if q.chars().count() > 60 {
        format!("{}…", q.chars().take(60).collect::<String>())
    } else {
        q
    }
}

fn prompt_ui(app: &mut PizhuApp, ctx: &egui::Context) {
    let Some(mut prompt) = app.prompt.clone() else {
        app.prompt_shown = None;
        return;
    };
    let article = app.selected.clone().unwrap_or_default();
    let just_opened = app.prompt_shown.as_ref() != Some(&std::mem::discriminant(&prompt));
    app.prompt_shown = Some(std::mem::discriminant(&prompt));
    let mut open = true;
    let mut done = false;
    let title = match &prompt {
        Prompt::Note { .. } => "Note",
        Prompt::Correction { .. } => "Correct the text",
        Prompt::Open { .. } => "Open archive",
        Prompt::Export { .. } => "Export",
        Prompt::ApplyToAll { .. } => "Apply to all occurrences",
    };
    egui::Window::new(title)
        .id(egui::Id::unique("prompt"))
        .open(&mut open)
        .collapsible(false)
        .show(ctx, |ui| match &mut prompt {
            Prompt::Note { range, text } => {
                let quote = quote_of(app, *range);
                ui.label(RichText::new(format!("「{quote}」")).weak());
                let resp = ui.add(
                    egui::TextEdit::multiline(text)
                        .id_salt("note_text")
                        .hint_text("Your note (Ctrl+Enter saves)")
                        .desired_rows(3),
                );
                if just_opened {
                    resp.request_focus();
                }
                let save = resp.has_focus()
                    && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
                if ui.button("Save note").clicked() || save {
                    app.commands.push(Command::Edit(Edit::AddHighlight {
                        article: article.clone(),
                        start: range.0,
                        end: range.1,
                        color: Some(super::highlight::HIGHLIGHT_COLORS[0].1.to_string()),
                        note: Some(text.clone()),
                    }));
                    done = true;
                }
            }
            Prompt::Correction { range, text } => {
                ui.label(
                    "The source file is never changed; the correction is shown as an overlay.",
                );
                ui.label(RichText::new(format!("「{}」 →", quote_of(app, *range))).weak());
                let resp = ui.add(egui::TextEdit::singleline(text).id_salt("correction_text"));
                if just_opened {
                    resp.request_focus();
                }
                let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button("Save correction").clicked() || enter {
                    app.commands.push(Command::Edit(Edit::AddCorrection {
                        article: article.clone(),
                        start: range.0,
                        end: range.1,
                        replacement: text.clone(),
                    }));
                    done = true;
                }
            }
            Prompt::Open { path } => {
                ui.label("Folder of .txt, .md or .html articles:");
                ui.add(
                    egui::TextEdit::singleline(path)
                        .id_salt("open_path")
                        .desired_width(360.0),
                );
                ui.horizontal(|ui| {
                    if ui.button("Browse…").clicked() {
                        // rfd gives nothing where no dialog is available: the field stays.
                        if let Some(p) = rfd::FileDialog::new().pick_folder() {
                            *path = p.display().to_string();
                        }
                    }
                    if ui.button("Open").clicked() && !path.trim().is_empty() {
                        app.commands.push(Command::Open(path.trim().into()));
                        done = true;
                    }
                });
            }
            Prompt::ApplyToAll {
                text,
                label,
                preview: p,
            } => {
                ui.label(
                    RichText::new(match label {
                        Some(l) => format!("Make every 「{text}」 a {l}?"),
                        None => format!("Make 「{text}」 never an entity?"),
                    })
                    .strong(),
                );
                ui.label(format!(
                    "{} in {}: about {} added, {} removed, {} retyped, {} unchanged.",
                    plural(p.occurrences.len(), "occurrence", "occurrences"),
                    plural(p.articles, "article", "articles"),
                    p.adds,
                    p.removes,
                    p.retypes,
                    p.unchanged
                ));
                egui::ScrollArea::vertical()
                    .max_height(260.0)
                    .show(ui, |ui| {
                        for (id, title, context) in &p.occurrences {
                            ui.horizontal(|ui| {
                                if ui
                                    .add(egui::Button::new(RichText::new(title).small()).truncate())
                                    .clicked()
                                {
                                    app.commands.push(Command::Select(id.clone()));
                                }
                                ui.label(context);
                            });
                        }
                    });
                ui.horizontal(|ui| {
                    if ui.button("Apply").clicked() {
                        app.commands
                            .push(Command::ApplyToAll(text.clone(), label.clone()));
                        done = true;
                    }
                    if ui.button("Cancel").clicked() {
                        done = true;
                    }
                });
            }
            Prompt::Export {
                format,
                path,
                confirm_overwrite,
            } => {
                let before = format.clone();
                egui::ComboBox::from_label("Format")
                    .selected_text(format.as_str())
                    .show_ui(ui, |ui| {
                        for f in crate::export::Format::ALL {
                            ui.selectable_value(format, f.name().to_string(), f.name());
                        }
                    });
                if *format != before
                    && let Ok(f) = format.parse::<crate::export::Format>()
                {
                    *path = path_for_format(path, f);
                    *confirm_overwrite = false;
                }
                ui.label(if format == "brat" {
                    "Output folder:"
                } else {
                    "Output file:"
                });
                if ui
                    .add(
                        egui::TextEdit::singleline(path)
                            .id_salt("export_path")
                            .desired_width(360.0),
                    )
                    .changed()
                {
                    *confirm_overwrite = false;
                }
                let target = std::path::PathBuf::from(path.trim());
                if let Some(arch) = &app.archive
                    && inside(&target, arch)
                {
                    ui.label(
                        RichText::new(
                            "This is inside the archive: the export would be read as new articles.",
                        )
                        .color(egui::Color32::from_rgb(0xd0, 0x80, 0x20)),
                    );
                }
                ui.horizontal(|ui| {
                    if ui.button("Browse…").clicked() {
                        let dir = target.parent().filter(|p| p.is_dir());
                        let name = target.file_name().map(|n| n.to_string_lossy().to_string());
                        let mut dialog = rfd::FileDialog::new();
                        if let Some(d) = dir {
                            dialog = dialog.set_directory(d);
                        }
                        let picked = if format == "brat" {
                            dialog.pick_folder()
                        } else {
                            if let Some(n) = name {
                                dialog = dialog.set_file_name(n);
                            }
                            dialog.save_file()
                        };
                        if let Some(p) = picked {
                            *path = p.display().to_string();
                            *confirm_overwrite = false;
                        }
                    }
                    if *confirm_overwrite {
                        ui.label(
                            RichText::new(format!("{} exists. Overwrite it?", target.display()))
                                .strong(),
                        );
                        if ui.button("Overwrite").clicked() {
                            app.commands
                                .push(Command::Export(format.clone(), target.clone()));
                            done = true;
                        }
                        if ui.button("Cancel").clicked() {
                            *confirm_overwrite = false;
                        }
                    } else if ui.button("Export").clicked() && !path.trim().is_empty() {
                        let exists = target.is_file()
                            || target.read_dir().is_ok_and(|mut d| d.next().is_some());
                        if exists {
                            *confirm_overwrite = true;
                        } else {
                            app.commands
                                .push(Command::Export(format.clone(), target.clone()));
                            done = true;
                        }
                    }
                });
            }
        });
    app.prompt = if open && !done { Some(prompt) } else { None };
}

/// The export offered by default: beside the archive folder (never inside
/// it, where the next indexing would read it as articles), named after the
/// archive and the format: `<parent>/<archive>-pizhu.<ext>`.
pub fn default_export_path(
    archive: &std::path::Path,
    format: crate::export::Format,
) -> std::path::PathBuf {
    let archive = archive
        .canonicalize()
        .unwrap_or_else(|_| archive.to_path_buf());
    let name = archive.file_name().map_or_else(
        || "archive".to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    let dir = archive
        .parent()
        .map_or_else(std::env::temp_dir, |p| p.to_path_buf());
    std::path::PathBuf::from(path_for_format(
        &dir.join(format!("{name}-pizhu")).display().to_string(),
        format,
    ))
}

/// `path` with its extension made the format's: `x.jsonl` → `x.md` for
/// markdown, `x.jsonl` → `x` for brat (a folder). A name whose extension is
/// not one of the formats' keeps it and gains the new one.
pub fn path_for_format(path: &str, format: crate::export::Format) -> String {
    let p = std::path::Path::new(path.trim());
    let known = crate::export::Format::ALL
        .iter()
        .map(|f| f.extension())
        .filter(|e| !e.is_empty())
        .collect::<Vec<_>>();
    let base = match p.extension().and_then(|e| e.to_str()) {
        Some(e) if known.contains(&e) => p.with_extension(""),
        _ => p.to_path_buf(),
    };
    let ext = format.extension();
    if ext.is_empty() {
        base.display().to_string()
    } else {
        let mut s = base.into_os_string();
        s.push(".");
        s.push(ext);
        std::path::PathBuf::from(s).display().to_string()
    }
}

/// Whether `path` lies inside the folder `dir` (compared after resolving
/// what exists of both).
fn inside(path: &std::path::Path, dir: &std::path::Path) -> bool {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut p = path.to_path_buf();
    if p.is_relative() {
        p = std::env::current_dir().unwrap_or_default().join(p);
    }
    // Resolve the deepest existing ancestor.
    let mut tail = Vec::new();
    let mut cur = p.as_path();
    let resolved = loop {
        if let Ok(c) = cur.canonicalize() {
            break Some(c);
        }
        match (cur.file_name(), cur.parent()) {
            (Some(n), Some(parent)) => {
                tail.push(n.to_os_string());
                cur = parent;
            }
            _ => break None,
        }
    };
    let Some(mut full) = resolved else {
        return false;
    };
    for n in tail.into_iter().rev() {
        full.push(n);
    }
    full.starts_with(&dir)
}
