//! Scale and store safety on a real SQLite file: re-indexing reads nothing
//! that did not change, the freshness check, migrations (twice, from an
//! older schema, and several creators at once), read-only databases,
//! apply-to-all relabelled in SQL with an exact undo, lexicon changes that
//! are atomic or finished on the next run, user state that indexing never
//! deletes, stats from aggregates, and import's text-hash lookup.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use common::seed_copy;
use pizhu::edit::{Edit, Editor};
use pizhu::extract::{Entity, EntityType, JiebaExtractor};
use pizhu::index::{IndexOptions, index_archive, looks_unchanged, reextract};
use pizhu::insights::Insights;
use pizhu::store::{AnnotationKind, NewAnnotation, Store};

fn indexed(arch: &Path) -> (Store, JiebaExtractor) {
    let loc = pizhu::db_location(arch, None).unwrap();
    let mut store = Store::open(&loc.path).unwrap();
    let ex = JiebaExtractor::new();
    index_archive(arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    (store, ex)
}

/// An entity as compared here: start, end, text, label, source.
type Ent = (usize, usize, String, String, String);

/// Every automatic entity of the archive, by article, sorted.
fn all_entities(store: &Store) -> HashMap<String, Vec<Ent>> {
    store
        .article_ids()
        .unwrap()
        .into_iter()
        .map(|id| {
            let mut v: Vec<_> = store
                .auto_entities(&id)
                .unwrap()
                .into_iter()
                .map(|e: Entity| {
                    (
                        e.start,
                        e.end,
                        e.text,
                        e.label.as_str().to_string(),
                        e.source.as_str().to_string(),
                    )
                })
                .collect();
            v.sort();
            (id, v)
        })
        .collect()
}

/// Sets a file's modification time (seconds since the epoch).
fn set_mtime(path: &Path, secs: u64) {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

#[test]
fn reindexing_an_unchanged_archive_reads_no_file() {
    let (_g, arch) = seed_copy();
    let (mut store, ex) = indexed(&arch);
    let before = all_entities(&store);
    let texts: Vec<String> = store
        .article_ids()
        .unwrap()
        .iter()
        .map(|id| store.article(id).unwrap().text)
        .collect();
    // Overwrite every file with other bytes of the same size and put its
    // modification time back: an indexer that read a file would see them.
    for e in std::fs::read_dir(&arch).unwrap() {
        let p = e.unwrap().path();
        if !p.is_file() {
            continue;
        }
        let meta = std::fs::metadata(&p).unwrap();
        let secs = meta
            .modified()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        std::fs::write(&p, vec![b'x'; meta.len() as usize]).unwrap();
        set_mtime(&p, secs);
    }
    let s = index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    assert_eq!(s.files_read, 0);
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    let after: Vec<String> = store
        .article_ids()
        .unwrap()
        .iter()
        .map(|id| store.article(id).unwrap().text)
        .collect();
    assert_eq!(texts, after);
    assert_eq!(before, all_entities(&store));
}

#[test]
fn the_freshness_check_sees_added_and_removed_files_without_a_walk() {
    let (_g, arch) = seed_copy();
    let (mut store, ex) = indexed(&arch);
    assert!(looks_unchanged(&arch, &store, &ex).unwrap());
    let first = std::fs::read_dir(&arch)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_file())
        .unwrap();
    std::fs::create_dir(arch.join("new")).unwrap();
    std::fs::copy(&first, arch.join("new/copy.txt")).unwrap();
    assert!(!looks_unchanged(&arch, &store, &ex).unwrap());
    let s = index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    assert_eq!(s.files_read, 1);
    assert!(looks_unchanged(&arch, &store, &ex).unwrap());
    std::fs::remove_file(arch.join("new/copy.txt")).unwrap();
    assert!(!looks_unchanged(&arch, &store, &ex).unwrap());
    // Another archive with the same database is never "unchanged".
    let (_g2, other) = seed_copy();
    assert!(!looks_unchanged(&other, &store, &ex).unwrap());
}

#[test]
fn commands_refresh_only_when_a_folder_changed() {
    let (_g, arch) = seed_copy();
    let a = arch.to_str().unwrap();
    let pizhu = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_pizhu"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    pizhu(&["index", a]);
    let before = pizhu(&["stats", a]);
    // A new file in a new folder is found by the next command.
    let first = std::fs::read_dir(&arch)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_file())
        .unwrap();
    std::fs::create_dir(arch.join("more")).unwrap();
    std::fs::copy(&first, arch.join("more/again.txt")).unwrap();
    let after = pizhu(&["stats", a]);
    assert_ne!(before, after);
    // With --no-refresh the database answers as it is.
    std::fs::remove_file(arch.join("more/again.txt")).unwrap();
    assert_eq!(pizhu(&["stats", a, "--no-refresh"]), after);
    assert_eq!(pizhu(&["stats", a]), before);
}

#[test]
fn migrating_an_older_database_keeps_everything_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        // A version-2 database as an older Pizhu wrote it.
        let c = rusqlite::Connection::open(&path).unwrap();
        for m in &pizhu::store::MIGRATIONS[..2] {
            c.execute_batch(m).unwrap();
        }
        c.execute_batch(
            "PRAGMA user_version=2;
             INSERT INTO files(id, path, size, mtime, hash, raw_text) VALUES (1, 'a.txt', 9, 1, 'h', '标题\n正文内容');
             INSERT INTO articles(rid, id, file_id, idx, title, text, offset_map, raw_start, raw_end, hash, reviewed)
               VALUES (1, 'art1', 1, 0, '标题', '正文内容', x'', 0, 7, 'x', 1);
             INSERT INTO articles(rid, id, file_id, idx, title, text, offset_map, raw_start, raw_end, hash, reviewed)
               VALUES (2, 'art2', 1, 1, NULL, '别的文字', x'', 0, 7, 'y', 0);
             INSERT INTO articles_fts(rowid, body) VALUES (1, ' 标 题 正 文 内 容');
             INSERT INTO entities(article_rid, start, end, text, label, source, confidence)
               VALUES (1, 0, 2, '正文', 'ORG', 'rule', 0.9), (2, 0, 2, '别的', 'ORG', 'rule', 0.9);",
        )
        .unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.user_version().unwrap(), pizhu::store::schema_version());
    assert!(s.article("art1").unwrap().reviewed);
    assert!(!s.article("art2").unwrap().reviewed);
    assert_eq!(s.search("内容", 10).unwrap().len(), 1);
    assert_eq!(s.search("别的", 10).unwrap().len(), 1);
    assert_eq!(s.entity_count().unwrap(), 2);
    assert_eq!(s.articles().unwrap()[0].entities, 1);
    drop(s);
    // Twice: nothing to do, nothing lost.
    let s = Store::open(&path).unwrap();
    assert_eq!(s.user_version().unwrap(), pizhu::store::schema_version());
    assert_eq!(s.article_count().unwrap(), 2);
    assert_eq!(s.search("内容", 10).unwrap().len(), 1);
}

#[test]
fn many_threads_creating_one_new_database_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                let s = Store::open(&path)?;
                s.set_meta(&format!("opener{i}"), "yes")?;
                s.lexicon_add(&format!("词{i}"), &EntityType::Org)?;
                Ok::<_, pizhu::Error>(())
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.lexicon_list().unwrap().len(), 8);
    assert_eq!(s.user_version().unwrap(), pizhu::store::schema_version());
}

#[test]
fn processes_indexing_one_new_archive_at_once_all_succeed() {
    let (_g, arch) = seed_copy();
    let a = arch.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_pizhu");
    let spawned: Vec<_> = [
        vec!["index", a],
        vec!["index", a],
        vec!["lexicon", "list", a],
        vec!["stats", a],
    ]
    .into_iter()
    .map(|args| {
        Command::new(bin)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    })
    .collect();
    for c in spawned {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_fresh_archive_raced_by_several_processes_migrates_once() {
    let (_g, arch) = seed_copy();
    let a = arch.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_pizhu");
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(arch.join(".pizhu"));
        let spawned: Vec<_> = (0..4)
            .map(|i| {
                let args: Vec<&str> = if i % 2 == 0 {
                    vec!["index", a]
                } else {
                    vec!["lexicon", "list", a]
                };
                Command::new(bin)
                    .args(args)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in spawned {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn a_read_only_database_answers_reads_and_refuses_writes() {
    let (_g, arch) = seed_copy();
    let (store, _) = indexed(&arch);
    let n = store.article_count().unwrap();
    let id = store.article_ids().unwrap()[0].clone();
    let path = store.path().to_path_buf();
    drop(store);
    let ro = Store::open_read_only(&path).unwrap();
    assert!(ro.is_read_only());
    assert_eq!(ro.article_count().unwrap(), n);
    assert!(!ro.search("的", 5).unwrap().is_empty());
    let err = ro.set_reviewed(&id, true).unwrap_err().to_string();
    assert!(
        err.contains("readonly") || err.contains("read-only"),
        "{err}"
    );
    let mut ro = ro;
    let err = index_archive(
        &arch,
        &mut ro,
        &JiebaExtractor::new(),
        &IndexOptions::default(),
        &|_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("read-only"), "{err}");
    // A missing database is not created by a read-only open.
    let missing = arch.join(".pizhu/none.sqlite");
    assert!(Store::open_read_only(&missing).is_err());
    assert!(!missing.exists());
}

/// A database folder nobody can write to (permissions, or as root the
/// immutable attribute): the CLI keeps using the archive's database,
/// read-only, instead of switching to another one.
#[cfg(unix)]
#[test]
fn a_read_only_database_folder_is_never_swapped_for_another() {
    use std::os::unix::fs::PermissionsExt;
    let (_g, arch) = seed_copy();
    let a = arch.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_pizhu");
    assert!(
        Command::new(bin)
            .args(["index", a])
            .status()
            .unwrap()
            .success()
    );
    let data = arch.join(".pizhu");
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let lock = |on: bool| -> bool {
        if root {
            Command::new("chattr")
                .args([if on { "+i" } else { "-i" }, data.to_str().unwrap()])
                .status()
                .is_ok_and(|s| s.success())
        } else {
            let mode = if on { 0o555 } else { 0o755 };
            std::fs::set_permissions(&data, std::fs::Permissions::from_mode(mode)).is_ok()
        }
    };
    if !lock(true) {
        eprintln!("SKIPPED: running as root and `chattr +i` is not available here");
        return;
    }
    let stats = Command::new(bin).args(["stats", a]).output().unwrap();
    let export = Command::new(bin).args(["export", a]).output().unwrap();
    let add = Command::new(bin)
        .args(["lexicon", "add", a, "某某词", "ORG"])
        .output()
        .unwrap();
    let index = Command::new(bin).args(["index", a]).output().unwrap();
    assert!(lock(false));
    assert!(
        stats.status.success(),
        "{}",
        String::from_utf8_lossy(&stats.stderr)
    );
    assert!(String::from_utf8_lossy(&stats.stdout).contains("articles: 11"));
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 11);
    for w in [add, index] {
        assert!(!w.status.success());
        assert!(String::from_utf8_lossy(&w.stderr).contains("read-only"));
    }
    // Nothing went anywhere else: the archive's database is the only one,
    // and it was not changed.
    let store = Store::open(&data.join("pizhu.sqlite")).unwrap();
    assert!(store.lexicon_list().unwrap().is_empty());
}

#[test]
fn apply_to_all_relabels_in_sql_matches_reextraction_and_undoes_exactly() {
    let (_g, arch) = seed_copy();
    let (mut store, ex) = indexed(&arch);
    let original = all_entities(&store);
    // The archive's most frequent entity and a two-character word that is
    // not one.
    let stats = store.stats(5).unwrap();
    let (word, _, _) = stats.top[0].clone();
    let mut ed = Editor::new();

    // Never an entity: gone everywhere, in one step; undo brings back
    // exactly what was there.
    let out = ed
        .apply(&store, Edit::LexiconReject { text: word.clone() })
        .unwrap();
    assert!(out.reextract.is_empty());
    assert!(out.relabelled > 0);
    let rejected = all_entities(&store);
    assert!(rejected.values().flatten().all(|e| e.2 != word));
    ed.undo(&store).unwrap().unwrap();
    assert_eq!(all_entities(&store), original);
    ed.redo(&store).unwrap().unwrap();
    assert_eq!(all_entities(&store), rejected);
    ed.undo(&store).unwrap().unwrap();

    // Always a type: every occurrence tagged, as a full re-extraction
    // with the same lexicon tags it.
    let label = EntityType::Custom("EVENT".into());
    ed.apply(
        &store,
        Edit::LexiconAdd {
            text: word.clone(),
            label: label.clone(),
        },
    )
    .unwrap();
    let relabelled = all_entities(&store);
    let occurrences: usize = store
        .article_ids()
        .unwrap()
        .iter()
        .map(|a| {
            store
                .article(a)
                .unwrap()
                .text
                .matches(word.as_str())
                .count()
        })
        .sum();
    let tagged = |m: &HashMap<String, Vec<Ent>>| {
        let mut v: Vec<_> = m
            .iter()
            .flat_map(|(id, es)| {
                es.iter()
                    .filter(|e| e.2 == word)
                    .map(move |e| (id.clone(), e.clone()))
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(tagged(&relabelled).len(), occurrences);
    assert!(tagged(&relabelled).iter().all(|(_, e)| e.3 == "EVENT"));
    let n = reextract(&mut store, &ex, &word).unwrap();
    assert!(n > 0);
    assert_eq!(tagged(&all_entities(&store)), tagged(&relabelled));
    // Undo after the re-extraction still restores the original entities
    // (the texts did not change).
    ed.undo(&store).unwrap().unwrap();
    assert_eq!(all_entities(&store), original);
    assert!(store.lexicon_list().unwrap().is_empty());
}

#[test]
fn forgetting_a_lexicon_entry_records_pending_work_that_the_next_run_finishes() {
    let (_g, arch) = seed_copy();
    let (store, ex) = indexed(&arch);
    let word = store.stats(1).unwrap().top[0].0.clone();
    let original = all_entities(&store);
    let mut ed = Editor::new();
    ed.apply(&store, Edit::LexiconReject { text: word.clone() })
        .unwrap();
    let out = ed
        .apply(&store, Edit::LexiconRemove { text: word.clone() })
        .unwrap();
    assert_eq!(out.reextract, vec![word.clone()]);
    assert_eq!(store.pending().unwrap().len(), 1);
    // The process "dies" here, before re-extracting: the next run finishes it.
    drop(store);
    let loc = pizhu::db_location(&arch, None).unwrap();
    let mut store = Store::open(&loc.path).unwrap();
    let s = index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    assert!(s.reextracted > 0);
    assert!(store.pending().unwrap().is_empty());
    assert_eq!(all_entities(&store), original);
}

#[test]
fn concurrent_lexicon_changes_queue_instead_of_failing() {
    let (_g, arch) = seed_copy();
    let (store, _) = indexed(&arch);
    let path = store.path().to_path_buf();
    let words: Vec<String> = store
        .stats(6)
        .unwrap()
        .top
        .into_iter()
        .map(|t| t.0)
        .collect();
    drop(store);
    let handles: Vec<_> = words
        .iter()
        .cloned()
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path)?;
                Editor::new().apply(&store, Edit::LexiconReject { text: w })
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.lexicon_list().unwrap().len(), words.len());
    let left = all_entities(&store);
    assert!(left.values().flatten().all(|e| !words.contains(&e.2)));
}

/// `kill -9` at random moments of `pizhu lexicon reject`: the lexicon row
/// and the relabelled entities are committed together or not at all.
#[cfg(unix)]
#[test]
fn a_killed_lexicon_change_is_all_or_nothing() {
    let (_g, arch) = seed_copy();
    let a = arch.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_pizhu");
    assert!(
        Command::new(bin)
            .args(["index", a])
            .status()
            .unwrap()
            .success()
    );
    let loc = pizhu::db_location(&arch, None).unwrap();
    let word = Store::open(&loc.path).unwrap().stats(1).unwrap().top[0]
        .0
        .clone();
    for trial in 0..8u64 {
        let mut child = Command::new(bin)
            .args(["lexicon", "reject", a, &word])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20 + trial * 37 % 300));
        let _ = child.kill();
        let _ = child.wait();
        let store = Store::open(&loc.path).unwrap();
        let listed = store.lexicon_list().unwrap().iter().any(|e| e.text == word);
        let remaining = all_entities(&store)
            .values()
            .flatten()
            .filter(|e| e.2 == word)
            .count();
        assert_eq!(
            listed,
            remaining == 0,
            "trial {trial}: lexicon row {listed}, {remaining} entities left"
        );
        if listed {
            Editor::new()
                .apply(&store, Edit::LexiconRemove { text: word.clone() })
                .unwrap();
            let mut store = store;
            let ex = pizhu::extract::default_extractor();
            pizhu::index::finish_pending(&mut store, &ex).unwrap();
        }
    }
}

#[test]
fn reviewed_marks_and_tags_survive_a_folder_moved_away_and_back() {
    let (_g, arch) = seed_copy();
    let sub = arch.join("sub");
    std::fs::create_dir(&sub).unwrap();
    let first = std::fs::read_dir(&arch)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_file())
        .unwrap();
    std::fs::rename(&first, sub.join("moved.txt")).unwrap();
    let (mut store, ex) = indexed(&arch);
    let id = store
        .articles()
        .unwrap()
        .into_iter()
        .find(|a| a.file == "sub/moved.txt")
        .unwrap()
        .id;
    store.set_reviewed(&id, true).unwrap();
    store.tag_article(&id, "checked").unwrap();
    let away = arch.parent().unwrap().join("away");
    std::fs::rename(&sub, &away).unwrap();
    let s = index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    assert_eq!(s.files_removed, 1);
    assert_eq!(s.removed[0].0, "sub/moved.txt");
    assert!(
        s.removed[0].1.contains("folder sub is gone"),
        "{:?}",
        s.removed
    );
    assert!(store.article(&id).is_err());
    std::fs::rename(&away, &sub).unwrap();
    index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    assert!(store.article(&id).unwrap().reviewed);
    assert_eq!(store.article_tags(&id).unwrap(), vec!["checked"]);
}

#[test]
fn stats_from_aggregates_equal_counting_every_effective_entity() {
    let (_g, arch) = seed_copy();
    let (store, _) = indexed(&arch);
    let ids = store.article_ids().unwrap();
    // Corrections: a rejection and a user entity.
    let e = store.auto_entities(&ids[0]).unwrap()[0].clone();
    store
        .add_annotation(
            &ids[0],
            AnnotationKind::Reject,
            e.start,
            e.end,
            NewAnnotation {
                label: Some(e.label.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    store
        .add_annotation(
            &ids[1],
            AnnotationKind::Entity,
            0,
            2,
            NewAnnotation {
                label: Some(EntityType::Custom("THING".into())),
                ..Default::default()
            },
        )
        .unwrap();
    let mut per_type: HashMap<String, usize> = HashMap::new();
    let mut freq: HashMap<(String, String), usize> = HashMap::new();
    for id in &ids {
        for e in store.effective_entities(id).unwrap() {
            *per_type
                .entry(e.entity.label.as_str().to_string())
                .or_default() += 1;
            *freq
                .entry((e.entity.text, e.entity.label.as_str().to_string()))
                .or_default() += 1;
        }
    }
    let stats = store.stats(usize::MAX / 2).unwrap();
    let got: HashMap<String, usize> = stats.per_type.iter().cloned().collect();
    assert_eq!(got, per_type);
    let got: HashMap<(String, String), usize> = stats
        .top
        .iter()
        .map(|(t, l, n)| ((t.clone(), l.clone()), *n))
        .collect();
    assert_eq!(got, freq);
    let top3 = store.stats(3).unwrap().top;
    assert_eq!(top3.len(), 3);
    assert_eq!(top3[..], stats.top[..3]);
}

#[test]
fn search_returns_the_best_hits_first_and_at_most_the_limit() {
    let (_g, arch) = seed_copy();
    let (store, _) = indexed(&arch);
    let word = store.stats(1).unwrap().top[0].0.clone();
    let all = store.search(&word, 1000).unwrap();
    assert!(!all.is_empty());
    for h in &all {
        assert!(store.article(&h.id).unwrap().text.contains(word.as_str()));
        assert!(h.snippet.contains(word.as_str()));
    }
    let two = store.search(&word, 2).unwrap();
    assert_eq!(two.len(), all.len().min(2));
    assert_eq!(two[..], all[..two.len()]);
}

#[test]
fn import_finds_documents_by_text_through_the_hash_index() {
    let (_g, arch) = seed_copy();
    let (store, _) = indexed(&arch);
    let id = store.article_ids().unwrap()[3].clone();
    let text = store.article(&id).unwrap().text;
    assert_eq!(store.article_id_by_text(&text).unwrap(), Some(id));
    assert_eq!(
        store.article_id_by_text(&format!("{text}。")).unwrap(),
        None
    );
}

#[test]
fn the_raw_view_reads_the_file_and_refuses_a_changed_one() {
    let (_g, arch) = seed_copy();
    let (store, _) = indexed(&arch);
    let a = store.article(&store.article_ids().unwrap()[0]).unwrap();
    let raw = store.raw_text(&a.file).unwrap().unwrap();
    let raw: Vec<char> = raw.chars().collect();
    let text: Vec<char> = a.text.chars().collect();
    for (i, c) in text.iter().enumerate() {
        if !c.is_whitespace() {
            assert_eq!(raw[a.offset_map[i]], *c);
        }
    }
    let mut bytes = std::fs::read(arch.join(&a.file)).unwrap();
    bytes.extend_from_slice("补充".as_bytes());
    std::fs::write(arch.join(&a.file), bytes).unwrap();
    assert_eq!(store.raw_text(&a.file).unwrap(), None);
}

/// `kill -9` at random moments of a first `pizhu index`: the database stays
/// sound and the next run finishes the job (same articles and entities as
/// an index that was never interrupted).
#[cfg(unix)]
#[test]
fn a_killed_index_run_is_finished_by_the_next_one() {
    let bin = env!("CARGO_BIN_EXE_pizhu");
    let (_g, clean) = seed_copy();
    let c = clean.to_str().unwrap();
    assert!(
        Command::new(bin)
            .args(["index", c])
            .status()
            .unwrap()
            .success()
    );
    let clean_store = Store::open(&clean.join(".pizhu/pizhu.sqlite")).unwrap();
    let want = all_entities(&clean_store);
    for trial in 0..4u64 {
        let (_g, arch) = seed_copy();
        let a = arch.to_str().unwrap();
        let mut child = Command::new(bin)
            .args(["index", a])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(60 + trial * 150));
        let _ = child.kill();
        let _ = child.wait();
        let out = Command::new(bin).args(["index", a]).output().unwrap();
        assert!(
            out.status.success(),
            "trial {trial}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let store = Store::open(&arch.join(".pizhu/pizhu.sqlite")).unwrap();
        assert_eq!(all_entities(&store), want, "trial {trial}");
        assert_eq!(store.stats(10).unwrap(), clean_store.stats(10).unwrap());
    }
}

/// Everything a reader sees of the stored texts: every article, search
/// hits with their snippets, substring lookups, import's text lookup and
/// the automatic entities (decoded against the text).
type Seen = (
    Vec<pizhu::store::Article>,
    Vec<pizhu::store::SearchHit>,
    Vec<String>,
    Vec<Option<String>>,
    Vec<Vec<Entity>>,
);

fn everything_read(s: &Store, needle: &str) -> Seen {
    let ids = s.article_ids().unwrap();
    let arts: Vec<_> = ids.iter().map(|id| s.article(id).unwrap()).collect();
    let by_text = arts
        .iter()
        .map(|a| s.article_id_by_text(&a.text).unwrap())
        .collect();
    let ents = ids.iter().map(|id| s.auto_entities(id).unwrap()).collect();
    (
        arts,
        s.search(needle, 50).unwrap(),
        s.article_ids_containing(needle).unwrap(),
        by_text,
        ents,
    )
}

#[test]
fn a_database_with_uncompressed_texts_migrates_and_reads_identical_text() {
    let (_d, arch) = seed_copy();
    let (store, _ex) = indexed(&arch);
    let path = store.path().to_path_buf();
    let first = store.article(&store.article_ids().unwrap()[0]).unwrap();
    let needle: String = first.text.chars().skip(10).take(2).collect();
    let before = everything_read(&store, &needle);
    let insights_before = common::insights_answers(&Insights::load(&store).unwrap());
    assert!(!before.1.is_empty() && !before.2.is_empty(), "{needle}");
    drop(store);
    let typeof_text = |c: &rusqlite::Connection| -> Vec<String> {
        let mut st = c
            .prepare("SELECT DISTINCT typeof(text) FROM articles")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    {
        // Turn the file into a version-3 database: plain TEXT values.
        let c = rusqlite::Connection::open(&path).unwrap();
        assert_eq!(
            typeof_text(&c),
            ["blob"],
            "a fresh index stores compressed texts"
        );
        let tx = c.unchecked_transaction().unwrap();
        for a in &before.0 {
            tx.execute(
                "UPDATE articles SET text=?2 WHERE id=?1",
                rusqlite::params![a.id, a.text],
            )
            .unwrap();
        }
        tx.execute("DELETE FROM meta WHERE key='text_codec'", [])
            .unwrap();
        tx.execute_batch("DROP TABLE article_facts; DROP TABLE entity_names")
            .unwrap();
        tx.execute_batch("PRAGMA user_version=3").unwrap();
        tx.commit().unwrap();
        assert_eq!(typeof_text(&c), ["text"]);
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.user_version().unwrap(), pizhu::store::schema_version());
    assert_eq!(everything_read(&s, &needle), before);
    assert_eq!(s.meta("text_codec").unwrap().as_deref(), Some("zstd"));
    // Migration 5 filled the insights' facts: same aggregates.
    assert_eq!(
        common::insights_answers(&Insights::load(&s).unwrap()),
        insights_before
    );
    drop(s);
    let c = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(
        typeof_text(&c),
        ["blob"],
        "the migration compressed every text"
    );
    // An old TEXT row left over is still read as it is.
    c.execute(
        "UPDATE articles SET text=?2 WHERE id=?1",
        rusqlite::params![before.0[0].id, before.0[0].text],
    )
    .unwrap();
    drop(c);
    let s = Store::open(&path).unwrap();
    assert_eq!(everything_read(&s, &needle), before);
}

#[test]
fn insights_from_the_stored_facts_equal_a_full_pass_after_every_kind_of_write() {
    let (_g, arch) = seed_copy();
    let (store, ex) = indexed(&arch);
    let check = |store: &Store, what: &str| {
        common::assert_facts_match_full_pass(store, what);
    };
    check(&store, "fresh index");
    let stats = store.stats(5).unwrap();
    let (word, _, _) = stats.top[0].clone();
    let mut ed = Editor::new();
    ed.apply(&store, Edit::LexiconReject { text: word.clone() })
        .unwrap();
    check(&store, "never an entity");
    ed.undo(&store).unwrap().unwrap();
    ed.apply(
        &store,
        Edit::LexiconAdd {
            text: word.clone(),
            label: EntityType::Custom("EVENT".into()),
        },
    )
    .unwrap();
    check(&store, "always a type");
    let mut store = store;
    reextract(&mut store, &ex, &word).unwrap();
    check(&store, "re-extraction");
    // A user entity in one article (read in full, with its corrections).
    let id = store.article_ids().unwrap()[0].clone();
    let text = store.article(&id).unwrap().text;
    let n = text.chars().count().min(4);
    store
        .add_annotation(
            &id,
            AnnotationKind::Entity,
            0,
            n,
            NewAnnotation {
                label: Some(EntityType::Per),
                ..Default::default()
            },
        )
        .unwrap();
    check(&store, "user entity");
    // A file rewritten and re-indexed.
    let f = std::fs::read_dir(&arch)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut body = std::fs::read_to_string(&f).unwrap();
    body.push_str("\n\n新华社北京2020年3月5日电 记者报道。\n");
    std::fs::write(&f, body).unwrap();
    index_archive(&arch, &mut store, &ex, &IndexOptions::default(), &|_| {}).unwrap();
    check(&store, "file rewritten");
}

/// An archive of `copies` × the seed files, each copy with its paragraphs
/// rotated and a line of its own (so no two texts are equal): about 40 KB of
/// text per copy.
fn varied_archive(copies: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let arch = dir.path().join("archive");
    std::fs::create_dir_all(&arch).unwrap();
    for e in std::fs::read_dir(common::seeds()).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let paras: Vec<&str> = text.split("\n\n").collect();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        for i in 0..copies {
            let mut out = String::new();
            for (k, para) in paras.iter().enumerate() {
                out.push_str(para);
                out.push_str("\n\n");
                if k == 2 {
                    out.push_str(&format!("第{i}期编号{}号。\n\n", i * 7919 + k));
                }
            }
            std::fs::write(arch.join(format!("{i:03}_{name}")), out).unwrap();
        }
    }
    (dir, arch)
}

/// Whether a stored `articles.text` value is a zstd frame naming a dictionary.
fn names_a_dictionary(v: rusqlite::types::ValueRef<'_>) -> bool {
    matches!(v, rusqlite::types::ValueRef::Blob(b)
        if zstd::zstd_safe::get_dict_id_from_frame(b).is_some())
}

#[test]
fn an_index_run_trains_a_text_dictionary_and_every_text_reads_back_identical() {
    let (_g, arch) = varied_archive(40);
    let (store, _ex) = indexed(&arch);
    let d = store
        .text_dict()
        .expect("a dictionary is trained from 1.7 MB of text");
    // Every stored text equals the file's article as split again, and every
    // one is compressed with the dictionary (those stored before it existed
    // were compressed again).
    let ids = store.article_ids().unwrap();
    assert!(ids.len() > 200, "{}", ids.len());
    let mut split_texts = HashMap::new();
    for e in std::fs::read_dir(&arch).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            let (_, dec) = pizhu::archive::read_file(&p, u64::MAX).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            for a in pizhu::split::split_articles(&dec.text, None) {
                split_texts.insert((name.clone(), a.index), a.text);
            }
        }
    }
    let mut plain_bytes = 0;
    for id in &ids {
        let a = store.article(id).unwrap();
        assert_eq!(Some(&a.text), split_texts.get(&(a.file.clone(), a.index)));
        plain_bytes += zstd::bulk::compress(a.text.as_bytes(), 3).unwrap().len();
    }
    let c = rusqlite::Connection::open(store.path()).unwrap();
    let (named, stored_bytes) = {
        let mut st = c.prepare("SELECT text FROM articles").unwrap();
        let mut rows = st.query([]).unwrap();
        let (mut named, mut bytes) = (0, 0);
        while let Some(r) = rows.next().unwrap() {
            let v = r.get_ref(0).unwrap();
            named += names_a_dictionary(v) as usize;
            bytes += v.as_blob().unwrap().len();
        }
        (named, bytes)
    };
    assert_eq!(named, ids.len(), "every text names the dictionary");
    assert!(
        stored_bytes * 2 < plain_bytes,
        "{stored_bytes} bytes with the dictionary, {plain_bytes} without"
    );
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM text_dicts WHERE id=?1",
            [d.id()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    // Search, substring lookups and the import's text lookup read through it.
    let needle = "第17期编号";
    let hits = store.article_ids_containing(needle).unwrap();
    let want = split_texts.values().filter(|t| t.contains(needle)).count();
    assert!(want >= 3, "{want}");
    assert_eq!(hits.len(), want);
    assert!(!store.search(needle, 10).unwrap().is_empty());
    let a = store.article(&ids[3]).unwrap();
    assert_eq!(
        store.article_id_by_text(&a.text).unwrap().as_deref(),
        Some(a.id.as_str())
    );
    // A second run adds no dictionary and keeps the texts as they are.
    drop(c);
    let (store2, _) = indexed(&arch);
    assert_eq!(store2.text_dict().map(|d| d.id()), Some(d.id()));
}

#[test]
fn texts_compressed_with_another_databases_dictionary_are_stored_readably() {
    let (_g, arch) = varied_archive(40);
    let (store, _ex) = indexed(&arch);
    let foreign = store.text_dict().expect("dictionary");
    let id = store.article_ids().unwrap()[0].clone();
    let art = store.article(&id).unwrap();
    // A file prepared with the first database's dictionary, stored into a
    // new database that has none.
    let dir = tempfile::tempdir().unwrap();
    let mut other = Store::open(&dir.path().join("other.sqlite")).unwrap();
    let parsed = pizhu::split::split_articles(
        &std::fs::read_to_string(arch.join(&art.file)).unwrap(),
        None,
    );
    let n = parsed.len();
    let f = pizhu::store::IndexedFile::with_dict(
        art.file.clone(),
        1,
        1,
        "h".into(),
        "UTF-8".into(),
        parsed.into_iter().map(|a| (a, Vec::new())).collect(),
        Some(foreign),
    );
    other.store_file(&f).unwrap();
    drop(other);
    let c = rusqlite::Connection::open(dir.path().join("other.sqlite")).unwrap();
    let named: i64 = c
        .query_row("SELECT count(*) FROM text_dicts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(named, 0);
    let mut st = c.prepare("SELECT text FROM articles").unwrap();
    let mut rows = st.query([]).unwrap();
    let mut seen = 0;
    while let Some(r) = rows.next().unwrap() {
        assert!(!names_a_dictionary(r.get_ref(0).unwrap()));
        seen += 1;
    }
    assert_eq!(seen, n);
    let other = Store::open(&dir.path().join("other.sqlite")).unwrap();
    assert_eq!(other.article(&id).unwrap().text, art.text);
}

#[test]
fn a_dictionary_added_by_another_process_is_found_when_a_text_names_it() {
    let (_g, arch) = seed_copy();
    let (store, _ex) = indexed(&arch);
    assert!(
        store.text_dict().is_none(),
        "the seeds are too small to train one"
    );
    let ids = store.article_ids().unwrap();
    let texts: Vec<String> = ids
        .iter()
        .map(|id| store.article(id).unwrap().text)
        .collect();
    // What another process does: train a dictionary this process has never
    // loaded, store it and compress the texts with it, on its own connection.
    let samples: Vec<String> = (0..200)
        .map(|i| format!("{}{i}", texts[i % texts.len()]))
        .collect();
    let dict = zstd::dict::from_samples(&samples, 64 << 10).unwrap();
    let c = rusqlite::Connection::open(store.path()).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let id = zstd::zstd_safe::get_dict_id_from_dict(&dict).unwrap().get();
    c.execute(
        "INSERT INTO text_dicts(id, dict) VALUES (?1, ?2)",
        rusqlite::params![id, dict],
    )
    .unwrap();
    let mut z = zstd::bulk::Compressor::with_dictionary(3, &dict).unwrap();
    z.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))
        .unwrap();
    for (aid, t) in ids.iter().zip(&texts) {
        c.execute(
            "UPDATE articles SET text=?2 WHERE id=?1",
            rusqlite::params![aid, z.compress(t.as_bytes()).unwrap()],
        )
        .unwrap();
    }
    // The store opened before reads them all.
    for (aid, t) in ids.iter().zip(&texts) {
        assert_eq!(&store.article(aid).unwrap().text, t);
    }
    // A frame naming a dictionary nobody has is an error, not garbage.
    let other = zstd::dict::from_samples(
        &samples
            .iter()
            .map(|s| format!("{s}别的"))
            .collect::<Vec<_>>(),
        32 << 10,
    )
    .unwrap();
    let mut z = zstd::bulk::Compressor::with_dictionary(3, &other).unwrap();
    z.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))
        .unwrap();
    if zstd::zstd_safe::get_dict_id_from_dict(&other)
        .unwrap()
        .get()
        != id
    {
        c.execute(
            "UPDATE articles SET text=?2 WHERE id=?1",
            rusqlite::params![ids[0], z.compress(texts[0].as_bytes()).unwrap()],
        )
        .unwrap();
        assert!(store.article(&ids[0]).is_err());
    }
}

#[test]
fn a_database_without_a_text_dictionary_gets_one_when_migrated() {
    let (_g, arch) = varied_archive(40);
    let (store, _ex) = indexed(&arch);
    let path = store.path().to_path_buf();
    let ids = store.article_ids().unwrap();
    let needle = "第23期编号";
    let before = everything_read(&store, needle);
    assert!(!before.2.is_empty());
    drop(store);
    {
        // What a database made before the dictionaries looks like: plain
        // zstd frames, no `text_dicts` table, the schema version before it.
        let c = rusqlite::Connection::open(&path).unwrap();
        let tx = c.unchecked_transaction().unwrap();
        for a in &before.0 {
            tx.execute(
                "UPDATE articles SET text=?2 WHERE id=?1",
                rusqlite::params![a.id, zstd::bulk::compress(a.text.as_bytes(), 3).unwrap()],
            )
            .unwrap();
        }
        tx.execute_batch("DROP TABLE text_dicts").unwrap();
        let v = pizhu::store::MIGRATIONS
            .iter()
            .position(|m| m.contains("text_dicts"))
            .unwrap();
        tx.execute_batch(&format!("PRAGMA user_version={v}"))
            .unwrap();
        tx.commit().unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.user_version().unwrap(), pizhu::store::schema_version());
    assert!(s.text_dict().is_some(), "trained from the stored texts");
    assert_eq!(everything_read(&s, needle), before);
    let c = rusqlite::Connection::open(&path).unwrap();
    let mut st = c.prepare("SELECT text FROM articles").unwrap();
    let mut rows = st.query([]).unwrap();
    let mut named = 0;
    while let Some(r) = rows.next().unwrap() {
        named += names_a_dictionary(r.get_ref(0).unwrap()) as usize;
    }
    assert_eq!(named, ids.len(), "every text compressed again with it");
    // Opening again changes nothing.
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(everything_read(&s, needle), before);
}
