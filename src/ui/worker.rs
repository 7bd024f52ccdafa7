//! The background worker: indexing and re-extraction off the UI thread.
//!
//! It owns its own SQLite connection per job (WAL lets the UI read while it
//! writes) and the shared extractor, and reports progress by message.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};

use crate::extract::Extractor;
use crate::index::{IndexOptions, IndexSummary, Progress, index_archive, reextract};
use crate::store::{OpenMode, Store};

/// Work for the background thread.
#[derive(Debug, Clone)]
pub enum Job {
    /// Index an archive into a database.
    Index {
        /// Archive folder.
        root: PathBuf,
        /// Database file.
        db: PathBuf,
    },
    /// Re-extract the articles containing these texts.
    Reextract {
        /// Database file.
        db: PathBuf,
        /// Texts whose articles to re-extract.
        needles: Vec<String>,
    },
    /// Adapt the tagger to the reviewed articles, then re-extract the others.
    Learn {
        /// Database file.
        db: PathBuf,
        /// Whose reviewed articles (the annotator shown).
        annotator: String,
    },
    /// Delete the adapted model and re-extract the unreviewed articles with the shipped one.
    Forget {
        /// Database file.
        db: PathBuf,
        /// Whose unreviewed articles (the annotator shown).
        annotator: String,
    },
}

/// Messages from the background thread.
#[derive(Debug, Clone)]
pub enum Msg {
    /// Indexing progress.
    Progress(Progress),
    /// Indexing finished.
    IndexDone(Result<IndexSummary, String>),
    /// Re-extraction finished (articles updated).
    ReextractDone(Result<usize, String>),
    /// Learning or going back to the shipped model finished (a status line).
    LearnDone(Result<String, String>),
}

type MakeExtractor = Box<dyn Fn() -> Arc<dyn Extractor> + Send + Sync>;

/// Handle to the background thread.
pub struct Worker {
    jobs: Sender<Job>,
    msgs: Receiver<Msg>,
    busy: usize,
}

impl Worker {
    /// Starts the thread; `make_extractor` runs on it (the dictionary loads off the UI thread).
    pub fn start(make_extractor: MakeExtractor, repaint: impl Fn() + Send + 'static) -> Worker {
        let (jobs, job_rx) = channel::<Job>();
        let (msg_tx, msgs) = channel::<Msg>();
        std::thread::Builder::new()
            .name("pizhu-worker".into())
            .spawn(move || {
                let extractor: OnceLock<Arc<dyn Extractor>> = OnceLock::new();
                // The model adapted to an archive's reviewed articles
                // (`pizhu train ARCHIVE`), cached by its path and mtime.
                let mut adapted: Option<(PathBuf, std::time::SystemTime, Arc<dyn Extractor>)> =
                    None;
                for job in job_rx {
                    let db = match &job {
                        Job::Index { db, .. }
                        | Job::Reextract { db, .. }
                        | Job::Learn { db, .. }
                        | Job::Forget { db, .. } => db.clone(),
                    };
                    let model = crate::extract::learn::adapted_model_path(&db);
                    let stamp = std::fs::metadata(&model).and_then(|m| m.modified()).ok();
                    let ex = match stamp {
                        Some(t) => {
                            let fresh = adapted
                                .as_ref()
                                .is_some_and(|(p, m, _)| *p == model && *m == t);
                            if !fresh {
                                let ex: Arc<dyn Extractor> =
                                    Arc::new(crate::extract::learn::extractor_for(&db));
                                adapted = Some((model.clone(), t, ex));
                            }
                            adapted
                                .as_ref()
                                .map(|(_, _, e)| e.clone())
                                .unwrap_or_else(|| extractor.get_or_init(&make_extractor).clone())
                        }
                        None => extractor.get_or_init(&make_extractor).clone(),
                    };
                    let msg = match job {
                        Job::Index { root, db } => {
                            let tx = msg_tx.clone();
                            let rp = &repaint;
                            let result = Store::open(&db).and_then(|mut store| {
                                index_archive(
                                    &root,
                                    &mut store,
                                    ex.as_ref(),
                                    &IndexOptions::default(),
                                    &|p| {
                                        let _ = tx.send(Msg::Progress(p));
                                    },
                                )
                            });
                            rp();
                            Msg::IndexDone(result.map_err(|e| e.to_string()))
                        }
                        Job::Reextract { db, needles } => {
                            let result = Store::open(&db).and_then(|mut store| {
                                let mut n = 0;
                                for needle in &needles {
                                    n += reextract(&mut store, ex.as_ref(), needle)?;
                                }
                                Ok(n)
                            });
                            Msg::ReextractDone(result.map_err(|e| e.to_string()))
                        }
                        Job::Learn { db, annotator } => {
                            let result = Store::open_as(&db, OpenMode::ReadWrite, &annotator)
                                .and_then(|mut store| {
                                    crate::extract::learn::learn_from_reviewed(&mut store, &db)
                                });
                            Msg::LearnDone(result.map_err(|e| e.to_string()).map(|(_, s)| {
                                format!(
                                    "learnt from {} reviewed articles ({} sentences, {} entities); \
                                     {} unreviewed articles re-extracted",
                                    s.reviewed, s.sentences, s.entities, s.reextracted
                                )
                            }))
                        }
                        Job::Forget { db, annotator } => {
                            let result = crate::extract::learn::forget_adapted(&db).and_then(|had| {
                                let shipped = extractor.get_or_init(&make_extractor).clone();
                                let mut store =
                                    Store::open_as(&db, OpenMode::ReadWrite, &annotator)?;
                                let n = crate::extract::learn::reextract_unreviewed(
                                    &mut store,
                                    shipped.as_ref(),
                                )?;
                                Ok((had, n))
                            });
                            adapted = None;
                            Msg::LearnDone(result.map_err(|e| e.to_string()).map(|(had, n)| {
                                if had {
                                    format!("back to the shipped model; {n} unreviewed articles re-extracted")
                                } else {
                                    format!("already on the shipped model; {n} unreviewed articles re-extracted")
                                }
                            }))
                        }
                    };
                    if msg_tx.send(msg).is_err() {
                        break;
                    }
                    repaint();
                }
            })
            .expect("spawning the worker thread");
        Worker {
            jobs,
            msgs,
            busy: 0,
        }
    }

    /// Queues a job.
    pub fn send(&mut self, job: Job) {
        if self.jobs.send(job).is_ok() {
            self.busy += 1;
        }
    }

    /// Messages received since the last call.
    pub fn poll(&mut self) -> Vec<Msg> {
        let msgs: Vec<Msg> = self.msgs.try_iter().collect();
        for m in &msgs {
            if matches!(
                m,
                Msg::IndexDone(_) | Msg::ReextractDone(_) | Msg::LearnDone(_)
            ) {
                self.busy = self.busy.saturating_sub(1);
            }
        }
        msgs
    }

    /// Whether jobs are queued or running.
    pub fn is_busy(&self) -> bool {
        self.busy > 0
    }
}
