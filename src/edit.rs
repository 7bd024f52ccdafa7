//! User edits as commands, applied in one place, with undo and redo.
//!
//! The GUI (and any script) turns input into [`Edit`]s; [`Editor::apply`]
//! writes each one to the store atomically (one SQLite savepoint, committed
//! before it returns) and records how to reverse it. An "apply to all
//! occurrences" edit changes the learned lexicon and, in the same
//! transaction, relabels the stored entities of every article containing the
//! word in SQL ([`Store::relabel_lexicon`]); it is one undo step, and undo and
//! redo replay the recorded [`LexiconDiff`] in SQL too. Only forgetting an
//! entry needs the extractor again: the returned [`Outcome`] then names the
//! text whose articles must be re-extracted (the caller runs
//! [`crate::index::reextract`], in the background in the GUI), and the work
//! is recorded in the store in the same transaction, so that an interrupted
//! re-extraction is finished by the next index run.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::extract::{Entity, EntityType};
use crate::store::{
    Annotation, AnnotationKind, DISMISSED_HIGHLIGHT, EffectiveEntity, EntityStatus, LexiconDiff,
    LexiconEntry, NewAnnotation, Store, highlight_key,
};

/// One user edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Mark `start..end` of an article as an entity of type `label`.
    AddEntity {
        /// Article id.
        article: String,
        /// Start (code points).
        start: usize,
        /// End (exclusive).
        end: usize,
        /// Type.
        label: EntityType,
    },
    /// Highlight a passage, optionally with a note.
    AddHighlight {
        /// Article id.
        article: String,
        /// Start.
        start: usize,
        /// End.
        end: usize,
        /// Colour `#rrggbb`.
        color: Option<String>,
        /// Note.
        note: Option<String>,
    },
    /// Overlay a text correction (the source is never changed).
    AddCorrection {
        /// Article id.
        article: String,
        /// Start.
        start: usize,
        /// End.
        end: usize,
        /// Corrected text.
        replacement: String,
    },
    /// Change a highlight's colour/note or an entity annotation's type.
    UpdateAnnotation {
        /// Annotation id.
        id: i64,
        /// New fields.
        fields: NewAnnotation,
    },
    /// Delete an annotation.
    DeleteAnnotation {
        /// Annotation id.
        id: i64,
    },
    /// Reject an entity (automatic: recorded as a rejection; user: deleted).
    RejectEntity {
        /// Article id.
        article: String,
        /// The entity as shown.
        entity: EffectiveEntity,
    },
    /// Confirm an automatic entity.
    AcceptEntity {
        /// Article id.
        article: String,
        /// The entity as shown.
        entity: EffectiveEntity,
    },
    /// Change an entity's type and/or boundaries.
    ChangeEntity {
        /// Article id.
        article: String,
        /// The entity as shown.
        entity: EffectiveEntity,
        /// New start.
        start: usize,
        /// New end.
        end: usize,
        /// New type.
        label: EntityType,
    },
    /// Tag an article.
    TagArticle {
        /// Article id.
        article: String,
        /// Tag.
        tag: String,
    },
    /// Remove a tag from an article.
    UntagArticle {
        /// Article id.
        article: String,
        /// Tag.
        tag: String,
    },
    /// Tag an entity (text and type) archive-wide.
    TagEntity {
        /// Entity text.
        text: String,
        /// Entity type.
        label: EntityType,
        /// Tag.
        tag: String,
    },
    /// Mark an article reviewed or not.
    SetReviewed {
        /// Article id.
        article: String,
        /// Reviewed?
        reviewed: bool,
    },
    /// Apply to all occurrences: `text` is always an entity of type `label`.
    LexiconAdd {
        /// The word.
        text: String,
        /// Its type.
        label: EntityType,
    },
    /// Apply to all occurrences: `text` is never an entity.
    LexiconReject {
        /// The word.
        text: String,
    },
    /// Forget a lexicon entry.
    LexiconRemove {
        /// The word.
        text: String,
    },
    /// Curation: make the entities of the set `into` (a curated set) in
    /// `start..end` of an article those of annotator `from` there
    /// ([`crate::teams::take_side`]); one undo step.
    TakeSide {
        /// Article id.
        article: String,
        /// Whose version is taken.
        from: String,
        /// The set written (usually the curated set).
        into: String,
        /// Start of the region (code points).
        start: usize,
        /// End, exclusive.
        end: usize,
    },
}

/// A reversible change, as recorded in the history.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Annotation {
        before: Option<Box<Annotation>>,
        after: Option<Box<Annotation>>,
    },
    ArticleTag {
        article: String,
        tag: String,
        added: bool,
    },
    EntityTag {
        text: String,
        label: EntityType,
        tag: String,
    },
    Reviewed {
        article: String,
        before: bool,
        after: bool,
    },
    /// Regions a merge left out in `into`'s set that taking a side settled
    /// (removed from the store; undo puts them back).
    MergeConflicts {
        into: String,
        article: String,
        regions: Vec<(usize, usize)>,
    },
    Lexicon {
        text: String,
        before: Option<LexiconEntry>,
        after: Option<LexiconEntry>,
        /// What the change did to the stored entities (`None` when it was
        /// done by re-extraction).
        diff: Option<Arc<LexiconDiff>>,
    },
}

/// The pending-work kind recorded for a re-extraction.
pub const PENDING_REEXTRACT: &str = "reextract";

/// What the caller must do after an edit, undo or redo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Texts whose articles need re-extraction (lexicon changes).
    pub reextract: Vec<String>,
    /// Id of the annotation the edit created, if any.
    pub created: Option<i64>,
    /// Articles whose automatic entities a lexicon change relabelled.
    pub relabelled: usize,
}

/// Applies edits and keeps the undo/redo history.
#[derive(Debug, Default)]
pub struct Editor {
    undo: Vec<Vec<Change>>,
    redo: Vec<Vec<Change>>,
    generation: u64,
}

fn put_lexicon(store: &Store, text: &str, entry: Option<&LexiconEntry>) -> Result<()> {
    match entry {
        None => {
            store.lexicon_remove(text)?;
        }
        Some(e) => match (&e.label, e.action.as_str()) {
            (Some(l), "add") => store.lexicon_add(text, l)?,
            _ => store.lexicon_reject(text)?,
        },
    }
    Ok(())
}

/// Keeps the merge dismissals of highlights in step with a change made by
/// hand (or its undo/redo): a highlight that goes away, or whose span,
/// colour or note changes, is dismissed under its old key, so that a re-run
/// of `pizhu merge` does not bring the merged original back; a highlight
/// that (re)appears is no longer dismissed.
fn track_highlight(
    s: &Store,
    before: Option<&Annotation>,
    after: Option<&Annotation>,
) -> Result<()> {
    let key = |a: &Annotation| {
        (a.kind == AnnotationKind::Highlight)
            .then(|| highlight_key(a.start, a.end, a.color.as_deref(), a.note.as_deref()))
    };
    let (old, new) = (before.and_then(key), after.and_then(key));
    if let (Some(b), Some(k)) = (before, &old)
        && new.as_ref() != Some(k)
    {
        s.with_annotator(&b.annotator, |s| {
            s.set_dismissed(&b.article_id, DISMISSED_HIGHLIGHT, k, true)
        })?;
    }
    if let (Some(a), Some(k)) = (after, &new) {
        s.with_annotator(&a.annotator, |s| {
            s.set_dismissed(&a.article_id, DISMISSED_HIGHLIGHT, k, false)
        })?;
    }
    Ok(())
}

impl Editor {
    /// A new editor with an empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bumps on every change: use it to invalidate cached layouts.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Applies one edit atomically and records it for undo.
    pub fn apply(&mut self, store: &Store, edit: Edit) -> Result<Outcome> {
        self.apply_with_progress(store, edit, &|_, _| {})
    }

    /// [`Editor::apply`], reporting (articles done, articles to do) while
    /// an "apply to all" edit relabels the archive.
    pub fn apply_with_progress(
        &mut self,
        store: &Store,
        edit: Edit,
        progress: &dyn Fn(usize, usize),
    ) -> Result<Outcome> {
        let (changes, outcome) = store.atomically(|s| {
            let (mut changes, outcome) = Self::perform(s, edit, progress)?;
            Self::keep_hand_deletions(s, &mut changes)?;
            for c in &changes {
                if let Change::Annotation { before, after } = c {
                    track_highlight(s, before.as_deref(), after.as_deref())?;
                }
            }
            Ok((changes, outcome))
        })?;
        if !changes.is_empty() {
            self.undo.push(changes);
            self.redo.clear();
            self.generation += 1;
        }
        Ok(outcome)
    }

    /// Undoes the last edit; `None` when there is nothing to undo.
    pub fn undo(&mut self, store: &Store) -> Result<Option<Outcome>> {
        self.step(store, true)
    }

    /// Redoes the last undone edit; `None` when there is nothing to redo.
    pub fn redo(&mut self, store: &Store) -> Result<Option<Outcome>> {
        self.step(store, false)
    }

    /// Moves one history entry from the undo stack to the redo stack (or back),
    /// replaying its changes atomically; on failure the entry stays where it was.
    fn step(&mut self, store: &Store, undo: bool) -> Result<Option<Outcome>> {
        let from = if undo { &mut self.undo } else { &mut self.redo };
        let Some(changes) = from.pop() else {
            return Ok(None);
        };
        let outcome = store.atomically(|s| {
            let mut out = Outcome::default();
            let ordered: Box<dyn Iterator<Item = &Change>> = if undo {
                Box::new(changes.iter().rev())
            } else {
                Box::new(changes.iter())
            };
            for c in ordered {
                Self::replay(s, c, undo, &mut out)?;
            }
            Ok(out)
        });
        let (done, back) = if undo {
            (&mut self.redo, &mut self.undo)
        } else {
            (&mut self.undo, &mut self.redo)
        };
        match outcome {
            Ok(o) => {
                done.push(changes);
                self.generation += 1;
                Ok(Some(o))
            }
            Err(e) => {
                back.push(changes);
                Err(e)
            }
        }
    }

    fn add(
        s: &Store,
        article: &str,
        kind: AnnotationKind,
        start: usize,
        end: usize,
        f: NewAnnotation,
    ) -> Result<(Vec<Change>, Outcome)> {
        let id = s.add_annotation(article, kind, start, end, f)?;
        let after = s.annotation(id)?;
        Ok((
            vec![Change::Annotation {
                before: None,
                after: Some(Box::new(after)),
            }],
            Outcome {
                created: Some(id),
                ..Default::default()
            },
        ))
    }

    /// An edit is made by hand: where it deleted an entity decision that
    /// `pizhu merge` wrote into a curated set and left no hand-made one
    /// in its place, it records the deletion as a hand-made decision (a
    /// merged entity deleted → a rejection of that span; a merged
    /// rejection deleted → a confirmation), so that the next merge, which
    /// changes only its own rows, does not bring back what a person
    /// removed. Part of the same undo step.
    fn keep_hand_deletions(s: &Store, changes: &mut Vec<Change>) -> Result<()> {
        use AnnotationKind as K;
        let mut extra = Vec::new();
        for c in changes.iter() {
            let Change::Annotation {
                before: Some(b),
                after: None,
            } = c
            else {
                continue;
            };
            if !b.by_merge || b.orphan {
                continue;
            }
            let kind = match b.kind {
                K::Entity => K::Reject,
                K::Reject => K::Accept,
                _ => continue,
            };
            let id = s.with_annotator(&b.annotator, |s| {
                let hand_there = s.annotations(&b.article_id)?.iter().any(|a| {
                    !a.by_merge
                        && matches!(a.kind, K::Entity | K::Reject | K::Accept)
                        && a.start < b.end
                        && b.start < a.end
                });
                if hand_there {
                    return Ok(None);
                }
                s.add_annotation(
                    &b.article_id,
                    kind,
                    b.start,
                    b.end,
                    NewAnnotation {
                        label: b.label.clone(),
                        ..Default::default()
                    },
                )
                .map(Some)
            })?;
            if let Some(id) = id {
                extra.push(Change::Annotation {
                    before: None,
                    after: Some(Box::new(s.annotation(id)?)),
                });
            }
        }
        changes.extend(extra);
        Ok(())
    }

    fn lexicon(
        s: &Store,
        text: &str,
        after: Option<LexiconEntry>,
        progress: &dyn Fn(usize, usize),
    ) -> Result<(Vec<Change>, Outcome)> {
        let before = s.lexicon_list()?.into_iter().find(|e| e.text == text);
        put_lexicon(s, text, after.as_ref())?;
        let mut out = Outcome::default();
        let diff = Self::relabel(s, text, after.is_some(), progress, &mut out)?;
        Ok((
            vec![Change::Lexicon {
                text: text.to_string(),
                before,
                after,
                diff,
            }],
            out,
        ))
    }

    /// Relabels the stored entities after the lexicon entry of `text`
    /// changed; when the entry is gone (`has_entry` false) the extractor
    /// must run again: that is recorded as pending work and returned in
    /// `out.reextract`.
    fn relabel(
        s: &Store,
        text: &str,
        has_entry: bool,
        progress: &dyn Fn(usize, usize),
        out: &mut Outcome,
    ) -> Result<Option<Arc<LexiconDiff>>> {
        let diff = s.relabel_lexicon(text, progress)?;
        out.relabelled += diff.len();
        if has_entry {
            Ok(Some(Arc::new(diff)))
        } else {
            Self::reextract_later(s, text, out)?;
            Ok(None)
        }
    }

    fn reextract_later(s: &Store, text: &str, out: &mut Outcome) -> Result<()> {
        s.add_pending(PENDING_REEXTRACT, text)?;
        if !out.reextract.iter().any(|t| t == text) {
            out.reextract.push(text.to_string());
        }
        Ok(())
    }

    fn perform(
        s: &Store,
        edit: Edit,
        progress: &dyn Fn(usize, usize),
    ) -> Result<(Vec<Change>, Outcome)> {
        use AnnotationKind as K;
        match edit {
            Edit::AddEntity {
                article,
                start,
                end,
                label,
            } => Self::add(
                s,
                &article,
                K::Entity,
                start,
                end,
                NewAnnotation {
                    label: Some(label),
                    ..Default::default()
                },
            ),
            Edit::AddHighlight {
                article,
                start,
                end,
                color,
                note,
            } => Self::add(
                s,
                &article,
                K::Highlight,
                start,
                end,
                NewAnnotation {
                    color,
                    note,
                    ..Default::default()
                },
            ),
            Edit::AddCorrection {
                article,
                start,
                end,
                replacement,
            } => Self::add(
                s,
                &article,
                K::Correction,
                start,
                end,
                NewAnnotation {
                    replacement: Some(replacement),
                    ..Default::default()
                },
            ),
            Edit::UpdateAnnotation { id, fields } => {
                let before = s.update_annotation(id, fields)?;
                let after = s.annotation(id)?;
                Ok((
                    vec![Change::Annotation {
                        before: Some(Box::new(before)),
                        after: Some(Box::new(after)),
                    }],
                    Outcome::default(),
                ))
            }
            Edit::DeleteAnnotation { id } => {
                let before = s.delete_annotation(id)?;
                Ok((
                    vec![Change::Annotation {
                        before: Some(Box::new(before)),
                        after: None,
                    }],
                    Outcome::default(),
                ))
            }
            Edit::RejectEntity { article, entity } => match entity.annotation_id {
                Some(id) => Self::perform(s, Edit::DeleteAnnotation { id }, progress),
                None => {
                    let e = &entity.entity;
                    Self::add(
                        s,
                        &article,
                        K::Reject,
                        e.start,
                        e.end,
                        NewAnnotation {
                            label: Some(e.label.clone()),
                            ..Default::default()
                        },
                    )
                }
            },
            Edit::AcceptEntity { article, entity } => {
                if entity.status != EntityStatus::Auto {
                    return Ok((Vec::new(), Outcome::default()));
                }
                let e = &entity.entity;
                Self::add(
                    s,
                    &article,
                    K::Accept,
                    e.start,
                    e.end,
                    NewAnnotation {
                        label: Some(e.label.clone()),
                        ..Default::default()
                    },
                )
            }
            Edit::ChangeEntity {
                article,
                entity,
                start,
                end,
                label,
            } => {
                let mut changes = Vec::new();
                if let Some(id) = entity.annotation_id {
                    changes.push(Change::Annotation {
                        before: Some(Box::new(s.delete_annotation(id)?)),
                        after: None,
                    });
                } else if (start, end) != (entity.entity.start, entity.entity.end) {
                    // A new boundary: reject the old span so it cannot come back.
                    let Entity {
                        start: os,
                        end: oe,
                        label: ol,
                        ..
                    } = &entity.entity;
                    let (c, _) = Self::add(
                        s,
                        &article,
                        K::Reject,
                        *os,
                        *oe,
                        NewAnnotation {
                            label: Some(ol.clone()),
                            ..Default::default()
                        },
                    )?;
                    changes.extend(c);
                }
                let (c, out) = Self::add(
                    s,
                    &article,
                    K::Entity,
                    start,
                    end,
                    NewAnnotation {
                        label: Some(label),
                        ..Default::default()
                    },
                )?;
                changes.extend(c);
                Ok((changes, out))
            }
            Edit::TagArticle { article, tag } => {
                let tag = tag.trim().to_string();
                if s.article_tags(&article)?.contains(&tag) {
                    return Ok((Vec::new(), Outcome::default()));
                }
                s.tag_article(&article, &tag)?;
                Ok((
                    vec![Change::ArticleTag {
                        article,
                        tag,
                        added: true,
                    }],
                    Outcome::default(),
                ))
            }
            Edit::UntagArticle { article, tag } => {
                if !s.article_tags(&article)?.contains(&tag) {
                    return Ok((Vec::new(), Outcome::default()));
                }
                s.untag_article(&article, &tag)?;
                Ok((
                    vec![Change::ArticleTag {
                        article,
                        tag,
                        added: false,
                    }],
                    Outcome::default(),
                ))
            }
            Edit::TagEntity { text, label, tag } => {
                let tag = tag.trim().to_string();
                if s.entity_tags(&text, &label)?.contains(&tag) {
                    return Ok((Vec::new(), Outcome::default()));
                }
                s.tag_entity(&text, &label, &tag)?;
                Ok((
                    vec![Change::EntityTag { text, label, tag }],
                    Outcome::default(),
                ))
            }
            Edit::SetReviewed { article, reviewed } => {
                let before = s.article(&article)?.reviewed;
                s.set_reviewed(&article, reviewed)?;
                Ok((
                    vec![Change::Reviewed {
                        article,
                        before,
                        after: reviewed,
                    }],
                    Outcome::default(),
                ))
            }
            Edit::LexiconAdd { text, label } => Self::lexicon(
                s,
                text.trim(),
                Some(LexiconEntry {
                    text: text.trim().to_string(),
                    action: "add".into(),
                    label: Some(label),
                }),
                progress,
            ),
            Edit::LexiconReject { text } => Self::lexicon(
                s,
                text.trim(),
                Some(LexiconEntry {
                    text: text.trim().to_string(),
                    action: "reject".into(),
                    label: None,
                }),
                progress,
            ),
            Edit::LexiconRemove { text } => {
                if !s.lexicon_list()?.iter().any(|e| e.text == text) {
                    return Err(Error::NotFound(format!("{text:?} is not in the lexicon")));
                }
                Self::lexicon(s, &text, None, progress)
            }
            Edit::TakeSide {
                article,
                from,
                into,
                start,
                end,
            } => {
                let (written, settled) = s.with_annotator(&into, |s| {
                    let w = crate::teams::take_side(s, &article, &from, (start, end))?;
                    Ok((w, s.settle_merge_conflicts(&article, start, end)?))
                })?;
                let mut changes: Vec<Change> = written
                    .into_iter()
                    .map(|(before, after)| Change::Annotation {
                        before: before.map(Box::new),
                        after: after.map(Box::new),
                    })
                    .collect();
                if !settled.is_empty() {
                    changes.push(Change::MergeConflicts {
                        into,
                        article,
                        regions: settled,
                    });
                }
                Ok((changes, Outcome::default()))
            }
        }
    }

    /// Replays a recorded change backwards (`undo`) or forwards (redo).
    fn replay(s: &Store, c: &Change, undo: bool, out: &mut Outcome) -> Result<()> {
        match c {
            Change::Annotation { before, after } => {
                let (from, to) = if undo {
                    (after, before)
                } else {
                    (before, after)
                };
                if let Some(x) = from {
                    s.delete_annotation(x.id)?;
                }
                if let Some(x) = to {
                    s.restore_annotation(x)?;
                }
                track_highlight(s, from.as_deref(), to.as_deref())?;
            }
            Change::ArticleTag {
                article,
                tag,
                added,
            } => {
                if *added != undo {
                    s.tag_article(article, tag)?
                } else {
                    s.untag_article(article, tag)?
                }
            }
            Change::EntityTag { text, label, tag } => {
                if undo {
                    s.untag_entity(text, label, tag)?
                } else {
                    s.tag_entity(text, label, tag)?
                }
            }
            Change::Reviewed {
                article,
                before,
                after,
            } => s.set_reviewed(article, if undo { *before } else { *after })?,
            Change::MergeConflicts {
                into,
                article,
                regions,
            } => s.with_annotator(into, |s| {
                if undo {
                    s.restore_merge_conflicts(article, regions)
                } else {
                    for &(a, b) in regions {
                        s.settle_merge_conflicts(article, a, b)?;
                    }
                    Ok(())
                }
            })?,
            Change::Lexicon {
                text,
                before,
                after,
                diff,
            } => {
                let target = if undo { before } else { after };
                put_lexicon(s, text, target.as_ref())?;
                match diff {
                    // The recorded diff replays exactly (same texts).
                    Some(d) => {
                        out.relabelled += d.len();
                        if !s.apply_lexicon_diff(d, !undo)?.is_empty() {
                            Self::reextract_later(s, text, out)?;
                        }
                    }
                    // The change was made by re-extraction: relabel for the
                    // entry now in force (and re-extract if there is none).
                    None => {
                        Self::relabel(s, text, target.is_some(), &|_, _| {}, out)?;
                    }
                }
            }
        }
        Ok(())
    }
}
