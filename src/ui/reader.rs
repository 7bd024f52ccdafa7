//! The centre panel: the article with its entities, highlights, notes and
//! corrections, the selection toolbar, and the raw view.
//!
//! The highlighted layout is built once per (article, edit generation,
//! style, wrap width) and reused every other frame.

use egui::text::{CCursor, CCursorRange};
use egui::{Align, RichText, TextBuffer};

use super::app::{Command, Page, PizhuApp, Prompt, reader_id};
use super::highlight::{HIGHLIGHT_COLORS, layout_job, parse_color, type_color};
use crate::edit::Edit;
use crate::extract::EntityType;

/// Draws the centre panel.
pub fn central_ui(app: &mut PizhuApp, ui: &mut egui::Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(view) = &app.view else {
            welcome_ui(app, ui);
            return;
        };
        let a = &view.article;
        let mut meta = Vec::new();
        if let Some(d) = &a.date {
            meta.push(d.clone());
        }
        if let Some(s) = &a.source {
            meta.push(s.clone());
        }
        if !a.byline.is_empty() {
            meta.push(format!("记者/作者 {}", a.byline.join("、")));
        }
        meta.push(format!("{} #{}", a.file, a.index + 1));
        ui.label(RichText::new(meta.join(" · ")).weak());
        if app.review.is_some() {
            super::review::review_bar_ui(app, ui);
        } else {
            toolbar_ui(app, ui);
        }
        ui.separator();
        if app.settings.raw_view {
            raw_ui(app, ui);
        } else {
            reader_ui(app, ui);
        }
    });
}

fn welcome_ui(app: &mut PizhuApp, ui: &mut egui::Ui) {
    ui.vertical_centered(|ui| {
        ui.add_space(60.0);
        ui.heading("批注 Pizhu");
        ui.label(
            "Open a folder of Chinese news articles (.txt, .md, .html) to read and annotate them.",
        );
        ui.add_space(12.0);
        if ui.button("Open archive…").clicked() {
            app.prompt = Some(Prompt::Open {
                path: String::new(),
            });
        }
        if app.archive.is_some() && app.articles.is_empty() {
            ui.add_space(12.0);
            ui.label(if app.is_busy() {
                "Indexing…"
            } else {
                "No articles found in this archive."
            });
        }
        for p in app.settings.recent.clone() {
            if ui.link(p.display().to_string()).clicked() {
                app.commands.push(Command::Open(p));
            }
        }
    });
}

fn toolbar_ui(app: &mut PizhuApp, ui: &mut egui::Ui) {
    let sel = app.selection.filter(|(s, e)| s < e);
    let (Some(view), Some(article)) = (&app.view, app.selected.clone()) else {
        return;
    };
    let mut review = false;
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Review (R)")
            .on_hover_text(
                "Check the automatic entities one by one (Shift+R: every unreviewed article)",
            )
            .clicked()
        {
            review = true;
        }
        ui.separator();
        ui.add_enabled_ui(sel.is_some() && !app.settings.raw_view, |ui| {
            let quote: String = sel
                .map(|(s, e)| view.article.text.chars().skip(s).take(e - s).collect())
                .unwrap_or_default();
            // A fixed-size slot: the toolbar never rewraps when a selection
            // starts, so the text does not move under a dragging pointer.
            let slot = egui::vec2(
                11.0 * app.settings.font_size.min(16.0),
                ui.spacing().interact_size.y,
            );
            ui.add_sized(
                slot,
                egui::Label::new(if quote.is_empty() {
                    "Select text to annotate:".to_string()
                } else {
                    format!("「{}」", quote.chars().take(16).collect::<String>())
                })
                .truncate(),
            );
            for (n, t) in EntityType::BUILTIN.iter().enumerate() {
                let b = egui::Button::new(
                    RichText::new(format!("{} {}", n + 1, t)).color(type_color(t)),
                );
                if ui
                    .add(b)
                    .on_hover_text(format!("Mark as {t} (key {})", n + 1))
                    .clicked()
                    && let Some((s, e)) = sel
                {
                    app.commands.push(Command::Edit(Edit::AddEntity {
                        article: article.clone(),
                        start: s,
                        end: e,
                        label: t.clone(),
                    }));
                }
            }
            ui.separator();
            for (name, hex) in HIGHLIGHT_COLORS {
                let c = parse_color(hex).unwrap_or_default();
                let b = egui::Button::new(RichText::new("H").color(egui::Color32::BLACK)).fill(c);
                if ui
                    .add(b)
                    .on_hover_text(format!("Highlight {name} (key H)"))
                    .clicked()
                    && let Some((s, e)) = sel
                {
                    app.commands.push(Command::Edit(Edit::AddHighlight {
                        article: article.clone(),
                        start: s,
                        end: e,
                        color: Some(hex.to_string()),
                        note: None,
                    }));
                }
            }
            if ui.button("Note (N)").clicked()
                && let Some(range) = sel
            {
                app.prompt = Some(Prompt::Note {
                    range,
                    text: String::new(),
                });
            }
            if ui
                .button("Correct…")
                .on_hover_text("Overlay an OCR correction")
                .clicked()
                && let Some(range) = sel
            {
                app.prompt = Some(Prompt::Correction { range, text: quote });
            }
            if ui.button("Tag (T)").clicked() {
                app.focus_tag = true;
            }
        });
    });
    if review {
        app.start_review(
            super::review::ReviewScope::Article,
            super::review::ReviewFilter::default(),
        );
    }
}

/// The display index of the character under `pos` (galley coordinates).
fn char_at(galley: &egui::Galley, pos: egui::Pos2) -> usize {
    let c = galley.cursor_from_pos(pos.to_vec2());
    let r = galley.pos_from_cursor(c);
    if pos.x < r.min.x && c.index.0 > 0 {
        c.index.0 - 1
    } else {
        c.index.0
    }
}

/// Finds the entity under a text offset (innermost).
fn entity_at(view: &super::app::View, idx: usize) -> Option<crate::store::EffectiveEntity> {
    view.entities
        .iter()
        .filter(|e| e.entity.start <= idx && idx < e.entity.end)
        .min_by_key(|e| e.entity.end - e.entity.start)
        .cloned()
}

fn reader_ui(app: &mut PizhuApp, ui: &mut egui::Ui) {
    let style = app.style();
    let target = app.review_target();
    let Some(view) = &app.view else { return };
    let target = target.map(|(s, e)| view.display.display_range(s, e));
    let style_key = format!("{:?} {:?}", style, target);
    let key_base = (view.article.id.clone(), app.view_gen);
    let cache = &mut app.layout;
    let mut layouter = |ui: &egui::Ui, _text: &dyn TextBuffer, wrap_width: f32| {
        let key = (
            key_base.0.clone(),
            key_base.1,
            wrap_width,
            style_key.clone(),
        );
        if cache.job.is_none() || cache.key.as_ref() != Some(&key) {
            cache.job = Some(layout_job(
                &view.display,
                &view.entities,
                &view.annotations,
                target,
                &style,
                wrap_width,
            ));
            cache.key = Some(key);
            cache.builds += 1;
        }
        // egui's font cache memoises the layout of an equal job.
        let job = cache.job.clone().unwrap_or_default();
        let galley = ui.fonts_mut(|f| f.layout_job(job));
        cache.galley = Some(galley.clone());
        galley
    };
    let mut reveal = app.pending_reveal.take();
    if let Some((s, e)) = reveal {
        let (ds, de) = view.display.display_range(s, e);
        let mut state = egui::TextEdit::load_state(ui.ctx(), reader_id()).unwrap_or_default();
        state
            .cursor
            .set_char_range(Some(CCursorRange::two(CCursor::new(ds), CCursor::new(de))));
        state.store(ui.ctx(), reader_id());
        reveal = Some((ds, de));
    }
    if std::mem::take(&mut app.collapse_reader)
        && let Some(mut state) = egui::TextEdit::load_state(ui.ctx(), reader_id())
        && let Some(r) = state.cursor.char_range()
    {
        state
            .cursor
            .set_char_range(Some(CCursorRange::one(r.primary)));
        state.store(ui.ctx(), reader_id());
    }
    if let Some((s, e)) = app.pending_center.take() {
        reveal = Some(view.display.display_range(s, e));
    }
    let mut popup = None;
    let reviewing = app.review.is_some();
    let mut selection = app.selection;
    let mut galley_pos = None;
    let mut area = egui::ScrollArea::vertical()
        .id_salt(("reader_scroll", &view.article.id))
        .auto_shrink([false, false]);
    if let Some(page) = app.page.take() {
        let (off, h, content) = app.reader_metrics;
        let max = (content - h).max(0.0);
        let y = match page {
            Page::Down => off + h * 0.9,
            Page::Up => off - h * 0.9,
            Page::Top => 0.0,
            Page::End => max,
        };
        area = area.vertical_scroll_offset(y.clamp(0.0, max));
    }
    let scroll = area.show(ui, |ui| {
        ui.set_max_width(ui.available_width().min(52.0 * app.settings.font_size));
        let mut text: &str = view.display.text.as_str();
        let out = egui::TextEdit::multiline(&mut text)
            .id(reader_id())
            .frame(egui::Frame::NONE)
            .desired_width(f32::INFINITY)
            .layouter(&mut layouter)
            .show(ui);
        galley_pos = Some(out.galley_pos);
        if let Some((ds, _)) = reveal {
            let r = out.galley.pos_from_cursor(CCursor::new(ds));
            ui.scroll_to_rect(
                r.translate(out.galley_pos.to_vec2()).expand(40.0),
                Some(Align::Center),
            );
        }
        // The selection is read from the widget's state *after* this
        // frame's pointer interaction. `TextEditOutput::cursor_range` is
        // computed before it (one frame stale, and `None` on the frame
        // that gives the reader focus), which made drags land where the
        // pointer was a frame earlier and a click on an unfocused reader
        // do nothing.
        let resp = &out.response.response;
        let focused = ui.memory(|m| m.has_focus(reader_id()));
        let interacted = resp.clicked() || resp.dragged() || resp.drag_stopped();
        if reviewing {
            selection = None;
        } else if (focused || interacted)
            && let Some(range) = out.state.cursor.char_range()
        {
            let r = range.as_sorted_char_range();
            let (s, e) = view.display.text_range(r.start.0, r.end.0);
            if r.start.0 < r.end.0 {
                selection = Some((s, e));
            } else {
                selection = None;
                // The character under the pointer (the cursor is the
                // nearest boundary: after the character on its right half).
                let under = resp
                    .interact_pointer_pos()
                    .map(|p| char_at(&out.galley, p - out.galley_pos.to_vec2()))
                    .map_or(s, |d| view.display.text_range(d, d).0);
                if resp.clicked()
                    && let Some(ent) = entity_at(view, under)
                {
                    // Beside the entity: just below its last row.
                    let (ds, de) = view.display.display_range(ent.entity.start, ent.entity.end);
                    let a = out.galley.pos_from_cursor(CCursor::new(ds));
                    let b = out.galley.pos_from_cursor(CCursor::new(de));
                    let left = if b.min.y > a.min.y {
                        b.min.x - 40.0
                    } else {
                        a.min.x
                    };
                    let anchor = out.galley_pos + egui::vec2(left.max(0.0), b.max.y + 6.0);
                    popup = Some((ent, anchor));
                }
            }
        }
        // Notes: show the note when hovering its highlight.
        if let Some(hover) = out.response.response.hover_pos() {
            let d = char_at(&out.galley, hover - out.galley_pos.to_vec2());
            let (t, _) = view.display.text_range(d, d);
            let notes: Vec<String> = view
                .annotations
                .iter()
                .filter(|a| a.start <= t && t < a.end)
                .filter_map(|a| {
                    let n = a.note.as_deref().filter(|n| !n.is_empty())?;
                    // A merged note says whose it was.
                    Some(match a.made_by.as_deref().filter(|m| !m.is_empty()) {
                        Some(m) => format!("{n} (from {m})"),
                        None => n.to_string(),
                    })
                })
                .collect();
            if !notes.is_empty() || entity_at(view, t).is_some() {
                // The tooltip waits until the pointer rests; make sure a
                // frame comes then even when nothing else repaints.
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(600));
            }
            // At the pointer: the reader is one big widget, and a widget
            // tooltip would sit below all of it.
            let tip = |text: String| {
                out.response.response.clone().on_hover_ui_at_pointer(|ui| {
                    ui.set_max_width(ui.spacing().tooltip_width);
                    ui.label(text);
                });
            };
            if !notes.is_empty() {
                tip(notes.join("\n"));
            } else if let Some(e) = entity_at(view, t) {
                tip(format!(
                    "{} · {} · {:.0}% · {:?}",
                    e.entity.label,
                    e.entity.source.as_str(),
                    e.entity.confidence * 100.0,
                    e.status
                ));
            }
        }
    });
    app.reader_metrics = (
        scroll.state.clamped_offset().y,
        scroll.inner_rect.height(),
        scroll.content_size.y,
    );
    app.selection = selection;
    app.galley_pos = galley_pos;
    if let Some((entity, pos)) = popup {
        let articles = app
            .store
            .as_ref()
            .and_then(|s| s.article_ids_containing(&entity.entity.text).ok())
            .map_or(0, |v| v.len());
        app.popup = Some(super::app::EntityPopup {
            entity,
            pos,
            tag: String::new(),
            articles,
            follow: None,
        });
    }
}

fn raw_ui(app: &mut PizhuApp, ui: &mut egui::Ui) {
    let Some(view) = &app.view else { return };
    let Some(raw) = &view.raw else {
        ui.label("The raw text of this file is not available; re-index the archive.");
        return;
    };
    let (r0, r1) = view.article.raw_range;
    let chars: Vec<char> = raw.chars().collect();
    let r1 = r1.min(chars.len());
    let text: String = chars[r0.min(r1)..r1].iter().collect();
    let mut job = egui::text::LayoutJob::default();
    let mono = egui::FontId::monospace(app.settings.font_size * 0.9);
    let color = ui.visuals().text_color();
    let mut marks: Vec<(usize, usize, egui::Color32)> = raw_marks(view, &app.settings.shown)
        .into_iter()
        .map(|(s, t, label)| (s, t, type_color(&label)))
        .collect();
    marks.sort_by_key(|m| m.0);
    let tchars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let fmt = |bg: egui::Color32| egui::TextFormat {
        font_id: mono.clone(),
        color,
        background: bg,
        ..Default::default()
    };
    for (s, t, c) in marks {
        if s < i || t > tchars.len() {
            continue;
        }
        job.append(
            &tchars[i..s].iter().collect::<String>(),
            0.0,
            fmt(egui::Color32::TRANSPARENT),
        );
        job.append(
            &tchars[s..t].iter().collect::<String>(),
            0.0,
            fmt(c.gamma_multiply(0.35)),
        );
        i = t;
    }
    job.append(
        &tchars[i..].iter().collect::<String>(),
        0.0,
        fmt(egui::Color32::TRANSPARENT),
    );
    egui::ScrollArea::vertical()
        .id_salt(("raw_scroll", &view.article.id))
        .show(ui, |ui| {
            ui.label(
                RichText::new(format!("raw: {} (characters {r0}–{r1})", view.article.file)).weak(),
            );
            ui.add(egui::Label::new(job).selectable(true));
        });
}

/// The entities of `view` placed in the raw text of its article through the
/// offset map: (start, end, type), code points relative to the article's raw
/// range.
pub fn raw_marks(
    view: &super::app::View,
    shown: &std::collections::BTreeSet<String>,
) -> Vec<(usize, usize, EntityType)> {
    let map = &view.article.offset_map;
    let r0 = view.article.raw_range.0;
    view.entities
        .iter()
        .filter(|e| e.entity.end > e.entity.start && e.entity.end <= map.len())
        .filter(|e| shown.contains(e.entity.label.as_str()))
        .map(|e| {
            let s = map[e.entity.start].saturating_sub(r0);
            let t = (map[e.entity.end - 1] + 1).saturating_sub(r0);
            (s, t, e.entity.label.clone())
        })
        .collect()
}
