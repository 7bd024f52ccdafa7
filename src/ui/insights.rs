//! The Insights window: charts over the articles of the current list filter
//! (articles per month, mentions of chosen entities over time, top entities
//! per type, person × organisation co-occurrence), drawn with `egui_plot`.
//!
//! The archive is read once into [`Insights`] on a background thread (its
//! own read-only connection) and re-read when the article list is reloaded;
//! the aggregates are recomputed only when the filter, the chosen entities
//! or the types change, so a frame only draws. Clicking a bar, a point or a
//! cell narrows the article list to those articles ([`Filter::chart`]).
//!
//! [`Filter::chart`]: super::app::Filter::chart

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Instant;

use egui::RichText;
use egui_plot::{
    Bar, BarChart, HoverPosition, Legend, Line, Plot, PlotPoint, PlotPoints, Points, Text,
    uniform_grid_spacer,
};

use super::app::PizhuApp;
use crate::insights::{Insights, Measure, Month, MonthSeries, Pair};
use crate::store::Store;

/// Which chart the window shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Chart {
    /// Articles per month (gaps show).
    #[default]
    Months,
    /// Articles mentioning each chosen entity, per month (lines).
    Mentions,
    /// Most mentioned entities of a type (bars).
    Top,
    /// Entities of one type × another (a matrix).
    Cooccur,
}

impl Chart {
    /// Every chart with its tab name.
    pub const ALL: [(Chart, &'static str); 4] = [
        (Chart::Months, "Articles per month"),
        (Chart::Mentions, "Mentions over time"),
        (Chart::Top, "Top entities"),
        (Chart::Cooccur, "Co-occurrence"),
    ];

    fn file_stem(self) -> &'static str {
        match self {
            Chart::Months => "articles-per-month",
            Chart::Mentions => "mentions-per-month",
            Chart::Top => "top-entities",
            Chart::Cooccur => "cooccurrence",
        }
    }
}

/// The aggregates the charts draw, for one key (filter, entities, types).
#[derive(Debug, Clone, Default)]
pub struct Computed {
    key: u64,
    /// Articles per month.
    pub months: MonthSeries,
    /// Articles mentioning each chosen entity per month.
    pub mentions: MonthSeries,
    /// Top entities of the chosen type.
    pub top: Vec<(String, usize)>,
    /// Co-occurring pairs (most articles first).
    pub pairs: Vec<Pair>,
    /// Matrix rows and columns (the entities of the most frequent pairs).
    pub rows: Vec<String>,
    /// Matrix columns.
    pub cols: Vec<String>,
    /// Exact article counts of the matrix cells (`cells[row][col]`).
    pub cells: Vec<Vec<usize>>,
    /// Articles per date source.
    pub sources: Vec<(crate::insights::DateSource, usize)>,
    /// Time the aggregates took, ms.
    pub millis: f64,
}

/// Aggregates and the entities picked by default (when none were chosen).
type Computed2 = (Computed, Option<Vec<(String, String)>>);

/// A finished load: the archive, its article id → index map, and the time
/// both took (ms); built off the UI thread.
type Loaded = (Insights, rustc_hash::FxHashMap<String, usize>, f64);

/// State of the Insights window.
pub struct InsightsView {
    /// Window open.
    pub open: bool,
    /// The chart shown.
    pub chart: Chart,
    /// The loaded archive (None until loaded).
    pub data: Option<Arc<Insights>>,
    /// Article id → index in `data.docs`.
    by_id: rustc_hash::FxHashMap<String, usize>,
    /// Index in the app's article list → index in `data.docs` (or
    /// `u32::MAX`), for the list read at `list_map_for.0` and the load
    /// number `list_map_for.1`: a filter change maps integers only.
    list_map: Vec<u32>,
    list_map_for: Option<(Option<Instant>, u64)>,
    /// Loads finished so far.
    loads: u64,
    loading: Option<Receiver<Result<Loaded, String>>>,
    loaded_at: Option<Instant>,
    /// Time the last load took, ms.
    pub load_millis: f64,
    /// Entities drawn as lines: (text, type).
    pub entities: Vec<(String, String)>,
    entity_input: String,
    /// The user changed `entities` (no more automatic choice).
    entities_chosen: bool,
    /// Type of the top-entities chart.
    pub top_type: String,
    /// Row and column types of the co-occurrence matrix.
    pub pair_types: (String, String),
    /// The aggregates for the current key.
    pub computed: Option<Arc<Computed>>,
    /// The key of the aggregates being (or last) computed.
    computed_for: Option<u64>,
    computing: Option<Receiver<Computed2>>,
    /// Why the archive could not be read.
    pub error: Option<String>,
    /// The window's rectangle last frame (the PNG's crop).
    rect: Option<egui::Rect>,
    /// Results of PNG saves (written from the screenshot callback).
    png_done: Option<Receiver<Result<std::path::PathBuf, String>>>,
}

impl Default for InsightsView {
    fn default() -> Self {
        InsightsView {
            open: false,
            chart: Chart::default(),
            data: None,
            by_id: Default::default(),
            list_map: Vec::new(),
            list_map_for: None,
            loads: 0,
            loading: None,
            loaded_at: None,
            load_millis: 0.0,
            entities: Vec::new(),
            entity_input: String::new(),
            entities_chosen: false,
            top_type: "PER".into(),
            pair_types: ("PER".into(), "ORG".into()),
            computed: None,
            computed_for: None,
            computing: None,
            error: None,
            rect: None,
            png_done: None,
        }
    }
}

const TYPES: [&str; 6] = ["PER", "LOC", "ORG", "TITLE", "DATE", "MONEY"];
const MATRIX: usize = 12;

impl InsightsView {
    /// Starts (re)loading the archive on a background thread when the list
    /// was reloaded since the last load; picks up a finished load.
    fn poll(&mut self, store: &Store, list_reloaded: Option<Instant>, ctx: &egui::Context) {
        if let Some(rx) = &self.loading {
            match rx.try_recv() {
                Ok(Ok((ins, by_id, ms))) => {
                    self.load_millis = ms;
                    self.by_id = by_id;
                    self.loads += 1;
                    self.data = Some(Arc::new(ins));
                    self.computed = None;
                    self.computed_for = None;
                    // Aggregates of the previous data are dropped on arrival.
                    self.computing = None;
                    self.loading = None;
                }
                Ok(Err(e)) => {
                    self.loading = None;
                    self.data = Some(Arc::new(Insights::default()));
                    self.error = Some(e);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => return,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.loading = None,
            }
        }
        let stale = match (self.loaded_at, list_reloaded) {
            (None, _) => true,
            (Some(a), Some(r)) => r > a,
            _ => false,
        };
        if stale && self.loading.is_none() {
            let path = store.path().to_path_buf();
            // The corrections counted are those of the annotator shown.
            let who = store.annotator();
            let (tx, rx) = channel();
            let ctx = ctx.clone();
            self.loaded_at = Some(Instant::now());
            std::thread::spawn(move || {
                let t = Instant::now();
                let r = Store::open_as(&path, crate::store::OpenMode::ReadOnly, &who)
                    .and_then(|s| Insights::load(&s))
                    .map_err(|e| e.to_string())
                    .map(|ins| {
                        let by_id = ins
                            .docs
                            .iter()
                            .enumerate()
                            .map(|(i, d)| (d.id.clone(), i))
                            .collect();
                        (ins, by_id, t.elapsed().as_secs_f64() * 1e3)
                    });
                let _ = tx.send(r);
                ctx.request_repaint();
            });
            self.loading = Some(rx);
        }
    }

    /// Whether the archive is being read or aggregates computed.
    pub fn is_busy(&self) -> bool {
        self.loading.is_some() || self.computing.is_some()
    }

    fn key(&self, visible: &[usize], list_read: Option<Instant>) -> u64 {
        let mut h = rustc_hash::FxHasher::default();
        visible.hash(&mut h);
        list_read.hash(&mut h);
        self.entities.hash(&mut h);
        self.top_type.hash(&mut h);
        self.pair_types.hash(&mut h);
        h.finish()
    }

    /// The documents of the visible rows (indices into `data.docs`); the
    /// list → document map is rebuilt only when the list or the data changed.
    fn visible_docs(
        &mut self,
        visible: &[usize],
        articles: &[crate::store::ArticleSummary],
        list_read: Option<Instant>,
    ) -> Vec<usize> {
        if self.list_map_for != Some((list_read, self.loads))
            || self.list_map.len() != articles.len()
        {
            self.list_map = articles
                .iter()
                .map(|a| self.by_id.get(&a.id).map_or(u32::MAX, |&i| i as u32))
                .collect();
            self.list_map_for = Some((list_read, self.loads));
        }
        visible
            .iter()
            .filter_map(|&i| self.list_map.get(i).copied())
            .filter(|&d| d != u32::MAX)
            .map(|d| d as usize)
            .collect()
    }

    /// Recomputes the aggregates on a background thread when their inputs
    /// changed, and picks up the result; until then the last ones are drawn.
    ///
    /// The key hashes the visible rows' indices (with the time the list was
    /// read), not their ids: a frame costs one pass over integers.
    fn compute(
        &mut self,
        visible: &[usize],
        articles: &[crate::store::ArticleSummary],
        list_read: Option<Instant>,
        ctx: &egui::Context,
    ) {
        if let Some(rx) = &self.computing {
            match rx.try_recv() {
                Ok((c, picked)) => {
                    self.computing = None;
                    if let Some(p) = picked
                        && self.entities.is_empty()
                    {
                        self.entities = p;
                    }
                    self.computed = Some(Arc::new(c));
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => return,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.computing = None,
            }
        }
        let Some(data) = self.data.clone() else {
            return;
        };
        let pick = self.entities.is_empty() && !self.entities_chosen;
        let key = self.key(visible, list_read);
        if self.computed.as_ref().is_some_and(|c| c.key == key) || self.computed_for == Some(key) {
            return;
        }
        self.computed_for = Some(key);
        let only = self.visible_docs(visible, articles, list_read);
        let entities = self.entities.clone();
        let top_type = self.top_type.clone();
        let pair_types = self.pair_types.clone();
        // The key the result will have once default entities are filled in.
        let (tx, rx) = channel();
        self.computing = Some(rx);
        let ctx = ctx.clone();
        let mut keyed = InsightsView {
            entities: Vec::new(),
            top_type: top_type.clone(),
            pair_types: pair_types.clone(),
            ..Default::default()
        };
        let visible = visible.to_vec();
        std::thread::spawn(move || {
            let t = Instant::now();
            let only = Some(only.as_slice());
            let mut entities = entities;
            let picked = pick.then(|| {
                data.top_entities("PER", 3, only)
                    .into_iter()
                    .map(|(t, _)| (t, "PER".to_string()))
                    .collect::<Vec<_>>()
            });
            if let Some(p) = &picked {
                entities = p.clone();
            }
            keyed.entities = entities.clone();
            let key = keyed.key(&visible, list_read);
            let measures: Vec<Measure> = entities
                .iter()
                .map(|(t, l)| Measure::Entity(t.clone(), Some(l.clone())))
                .collect();
            // The matrix: the entities of the most frequent pairs, with
            // every cell counted exactly (a cell outside the top pairs is
            // not zero for that).
            let pairs = data.cooccur(&pair_types.0, &pair_types.1, 100, only);
            let (mut rows, mut cols): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
            for p in &pairs {
                if rows.len() < MATRIX && !rows.contains(&p.a) {
                    rows.push(p.a.clone());
                }
                if cols.len() < MATRIX && !cols.contains(&p.b) {
                    cols.push(p.b.clone());
                }
            }
            let cells = data.pair_matrix(&pair_types.0, &rows, &pair_types.1, &cols, only);
            let c = Computed {
                key,
                cells,
                months: data.by_month(&[Measure::Articles], only),
                mentions: data.by_month(&measures, only),
                top: data.top_entities(&top_type, 20, only),
                pairs,
                rows,
                cols,
                sources: data.date_sources(only),
                millis: t.elapsed().as_secs_f64() * 1e3,
            };
            let _ = tx.send((c, picked));
            ctx.request_repaint();
        });
    }
}

/// The chip above the article list while a chart narrows it, with a button
/// to clear it.
pub fn chart_filter_ui(app: &mut PizhuApp, ui: &mut egui::Ui) {
    let Some((what, ids)) = &app.filter.chart else {
        return;
    };
    let mut clear = false;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("Chart: {what} ({})", ids.len())).strong());
        clear = ui.small_button("× clear").clicked();
    });
    if clear {
        app.filter.chart = None;
    }
}

/// Narrows the list to the articles of a chart element.
fn pick(
    app: &mut PizhuApp,
    what: String,
    month: Option<Option<Month>>,
    ents: &[(String, Option<String>)],
) {
    let Some(data) = app.insights.data.clone() else {
        return;
    };
    let list_read = app.last_list_reload;
    let only = app
        .insights
        .visible_docs(&app.visible, &app.articles, list_read);
    let ids = data.article_ids(month, ents, Some(&only));
    app.status = format!("{what}: {} articles", ids.len());
    app.filter.chart = Some((what, Arc::new(ids)));
}

/// The Insights window, when open.
pub fn insights_window_ui(app: &mut PizhuApp, ctx: &egui::Context) {
    if !app.insights.open {
        return;
    }
    let Some(store) = &app.store else { return };
    app.insights.poll(store, app.last_list_reload, ctx);
    app.insights
        .compute(&app.visible, &app.articles, app.last_list_reload, ctx);
    if let Some(rx) = &app.insights.png_done
        && let Ok(r) = rx.try_recv()
    {
        app.insights.png_done = None;
        match r {
            Ok(p) => app.status = format!("saved {}", p.display()),
            Err(e) => app.error = Some(e),
        }
    }
    let mut open = true;
    let shown = egui::Window::new("Insights")
        .open(&mut open)
        .default_size([720.0, 480.0])
        .default_pos([420.0, 80.0])
        .resizable(true)
        .show(ctx, |ui| insights_ui(app, ui));
    app.insights.rect = shown.map(|r| r.response.rect);
    app.insights.open = open;
}

/// The window's contents.
pub fn insights_ui(app: &mut PizhuApp, ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        for (c, name) in Chart::ALL {
            ui.selectable_value(&mut app.insights.chart, c, name);
        }
    });
    let Some(c) = app.insights.computed.clone() else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading the archive…");
        });
        return;
    };
    let dated: usize = c.months.rows.iter().map(|r| r.1[0]).sum();
    let undated = c.months.undated.first().copied().unwrap_or(0);
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "{} articles in the list: {dated} dated, {undated} undated.",
            dated + undated
        ));
        let src: Vec<String> = c.sources.iter().map(|(s, n)| format!("{s} {n}")).collect();
        ui.label(RichText::new(format!("Dates from: {}", src.join(", "))).weak())
            .on_hover_text(
                "text: a full date in the article; text+path: day and month from the text, \
                 year from the file's path; path: the file's path or name",
            );
    });
    ui.separator();
    if let Some((what, ids)) = &app.filter.chart {
        let msg = format!("The list shows {what} ({} articles).", ids.len());
        let mut clear = false;
        ui.horizontal(|ui| {
            ui.label(msg);
            clear = ui.button("Show the whole filter").clicked();
        });
        if clear {
            app.filter.chart = None;
        }
    }
    if let Some(e) = &app.insights.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    match app.insights.chart {
        Chart::Months => months_ui(app, ui, &c),
        Chart::Mentions => mentions_ui(app, ui, &c),
        Chart::Top => top_ui(app, ui, &c),
        Chart::Cooccur => cooccur_ui(app, ui, &c),
    }
    ui.separator();
    ui.horizontal(|ui| {
        if ui
            .button("Save CSV")
            .on_hover_text(format!(
                "Saves the chart's data beside the archive folder.\n\
                 Aggregates: {:.1} ms; archive read in {:.0} ms.",
                c.millis, app.insights.load_millis
            ))
            .clicked()
        {
            let csv = chart_csv(app.insights.chart, &c, &app.insights);
            save_csv(app, csv);
        }
        if ui
            .button("Save PNG")
            .on_hover_text("this window as an image, beside the archive folder")
            .clicked()
        {
            save_png(app, ui.ctx());
        }
    });
}

/// A chart's data as CSV.
pub fn chart_csv(chart: Chart, c: &Computed, v: &InsightsView) -> Vec<u8> {
    use crate::insights::{TableFormat, render_counts, render_pairs};
    match chart {
        Chart::Months => c.months.render(TableFormat::Csv),
        Chart::Mentions => c.mentions.render(TableFormat::Csv),
        Chart::Top => render_counts([&v.top_type, "articles"], &c.top),
        Chart::Cooccur => {
            render_pairs(&c.pairs, &v.pair_types.0, &v.pair_types.1, TableFormat::Csv)
        }
    }
}

/// Writes a chart's data beside the archive folder (like the exports).
fn save_csv(app: &mut PizhuApp, bytes: Vec<u8>) {
    let Some(path) = chart_path(app, "csv") else {
        return;
    };
    // A UTF-8 BOM so spreadsheets read the Chinese text.
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(bytes);
    match std::fs::write(&path, out) {
        Ok(()) => app.status = format!("saved {}", path.display()),
        Err(e) => app.error = Some(format!("cannot write {}: {e}", path.display())),
    }
}

/// The file a chart is saved to: `ARCHIVE-<chart>.<ext>` beside the archive.
fn chart_path(app: &PizhuApp, ext: &str) -> Option<std::path::PathBuf> {
    let arch = app.archive.as_ref()?;
    let name = arch
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "archive".into());
    let dir = arch.parent().unwrap_or(arch);
    Some(dir.join(format!("{name}-{}.{ext}", app.insights.chart.file_stem())))
}

/// Asks for a screenshot; its callback crops the window and writes a PNG.
fn save_png(app: &mut PizhuApp, ctx: &egui::Context) {
    let (Some(path), Some(rect)) = (chart_path(app, "png"), app.insights.rect) else {
        return;
    };
    let (tx, rx) = channel();
    app.insights.png_done = Some(rx);
    let ppp = ctx.pixels_per_point();
    let repaint = ctx.clone();
    ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(
        egui::ScreenshotCallback::new(move |img| {
            let img = img.region(&rect, Some(ppp));
            let r = write_png(&path, &img)
                .map(|()| path.clone())
                .map_err(|e| format!("cannot write {}: {e}", path.display()));
            let _ = tx.send(r);
            repaint.request_repaint();
        }),
    ));
}

fn write_png(path: &std::path::Path, img: &egui::ColorImage) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, img.size[0] as u32, img.size[1] as u32);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(std::io::Error::other)?;
    w.write_image_data(img.as_raw())
        .map_err(std::io::Error::other)?;
    w.finish().map_err(std::io::Error::other)
}

fn month_axis(plot: Plot<'_>) -> Plot<'_> {
    plot.x_grid_spacer(uniform_grid_spacer(|_| [1.0, 12.0, 120.0]))
        .x_axis_formatter(|m, _| {
            let v = m.value.round();
            if (m.value - v).abs() < 1e-6 {
                Month::from_index(v as i64).to_string()
            } else {
                String::new()
            }
        })
        .label_formatter(|h| match h {
            HoverPosition::NearDataPoint {
                plot_name,
                position: p,
                ..
            } => {
                let m = Month::from_index(p.x.round() as i64);
                Some(format!("{plot_name}\n{m}: {:.0}", p.y))
            }
            HoverPosition::Elsewhere { .. } => None,
        })
}

fn months_ui(app: &mut PizhuApp, ui: &mut egui::Ui, c: &Computed) {
    let undated = c.months.undated.first().copied().unwrap_or(0);
    if undated > 0
        && ui
            .button(format!("Undated articles: {undated}"))
            .on_hover_text("list them")
            .clicked()
    {
        pick(app, "undated".into(), Some(None), &[]);
    }
    if c.months.rows.is_empty() {
        ui.label("No dated article in the list.");
        return;
    }
    let bars: Vec<Bar> = c
        .months
        .rows
        .iter()
        .map(|(m, n)| Bar::new(m.index() as f64, n[0] as f64).width(0.8))
        .collect();
    let resp = month_axis(Plot::new("pizhu_months"))
        .height(ui.available_height().clamp(160.0, 320.0))
        .allow_scroll(false)
        .include_y(0.0)
        .show(ui, |p| {
            p.bar_chart(BarChart::new("articles", bars));
            p.pointer_coordinate()
        });
    if resp.response.clicked()
        && let Some(pt) = resp.inner
    {
        let m = Month::from_index(pt.x.round() as i64);
        if c.months.rows.iter().any(|(x, n)| *x == m && n[0] > 0) {
            pick(app, m.to_string(), Some(Some(m)), &[]);
        }
    }
}

fn mentions_ui(app: &mut PizhuApp, ui: &mut egui::Ui, c: &Computed) {
    ui.horizontal_wrapped(|ui| {
        let mut remove = None;
        for (i, (t, l)) in app.insights.entities.iter().enumerate() {
            if ui
                .small_button(format!("{t} ({l}) ×"))
                .on_hover_text("remove")
                .clicked()
            {
                remove = Some(i);
            }
        }
        if let Some(i) = remove {
            app.insights.entities.remove(i);
            app.insights.entities_chosen = true;
        }
    });
    ui.horizontal(|ui| {
        let r = ui.add(
            egui::TextEdit::singleline(&mut app.insights.entity_input)
                .hint_text("entity")
                .desired_width(140.0),
        );
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Add").clicked() || enter) && !app.insights.entity_input.trim().is_empty() {
            let t = app.insights.entity_input.trim().to_string();
            let label = app
                .insights
                .data
                .as_ref()
                .and_then(|d| {
                    TYPES
                        .iter()
                        .find(|l| d.key(&t, l).is_some())
                        .map(|l| l.to_string())
                })
                .unwrap_or_else(|| "PER".into());
            app.insights.entities.push((t, label));
            app.insights.entities_chosen = true;
            app.insights.entity_input.clear();
        }
        if let Some((t, l, _)) = app.focus_entity.clone()
            && ui.button(format!("Add {t} (from the panel)")).clicked()
            && !app
                .insights
                .entities
                .iter()
                .any(|e| e.0 == t && e.1 == l.as_str())
        {
            app.insights.entities.push((t, l.as_str().to_string()));
            app.insights.entities_chosen = true;
        }
    });
    if c.mentions.rows.is_empty() || app.insights.entities.is_empty() {
        ui.label("No dated mention (add an entity).");
        return;
    }
    let ents = app.insights.entities.clone();
    let resp = month_axis(Plot::new("pizhu_mentions"))
        .legend(Legend::default())
        .height(ui.available_height().clamp(160.0, 320.0))
        .allow_scroll(false)
        .include_y(0.0)
        .show(ui, |p| {
            for (col, (t, _)) in ents.iter().enumerate() {
                let pts: Vec<[f64; 2]> = c
                    .mentions
                    .rows
                    .iter()
                    .map(|(m, n)| [m.index() as f64, n[col] as f64])
                    .collect();
                p.line(Line::new(t.clone(), PlotPoints::from(pts.clone())));
                p.points(Points::new(t.clone(), PlotPoints::from(pts)).radius(2.5));
            }
            p.pointer_coordinate()
        });
    if resp.response.clicked()
        && let Some(pt) = resp.inner
    {
        // The nearest point: its month, and the line closest in height.
        let m = Month::from_index(pt.x.round() as i64);
        if let Some((_, n)) = c.mentions.rows.iter().find(|(x, _)| *x == m)
            && let Some(col) = (0..ents.len()).filter(|&i| n[i] > 0).min_by(|&a, &b| {
                let da = (n[a] as f64 - pt.y).abs();
                let db = (n[b] as f64 - pt.y).abs();
                da.total_cmp(&db)
            })
        {
            let (t, l) = ents[col].clone();
            pick(app, format!("{t}, {m}"), Some(Some(m)), &[(t, Some(l))]);
        }
    }
}

fn type_combo(ui: &mut egui::Ui, id: &str, value: &mut String) {
    egui::ComboBox::from_id_salt(id)
        .selected_text(value.clone())
        .show_ui(ui, |ui| {
            for t in TYPES {
                ui.selectable_value(value, t.to_string(), t);
            }
        });
}

fn top_ui(app: &mut PizhuApp, ui: &mut egui::Ui, c: &Computed) {
    ui.horizontal(|ui| {
        ui.label("Type");
        type_combo(ui, "pizhu_top_type", &mut app.insights.top_type);
    });
    if c.top.is_empty() {
        ui.label("No entity of this type in the list.");
        return;
    }
    let n = c.top.len();
    let names: Vec<String> = c.top.iter().map(|(t, _)| t.clone()).collect();
    // Most frequent at the top: rank r drawn at y = n - 1 - r.
    let bars: Vec<Bar> = c
        .top
        .iter()
        .enumerate()
        .map(|(r, (t, k))| Bar::new((n - 1 - r) as f64, *k as f64).width(0.7).name(t))
        .collect();
    let axis_names = names.clone();
    let top = c.top.clone();
    let widest = c.top.first().map_or(1, |t| t.1) as f64;
    let resp = Plot::new("pizhu_top")
        .height(ui.available_height().clamp(160.0, 360.0))
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .include_x(0.0)
        .include_x(widest * 1.3)
        .show_axes([true, false])
        .y_axis_formatter(move |m, _| {
            let v = m.value.round();
            if (m.value - v).abs() < 1e-6 && v >= 0.0 && (v as usize) < n {
                axis_names[n - 1 - v as usize].clone()
            } else {
                String::new()
            }
        })
        .y_grid_spacer(uniform_grid_spacer(|_| [1.0, 5.0, 25.0]))
        .show(ui, |p| {
            p.bar_chart(BarChart::new("articles", bars).horizontal());
            // Each bar's name and count at its end.
            for (r, (t, k)) in top.iter().enumerate() {
                p.text(
                    Text::new(
                        "",
                        PlotPoint::new(*k as f64, (n - 1 - r) as f64),
                        format!(" {t} {k}"),
                    )
                    .anchor(egui::Align2::LEFT_CENTER),
                );
            }
            p.pointer_coordinate()
        });
    if resp.response.clicked()
        && let Some(pt) = resp.inner
    {
        let y = pt.y.round();
        if y >= 0.0 && (y as usize) < n && pt.x >= 0.0 {
            let t = names[n - 1 - y as usize].clone();
            let l = app.insights.top_type.clone();
            pick(app, t.clone(), None, &[(t, Some(l))]);
        }
    }
}

fn cooccur_ui(app: &mut PizhuApp, ui: &mut egui::Ui, c: &Computed) {
    ui.horizontal(|ui| {
        type_combo(ui, "pizhu_pair_a", &mut app.insights.pair_types.0);
        ui.label("×");
        type_combo(ui, "pizhu_pair_b", &mut app.insights.pair_types.1);
    });
    if c.pairs.is_empty() {
        ui.label("No pair in the list.");
        return;
    }
    let max = c.pairs.first().map_or(1, |p| p.articles).max(1);
    let (ta, tb) = app.insights.pair_types.clone();
    let mut clicked: Option<(String, String)> = None;
    let store = app.store.as_ref();
    egui::ScrollArea::both()
        .max_height(ui.available_height().min(380.0))
        .show(ui, |ui| {
            egui::Grid::new("pizhu_matrix")
                .striped(false)
                .spacing([4.0, 4.0])
                .show(ui, |ui| {
                    ui.label("");
                    for col in &c.cols {
                        ui.label(RichText::new(col).small());
                    }
                    ui.end_row();
                    for (ri, row) in c.rows.iter().enumerate() {
                        let r = ui.label(row);
                        if ta == "PER"
                            && let Some(store) = store
                        {
                            r.on_hover_ui(|ui| {
                                // The person's titles and organisations (relations).
                                if let Ok(card) = store.person_card(row) {
                                    for (t, o) in card.roles.iter().take(6) {
                                        ui.label(format!(
                                            "{} @ {}",
                                            t.as_deref().unwrap_or("—"),
                                            o.as_deref().unwrap_or("—")
                                        ));
                                    }
                                    if card.roles.is_empty() {
                                        ui.label("no title or organisation extracted");
                                    }
                                }
                            });
                        }
                        for (ci, col) in c.cols.iter().enumerate() {
                            let n = c
                                .cells
                                .get(ri)
                                .and_then(|r| r.get(ci))
                                .copied()
                                .unwrap_or(0);
                            let strength = n as f32 / max as f32;
                            let fill = egui::Color32::from_rgba_unmultiplied(
                                40,
                                110,
                                220,
                                (30.0 + 200.0 * strength) as u8,
                            );
                            let b = egui::Button::new(if n > 0 {
                                n.to_string()
                            } else {
                                String::new()
                            })
                            .fill(if n > 0 {
                                fill
                            } else {
                                egui::Color32::TRANSPARENT
                            })
                            .min_size(egui::vec2(32.0, 20.0));
                            let resp = ui
                                .add_enabled(n > 0, b)
                                .on_hover_text(format!("{row} × {col}: {n} articles"));
                            if resp.clicked() {
                                clicked = Some((row.clone(), col.clone()));
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some((a, b)) = clicked {
        pick(
            app,
            format!("{a} × {b}"),
            None,
            &[(a, Some(ta)), (b, Some(tb))],
        );
    }
}
