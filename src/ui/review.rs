//! Review mode: a keyboard queue over the unreviewed automatic entities of
//! the article (or of the whole archive), one at a time, least confident
//! first.
//!
//! `R` starts it on the article, `Shift+R` on every unreviewed article of the
//! list. The current entity is centred and highlighted in the reader; Enter
//! accepts, Delete rejects, 1–6 retype, ←/→ move the end boundary
//! (Shift+←/→ the start), Space skips, Ctrl+Z undoes, Esc stops. When an
//! article's queue is done the bar offers to mark it reviewed (Enter yes,
//! N no).
//!
//! Every change is an [`Edit`] pushed as a [`Command`] and applied by
//! [`PizhuApp::apply`] at once (so the next key sees the stored state); undo
//! is the editor's undo plus a snapshot of the queue position.

use std::collections::BTreeSet;

use egui::{Event, Key, RichText};

use super::app::{Command, PizhuApp};
use super::highlight::type_color;
use crate::edit::Edit;
use crate::extract::EntityType;
use crate::store::{EffectiveEntity, EntityStatus, Store};

/// Which entities the queue walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewScope {
    /// The article in the reader.
    Article,
    /// Every unreviewed article in the list (as filtered), in list order.
    Archive,
}

/// Which automatic entities to review.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewFilter {
    /// Entity types to include (names); empty = all.
    pub types: BTreeSet<String>,
    /// Only entities with a confidence below this (1.0 = all).
    pub below: f32,
}

impl Default for ReviewFilter {
    fn default() -> Self {
        ReviewFilter {
            types: BTreeSet::new(),
            below: 1.0,
        }
    }
}

impl ReviewFilter {
    fn keeps(&self, e: &EffectiveEntity) -> bool {
        (self.types.is_empty() || self.types.contains(e.entity.label.as_str()))
            && (self.below >= 1.0 || e.entity.confidence < self.below)
    }
}

/// One entity in the queue, identified by its span and type.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    /// Start (code points).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// Type.
    pub label: EntityType,
    /// Text.
    pub text: String,
    /// The extractor's confidence: the tagger's marginal for a
    /// [`Source::Model`](crate::extract::Source::Model) entity, the rules'
    /// fixed confidence otherwise.
    pub confidence: f32,
    /// Who found it (the tagger or the rules).
    pub source: crate::extract::Source,
}

impl ReviewItem {
    /// How the review bar shows the confidence: the tagger's score, or
    /// "rules" for an entity the rules added (their confidence is a fixed
    /// number per rule family, not a score of this mention).
    pub fn confidence_label(&self) -> String {
        if self.source == crate::extract::Source::Model {
            format!("tagger {:.0}%", self.confidence * 100.0)
        } else {
            "rules".into()
        }
    }
}

/// What the user did so far in this review.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewCounts {
    /// Accepted.
    pub accepted: usize,
    /// Rejected.
    pub rejected: usize,
    /// Retyped.
    pub retyped: usize,
    /// Boundary moves.
    pub moved: usize,
    /// Skipped.
    pub skipped: usize,
    /// Articles marked reviewed.
    pub articles: usize,
}

/// The queue's position (snapshotted before each change, for undo).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewState {
    /// Article or archive.
    pub scope: ReviewScope,
    /// Which entities.
    pub filter: ReviewFilter,
    /// Articles to walk (one for the article scope).
    pub articles: Vec<String>,
    /// Index into `articles` of the article being reviewed.
    pub article_index: usize,
    /// The current article's queue.
    pub items: Vec<ReviewItem>,
    /// Index into `items`; `items.len()` = the article is done.
    pub pos: usize,
    /// Tallies.
    pub counts: ReviewCounts,
}

impl ReviewState {
    /// The entity under review, if the article is not done.
    pub fn current(&self) -> Option<&ReviewItem> {
        self.items.get(self.pos)
    }

    /// The article being reviewed.
    pub fn article(&self) -> Option<&str> {
        self.articles.get(self.article_index).map(String::as_str)
    }

    /// Whether the current article's queue is done (the bar offers to mark it reviewed).
    pub fn article_done(&self) -> bool {
        self.pos >= self.items.len()
    }
}

/// An active review.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// Where the queue stands.
    pub state: ReviewState,
    history: Vec<ReviewState>,
}

/// A review key, as an action.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewAction {
    /// Enter: accept the entity.
    Accept,
    /// Delete: reject it.
    Reject,
    /// 1–6: give it this type.
    Retype(EntityType),
    /// Shift+←/→: move the start by this many characters.
    MoveStart(i32),
    /// ←/→: move the end.
    MoveEnd(i32),
    /// Space: leave it as it is.
    Skip,
    /// Ctrl+Z: undo the last review change and go back to it.
    Undo,
    /// At the end of an article: mark it reviewed (true) or not, and go on.
    MarkReviewed(bool),
    /// Esc: stop reviewing.
    Stop,
}

/// The automatic, unreviewed entities of an article that pass `filter`,
/// least confident first (ties in reading order).
pub fn review_items(
    store: &Store,
    article: &str,
    filter: &ReviewFilter,
) -> crate::Result<Vec<ReviewItem>> {
    let mut items: Vec<ReviewItem> = store
        .effective_entities(article)?
        .into_iter()
        .filter(|e| e.status == EntityStatus::Auto && filter.keeps(e))
        .map(|e| ReviewItem {
            start: e.entity.start,
            end: e.entity.end,
            label: e.entity.label,
            text: e.entity.text,
            confidence: e.entity.confidence,
            source: e.entity.source,
        })
        .collect();
    items.sort_by(|a, b| {
        a.confidence
            .total_cmp(&b.confidence)
            .then(a.start.cmp(&b.start))
    });
    Ok(items)
}

impl PizhuApp {
    /// Starts a review of the article in the reader, or of every unreviewed
    /// article in the list, with `filter`.
    pub fn start_review(&mut self, scope: ReviewScope, filter: ReviewFilter) {
        let articles: Vec<String> = match scope {
            ReviewScope::Article => self.selected.iter().cloned().collect(),
            ReviewScope::Archive => self
                .visible
                .iter()
                .map(|&i| &self.articles[i])
                .filter(|a| !a.reviewed)
                .map(|a| a.id.clone())
                .collect(),
        };
        if articles.is_empty() {
            self.status = "nothing to review".into();
            return;
        }
        // Start at the article in the reader when it is in the list.
        let first = self
            .selected
            .as_ref()
            .and_then(|s| articles.iter().position(|a| a == s))
            .unwrap_or(0);
        self.popup = None;
        self.selection = None;
        self.review = Some(Review {
            state: ReviewState {
                scope,
                filter,
                articles,
                article_index: first,
                items: Vec::new(),
                pos: 0,
                counts: ReviewCounts::default(),
            },
            history: Vec::new(),
        });
        self.review_enter_article(first, scope == ReviewScope::Archive);
        // The keys belong to the queue, not to the reader's text cursor.
        self.surrender_reader_focus = true;
    }

    /// Loads the queue of article `index` (skipping empty ones when `skip_empty`).
    fn review_enter_article(&mut self, mut index: usize, skip_empty: bool) {
        let Some(store) = &self.store else { return };
        let Some(r) = &self.review else { return };
        let filter = r.state.filter.clone();
        let articles = r.state.articles.clone();
        let mut items = Vec::new();
        while index < articles.len() {
            items = review_items(store, &articles[index], &filter).unwrap_or_default();
            if !items.is_empty() || !skip_empty {
                break;
            }
            index += 1;
        }
        if index >= articles.len() {
            self.finish_review();
            return;
        }
        if self.selected.as_deref() != Some(articles[index].as_str()) {
            self.select(&articles[index]);
        }
        if let Some(r) = &mut self.review {
            r.state.article_index = index;
            r.state.items = items;
            r.state.pos = 0;
        }
        self.review_settle();
    }

    /// Skips queue items that no longer exist (a user entity overlapping
    /// them, a boundary move that swallowed them) and centres the current one.
    fn review_settle(&mut self) {
        let Some(view) = self.view.clone() else {
            return;
        };
        let Some(r) = &mut self.review else { return };
        while let Some(it) = r.state.current() {
            let present = view.entities.iter().any(|e| {
                e.entity.start == it.start && e.entity.end == it.end && e.entity.label == it.label
            });
            if present {
                break;
            }
            r.state.pos += 1;
        }
        if let Some(it) = r.state.current() {
            self.pending_center = Some((it.start, it.end));
        }
    }

    fn finish_review(&mut self) {
        if let Some(r) = self.review.take() {
            let c = r.state.counts;
            self.status = format!(
                "review done: {} accepted, {} rejected, {} retyped, {} boundaries moved, {} skipped, {} articles marked reviewed",
                c.accepted, c.rejected, c.retyped, c.moved, c.skipped, c.articles
            );
        }
    }

    /// The entity under review as shown in the reader.
    fn review_entity(&self) -> Option<EffectiveEntity> {
        let it = self.review.as_ref()?.state.current()?;
        self.view
            .as_ref()?
            .entities
            .iter()
            .find(|e| {
                e.entity.start == it.start && e.entity.end == it.end && e.entity.label == it.label
            })
            .cloned()
    }

    /// The span of the entity under review (highlighted and centred in the reader).
    pub fn review_target(&self) -> Option<(usize, usize)> {
        let it = self.review.as_ref()?.state.current()?;
        Some((it.start, it.end))
    }

    /// Applies an edit now (through the one `apply`), after saving the queue
    /// position for undo.
    fn review_edit(&mut self, edit: Edit) {
        if let Some(r) = &mut self.review {
            r.history.push(r.state.clone());
        }
        self.commands.push(Command::Edit(edit));
        self.apply();
    }

    fn review_advance(&mut self) {
        if let Some(r) = &mut self.review {
            r.state.pos += 1;
        }
        self.review_settle();
    }

    /// Performs one review action (keys and buttons both end here).
    pub fn review_action(&mut self, action: ReviewAction) {
        let Some(r) = &self.review else { return };
        let article = r.state.article().unwrap_or_default().to_string();
        let done = r.state.article_done();
        match action {
            ReviewAction::Stop => {
                self.finish_review();
                return;
            }
            ReviewAction::Undo => {
                let Some(r) = &mut self.review else { return };
                let Some(prev) = r.history.pop() else {
                    self.status = "nothing to undo in this review".into();
                    return;
                };
                r.state = prev;
                let art = r.state.article().map(str::to_string);
                self.commands.push(Command::Undo);
                self.apply();
                if let Some(a) = art
                    && self.selected.as_deref() != Some(a.as_str())
                {
                    self.select(&a);
                }
                if let Some(it) = self.review_target() {
                    self.pending_center = Some(it);
                }
                return;
            }
            ReviewAction::MarkReviewed(yes) => {
                if !done {
                    return;
                }
                if yes {
                    self.review_edit(Edit::SetReviewed {
                        article,
                        reviewed: true,
                    });
                    if let Some(r) = &mut self.review {
                        r.state.counts.articles += 1;
                    }
                }
                let Some(r) = &self.review else { return };
                if r.state.scope == ReviewScope::Article {
                    self.finish_review();
                } else {
                    let next = r.state.article_index + 1;
                    self.review_enter_article(next, true);
                }
                return;
            }
            _ if done => {
                // Enter at the end of an article means "yes, mark it reviewed".
                if action == ReviewAction::Accept {
                    self.review_action(ReviewAction::MarkReviewed(true));
                } else if action == ReviewAction::Skip {
                    self.review_action(ReviewAction::MarkReviewed(false));
                }
                return;
            }
            _ => {}
        }
        let Some(entity) = self.review_entity() else {
            self.review_settle();
            return;
        };
        let e = entity.entity.clone();
        let len = self
            .view
            .as_ref()
            .map_or(0, |v| v.article.text.chars().count());
        match action {
            ReviewAction::Accept => {
                if entity.status == EntityStatus::Auto {
                    self.review_edit(Edit::AcceptEntity { article, entity });
                } else if let Some(r) = &mut self.review {
                    r.history.push(r.state.clone());
                }
                if let Some(r) = &mut self.review {
                    r.state.counts.accepted += 1;
                }
                self.review_advance();
            }
            ReviewAction::Reject => {
                self.review_edit(Edit::RejectEntity { article, entity });
                if let Some(r) = &mut self.review {
                    r.state.counts.rejected += 1;
                }
                self.review_advance();
            }
            ReviewAction::Retype(label) => {
                if label == e.label {
                    return self.review_action(ReviewAction::Accept);
                }
                self.review_edit(Edit::ChangeEntity {
                    article,
                    entity,
                    start: e.start,
                    end: e.end,
                    label: label.clone(),
                });
                if let Some(r) = &mut self.review {
                    r.state.counts.retyped += 1;
                    if let Some(it) = r.state.items.get_mut(r.state.pos) {
                        it.label = label;
                    }
                }
                self.review_advance();
            }
            ReviewAction::MoveStart(d) | ReviewAction::MoveEnd(d) => {
                let (mut s, mut t) = (e.start as i64, e.end as i64);
                if matches!(action, ReviewAction::MoveStart(_)) {
                    s = (s + d as i64).clamp(0, t - 1);
                } else {
                    t = (t + d as i64).clamp(s + 1, len as i64);
                }
                let (s, t) = (s as usize, t as usize);
                if (s, t) == (e.start, e.end) {
                    return;
                }
                self.review_edit(Edit::ChangeEntity {
                    article,
                    entity,
                    start: s,
                    end: t,
                    label: e.label.clone(),
                });
                let text = self.view.as_ref().map_or_else(String::new, |v| {
                    v.article.text.chars().skip(s).take(t - s).collect()
                });
                if let Some(r) = &mut self.review {
                    r.state.counts.moved += 1;
                    if let Some(it) = r.state.items.get_mut(r.state.pos) {
                        it.start = s;
                        it.end = t;
                        it.text = text;
                    }
                }
                if let Some(it) = self.review_target() {
                    self.pending_center = Some(it);
                }
            }
            ReviewAction::Skip => {
                if let Some(r) = &mut self.review {
                    r.state.counts.skipped += 1;
                }
                self.review_advance();
            }
            _ => {}
        }
    }

    /// Takes this frame's review keys out of the input (so no widget sees
    /// them) and performs them in order.
    pub(crate) fn review_keys(&mut self, ctx: &egui::Context) {
        if self.review.is_none() {
            return;
        }
        let typing = ctx
            .memory(|m| m.focused())
            .is_some_and(|f| f != super::app::reader_id());
        if typing {
            return;
        }
        let mut actions = Vec::new();
        ctx.input_mut(|i| {
            i.events.retain(|ev| {
                let action = match ev {
                    Event::Key {
                        key,
                        pressed: true,
                        modifiers: m,
                        ..
                    } => match key {
                        Key::Z if m.command && !m.shift => Some(ReviewAction::Undo),
                        Key::Enter => Some(ReviewAction::Accept),
                        Key::Delete | Key::Backspace => Some(ReviewAction::Reject),
                        Key::Space => Some(ReviewAction::Skip),
                        Key::Escape => Some(ReviewAction::Stop),
                        Key::ArrowLeft if m.shift => Some(ReviewAction::MoveStart(-1)),
                        Key::ArrowRight if m.shift => Some(ReviewAction::MoveStart(1)),
                        Key::ArrowLeft => Some(ReviewAction::MoveEnd(-1)),
                        Key::ArrowRight => Some(ReviewAction::MoveEnd(1)),
                        Key::N if !m.command => Some(ReviewAction::MarkReviewed(false)),
                        Key::Y if !m.command => Some(ReviewAction::MarkReviewed(true)),
                        _ => None,
                    },
                    Event::Text(t) => match t.as_str() {
                        d @ ("1" | "2" | "3" | "4" | "5" | "6") => {
                            let n: usize = d.parse().unwrap_or(1);
                            Some(ReviewAction::Retype(EntityType::BUILTIN[n - 1].clone()))
                        }
                        // The text events of keys handled above.
                        " " | "n" | "N" | "y" | "Y" => return false,
                        _ => None,
                    },
                    _ => None,
                };
                match action {
                    Some(a) => {
                        actions.push(a);
                        false
                    }
                    None => true,
                }
            });
        });
        for a in actions {
            if self.review.is_none() {
                break;
            }
            self.review_action(a);
        }
    }
}

/// The review bar over the reader: counter, the entity, keys, filters.
pub fn review_bar_ui(app: &mut PizhuApp, ui: &mut egui::Ui) {
    let Some(r) = app.review.clone() else { return };
    let s = &r.state;
    let mut action = None;
    let mut restart: Option<(ReviewScope, ReviewFilter)> = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.spacing_mut().slider_width = 70.0;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Review").strong());
            let mut scope = s.scope;
            ui.selectable_value(&mut scope, ReviewScope::Article, "this article");
            ui.selectable_value(&mut scope, ReviewScope::Archive, "all unreviewed");
            ui.separator();
            let mut types = s.filter.types.clone();
            for t in EntityType::BUILTIN {
                let on = types.is_empty() || types.contains(t.as_str());
                if ui
                    .selectable_label(on, RichText::new(t.as_str()).color(type_color(&t)))
                    .on_hover_text("Review this type (click to toggle)")
                    .clicked()
                {
                    if types.is_empty() {
                        types = EntityType::BUILTIN
                            .iter()
                            .map(|t| t.as_str().to_string())
                            .collect();
                    }
                    if on {
                        types.remove(t.as_str());
                    } else {
                        types.insert(t.as_str().to_string());
                    }
                    if types.len() == EntityType::BUILTIN.len() {
                        types.clear();
                    }
                }
            }
            ui.separator();
            let mut below = s.filter.below;
            ui.add(
                egui::Slider::new(&mut below, 0.05..=1.0)
                    .text("conf. <")
                    .custom_formatter(|v, _| {
                        if v >= 1.0 {
                            "any".into()
                        } else {
                            format!("{:.0}%", v * 100.0)
                        }
                    }),
            );
            if scope != s.scope || types != s.filter.types || below != s.filter.below {
                restart = Some((scope, ReviewFilter { types, below }));
            }
            if ui.button("Stop (Esc)").clicked() {
                action = Some(ReviewAction::Stop);
            }
        });
        let n = s.items.len();
        let article_n = if s.scope == ReviewScope::Archive {
            format!(" · article {} of {}", s.article_index + 1, s.articles.len())
        } else {
            String::new()
        };
        let c = s.counts;
        ui.label(
            RichText::new(format!(
                "entity {} of {n}{article_n} · {} accepted · {} rejected · {} retyped · {} moved · {} skipped",
                (s.pos + 1).min(n),
                c.accepted,
                c.rejected,
                c.retyped,
                c.moved,
                c.skipped
            ))
            .weak(),
        );
        match s.current() {
            Some(it) => {
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        RichText::new(&it.text)
                            .size(app.settings.font_size * 1.3)
                            .strong()
                            .color(type_color(&it.label)),
                    );
                    ui.label(RichText::new(it.label.as_str()).color(type_color(&it.label)));
                    ui.label(RichText::new(it.confidence_label()).weak()).on_hover_text(
                        if it.source == crate::extract::Source::Model {
                            "the tagger's confidence in this mention (least confident first)"
                        } else {
                            "found by the rules, which give no per-mention score"
                        },
                    );
                    if ui.button("Accept (Enter)").clicked() {
                        action = Some(ReviewAction::Accept);
                    }
                    if ui.button("Reject (Del)").clicked() {
                        action = Some(ReviewAction::Reject);
                    }
                    if ui.button("Skip (Space)").clicked() {
                        action = Some(ReviewAction::Skip);
                    }
                });
                ui.label(
                    RichText::new(
                        "1–6 retype (PER LOC ORG TITLE DATE MONEY) · ←/→ move the end · Shift+←/→ move the start · Ctrl+Z undo",
                    )
                    .weak()
                    .small(),
                );
            }
            None => {
                ui.horizontal_wrapped(|ui| {
                    ui.label(if n == 0 {
                        "Nothing to review in this article.".to_string()
                    } else {
                        format!("All {n} entities of this article reviewed.")
                    });
                    ui.label(RichText::new("Mark the article reviewed?").strong());
                    if ui.button("Yes (Enter)").clicked() {
                        action = Some(ReviewAction::MarkReviewed(true));
                    }
                    if ui.button("No (N)").clicked() {
                        action = Some(ReviewAction::MarkReviewed(false));
                    }
                });
            }
        }
    });
    if let Some((scope, filter)) = restart {
        app.start_review(scope, filter);
    } else if let Some(a) = action {
        app.review_action(a);
    }
}
