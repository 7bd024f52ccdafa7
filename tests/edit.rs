//! Edits through the one command layer, with undo and redo, on a real store.

mod common;

use common::seed_copy;
use pizhu::edit::{Edit, Editor};
use pizhu::extract::{EntityType, JiebaExtractor};
use pizhu::index::{IndexOptions, index_archive, reextract};
use pizhu::store::Store;

#[test]
fn edits_undo_and_redo_including_apply_to_all() {
    let (_g, arch) = seed_copy();
    let loc = pizhu::db_location(&arch, None).unwrap();
    let mut store = Store::open(&loc.path).unwrap();
    let ex = JiebaExtractor::new();
    index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    let id = store.article_ids().unwrap()[0].clone();
    let mut ed = Editor::new();

    // Add a user entity.
    let out = ed
        .apply(
            &store,
            Edit::AddEntity {
                article: id.clone(),
                start: 0,
                end: 3,
                label: EntityType::Loc,
            },
        )
        .unwrap();
    let created = out.created.unwrap();
    assert!(
        store
            .effective_entities(&id)
            .unwrap()
            .iter()
            .any(|e| e.annotation_id == Some(created))
    );

    // Reject an automatic entity, undo, redo.
    let before = store.effective_entities(&id).unwrap();
    let auto = before
        .iter()
        .find(|e| e.annotation_id.is_none())
        .unwrap()
        .clone();
    ed.apply(
        &store,
        Edit::RejectEntity {
            article: id.clone(),
            entity: auto.clone(),
        },
    )
    .unwrap();
    assert!(!store.effective_entities(&id).unwrap().contains(&auto));
    ed.undo(&store).unwrap().unwrap();
    assert!(store.effective_entities(&id).unwrap().contains(&auto));
    ed.redo(&store).unwrap().unwrap();
    assert!(!store.effective_entities(&id).unwrap().contains(&auto));

    // Tags and reviewed state.
    ed.apply(
        &store,
        Edit::TagArticle {
            article: id.clone(),
            tag: "待核".into(),
        },
    )
    .unwrap();
    ed.apply(
        &store,
        Edit::SetReviewed {
            article: id.clone(),
            reviewed: true,
        },
    )
    .unwrap();
    assert_eq!(store.article_tags(&id).unwrap(), vec!["待核"]);
    assert!(store.article(&id).unwrap().reviewed);
    ed.undo(&store).unwrap();
    ed.undo(&store).unwrap();
    assert!(store.article_tags(&id).unwrap().is_empty());
    assert!(!store.article(&id).unwrap().reviewed);

    // Apply to all: one undo step across the archive.
    let count = |store: &Store| -> usize {
        store
            .article_ids()
            .unwrap()
            .iter()
            .map(|a| {
                store
                    .effective_entities(a)
                    .unwrap()
                    .iter()
                    .filter(|e| e.entity.text == "脱贫攻坚")
                    .count()
            })
            .sum()
    };
    assert_eq!(count(&store), 0);
    let out = ed
        .apply(
            &store,
            Edit::LexiconAdd {
                text: "脱贫攻坚".into(),
                label: EntityType::Custom("EVENT".into()),
            },
        )
        .unwrap();
    for t in &out.reextract {
        reextract(&mut store, &ex, t).unwrap();
    }
    let occurrences: usize = store
        .article_ids()
        .unwrap()
        .iter()
        .map(|a| store.article(a).unwrap().text.matches("脱贫攻坚").count())
        .sum();
    assert!(occurrences > 5);
    assert_eq!(count(&store), occurrences);
    let out = ed.undo(&store).unwrap().unwrap();
    for t in &out.reextract {
        reextract(&mut store, &ex, t).unwrap();
    }
    assert_eq!(count(&store), 0);
    // The user's own entity is untouched by all of this.
    assert!(store.annotation(created).is_ok());
}
