//! The team views: whose work is shown (the Team menu: your name for this
//! archive, a switcher), the curation window (each annotator's entities
//! around every place they disagree, one above the other, and one click to
//! take a side into the curated set) and the agreement table (pairs ×
//! types).
//!
//! Like every panel, these draw state and push [`Command`]s: taking a side
//! is [`Edit::TakeSide`] through [`PizhuApp::apply`] (one undo step);
//! switching annotator is [`Command::SetAnnotator`].
//!
//! Keys in the curation window ([`curation_keys`]): while the pointer is
//! over it, or after a click in it until a click elsewhere, ↓/↑ (or j/k)
//! step between its disagreements and 1–9 take the n-th annotator's
//! version of the current one (then step to the next). The reader never
//! sees those keys then, so its digits (entity types) and j/k (articles)
//! work as usual everywhere else; Ctrl+Z undoes a take as any edit.

use egui::{Color32, RichText, Ui, text::LayoutJob};

use super::app::{Command, PizhuApp};
use super::highlight::type_color;
use crate::edit::Edit;
use crate::extract::EntityType;
use crate::store::AnnotatorSummary;
use crate::teams::{AgreementOptions, AgreementReport, Conflict, Scope, Span};

/// Characters of context shown on each side of a disagreement.
const CONTEXT: usize = 12;

/// State of the team windows.
#[derive(Default)]
pub struct TeamView {
    /// The curation window is open.
    pub curation_open: bool,
    /// The agreement window is open.
    pub agreement_open: bool,
    /// The annotators compared in curation (empty: every person with work).
    pub compare: Vec<String>,
    /// The curated set "take" writes to (empty: the archive's curated set,
    /// else `curated`).
    pub into: String,
    /// The name typed in the Team menu.
    pub name_input: String,
    /// The archive's annotators (refreshed when the menu opens or work changes).
    pub annotators: Vec<AnnotatorSummary>,
    /// Count articles annotated rather than reviewed in the agreement table.
    pub annotated: bool,
    /// The last agreement computed (or why it could not be).
    pub report: Option<Result<AgreementReport, String>>,
    /// An agreement being computed on its own thread and connection.
    pending: Option<std::sync::mpsc::Receiver<Result<AgreementReport, String>>>,
    /// Disagreements of the article shown: (key, regions, curated spans).
    cache: Option<(CurationKey, Vec<Conflict>, Vec<Span>)>,
    /// For the cached article: what the curated set decided by hand and
    /// what the last merge left out there.
    marks: CurationMarks,
    /// The current disagreement (index into the cached regions), the one
    /// the keys act on.
    pub current: usize,
    /// The curation window's rectangle in the last frame.
    rect: Option<egui::Rect>,
    /// The last click was inside the curation window: its keys are on
    /// even when the pointer leaves it.
    focused: bool,
    /// A key moved the current disagreement: scroll it into view.
    scroll_to_current: bool,
}

/// Regions of the curated set: decided by hand (entity decisions not
/// written by merge) and left out by the last merge (its conflicts).
#[derive(Debug, Clone, Default)]
struct CurationMarks {
    hand: Vec<(usize, usize)>,
    left_out: Vec<(usize, usize)>,
}

/// Where a disagreement stands in the curated set.
#[derive(Debug, Clone, PartialEq)]
enum Standing {
    /// The curated set has this annotator's version (by merge or by hand).
    Has(String),
    /// Decided by hand, as nobody's version.
    OwnVersion,
    /// The last merge left it out (no majority); nothing decided since.
    LeftOut,
    /// Differs from every version, not decided by hand.
    Open,
}

impl Standing {
    fn settled(&self) -> bool {
        matches!(self, Standing::Has(_) | Standing::OwnVersion)
    }
}

fn standing(r: &Conflict, mine: &[Span], marks: &CurationMarks) -> Standing {
    let touches = |v: &[(usize, usize)]| v.iter().any(|&(s, e)| s < r.end && r.start < e);
    let (hand, left) = (touches(&marks.hand), touches(&marks.left_out));
    match r.versions.iter().find(|(_, v)| v == mine) {
        // A tie the merge left out can look like one side's version (the
        // automatic entities, or nothing, as they were): not decided.
        Some(_) if left && !hand => Standing::LeftOut,
        Some((n, _)) => Standing::Has(n.clone()),
        None if hand => Standing::OwnVersion,
        None if left => Standing::LeftOut,
        None => Standing::Open,
    }
}

/// What the cached disagreements were computed for.
#[derive(Debug, Clone, PartialEq)]
struct CurationKey {
    article: String,
    compare: Vec<String>,
    into: String,
    generation: u64,
    view_gen: u64,
}

impl TeamView {
    /// Forgets cached lists (after a switch or an edit elsewhere).
    pub fn invalidate(&mut self) {
        self.cache = None;
        self.annotators.clear();
    }
}

impl PizhuApp {
    /// The curated set "take" writes to.
    pub fn curated_target(&self) -> String {
        if !self.team.into.trim().is_empty() {
            return self.team.into.trim().to_string();
        }
        self.store
            .as_ref()
            .and_then(|s| s.meta(crate::teams::META_CURATED).ok().flatten())
            .unwrap_or_else(|| "curated".to_string())
    }

    /// The annotators compared in curation.
    pub fn compared(&mut self) -> Vec<String> {
        if !self.team.compare.is_empty() {
            return self.team.compare.clone();
        }
        let into = self.curated_target();
        self.known_annotators()
            .iter()
            .filter(|a| !a.curated && a.has_work() && a.name != into)
            .map(|a| a.name.clone())
            .collect()
    }

    /// The archive's annotators (cached).
    pub fn known_annotators(&mut self) -> &[AnnotatorSummary] {
        if self.team.annotators.is_empty()
            && let Some(s) = &self.store
        {
            self.team.annotators = s.annotators().unwrap_or_default();
        }
        &self.team.annotators
    }

    /// Switches whose work is shown (and, with `remember`, saves the name
    /// as this archive's annotator); a new undo history starts, since
    /// reviewed marks and tags replay as the current annotator.
    pub(crate) fn set_annotator(&mut self, name: &str, remember: bool) -> Result<(), String> {
        let store = self.store.as_ref().ok_or("no archive is open")?;
        store.set_annotator(name).map_err(|e| e.to_string())?;
        if remember {
            if self.read_only {
                return Err(super::live::READ_ONLY_REFUSAL.into());
            }
            store
                .set_meta(crate::teams::META_ANNOTATOR, &store.annotator())
                .map_err(|e| e.to_string())?;
        }
        self.editor = crate::edit::Editor::new();
        self.review = None;
        self.popup = None;
        self.team.invalidate();
        self.status = format!("showing the work of {}", store.annotator());
        let sel = self.selected.clone();
        self.reload_list();
        if let Some(id) = sel {
            self.select(&id);
        }
        Ok(())
    }

    /// Gives the current annotator's work to `name` and switches to it.
    pub(crate) fn rename_annotator(&mut self, name: &str) -> Result<(), String> {
        if self.read_only {
            return Err(super::live::READ_ONLY_REFUSAL.into());
        }
        let store = self.store.as_ref().ok_or("no archive is open")?;
        let old = store.annotator();
        store
            .rename_annotator(&old, name)
            .map_err(|e| e.to_string())?;
        self.set_annotator(name, true)
    }
}

/// The Team menu: your name for this archive, whose work is shown, the
/// team windows.
pub fn team_menu_ui(app: &mut PizhuApp, ui: &mut Ui) {
    let Some(current) = app.store.as_ref().map(|s| s.annotator()) else {
        ui.label("no archive open");
        return;
    };
    ui.label(format!("Showing the work of: {current}"));
    ui.separator();
    ui.label("Your name in this archive");
    if app.team.name_input.is_empty() {
        app.team.name_input = current.clone();
    }
    ui.add(
        egui::TextEdit::singleline(&mut app.team.name_input)
            .hint_text("your name")
            .desired_width(160.0),
    );
    let typed = app.team.name_input.trim().to_string();
    let valid = crate::teams::check_name(&typed).is_ok() && typed != current;
    if ui
        .add_enabled(valid, egui::Button::new("Use this name"))
        .on_hover_text("Saved for this archive; the command line uses it too")
        .clicked()
    {
        app.commands.push(Command::SetAnnotator {
            name: typed.clone(),
            remember: true,
        });
        ui.close();
    }
    let mine = app
        .known_annotators()
        .iter()
        .find(|a| a.name == current)
        .is_some_and(|a| a.has_work());
    let taken = app
        .known_annotators()
        .iter()
        .any(|a| a.name == typed && a.has_work());
    if valid
        && mine
        && !taken
        && ui
            .button(format!("Give the work of {current} to {typed}"))
            .on_hover_text("Renames the annotator: every annotation, mark and tag moves")
            .clicked()
    {
        app.commands.push(Command::RenameAnnotator(typed));
        ui.close();
    }
    ui.separator();
    ui.menu_button("Show the work of", |ui| {
        let names: Vec<(String, bool)> = app
            .known_annotators()
            .iter()
            .map(|a| (a.name.clone(), a.curated))
            .collect();
        if names.is_empty() {
            ui.label("nobody has annotated yet");
        }
        for (n, curated) in names {
            let label = if curated {
                format!("{n} (curated)")
            } else {
                n.clone()
            };
            if ui.radio(n == current, label).clicked() {
                app.commands.push(Command::SetAnnotator {
                    name: n,
                    remember: false,
                });
                ui.close();
            }
        }
    });
    if ui.button("Curation…").clicked() {
        app.team.curation_open = true;
        app.team.invalidate();
        ui.close();
    }
    if ui.button("Agreement…").clicked() {
        app.team.agreement_open = true;
        ui.close();
    }
}

/// The context of `region` in `text`, with `spans` coloured by type.
fn context_job(text: &[char], region: (usize, usize), spans: &[Span], dark: bool) -> LayoutJob {
    let from = region.0.saturating_sub(CONTEXT);
    let to = (region.1 + CONTEXT).min(text.len());
    let mut job = LayoutJob::default();
    let plain = egui::TextFormat {
        font_id: egui::FontId::proportional(15.0),
        color: if dark {
            Color32::LIGHT_GRAY
        } else {
            Color32::DARK_GRAY
        },
        ..Default::default()
    };
    let mut i = from;
    while i < to {
        let span = spans.iter().find(|s| s.start <= i && i < s.end);
        let end = match span {
            Some(s) => s.end.min(to),
            None => spans
                .iter()
                .filter(|s| s.start > i)
                .map(|s| s.start)
                .min()
                .unwrap_or(to)
                .min(to),
        };
        let piece: String = text[i..end]
            .iter()
            .map(|&c| if c == '\n' { ' ' } else { c })
            .collect();
        let mut f = plain.clone();
        if let Some(s) = span {
            let label: EntityType = s
                .label
                .parse()
                .unwrap_or(EntityType::Custom(s.label.clone()));
            let c = type_color(&label);
            f.background = c.gamma_multiply(0.35);
            f.underline = egui::Stroke::new(2.0, c);
            f.color = if dark { Color32::WHITE } else { Color32::BLACK };
        }
        job.append(&piece, 0.0, f);
        i = end.max(i + 1);
    }
    job
}

fn describe(spans: &[Span]) -> String {
    if spans.is_empty() {
        return "no entity".into();
    }
    spans
        .iter()
        .map(|s| format!("{} {}..{}", s.label, s.start, s.end))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The curation window: the article shown, each compared annotator's
/// entities around every disagreement, and "take" buttons writing the
/// curated set.
pub fn curation_window_ui(app: &mut PizhuApp, ctx: &egui::Context) {
    if !app.team.curation_open {
        return;
    }
    let mut open = true;
    let shown = egui::Window::new("Curation")
        .open(&mut open)
        .default_size([640.0, 520.0])
        .vscroll(true)
        .show(ctx, |ui| curation_ui(app, ui));
    app.team.rect = shown.map(|r| r.response.rect);
    if !open {
        app.team.curation_open = false;
        app.team.rect = None;
        app.team.focused = false;
    }
}

/// Whether the curation window takes the keys now: open, and under the
/// pointer or clicked last. Updates the "clicked last" state.
pub fn curation_keys_active(app: &mut PizhuApp, ctx: &egui::Context) -> bool {
    let Some(rect) = app.team.rect.filter(|_| app.team.curation_open) else {
        app.team.focused = false;
        return false;
    };
    let (hover, click) = ctx.input(|i| {
        (
            i.pointer.hover_pos().is_some_and(|p| rect.contains(p)),
            i.pointer
                .any_pressed()
                .then(|| i.pointer.interact_pos())
                .flatten(),
        )
    });
    if let Some(p) = click {
        app.team.focused = rect.contains(p);
    }
    hover || app.team.focused
}

/// The curation window's keys (see the module documentation), taken from
/// the input before anything else sees them. Acts on the disagreements the
/// window showed last (for the article shown).
pub fn curation_keys(app: &mut PizhuApp, ctx: &egui::Context) {
    use egui::{Event, Key};
    let mut step = 0i64;
    let mut take: Option<usize> = None;
    const DIGITS: [Key; 9] = [
        Key::Num1,
        Key::Num2,
        Key::Num3,
        Key::Num4,
        Key::Num5,
        Key::Num6,
        Key::Num7,
        Key::Num8,
        Key::Num9,
    ];
    ctx.input_mut(|i| {
        i.events.retain(|e| match e {
            Event::Key {
                key,
                pressed,
                modifiers,
                ..
            } if modifiers.is_none() => {
                let d = match key {
                    Key::ArrowDown | Key::J => 1,
                    Key::ArrowUp | Key::K => -1,
                    k => match DIGITS.iter().position(|d| d == k) {
                        Some(n) => {
                            if *pressed {
                                take = Some(n + 1);
                            }
                            return false;
                        }
                        None => return true,
                    },
                };
                if *pressed {
                    step += d;
                }
                false
            }
            // The same keys as text (the reader's shortcuts read text).
            Event::Text(t) => !matches!(
                t.as_str(),
                "j" | "k" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9"
            ),
            _ => true,
        });
    });
    let Some((key, regions, _)) = &app.team.cache else {
        return;
    };
    if app.selected.as_deref() != Some(key.article.as_str()) || regions.is_empty() {
        return;
    }
    let n = regions.len();
    let mut cur = app.team.current.min(n - 1);
    if step != 0 {
        cur = (cur as i64 + step).rem_euclid(n as i64) as usize;
    }
    if let Some(k) = take {
        let r = &regions[cur];
        match r.versions.get(k - 1) {
            Some((from, _)) if !app.read_only => {
                app.commands.push(Command::Edit(Edit::TakeSide {
                    article: key.article.clone(),
                    from: from.clone(),
                    into: key.into.clone(),
                    start: r.start,
                    end: r.end,
                }));
                cur = (cur + 1).min(n - 1);
            }
            Some(_) => {}
            None => {
                app.status = format!("no annotator {k} here: {} are compared", r.versions.len())
            }
        }
    }
    if cur != app.team.current || step != 0 {
        app.team.scroll_to_current = true;
    }
    app.team.current = cur;
}

fn curation_ui(app: &mut PizhuApp, ui: &mut Ui) {
    let (Some(id), Some(view)) = (app.selected.clone(), app.view.clone()) else {
        ui.label("Select an article.");
        return;
    };
    // Who is compared, and into which set.
    let people: Vec<String> = app
        .known_annotators()
        .iter()
        .filter(|a| !a.curated && a.has_work())
        .map(|a| a.name.clone())
        .collect();
    let mut compare = app.compared();
    ui.horizontal_wrapped(|ui| {
        ui.label("Compare:");
        for p in &people {
            let mut on = compare.contains(p);
            if ui.checkbox(&mut on, p.as_str()).changed() {
                if on {
                    compare.push(p.clone());
                } else {
                    compare.retain(|x| x != p);
                }
                app.team.compare = compare.clone();
            }
        }
    });
    let mut into = app.curated_target();
    ui.horizontal(|ui| {
        ui.label("Curated set:");
        if ui
            .add(egui::TextEdit::singleline(&mut into).desired_width(140.0))
            .changed()
        {
            app.team.into = into.clone();
        }
    });
    if compare.len() < 2 {
        ui.label("Choose two or more annotators to compare.");
        return;
    }
    if compare.contains(&into) || crate::teams::check_name(&into).is_err() {
        ui.label("The curated set needs a name of its own.");
        return;
    }
    let key = CurationKey {
        article: id.clone(),
        compare: compare.clone(),
        into: into.clone(),
        generation: app.editor.generation(),
        view_gen: app.view_gen,
    };
    if app.team.cache.as_ref().is_none_or(|(k, _, _)| *k != key) {
        let Some(store) = &app.store else { return };
        let computed = crate::teams::disagreements(store, &id, &compare).and_then(|d| {
            let c = crate::teams::entity_set(store, &id, &into)?;
            let marks = store.with_annotator(&into, |s| {
                let hand = s
                    .annotations(&id)?
                    .into_iter()
                    .filter(|a| {
                        !a.by_merge
                            && matches!(
                                a.kind,
                                crate::store::AnnotationKind::Entity
                                    | crate::store::AnnotationKind::Reject
                                    | crate::store::AnnotationKind::Accept
                            )
                    })
                    .map(|a| (a.start, a.end))
                    .collect();
                Ok(CurationMarks {
                    hand,
                    left_out: s.merge_conflicts(&id)?,
                })
            })?;
            Ok((d, c, marks))
        });
        match computed {
            Ok((d, c, marks)) => {
                app.team.marks = marks;
                if app
                    .team
                    .cache
                    .as_ref()
                    .is_none_or(|(k, _, _)| k.article != key.article)
                {
                    app.team.current = 0;
                }
                app.team.cache = Some((key, d, c))
            }
            Err(e) => {
                app.error = Some(e.to_string());
                return;
            }
        }
    }
    let Some((_, regions, curated)) = app.team.cache.clone() else {
        return;
    };
    let text: Vec<char> = view.article.text.chars().collect();
    let marks = app.team.marks.clone();
    let open_regions = regions
        .iter()
        .filter(|r| !standing(r, &in_region(&curated, r), &marks).settled())
        .count();
    ui.label(
        RichText::new(format!(
            "{}: {} disagreements, {} not yet settled in {into}",
            view.article.display_title(),
            regions.len(),
            open_regions
        ))
        .strong(),
    );
    if regions.is_empty() {
        ui.label("The annotators agree on every entity of this article.");
    }
    if !regions.is_empty() {
        ui.label(
            RichText::new(
                "Keys here: Down/Up or j/k step, 1-9 take that annotator's version, Ctrl+Z undoes",
            )
            .small()
            .weak(),
        );
    }
    let dark = app.settings.dark;
    let current = app.team.current.min(regions.len().saturating_sub(1));
    for (k, r) in regions.iter().enumerate() {
        ui.separator();
        let mine = in_region(&curated, r);
        let stands = standing(r, &mine, &marks);
        ui.horizontal(|ui| {
            let mut head = RichText::new(format!(
                "{}{}..{} 「{}」",
                if k == current { "> " } else { "" },
                r.start,
                r.end,
                r.text
            ))
            .strong();
            if k == current {
                head = head.background_color(ui.visuals().selection.bg_fill);
            }
            let shown = ui.label(head);
            if k == current && app.team.scroll_to_current {
                shown.scroll_to_me(None);
            }
            let (green, orange) = (
                Color32::from_rgb(0x2e, 0x8b, 0x57),
                Color32::from_rgb(0xd0, 0x60, 0x20),
            );
            match &stands {
                Standing::Has(n) => {
                    ui.label(RichText::new(format!("√ {into} has {n}'s version")).color(green))
                }
                Standing::OwnVersion => ui.label(
                    RichText::new(format!("√ decided by hand in {into}: {}", describe(&mine)))
                        .color(green),
                ),
                Standing::LeftOut => ui.label(
                    RichText::new(format!(
                        "left out by the merge (no majority); {into} shows {}",
                        describe(&mine)
                    ))
                    .color(orange),
                ),
                Standing::Open => ui.label(
                    RichText::new(format!("disagreement; {into}: {}", describe(&mine)))
                        .color(orange),
                ),
            };
        });
        egui::Grid::new(("curation", r.start, r.end))
            .num_columns(3)
            .show(ui, |ui| {
                for (v, (name, spans)) in r.versions.iter().enumerate() {
                    ui.label(RichText::new(format!("{} {name}", v + 1)).monospace());
                    ui.vertical(|ui| {
                        ui.add(
                            egui::Label::new(context_job(&text, (r.start, r.end), spans, dark))
                                .extend(),
                        );
                        ui.label(RichText::new(describe(spans)).small());
                    });
                    let label = format!("Take {name}'s {}..{}", r.start, r.end);
                    if ui
                        .add_enabled(
                            !app.read_only && (mine != *spans || stands == Standing::LeftOut),
                            egui::Button::new(label),
                        )
                        .clicked()
                    {
                        app.commands.push(Command::Edit(Edit::TakeSide {
                            article: id.clone(),
                            from: name.clone(),
                            into: into.clone(),
                            start: r.start,
                            end: r.end,
                        }));
                    }
                    ui.end_row();
                }
            });
    }
    app.team.scroll_to_current = false;
}

/// The curated set's spans in a region.
fn in_region(curated: &[Span], r: &Conflict) -> Vec<Span> {
    curated
        .iter()
        .filter(|s| s.start < r.end && r.start < s.end)
        .cloned()
        .collect()
}

/// The agreement window: pairs × types, computed on request.
pub fn agreement_window_ui(app: &mut PizhuApp, ctx: &egui::Context) {
    if !app.team.agreement_open {
        return;
    }
    let mut open = true;
    egui::Window::new("Agreement")
        .open(&mut open)
        .default_size([640.0, 360.0])
        .vscroll(true)
        .show(ctx, |ui| agreement_ui(app, ui));
    if !open {
        app.team.agreement_open = false;
    }
}

fn agreement_ui(app: &mut PizhuApp, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.checkbox(
            &mut app.team.annotated,
            "articles both annotated (not reviewed)",
        );
        let idle = app.team.pending.is_none();
        if idle
            && (ui.button("Compute").clicked() || app.team.report.is_none())
            && let Some(store) = &app.store
        {
            // Every article in scope is read: off the UI thread, on a
            // read-only connection as the annotator shown.
            let opts = AgreementOptions {
                scope: if app.team.annotated {
                    Scope::Annotated
                } else {
                    Scope::Reviewed
                },
                ..Default::default()
            };
            let path = store.path().to_path_buf();
            let who = store.annotator();
            let (tx, rx) = std::sync::mpsc::channel();
            let ctx = ui.ctx().clone();
            std::thread::spawn(move || {
                let r = crate::store::Store::open_as(&path, crate::store::OpenMode::ReadOnly, &who)
                    .and_then(|s| crate::teams::agreement(&s, &opts))
                    .map_err(|e| e.to_string());
                let _ = tx.send(r);
                ctx.request_repaint();
            });
            app.team.pending = Some(rx);
        }
        if let Some(rx) = &app.team.pending {
            match rx.try_recv() {
                Ok(r) => {
                    app.team.report = Some(r);
                    app.team.pending = None;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    ui.spinner();
                    ui.label("computing…");
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_millis(100));
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => app.team.pending = None,
            }
        }
    });
    ui.label(
        RichText::new(
            "F1: exact spans (same start, end and type; symmetric). kappa: Cohen's kappa per character, O included.",
        )
        .small(),
    );
    let Some(report) = app.team.report.clone() else {
        return;
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            ui.label(e);
            return;
        }
    };
    let fig = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"));
    egui::Grid::new("agreement")
        .striped(true)
        .num_columns(report.types.len() + 3)
        .show(ui, |ui| {
            ui.label(RichText::new("pair").strong());
            ui.label(RichText::new("articles").strong());
            for t in report.types.iter().map(String::as_str).chain(["all"]) {
                ui.label(RichText::new(format!("{t} F1 / kappa")).strong());
            }
            ui.end_row();
            for p in &report.pairs {
                ui.label(format!("{} × {}", p.a, p.b));
                ui.label(format!("{} ({} chars)", p.articles, p.characters));
                for s in &p.scores {
                    ui.label(format!("{} / {}", fig(s.f1), fig(s.kappa)))
                        .on_hover_text(format!(
                            "{} spans vs {}, {} matched",
                            s.spans_a, s.spans_b, s.matched
                        ));
                }
                ui.end_row();
            }
            if let Some(f) = &report.fleiss {
                ui.label(format!("Fleiss ({})", f.annotators.join(", ")));
                ui.label(format!("{} ({} chars)", f.articles, f.characters));
                for s in &f.scores {
                    ui.label(format!("kappa {}", fig(s.kappa)));
                }
                ui.end_row();
            }
        });
}
