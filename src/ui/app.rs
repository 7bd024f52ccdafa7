//! The application: state, the command queue, and the frame loop.
//!
//! Panels draw state and push [`Command`]s; [`PizhuApp::apply`] is the one
//! place that applies them (edits go through [`Editor`], which owns undo and
//! redo). Indexing and re-extraction run on the [`Worker`] thread.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{Galley, Key, KeyboardShortcut, Modifiers};
use serde::{Deserialize, Serialize};

use super::highlight::{DisplayText, Style};
use super::worker::{Job, Msg, Worker};
use crate::edit::{Edit, Editor};
use crate::extract::{EntityType, Extractor};
use crate::index::{IndexSummary, Progress};
use crate::store::{Annotation, Article, ArticleSummary, EffectiveEntity, OpenMode, Store};

/// Settings remembered between runs (eframe persistence).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Dark theme.
    pub dark: bool,
    /// Reader font size.
    pub font_size: f32,
    /// Entity types coloured in the reader.
    pub shown: BTreeSet<String>,
    /// Show the raw file text instead of the cleaned text.
    pub raw_view: bool,
    /// The last archive opened.
    pub last_archive: Option<PathBuf>,
    /// Recently opened archives, newest first.
    pub recent: Vec<PathBuf>,
    /// The article read last in each archive (reopened at start).
    pub last_read: std::collections::BTreeMap<PathBuf, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            dark: false,
            font_size: 17.0,
            shown: EntityType::BUILTIN
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            raw_view: false,
            last_archive: None,
            recent: Vec::new(),
            last_read: Default::default(),
        }
    }
}

/// How to start the app.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Archive to open at start (else the last one, else the welcome screen).
    pub archive: Option<PathBuf>,
    /// Database override.
    pub db: Option<PathBuf>,
    /// Also load a system CJK font as a fallback.
    pub system_fonts: bool,
    /// Whose work to show and write (`--annotator`); else the archive's default.
    pub annotator: Option<String>,
}

/// Everything the UI can ask for; applied after the frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// A change to the annotations (undoable).
    Edit(Edit),
    /// Undo the last edit.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Show an article.
    Select(String),
    /// Next (+1) or previous (-1) article in the list.
    Step(i32),
    /// Open an archive folder.
    Open(PathBuf),
    /// Scroll the reader to a text range and select it.
    Reveal(usize, usize),
    /// Apply to all occurrences: learn (`Some(type)`) or reject (`None`) a text.
    ApplyToAll(String, Option<EntityType>),
    /// Export the archive.
    Export(String, PathBuf),
    /// Show (and write) the work of this annotator; with `remember`, save
    /// the name as the archive's annotator.
    SetAnnotator {
        /// The name.
        name: String,
        /// Save it for the archive.
        remember: bool,
    },
    /// Give the current annotator's work to this name, and switch to it.
    RenameAnnotator(String),
}

/// The article shown in the reader, with everything drawn from it.
#[derive(Debug, Clone)]
pub struct View {
    /// The article.
    pub article: Article,
    /// Entities after corrections.
    pub entities: Vec<EffectiveEntity>,
    /// The user's annotations.
    pub annotations: Vec<Annotation>,
    /// Article tags.
    pub tags: Vec<String>,
    /// The displayed text (corrections applied).
    pub display: DisplayText,
    /// The decoded source file, for the raw view.
    pub raw: Option<String>,
}

impl View {
    /// The text of `start..end` as displayed: with OCR corrections applied,
    /// so an entity over a corrected span shows the corrected text.
    pub fn shown_text(&self, start: usize, end: usize) -> String {
        let (ds, de) = self.display.display_range(start, end);
        self.display.text.chars().skip(ds).take(de - ds).collect()
    }
}

/// What an "apply to all occurrences" would change (an estimate from the
/// current entities; re-extraction decides the rest).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllPreview {
    /// Articles containing the text.
    pub articles: usize,
    /// Occurrences: (article id, title, context with the text in 「」).
    pub occurrences: Vec<(String, String, String)>,
    /// Occurrences that would become new entities.
    pub adds: usize,
    /// Entities that would be removed (the text itself, or overlapping it).
    pub removes: usize,
    /// Entities of the same span that would change type.
    pub retypes: usize,
    /// Occurrences already as asked.
    pub unchanged: usize,
}

impl AllPreview {
    /// Computes the preview of making every `text` a `label` (or none).
    pub fn compute(
        store: &Store,
        text: &str,
        label: Option<&EntityType>,
    ) -> crate::Result<AllPreview> {
        let mut p = AllPreview::default();
        let n = text.chars().count();
        if n == 0 {
            return Ok(p);
        }
        for id in store.article_ids_containing(text)? {
            let a = store.article(&id)?;
            let ents = store.effective_entities(&id)?;
            let idx = crate::offsets::CharIndex::new(&a.text);
            let chars: Vec<char> = a.text.chars().collect();
            let title = a.display_title();
            p.articles += 1;
            for (b, _) in a.text.match_indices(text) {
                let s = idx.char_of_byte(b);
                let e = s + n;
                let same = ents
                    .iter()
                    .find(|x| x.entity.start == s && x.entity.end == e);
                let overlapping = ents
                    .iter()
                    .filter(|x| x.entity.start < e && s < x.entity.end)
                    .filter(|x| (x.entity.start, x.entity.end) != (s, e))
                    .count();
                match (label, same) {
                    (Some(l), Some(x)) if &x.entity.label == l => p.unchanged += 1,
                    (Some(_), Some(_)) => p.retypes += 1,
                    (Some(_), None) => {
                        p.adds += 1;
                        p.removes += overlapping;
                    }
                    (None, Some(_)) => p.removes += 1,
                    (None, None) => p.unchanged += 1,
                }
                if p.occurrences.len() < 200 {
                    let before: String = chars[s.saturating_sub(12)..s].iter().collect();
                    let after: String = chars[e..(e + 12).min(chars.len())].iter().collect();
                    p.occurrences.push((
                        id.clone(),
                        title.clone(),
                        format!(
                            "{}「{text}」{}",
                            before.replace('\n', " "),
                            after.replace('\n', " ")
                        ),
                    ));
                }
            }
        }
        Ok(p)
    }
}

/// A keyboard scroll of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// PageUp.
    Up,
    /// PageDown (and Space outside review).
    Down,
    /// Home.
    Top,
    /// End.
    End,
}

/// An open entity popup.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityPopup {
    /// The entity.
    pub entity: EffectiveEntity,
    /// Where to show it.
    pub pos: egui::Pos2,
    /// Tag being typed.
    pub tag: String,
    /// How many articles contain the entity's text (the "apply to all" preview).
    pub articles: usize,
    /// After an edit from the popup: the span and type the entity now has,
    /// so the popup follows it once the view is reloaded.
    pub follow: Option<(usize, usize, EntityType)>,
}

/// A small text-entry dialog over a selection.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// A note for a highlight.
    Note {
        /// Text range.
        range: (usize, usize),
        /// Note text.
        text: String,
    },
    /// A correction of the selected text.
    Correction {
        /// Text range.
        range: (usize, usize),
        /// Replacement.
        text: String,
    },
    /// Open an archive by path.
    Open {
        /// Path typed.
        path: String,
    },
    /// Confirm an "apply to all occurrences" that touches many articles.
    ApplyToAll {
        /// The text.
        text: String,
        /// `Some(type)`: always this type; `None`: never an entity.
        label: Option<EntityType>,
        /// What it would change.
        preview: AllPreview,
    },
    /// Export.
    Export {
        /// Format.
        format: String,
        /// Output path.
        path: String,
        /// The output exists: the dialog asks before overwriting it.
        confirm_overwrite: bool,
    },
}

/// The reader's highlighted layout, memoised by its input. The cache holds
/// the `LayoutJob` (our work: spans to formats), not the galley: egui's font
/// cache lays the job out and drops its galleys when it rebuilds the glyph
/// atlas, so a galley kept across frames would point at stale glyphs and
/// draw nothing.
pub(crate) struct LayoutCache {
    pub key: Option<(String, u64, f32, String)>,
    pub job: Option<egui::text::LayoutJob>,
    /// The galley drawn last frame (for positions, not for drawing).
    pub galley: Option<Arc<Galley>>,
    pub builds: u64,
}

/// Which list rows to show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Search query (FTS).
    pub query: String,
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// Only articles mentioning this entity text.
    pub entity: String,
    /// Some(true): annotated only; Some(false): not yet annotated.
    pub annotated: Option<bool>,
    /// Only the articles picked in an Insights chart: (what was clicked, ids).
    /// (Shared: the filter is cloned and compared every frame, and a
    /// chart may pick most of a large archive.)
    pub chart: Option<(String, std::sync::Arc<Vec<String>>)>,
}

/// The Pizhu application.
pub struct PizhuApp {
    /// Settings remembered between runs.
    pub settings: Settings,
    /// The open archive.
    pub archive: Option<PathBuf>,
    /// Its database file.
    pub db_path: Option<PathBuf>,
    /// The store (UI thread connection).
    pub store: Option<Store>,
    /// Edits and history.
    pub editor: Editor,
    /// All articles.
    pub articles: Vec<ArticleSummary>,
    /// Indices into `articles` that pass the filter.
    pub visible: Vec<usize>,
    /// Index into `articles` by article id (rebuilt with the list): the
    /// list never compares ids row by row (100k rows are 100k cache misses).
    pub(crate) article_index: std::collections::HashMap<String, usize>,
    /// Changes whenever `visible` does (the list's rows are cached on it).
    pub(crate) visible_gen: u64,
    /// The list's rows (file header or article, index into `articles`) and
    /// the `visible_gen` they were built for.
    pub(crate) list_rows: (u64, Vec<(bool, usize)>),
    /// The list filter.
    pub filter: Filter,
    pub(crate) filter_applied: Option<Filter>,
    /// Archives with more articles than this filter the list by search or
    /// entity on a thread of their own ([`LIST_FILTER_SYNC_UP_TO`]; tests
    /// lower it).
    pub list_filter_sync_up_to: usize,
    /// The list filter running on its own thread (large archives), and where
    /// its answer comes.
    #[allow(clippy::type_complexity)]
    filter_job: Option<(
        Filter,
        std::sync::mpsc::Receiver<Result<Option<HashSet<String>>, String>>,
    )>,
    /// The selected article.
    pub selected: Option<String>,
    /// What the reader shows.
    pub view: Option<Arc<View>>,
    /// The current text selection in the reader (text offsets).
    pub selection: Option<(usize, usize)>,
    /// Open entity popup.
    pub popup: Option<EntityPopup>,
    /// Open prompt.
    pub prompt: Option<Prompt>,
    /// Selected entity in the side panel (text, type) and occurrence index.
    pub focus_entity: Option<(String, EntityType, usize)>,
    /// Tag being typed for the article.
    pub tag_input: String,
    /// Commands queued this frame.
    pub commands: Vec<Command>,
    /// Last status message.
    pub status: String,
    /// Last error, shown until dismissed.
    pub error: Option<String>,
    /// Indexing progress.
    pub progress: Option<Progress>,
    /// Last indexing summary.
    pub summary: Option<IndexSummary>,
    /// Shortcut sheet open.
    pub show_shortcuts: bool,
    /// About window open.
    pub show_about: bool,
    pub(crate) worker: Worker,
    pub(crate) layout: LayoutCache,
    pub(crate) view_gen: u64,
    pub(crate) pending_reveal: Option<(usize, usize)>,
    pub(crate) focus_search: bool,
    pub(crate) focus_tag: bool,
    pub(crate) galley_pos: Option<egui::Pos2>,
    /// Every tag in the archive (refreshed after edits), for filters and completion.
    pub all_tags: Vec<String>,
    /// Articles mentioning the focused entity: (text, [(article id, count)]).
    pub(crate) mentions: Option<(String, Vec<(String, usize)>)>,
    pub(crate) last_list_reload: Option<std::time::Instant>,
    /// The review queue, when review mode is on.
    pub review: Option<super::review::Review>,
    /// A text range to scroll to the middle of the reader (no selection).
    pub(crate) pending_center: Option<(usize, usize)>,
    /// Take the keyboard focus away from the reader next frame.
    pub(crate) surrender_reader_focus: bool,
    /// The kind of prompt shown last frame (to focus a prompt's field when it opens).
    pub(crate) prompt_shown: Option<std::mem::Discriminant<Prompt>>,
    /// A keyboard scroll of the reader, applied next frame.
    pub page: Option<Page>,
    /// The reader's scroll offset, viewport height and content height, as last drawn.
    pub reader_metrics: (f32, f32, f32),
    /// Scroll the article list to the selected row next frame.
    pub(crate) list_to_selected: bool,
    /// The list's scroll offset and height, as last drawn.
    pub(crate) list_metrics: (f32, f32),
    /// The search hit stepped to last (Enter/F3), index into [`PizhuApp::search_hits`].
    pub hit_cursor: Option<usize>,
    /// Search snippets by article id (for the list).
    pub snippets: std::collections::HashMap<String, String>,
    /// Collapse the reader's text selection next frame (after an edit used it).
    pub(crate) collapse_reader: bool,
    /// The Insights window (charts) and its cached aggregates.
    pub insights: super::insights::InsightsView,
    /// The database is open read-only (its folder cannot be written): edits are refused.
    pub read_only: bool,
    /// An "apply to all" edit running in the background.
    pub relabel: Option<super::live::Relabel>,
    /// Polling the archive folder for new files.
    pub freshness: super::live::Freshness,
    /// The team windows (curation, agreement) and the Team menu's state.
    pub team: super::teams::TeamView,
    /// `--annotator`: applied to every archive opened.
    pub(crate) annotator_override: Option<String>,
}

/// The plain terms of a search query (FTS operators and quotes dropped).
pub fn search_terms(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| c == '"' || c == '*' || c == '(' || c == ')'))
        .filter(|t| !t.is_empty() && !matches!(*t, "AND" | "OR" | "NOT"))
        .map(str::to_string)
        .collect()
}

/// The id of the reader's text widget.
pub fn reader_id() -> egui::Id {
    egui::Id::unique("pizhu_reader")
}

/// Archives up to this many articles filter the list on the UI thread (a
/// search then costs well under a frame); larger ones on a thread of their
/// own (see [`PizhuApp::refilter`]).
pub const LIST_FILTER_SYNC_UP_TO: usize = 5_000;

/// The ids a filter allows (`None`: every article) and, if asked, the
/// search snippets by id.
#[allow(clippy::type_complexity)]
fn filter_ids(
    store: &Store,
    f: &Filter,
    with_snippets: bool,
) -> crate::Result<(
    Option<HashSet<String>>,
    std::collections::HashMap<String, String>,
)> {
    let mut snippets = std::collections::HashMap::new();
    let mut allowed: Option<HashSet<String>> = None;
    let mut narrow = |ids: Vec<String>| {
        let set: HashSet<String> = ids.into_iter().collect();
        allowed = Some(match allowed.take() {
            Some(prev) => prev.intersection(&set).cloned().collect(),
            None => set,
        });
    };
    if !f.query.trim().is_empty() {
        if with_snippets {
            let hits = store.search(&f.query, usize::MAX / 2)?;
            snippets = hits
                .iter()
                .map(|h| (h.id.clone(), h.snippet.clone()))
                .collect();
            narrow(hits.into_iter().map(|h| h.id).collect());
        } else {
            narrow(store.search_ids(&f.query)?);
        }
    }
    if let Some(tag) = &f.tag {
        narrow(store.articles_with_tag(tag).unwrap_or_default());
    }
    if !f.entity.trim().is_empty() {
        let ids = store
            .articles_mentioning(f.entity.trim())
            .unwrap_or_default()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        narrow(ids);
    }
    Ok((allowed, snippets))
}

/// The id of the search box.
pub fn search_id() -> egui::Id {
    egui::Id::unique("pizhu_search")
}

impl PizhuApp {
    /// Creates the app (fonts, settings, worker) and opens the archive.
    pub fn new(cc: &eframe::CreationContext<'_>, opts: AppOptions) -> Self {
        cc.egui_ctx
            .set_fonts(super::fonts::definitions(opts.system_fonts));
        let settings: Settings = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let ctx = cc.egui_ctx.clone();
        let worker = Worker::start(
            Box::new(|| Arc::new(crate::extract::default_extractor()) as Arc<dyn Extractor>),
            move || ctx.request_repaint(),
        );
        let mut app = PizhuApp {
            settings,
            archive: None,
            db_path: opts.db.clone(),
            store: None,
            editor: Editor::new(),
            articles: Vec::new(),
            visible: Vec::new(),
            article_index: Default::default(),
            visible_gen: 0,
            list_rows: (u64::MAX, Vec::new()),
            filter: Filter::default(),
            filter_applied: None,
            filter_job: None,
            list_filter_sync_up_to: LIST_FILTER_SYNC_UP_TO,
            selected: None,
            view: None,
            selection: None,
            popup: None,
            prompt: None,
            focus_entity: None,
            tag_input: String::new(),
            commands: Vec::new(),
            status: String::new(),
            error: None,
            progress: None,
            summary: None,
            show_shortcuts: false,
            show_about: false,
            worker,
            layout: LayoutCache {
                key: None,
                job: None,
                galley: None,
                builds: 0,
            },
            view_gen: 0,
            pending_reveal: None,
            focus_search: false,
            focus_tag: false,
            galley_pos: None,
            all_tags: Vec::new(),
            mentions: None,
            last_list_reload: None,
            review: None,
            pending_center: None,
            surrender_reader_focus: false,
            prompt_shown: None,
            page: None,
            reader_metrics: (0.0, 0.0, 0.0),
            list_to_selected: true,
            list_metrics: (0.0, 0.0),
            hit_cursor: None,
            snippets: Default::default(),
            collapse_reader: false,
            insights: Default::default(),
            read_only: false,
            relabel: None,
            freshness: Default::default(),
            team: Default::default(),
            annotator_override: opts.annotator.clone(),
        };
        app.apply_theme(&cc.egui_ctx);
        let start = opts
            .archive
            .or_else(|| app.settings.last_archive.clone().filter(|p| p.is_dir()));
        if let Some(p) = start {
            app.open(&p, opts.db.as_deref());
        }
        app
    }

    pub(crate) fn apply_theme(&self, ctx: &egui::Context) {
        ctx.set_theme(if self.settings.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
    }

    /// Whether the background worker is indexing or re-extracting.
    pub fn is_busy(&self) -> bool {
        self.worker.is_busy() || self.relabel.is_some() || self.filter_job.is_some()
    }

    /// Forgets the memoised reader layout (benchmarks measure the cost of a
    /// rebuild against the memoised frame).
    pub fn invalidate_layout(&mut self) {
        self.layout.key = None;
    }

    /// How many times the reader layout was built (for tests and benches).
    pub fn layout_builds(&self) -> u64 {
        self.layout.builds
    }

    /// Screen position of the middle of text character `offset` in the reader
    /// as last drawn (for tests and tooltips).
    pub fn text_pos(&self, offset: usize) -> Option<egui::Pos2> {
        let view = self.view.as_ref()?;
        let galley = self.layout.galley.as_ref()?;
        let (d, _) = view.display.display_range(offset, offset);
        let r = galley.pos_from_cursor(egui::text::CCursor::new(d));
        // A quarter into the character (nearer its start than its end, even
        // for a narrow comma), on the middle of its row.
        let next = galley.pos_from_cursor(egui::text::CCursor::new(d + 1));
        let w = if (next.center().y - r.center().y).abs() < 1.0 && next.min.x > r.min.x {
            next.min.x - r.min.x
        } else {
            8.0
        };
        Some(self.galley_pos? + r.center().to_vec2() + egui::vec2(w * 0.25, 0.0))
    }

    /// Opens an archive: the store at once, indexing in the background.
    pub fn open(&mut self, archive: &Path, db: Option<&Path>) {
        let loc = match crate::db_location(archive, db) {
            Ok(l) => l,
            Err(e) => {
                self.error = Some(e.to_string());
                return;
            }
        };
        let opened = if loc.writable {
            Store::open(&loc.path)
        } else {
            Store::open_read_only(&loc.path)
        };
        match opened {
            Ok(store) => {
                if let Some(n) = &self.annotator_override
                    && let Err(e) = store.set_annotator(n)
                {
                    self.error = Some(e.to_string());
                }
                self.team = Default::default();
                self.read_only = store.is_read_only();
                self.store = Some(store);
                self.archive = Some(archive.to_path_buf());
                self.db_path = Some(loc.path.clone());
                self.editor = Editor::new();
                self.selected = None;
                self.view = None;
                self.status = if loc.fallback {
                    format!("archive is read-only; database at {}", loc.path.display())
                } else {
                    format!("database {}", loc.path.display())
                };
                let canon = archive
                    .canonicalize()
                    .unwrap_or_else(|_| archive.to_path_buf());
                self.settings.last_archive = Some(canon.clone());
                self.settings.recent.retain(|p| p != &canon);
                self.settings.recent.insert(0, canon);
                self.settings.recent.truncate(8);
                if self.read_only {
                    self.status = format!(
                        "read-only database {} (not re-indexed; edits are refused)",
                        loc.path.display()
                    );
                }
                self.reload_list();
                if !self.read_only {
                    self.worker.send(Job::Index {
                        root: archive.to_path_buf(),
                        db: loc.path,
                    });
                }
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Re-reads the article list from the store and re-applies the filter.
    pub fn reload_list(&mut self) {
        let Some(store) = &self.store else { return };
        match store.articles() {
            Ok(a) => {
                let shown: Vec<String> = self
                    .visible
                    .iter()
                    .filter_map(|&i| self.articles.get(i).map(|x| x.id.clone()))
                    .collect();
                self.article_index = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (x.id.clone(), i))
                    .collect();
                self.articles = a;
                // The rows shown stay valid until the filter is applied again
                // (on a large archive that happens in the background).
                self.visible = shown
                    .iter()
                    .filter_map(|id| self.article_index.get(id).copied())
                    .collect();
                self.visible_gen += 1;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.all_tags = store.all_tags().unwrap_or_default();
        self.mentions = None;
        self.last_list_reload = Some(std::time::Instant::now());
        self.filter_applied = None;
        self.refilter();
        if self.selected.is_none()
            && let Some(&first) = self.visible.first()
        {
            // The article read last in this archive, else the first.
            let last = self
                .settings
                .last_archive
                .as_ref()
                .and_then(|a| self.settings.last_read.get(a))
                .filter(|id| self.visible.iter().any(|&i| &self.articles[i].id == *id))
                .cloned();
            let id = last.unwrap_or_else(|| self.articles[first].id.clone());
            self.select(&id);
        }
    }

    /// Recomputes the visible rows if the filter changed.
    ///
    /// On a large archive a search or entity filter runs on a thread of its
    /// own connection ([`LIST_FILTER_SYNC_UP_TO`]): the frame that takes the
    /// keypress only starts it, the list keeps its rows until the answer
    /// comes, and only the newest filter is applied (at most one runs at a
    /// time; a filter typed meanwhile starts when it ends). Snippets are then
    /// made per row drawn.
    pub fn refilter(&mut self) {
        if self.filter_applied.as_ref() == Some(&self.filter) {
            // A filter still running is for an older query: never wait on it.
            self.filter_job = None;
            return;
        }
        let Some(store) = &self.store else { return };
        let f = self.filter.clone();
        let slow = !f.query.trim().is_empty() || !f.entity.trim().is_empty();
        let background = slow && self.articles.len() > self.list_filter_sync_up_to;
        if let (true, Some(db)) = (background, self.db_path.clone()) {
            if let Some(job) = &self.filter_job {
                match job.1.try_recv() {
                    Ok(res) => {
                        let (done, _) = self.filter_job.take().expect("job");
                        if done == f {
                            match res {
                                Ok(allowed) => self.show_filtered(f, allowed, Default::default()),
                                Err(e) => self.error = Some(e),
                            }
                            return;
                        }
                    }
                    Err(std::sync::mpsc::TryRecvError::Empty) => return,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => self.filter_job = None,
                }
            }
            let (tx, rx) = std::sync::mpsc::channel();
            let job = f.clone();
            // Tags are per annotator: the job reads as the one shown.
            let who = store.annotator();
            std::thread::spawn(move || {
                let res = Store::open_as(&db, OpenMode::ReadOnly, &who)
                    .and_then(|s| filter_ids(&s, &job, false))
                    .map(|(allowed, _)| allowed)
                    .map_err(|e| e.to_string());
                let _ = tx.send(res);
            });
            self.filter_job = Some((f, rx));
            return;
        }
        self.filter_job = None;
        match filter_ids(store, &f, true) {
            Ok((allowed, snippets)) => self.show_filtered(f, allowed, snippets),
            Err(e) => {
                self.error = Some(e.to_string());
                self.show_filtered(f, None, Default::default());
            }
        }
    }

    /// Shows the rows `allowed` (all when `None`) that also pass the
    /// filter's annotated/not-yet choice.
    fn show_filtered(
        &mut self,
        f: Filter,
        allowed: Option<HashSet<String>>,
        snippets: std::collections::HashMap<String, String>,
    ) {
        self.visible_gen += 1;
        // A chart's pick (up to every article): looked up by `&str` with a
        // fast hash, without copying the ids.
        let chart: Option<rustc_hash::FxHashSet<&str>> = f
            .chart
            .as_ref()
            .map(|(_, ids)| ids.iter().map(String::as_str).collect());
        self.visible = self
            .articles
            .iter()
            .enumerate()
            .filter(|(_, a)| allowed.as_ref().is_none_or(|s| s.contains(&a.id)))
            .filter(|(_, a)| chart.as_ref().is_none_or(|s| s.contains(a.id.as_str())))
            .filter(|(_, a)| {
                f.annotated
                    .is_none_or(|want| (a.annotations > 0 || a.reviewed) == want)
            })
            .map(|(i, _)| i)
            .collect();
        if self
            .filter_applied
            .as_ref()
            .is_none_or(|a| a.query != f.query)
        {
            self.hit_cursor = None;
        }
        self.snippets = snippets;
        self.filter_applied = Some(f);
    }

    /// The selected article's index into `articles`.
    pub fn selected_index(&self) -> Option<usize> {
        let id = self.selected.as_ref()?;
        self.article_index
            .get(id)
            .copied()
            .filter(|&i| self.articles.get(i).is_some_and(|a| &a.id == id))
    }

    /// Whether the list shows search results (two lines a row, snippets).
    pub fn list_searching(&self) -> bool {
        self.filter_applied
            .as_ref()
            .is_some_and(|f| !f.query.trim().is_empty())
    }

    /// Shows an article in the reader.
    pub fn select(&mut self, id: &str) {
        if self.selected.as_deref() != Some(id) {
            self.list_to_selected = true;
        }
        if let Some(a) = &self.settings.last_archive {
            self.settings.last_read.insert(a.clone(), id.to_string());
        }
        self.selected = Some(id.to_string());
        self.selection = None;
        self.popup = None;
        self.focus_entity = None;
        self.reload_view();
    }

    /// Re-reads the current article's entities and annotations.
    pub fn reload_view(&mut self) {
        let (Some(store), Some(id)) = (&self.store, &self.selected) else {
            self.view = None;
            return;
        };
        let load = || -> crate::Result<View> {
            let article = store.article(id)?;
            let annotations = store.annotations(id)?;
            let display = DisplayText::new(&article.text, &annotations);
            let raw = if self.settings.raw_view {
                store.raw_text(&article.file)?
            } else {
                None
            };
            Ok(View {
                entities: store.effective_entities(id)?,
                tags: store.article_tags(id)?,
                annotations,
                display,
                raw,
                article,
            })
        };
        match load() {
            Ok(v) => self.view = Some(Arc::new(v)),
            Err(e) => {
                self.view = None;
                self.error = Some(e.to_string());
            }
        }
        self.view_gen += 1;
    }

    pub(crate) fn style(&self) -> Style {
        let hits = self.search_hits();
        let current_hit = self.hit_cursor.and_then(|k| hits.get(k).copied());
        Style {
            font_size: self.settings.font_size,
            dark: self.settings.dark,
            shown: self.settings.shown.clone(),
            body_start: self.view.as_ref().map_or(0, |v| v.article.body_start),
            hits,
            current_hit,
        }
    }

    /// Where the search terms occur in the displayed article (display
    /// code points), in reading order.
    pub fn search_hits(&self) -> Vec<(usize, usize)> {
        let Some(view) = &self.view else {
            return Vec::new();
        };
        search_terms(&self.filter.query)
            .iter()
            .flat_map(|t| {
                let n = t.chars().count();
                let idx = crate::offsets::CharIndex::new(&view.display.text);
                view.display
                    .text
                    .match_indices(t.as_str())
                    .map(|(b, _)| {
                        let s = idx.char_of_byte(b);
                        (s, s + n)
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Steps to the next (+1) or previous (-1) search hit in the article.
    pub fn step_hit(&mut self, d: i32) {
        let hits = self.search_hits();
        if hits.is_empty() {
            self.status = "no match in this article".into();
            return;
        }
        let n = hits.len() as i64;
        let k = match self.hit_cursor {
            Some(k) => (k as i64 + d as i64).rem_euclid(n),
            None if d < 0 => n - 1,
            None => 0,
        } as usize;
        self.hit_cursor = Some(k);
        if let Some(view) = &self.view {
            let (s, e) = hits[k];
            self.pending_center = Some(view.display.text_range(s, e));
        }
        self.status = format!("match {} of {}", k + 1, hits.len());
    }

    /// Applies the queued commands (the one place that changes the store).
    pub fn apply(&mut self) {
        let commands = std::mem::take(&mut self.commands);
        for c in commands {
            if let Err(e) = self.apply_one(c) {
                self.error = Some(e);
            }
        }
    }

    pub(crate) fn after_edit(&mut self, out: crate::edit::Outcome) {
        if !out.reextract.is_empty()
            && let Some(db) = &self.db_path
        {
            self.status = format!(
                "updating every article mentioning {}…",
                out.reextract.join("、")
            );
            self.worker.send(Job::Reextract {
                db: db.clone(),
                needles: out.reextract,
            });
        } else {
            self.status = "saved".into();
        }
        self.reload_view();
        self.refresh_counts();
        if let Some(store) = &self.store {
            self.all_tags = store.all_tags().unwrap_or_default();
        }
        self.mentions = None;
        self.team.annotators.clear();
    }

    /// The annotator shown (whose work is read and written).
    pub fn annotator_name(&self) -> String {
        self.store.as_ref().map_or_else(
            || crate::teams::MIGRATED_ANNOTATOR.into(),
            |s| s.annotator(),
        )
    }

    /// Articles mentioning `text` (cached until the next edit).
    pub fn mentions_of(&mut self, text: &str) -> &[(String, usize)] {
        let stale = self.mentions.as_ref().is_none_or(|(t, _)| t != text);
        if stale {
            let list = self
                .store
                .as_ref()
                .and_then(|s| s.articles_mentioning(text).ok())
                .unwrap_or_default();
            self.mentions = Some((text.to_string(), list));
        }
        self.mentions.as_ref().map_or(&[], |(_, l)| l.as_slice())
    }

    fn refresh_counts(&mut self) {
        let at = self.selected_index();
        if let (Some(store), Some(id), Some(i)) = (&self.store, &self.selected, at)
            && let Some(row) = self.articles.get_mut(i)
        {
            row.annotations = store
                .annotations(id)
                .map(|a| a.len())
                .unwrap_or(row.annotations);
            row.reviewed = self.view.as_ref().is_some_and(|v| v.article.reviewed);
        }
        self.filter_applied = None;
    }

    fn apply_one(&mut self, c: Command) -> Result<(), String> {
        if matches!(
            c,
            Command::Edit(_)
                | Command::Undo
                | Command::Redo
                | Command::ApplyToAll(..)
                | Command::RenameAnnotator(_)
        ) || matches!(c, Command::SetAnnotator { .. }) && self.relabel.is_some()
        {
            if self.read_only {
                return Err(super::live::READ_ONLY_REFUSAL.into());
            }
            if self.relabel.is_some() {
                return Err(
                    "busy relabelling the archive: this change was not saved, try again when it ends"
                        .into(),
                );
            }
        }
        match c {
            Command::Edit(edit) => {
                let store = self.store.as_ref().ok_or("no archive is open")?;
                let out = self.editor.apply(store, edit).map_err(|e| e.to_string())?;
                self.selection = None;
                self.collapse_reader = true;
                self.after_edit(out);
            }
            Command::Undo => {
                let store = self.store.as_ref().ok_or("no archive is open")?;
                if let Some(out) = self.editor.undo(store).map_err(|e| e.to_string())? {
                    self.after_edit(out);
                    self.status = "undone".into();
                }
            }
            Command::Redo => {
                let store = self.store.as_ref().ok_or("no archive is open")?;
                if let Some(out) = self.editor.redo(store).map_err(|e| e.to_string())? {
                    self.after_edit(out);
                    self.status = "redone".into();
                }
            }
            Command::Select(id) => {
                if self
                    .review
                    .as_ref()
                    .is_some_and(|r| r.state.article() != Some(id.as_str()))
                {
                    self.review = None;
                    self.status = "review stopped".into();
                }
                self.select(&id)
            }
            Command::Step(d) => {
                let pos = self
                    .selected_index()
                    .and_then(|s| self.visible.iter().position(|&i| i == s));
                let next = match pos {
                    Some(p) => {
                        (p as i64 + d as i64).clamp(0, self.visible.len() as i64 - 1) as usize
                    }
                    None => 0,
                };
                if let Some(&i) = self.visible.get(next) {
                    let id = self.articles[i].id.clone();
                    self.select(&id);
                }
            }
            Command::Open(p) => {
                if !p.is_dir() {
                    return Err(format!("{}: not a folder", p.display()));
                }
                let db = self
                    .db_path
                    .clone()
                    .filter(|_| self.archive.as_deref() == Some(p.as_path()));
                self.open(&p, db.as_deref());
            }
            Command::Reveal(s, e) => {
                self.pending_reveal = Some((s, e));
                self.selection = Some((s, e));
            }
            Command::ApplyToAll(text, label) => {
                let edit = match label {
                    Some(label) => Edit::LexiconAdd {
                        text: text.clone(),
                        label,
                    },
                    None => Edit::LexiconReject { text: text.clone() },
                };
                self.popup = None;
                self.selection = None;
                self.collapse_reader = true;
                self.start_relabel(text, edit)?;
                return Ok(());
            }
            Command::Export(format, path) => {
                let store = self.store.as_ref().ok_or("no archive is open")?;
                let format: crate::export::Format =
                    format.parse().map_err(|e: crate::Error| e.to_string())?;
                let s = crate::export::export(store, format, &path, &Default::default())
                    .map_err(|e| e.to_string())?;
                self.status = format!(
                    "exported {} articles, {} entities, {} highlights as {format} to {}",
                    s.articles,
                    s.entities,
                    s.highlights,
                    path.display()
                );
            }
            Command::SetAnnotator { name, remember } => self.set_annotator(&name, remember)?,
            Command::RenameAnnotator(name) => self.rename_annotator(&name)?,
        }
        Ok(())
    }

    fn poll_worker(&mut self) {
        for m in self.worker.poll() {
            match m {
                Msg::Progress(p) => {
                    self.progress = Some(p);
                    // Articles become readable as soon as their file is stored;
                    // the list is re-read at most once a second while indexing.
                    let due = self
                        .last_list_reload
                        .is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(1));
                    if p.done > 0 && (due || self.articles.is_empty()) {
                        self.reload_list();
                    }
                }
                Msg::IndexDone(r) => {
                    self.progress = None;
                    match r {
                        Ok(s) => {
                            self.status = format!(
                                "indexed {} files: {} articles, {} entities, {} skipped",
                                s.files,
                                s.articles,
                                s.entities,
                                s.skipped.len()
                            );
                            self.summary = Some(s);
                        }
                        Err(e) => self.error = Some(e),
                    }
                    self.reload_list();
                    self.reload_view();
                }
                Msg::ReextractDone(r) => {
                    match r {
                        Ok(n) => self.status = format!("saved; {n} articles updated"),
                        Err(e) => self.error = Some(e),
                    }
                    let sel = self.selected.clone();
                    self.reload_list();
                    self.selected = sel;
                    self.reload_view();
                }
                Msg::LearnDone(r) => {
                    match r {
                        Ok(s) => self.status = s,
                        Err(e) => self.error = Some(e),
                    }
                    let sel = self.selected.clone();
                    self.reload_list();
                    self.selected = sel;
                    self.reload_view();
                }
            }
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        if self.surrender_reader_focus {
            self.surrender_reader_focus = false;
            ctx.memory_mut(|m| m.surrender_focus(reader_id()));
        }
        if self.review.is_some() {
            self.review_keys(ctx);
            return;
        }
        let typing = ctx
            .memory(|m| m.focused())
            .is_some_and(|f| f != reader_id());
        // The curation window's keys, while it has the pointer or the last
        // click (not while a text field other than the reader is typed in).
        if super::teams::curation_keys_active(self, ctx) && !(typing && ctx.text_edit_focused()) {
            super::teams::curation_keys(self, ctx);
        }
        let cmd = |k| KeyboardShortcut::new(Modifiers::COMMAND, k);
        let cmd_shift = |k| KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, k);
        let mut step_hit = None;
        ctx.input_mut(|i| {
            if i.consume_shortcut(&cmd_shift(Key::Z)) || i.consume_shortcut(&cmd(Key::Y)) {
                self.commands.push(Command::Redo);
            }
            if i.consume_shortcut(&cmd(Key::Z)) {
                self.commands.push(Command::Undo);
            }
            if i.consume_shortcut(&cmd(Key::O)) {
                self.prompt = Some(Prompt::Open {
                    path: String::new(),
                });
            }
            if i.consume_shortcut(&cmd(Key::Equals)) || i.consume_shortcut(&cmd(Key::Plus)) {
                self.settings.font_size = (self.settings.font_size + 1.0).min(40.0);
            }
            if i.consume_shortcut(&cmd(Key::Minus)) {
                self.settings.font_size = (self.settings.font_size - 1.0).max(10.0);
            }
            if i.consume_key(Modifiers::SHIFT, Key::F3) {
                step_hit = Some(-1);
            } else if i.consume_key(Modifiers::NONE, Key::F3) {
                step_hit = Some(1);
            }
            if i.key_pressed(Key::Escape) {
                self.selection = None;
                self.popup = None;
                self.prompt = None;
                self.show_shortcuts = false;
            }
        });
        if let Some(d) = step_hit {
            self.step_hit(d);
        }
        if typing {
            return;
        }
        let sel = self.selection.filter(|(s, e)| s < e);
        let article = self.selected.clone();
        let mut start_review = None;
        let mut close_popup = false;
        // Taken before the reader sees them (its text cursor would move instead).
        ctx.input_mut(|i| {
            for (k, p) in [
                (Key::PageDown, Page::Down),
                (Key::PageUp, Page::Up),
                (Key::Home, Page::Top),
                (Key::End, Page::End),
            ] {
                if !i.modifiers.shift && i.consume_key(Modifiers::NONE, k) {
                    self.page = Some(p);
                }
            }
        });
        ctx.input(|i| {
            for e in &i.events {
                let egui::Event::Text(t) = e else { continue };
                match (t.as_str(), sel, &article) {
                    ("j", _, _) => self.commands.push(Command::Step(1)),
                    ("k", _, _) => self.commands.push(Command::Step(-1)),
                    ("/", _, _) => self.focus_search = true,
                    ("?", _, _) => self.show_shortcuts = !self.show_shortcuts,
                    (d @ ("1" | "2" | "3" | "4" | "5" | "6"), Some((s, e)), Some(a)) => {
                        let n: usize = d.parse().unwrap_or(1);
                        self.commands.push(Command::Edit(Edit::AddEntity {
                            article: a.clone(),
                            start: s,
                            end: e,
                            label: EntityType::BUILTIN[n - 1].clone(),
                        }));
                    }
                    ("h" | "H", Some((s, e)), Some(a)) => {
                        self.commands.push(Command::Edit(Edit::AddHighlight {
                            article: a.clone(),
                            start: s,
                            end: e,
                            color: Some(super::highlight::HIGHLIGHT_COLORS[0].1.to_string()),
                            note: None,
                        }))
                    }
                    ("n" | "N", Some(range), Some(_)) => {
                        self.prompt = Some(Prompt::Note {
                            range,
                            text: String::new(),
                        })
                    }
                    ("t" | "T", _, Some(_)) => self.focus_tag = true,
                    ("r", _, Some(_)) => start_review = Some(super::review::ReviewScope::Article),
                    ("R", _, Some(_)) => start_review = Some(super::review::ReviewScope::Archive),
                    _ => {}
                }
            }
            if sel.is_none() {
                if i.key_pressed(Key::ArrowDown) {
                    self.commands.push(Command::Step(1));
                }
                if i.key_pressed(Key::ArrowUp) {
                    self.commands.push(Command::Step(-1));
                }
            }
            if i.key_pressed(Key::Delete)
                && let (Some(p), Some(a)) = (&self.popup, &article)
            {
                self.commands.push(Command::Edit(Edit::RejectEntity {
                    article: a.clone(),
                    entity: p.entity.clone(),
                }));
                close_popup = true;
            }
        });
        if close_popup {
            self.popup = None;
        }
        if let Some(scope) = start_review {
            self.start_review(scope, super::review::ReviewFilter::default());
        }
    }
}

impl eframe::App for PizhuApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll_worker();
        self.poll_relabel();
        self.poll_freshness(&ctx);
        self.apply_theme(&ctx);
        self.shortcuts(&ctx);
        super::panels::menu_bar_ui(self, ui);
        super::live::read_only_banner(self, ui);
        super::panels::status_bar_ui(self, ui);
        super::panels::article_list_ui(self, ui);
        super::panels::side_panel_ui(self, ui);
        super::reader::central_ui(self, ui);
        super::panels::windows_ui(self, &ctx);
        self.apply();
        self.refilter();
        if self.is_busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
    }
}
