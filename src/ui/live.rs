//! Work that keeps the open archive live without freezing the frame:
//! "apply to all" relabelling on its own thread with a progress count,
//! polling the archive folder for new files, the read-only banner, and
//! learning from reviewed articles on the worker.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use super::app::PizhuApp;
use super::worker::Job;
use crate::edit::{Edit, Editor, Outcome};
use crate::store::{OpenMode, Store};

/// An "apply to all" edit running on its own thread. The editor (the undo
/// history) travels with it and comes back when it ends, so the edit is
/// undoable as usual; edits are refused meanwhile.
pub struct Relabel {
    /// The text being learnt or rejected.
    pub text: String,
    /// (articles done, articles to do), as last reported.
    pub progress: (usize, usize),
    rx: Receiver<RelabelMsg>,
}

enum RelabelMsg {
    Progress(usize, usize),
    Done(Box<Editor>, Result<Outcome, String>),
}

/// How often the archive folder is checked for new files, and when it was last.
pub struct Freshness {
    /// Time between checks (a few `stat` calls each).
    pub every: Duration,
    pub(crate) last: Option<Instant>,
    /// Polls in a row that found the archive changed (each queued an index
    /// run): the wait doubles with each, so an archive the index cannot
    /// settle (a folder that keeps changing) is not re-indexed every 2 s.
    pub(crate) changed_in_a_row: u32,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            every: Duration::from_secs(2),
            last: None,
            changed_in_a_row: 0,
        }
    }
}

/// The message for an edit refused because the database is read-only.
pub const READ_ONLY_REFUSAL: &str = "the database is read-only: this change was not saved (open a copy of the archive in a writable folder to annotate)";

impl PizhuApp {
    /// Starts an "apply to all" edit on a thread with its own connection.
    pub(crate) fn start_relabel(&mut self, text: String, edit: Edit) -> Result<(), String> {
        let db = self.db_path.clone().ok_or("no archive is open")?;
        let mut editor = Box::new(std::mem::take(&mut self.editor));
        // The lexicon entry records who made it: the annotator shown.
        let annotator = self.annotator_name();
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("pizhu-relabel".into())
            .spawn(move || {
                let ptx = tx.clone();
                let result =
                    Store::open_as(&db, OpenMode::ReadWrite, &annotator).and_then(|store| {
                        editor.apply_with_progress(&store, edit, &|done, total| {
                            let _ = ptx.send(RelabelMsg::Progress(done, total));
                        })
                    });
                let _ = tx.send(RelabelMsg::Done(editor, result.map_err(|e| e.to_string())));
            })
            .map_err(|e| e.to_string())?;
        self.status = format!("relabelling articles containing 「{text}」…");
        self.relabel = Some(Relabel {
            text,
            progress: (0, 0),
            rx,
        });
        Ok(())
    }

    /// Reads the relabelling thread's messages; on its end, takes the editor back.
    pub(crate) fn poll_relabel(&mut self) {
        let Some(r) = &mut self.relabel else { return };
        let mut done = None;
        for m in r.rx.try_iter() {
            match m {
                RelabelMsg::Progress(d, t) => r.progress = (d, t),
                RelabelMsg::Done(editor, out) => done = Some((editor, out)),
            }
        }
        if done.is_none()
            && matches!(
                r.rx.try_recv(),
                Err(std::sync::mpsc::TryRecvError::Disconnected)
            )
        {
            self.relabel = None;
            self.error =
                Some("relabelling stopped unexpectedly; the undo history was reset".into());
            return;
        }
        let (d, t) = r.progress;
        self.status = format!(
            "relabelling {} / {} articles containing 「{}」…",
            thousands(d),
            thousands(t),
            r.text
        );
        let Some((editor, out)) = done else {
            return;
        };
        let r = self.relabel.take().expect("relabel checked above");
        self.editor = *editor;
        self.layout.key = None;
        match out {
            Ok(out) => {
                let n = out.relabelled;
                self.after_edit(out);
                if !self.is_busy() {
                    self.status = format!(
                        "relabelled {} articles containing 「{}」 ({} checked)",
                        thousands(n),
                        r.text,
                        thousands(r.progress.1)
                    );
                }
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Every [`Freshness::every`], checks whether files were added, removed
    /// or renamed in the archive (a few `stat` calls) and queues an index
    /// run when so; the list is re-read when it ends.
    pub(crate) fn poll_freshness(&mut self, ctx: &egui::Context) {
        if self.read_only || self.is_busy() {
            return;
        }
        let (Some(root), Some(store), Some(db)) = (&self.archive, &self.store, &self.db_path)
        else {
            return;
        };
        ctx.request_repaint_after(self.freshness.every);
        let wait = self.freshness.every * 2u32.pow(self.freshness.changed_in_a_row.min(5));
        if self.freshness.last.is_some_and(|t| t.elapsed() < wait) {
            return;
        }
        self.freshness.last = Some(Instant::now());
        let version = store
            .meta("extractor_version")
            .ok()
            .flatten()
            .unwrap_or_default();
        match crate::index::looks_unchanged_as(root, store, &version) {
            Ok(false) => self.freshness.changed_in_a_row += 1,
            _ => {
                self.freshness.changed_in_a_row = 0;
                return;
            }
        }
        let job = Job::Index {
            root: root.clone(),
            db: db.clone(),
        };
        self.status = "the archive changed: indexing new files…".into();
        self.worker.send(job);
    }

    /// Learns from the reviewed articles on the worker (then re-extracts the
    /// unreviewed ones with the adapted model and reloads).
    pub fn learn_from_reviewed(&mut self) {
        if let Some(db) = self.writable_db() {
            self.status = "learning from the reviewed articles…".into();
            let annotator = self.annotator_name();
            self.worker.send(Job::Learn { db, annotator });
        }
    }

    /// Deletes the adapted model and re-extracts the unreviewed articles with
    /// the shipped one, on the worker.
    pub fn back_to_shipped_model(&mut self) {
        if let Some(db) = self.writable_db() {
            self.status = "going back to the shipped model…".into();
            let annotator = self.annotator_name();
            self.worker.send(Job::Forget { db, annotator });
        }
    }

    fn writable_db(&mut self) -> Option<PathBuf> {
        if self.read_only {
            self.error = Some(READ_ONLY_REFUSAL.into());
            return None;
        }
        if self.is_busy() {
            self.error = Some("busy: wait until the current job ends".into());
            return None;
        }
        let db = self.db_path.clone();
        if db.is_none() {
            self.error = Some("no archive is open".into());
        }
        db
    }
}

/// The File menu's model entries.
pub fn model_menu_items(app: &mut PizhuApp, ui: &mut egui::Ui) {
    let can = app.store.is_some() && !app.read_only && !app.is_busy();
    ui.separator();
    if ui
        .add_enabled(can, egui::Button::new("Learn from reviewed articles"))
        .on_hover_text(
            "adapt the tagger to the articles marked reviewed, then re-extract the others",
        )
        .clicked()
    {
        app.learn_from_reviewed();
        ui.close();
    }
    if ui
        .add_enabled(can, egui::Button::new("Back to the shipped model"))
        .clicked()
    {
        app.back_to_shipped_model();
        ui.close();
    }
}

/// The banner shown over everything when the database is read-only.
pub fn read_only_banner(app: &PizhuApp, ui: &mut egui::Ui) {
    if !app.read_only {
        return;
    }
    egui::Panel::top("read_only_banner").show(ui, |ui| {
        ui.colored_label(
            egui::Color32::from_rgb(0xb0, 0x60, 0x00),
            "READ-ONLY: the database folder cannot be written. You can read, search and \
             export; annotations and edits are refused, not saved.",
        );
    });
}

/// 11270 → "11,270".
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(super::thousands(11270), "11,270");
        assert_eq!(super::thousands(3120), "3,120");
        assert_eq!(super::thousands(12), "12");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
