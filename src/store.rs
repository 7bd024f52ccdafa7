//! The SQLite store: the single source of truth for an archive's index and
//! for every annotation the user makes.
//!
//! Owns the schema (append-only [`MIGRATIONS`] keyed on `PRAGMA
//! user_version`, applied in one transaction), full-text search, and the
//! annotation model. Every user change is one transaction, committed before
//! the call returns. Annotations have no foreign key to articles: when an
//! article disappears they stay, marked orphan, and are re-anchored when it
//! comes back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::anchor::{Quote, quote, reanchor};
use crate::chars::{is_cjk_punct, is_han};
use crate::error::{Error, Result};
use crate::extract::{Entity, EntityType, Lexicon, Source};
use crate::split::ParsedArticle;

pub mod dict;
pub use dict::TextDict;

/// Schema migrations, applied in order; append only, never edit.
pub const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        encoding TEXT,
        size INTEGER NOT NULL DEFAULT 0,
        mtime INTEGER NOT NULL DEFAULT 0,
        hash TEXT,
        error TEXT,
        raw_text TEXT
    );
    CREATE TABLE articles (
        rid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        title TEXT,
        subtitle TEXT,
        date TEXT,
        source TEXT,
        byline TEXT NOT NULL DEFAULT '[]',
        text TEXT NOT NULL,
        body_start INTEGER NOT NULL DEFAULT 0,
        offset_map BLOB NOT NULL,
        raw_start INTEGER NOT NULL,
        raw_end INTEGER NOT NULL,
        hash TEXT NOT NULL,
        reviewed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX articles_file ON articles(file_id, idx);
    CREATE TABLE entities (
        id INTEGER PRIMARY KEY,
        article_rid INTEGER NOT NULL REFERENCES articles(rid) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        label TEXT NOT NULL,
        source TEXT NOT NULL,
        confidence REAL NOT NULL
    );
    CREATE INDEX entities_article ON entities(article_rid);
    CREATE INDEX entities_text ON entities(text, label);
    CREATE TABLE annotations (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('entity','reject','accept','highlight','correction')),
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        exact TEXT NOT NULL,
        prefix TEXT NOT NULL DEFAULT '',
        suffix TEXT NOT NULL DEFAULT '',
        label TEXT,
        color TEXT,
        note TEXT,
        replacement TEXT,
        orphan INTEGER NOT NULL DEFAULT 0,
        created INTEGER NOT NULL DEFAULT (strftime('%s','now'))
    );
    CREATE INDEX annotations_article ON annotations(article_id);
    CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE article_tags (
        article_id TEXT NOT NULL,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (article_id, tag_id)
    );
    CREATE TABLE entity_tags (
        text TEXT NOT NULL,
        label TEXT NOT NULL,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (text, label, tag_id)
    );
    CREATE TABLE lexicon (
        text TEXT PRIMARY KEY,
        label TEXT,
        action TEXT NOT NULL CHECK (action IN ('add','reject')),
        created INTEGER NOT NULL DEFAULT (strftime('%s','now'))
    );
    CREATE VIRTUAL TABLE articles_fts USING fts5(body, tokenize = 'unicode61');
    "#,
    // 2: person–title–organisation relations, recomputed with the entities.
    r#"
    CREATE TABLE person_roles (
        id INTEGER PRIMARY KEY,
        article_rid INTEGER NOT NULL REFERENCES articles(rid) ON DELETE CASCADE,
        person TEXT NOT NULL,
        title TEXT,
        org TEXT,
        start INTEGER NOT NULL
    );
    CREATE INDEX person_roles_person ON person_roles(person);
    CREATE INDEX person_roles_article ON person_roles(article_rid);
    "#,
    // 3: scale. The articles table rebuilt with its small columns first
    // (the list reads them without touching the text's overflow pages) and
    // a `head` (the first 40 characters, for untitled articles). Entities
    // stored per article as one compact blob
    // (`articles.ents`, see `encode_entities`; filled by `migrate_data`,
    // which then drops the `entities` table); no copy of the sources (the raw view reads the file and
    // checks its hash); a contentless full-text index (the text lives once,
    // in `articles`; filled by `migrate_data`); reviewed marks keyed by
    // article id like annotations (never deleted by indexing); entity counts
    // kept up to date by triggers (stats without a scan); entity counts per
    // article; a text-hash index (import matches documents by text); the
    // folders' modification times (a cheap freshness check); work recorded
    // to be finished on the next open.
    r#"
    ALTER TABLE files DROP COLUMN raw_text;
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        body, content = '', contentless_delete = 1, tokenize = 'ascii'
    );
    CREATE TABLE reviewed (article_id TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT INTO reviewed(article_id) SELECT id FROM articles WHERE reviewed <> 0;
    CREATE TABLE articles_new (
        rid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        title TEXT,
        subtitle TEXT,
        date TEXT,
        source TEXT,
        byline TEXT NOT NULL DEFAULT '[]',
        head TEXT NOT NULL DEFAULT '',
        body_start INTEGER NOT NULL DEFAULT 0,
        raw_start INTEGER NOT NULL,
        raw_end INTEGER NOT NULL,
        hash TEXT NOT NULL,
        n_entities INTEGER NOT NULL DEFAULT 0,
        text TEXT NOT NULL,
        offset_map BLOB NOT NULL,
        ents BLOB NOT NULL DEFAULT x''
    );
    INSERT INTO articles_new(rid, id, file_id, idx, title, subtitle, date, source, byline, head,
        body_start, raw_start, raw_end, hash, n_entities, text, offset_map)
        SELECT rid, id, file_id, idx, title, subtitle, date, source, byline, substr(text, 1, 40),
        body_start, raw_start, raw_end, hash,
        (SELECT count(*) FROM entities e WHERE e.article_rid = a.rid), text, offset_map
        FROM articles a;
    DROP TABLE articles;
    ALTER TABLE articles_new RENAME TO articles;
    CREATE INDEX articles_file ON articles(file_id, idx);
    CREATE INDEX articles_hash ON articles(hash);
    CREATE TABLE entity_counts (
        text TEXT NOT NULL,
        label TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (text, label)
    ) WITHOUT ROWID;
    INSERT INTO entity_counts(text, label, n) SELECT text, label, count(*) FROM entities GROUP BY text, label;
    CREATE TABLE dirs (path TEXT PRIMARY KEY, mtime INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE pending (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        arg TEXT NOT NULL
    );
    "#,
    // 4: article texts compressed (a zstd frame in a BLOB, see
    // `encode_text`; `migrate_data` compresses the existing rows; a TEXT
    // value is still read as it is, see `decode_text`).
    r#"
    INSERT OR REPLACE INTO meta(key, value) VALUES ('text_codec', 'zstd');
    "#,
    // 5: what the Insights need per article, written with the article:
    // its resolved date and date source (`insights::resolve_date`, as
    // `day` = yyyymmdd with 00 for an unknown day, NULL when undated, and
    // `src`), and its distinct automatic entities (`keys`, see
    // `encode_keys`). Id and file are repeated so that the Insights read
    // this table alone. Filled for existing articles by `migrate_data`.
    r#"
    CREATE TABLE article_facts (
        rid INTEGER PRIMARY KEY REFERENCES articles(rid) ON DELETE CASCADE,
        id TEXT NOT NULL,
        file TEXT NOT NULL,
        day INTEGER,
        src INTEGER NOT NULL,
        keys BLOB NOT NULL
    );
    "#,
    // 6: teams. Every annotation, reviewed mark, article tag and entity
    // tag belongs to an annotator (a name); lexicon entries record who made
    // them (the lexicon itself stays shared: it changes the automatic
    // entities everyone starts from). Rows made before this migration
    // belong to the annotator `default` (`teams::MIGRATED_ANNOTATOR`);
    // `migrate_data` also makes `default` the archive's saved annotator
    // when there were such rows, so an upgraded archive keeps showing its
    // work whatever the OS user is called. `annotators` lists the known
    // names and which of them are curated sets (written by `pizhu merge`).
    // (The two added columns and their index are added by `migrate_data`,
    // only where missing.)
    r#"
    CREATE TABLE reviewed_new (
        annotator TEXT NOT NULL,
        article_id TEXT NOT NULL,
        PRIMARY KEY (annotator, article_id)
    ) WITHOUT ROWID;
    INSERT INTO reviewed_new(annotator, article_id) SELECT 'default', article_id FROM reviewed;
    DROP TABLE reviewed;
    ALTER TABLE reviewed_new RENAME TO reviewed;
    CREATE TABLE article_tags_new (
        annotator TEXT NOT NULL,
        article_id TEXT NOT NULL,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (annotator, article_id, tag_id)
    );
    INSERT INTO article_tags_new(annotator, article_id, tag_id)
        SELECT 'default', article_id, tag_id FROM article_tags;
    DROP TABLE article_tags;
    ALTER TABLE article_tags_new RENAME TO article_tags;
    CREATE TABLE entity_tags_new (
        annotator TEXT NOT NULL,
        text TEXT NOT NULL,
        label TEXT NOT NULL,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (annotator, text, label, tag_id)
    );
    INSERT INTO entity_tags_new(annotator, text, label, tag_id)
        SELECT 'default', text, label, tag_id FROM entity_tags;
    DROP TABLE entity_tags;
    ALTER TABLE entity_tags_new RENAME TO entity_tags;
    CREATE TABLE IF NOT EXISTS annotators (
        name TEXT PRIMARY KEY,
        curated INTEGER NOT NULL DEFAULT 0,
        created INTEGER NOT NULL DEFAULT (strftime('%s','now'))
    ) WITHOUT ROWID;
    "#,
    // 7: the Insights' entities as small integer ids: every automatic
    // entity (type, text) gets a row in `entity_names` (never deleted, so an
    // id keeps its name), and `article_facts.ents` holds an article's
    // distinct ids (`encode_ids`) instead of 64-bit hashes, so reading the
    // facts needs no hashing at all. Filled by `migrate_data`.
    r#"
    CREATE TABLE entity_names (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (label, text)
    );
    ALTER TABLE article_facts DROP COLUMN keys;
    ALTER TABLE article_facts ADD COLUMN ents BLOB NOT NULL DEFAULT x'';
    "#,
    // 8: text dictionaries (self-contained: creates only its own table; its data
    // step is found by the table's name, not by its number). An index run
    // trains a zstd dictionary from the first texts it stores (`store::dict`);
    // texts stored after that are zstd frames that name it (older frames and
    // TEXT values still read as they are). A database that already has texts
    // trains one from them here and compresses them again
    // (`dictionary_for_stored_texts`).
    r#"
    CREATE TABLE IF NOT EXISTS text_dicts (
        n INTEGER PRIMARY KEY,
        id INTEGER NOT NULL,
        dict BLOB NOT NULL
    );
    "#,
    // 9: curation provenance: `annotations.by_merge`, `reviewed.by_merge` and
    // `article_tags.by_merge` are 1 on the rows `pizhu merge` wrote into a
    // curated set and 0 on everything made by hand (every row from before,
    // so an upgraded curated set counts as hand-made and the next merge
    // keeps it); `annotations.made_by` and `article_tags.made_by` name the
    // annotators a merged highlight or tag came from (comma-separated).
    // A re-run of merge changes only its own rows and reports the
    // hand-made regions it kept (`teams::merge`). The columns are added by
    // `migrate_data` (found by this text, see `adds_merge_provenance`),
    // only where missing.
    r#"
    -- Curation provenance: annotations.by_merge, reviewed.by_merge (added by migrate_data).
    CREATE INDEX IF NOT EXISTS annotations_article ON annotations(article_id);
    "#,
    // 10: what a person took away by hand that a re-run of `pizhu merge`
    // would otherwise bring back (`merge_dismissed`): a reviewed mark
    // removed, a highlight deleted (or its note, colour or span changed),
    // an article tag removed. One row per (annotator, article, kind, key);
    // putting the thing back by hand (or by undo) deletes the row.
    // Self-contained, like 8.
    r#"
    CREATE TABLE IF NOT EXISTS merge_dismissed (
        annotator TEXT NOT NULL,
        article_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (annotator, article_id, kind, key)
    ) WITHOUT ROWID;
    "#,
    // 11: the regions the last merge into a curated set left out, per
    // article (`merge_conflicts`; replaced by each merge of the article;
    // taking a side there removes them), so the curation window can tell
    // "left out" from "decided". Self-contained.
    r#"
    CREATE TABLE IF NOT EXISTS merge_conflicts (
        annotator TEXT NOT NULL,
        article_id TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        PRIMARY KEY (annotator, article_id, start, end)
    ) WITHOUT ROWID;
    "#,
];

/// [`Store::set_dismissed`] kind: a reviewed mark removed by hand (key `""`).
pub const DISMISSED_REVIEWED: &str = "reviewed";
/// [`Store::set_dismissed`] kind: a highlight deleted or changed by hand
/// (key: [`highlight_key`]).
pub const DISMISSED_HIGHLIGHT: &str = "highlight";
/// [`Store::set_dismissed`] kind: an article tag removed by hand (key: the tag).
pub const DISMISSED_TAG: &str = "tag";

/// The key under which a highlight is dismissed: what `pizhu merge` tells
/// highlights apart by (span, colour and note), as JSON.
pub fn highlight_key(start: usize, end: usize, color: Option<&str>, note: Option<&str>) -> String {
    serde_json::json!([start, end, color, note]).to_string()
}

/// Whether migration `version` is the one that created `entity_names` (its
/// data step found by its text, not its number, so that migrations appended
/// by other branches can be ordered either way).
fn creates_entity_names(version: usize) -> bool {
    MIGRATIONS
        .get(version.wrapping_sub(1))
        .is_some_and(|m| m.contains("CREATE TABLE entity_names"))
}

/// Whether migration `version` is the one that adds the curation
/// provenance columns (found by its text, like [`creates_entity_names`]).
fn adds_merge_provenance(version: usize) -> bool {
    MIGRATIONS
        .get(version.wrapping_sub(1))
        .is_some_and(|m| m.contains("-- Curation provenance: annotations.by_merge"))
}

/// Data steps of a migration that SQL alone cannot do, run in the same
/// transaction right after migration `version`'s SQL.
fn migrate_data(tx: &Connection, version: usize) -> rusqlite::Result<()> {
    if version == 3 {
        // Entities: one blob per article, then the table goes.
        {
            let mut read = tx.prepare(
                "SELECT start, end, text, label, source, confidence FROM entities \
                 WHERE article_rid=?1 ORDER BY start, end, id",
            )?;
            let mut rids = tx.prepare("SELECT rid FROM articles")?;
            let mut one = tx.prepare("SELECT text, offset_map FROM articles WHERE rid=?1")?;
            let mut write =
                tx.prepare("UPDATE articles SET ents=?2, offset_map=?3 WHERE rid=?1")?;
            let all: Vec<i64> = rids
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for rid in all {
                let (text, map): (String, Vec<u8>) =
                    one.query_row([rid], |r| Ok((r.get::<_, Txt>(0)?.0, r.get(1)?)))?;
                let ents: Vec<Entity> = read
                    .query_map([rid], row_to_entity)?
                    .collect::<rusqlite::Result<_>>()?;
                // Offset maps as runs too.
                write.execute(params![
                    rid,
                    encode_entities(&text, &ents),
                    encode_map(&decode_map(&map))
                ])?;
            }
        }
        tx.execute_batch("DROP TABLE entities;")?;
        // Fill the new contentless full-text index from the stored texts.
        let mut read = tx.prepare("SELECT rid, title, text FROM articles")?;
        let mut write = tx.prepare("INSERT INTO articles_fts(rowid, body) VALUES (?1, ?2)")?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let rid: i64 = r.get(0)?;
            let title: Option<String> = r.get(1)?;
            let text = r.get::<_, Txt>(2)?.0;
            write.execute(params![rid, fts_body(title.as_deref(), &text)])?;
        }
    }
    if version == 4 {
        let rids: Vec<i64> = tx
            .prepare("SELECT rid FROM articles WHERE typeof(text) = 'text'")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut read = tx.prepare("SELECT text FROM articles WHERE rid=?1")?;
        let mut write = tx.prepare("UPDATE articles SET text=?2 WHERE rid=?1")?;
        for rid in rids {
            let text = read.query_row([rid], |r| r.get::<_, Txt>(0))?.0;
            write.execute(params![rid, encode_text(&text)])?;
        }
    }
    // The text dictionaries' migration (found by its table, not by its
    // number): a database with texts trains its dictionary from its first
    // texts and compresses every text again with it.
    if MIGRATIONS[version - 1].contains("CREATE TABLE IF NOT EXISTS text_dicts") {
        dictionary_for_stored_texts(tx)?;
    }
    if version == 5 {
        let rids: Vec<i64> = tx
            .prepare("SELECT rid FROM articles")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut read = tx.prepare(
            "SELECT a.id, f.path, a.date, a.text, a.ents FROM articles a \
             JOIN files f ON f.id=a.file_id WHERE a.rid=?1",
        )?;
        for rid in rids {
            let (id, file, date, text, ents): (String, String, Option<String>, String, Vec<u8>) =
                read.query_row([rid], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get::<_, Txt>(3)?.0,
                        r.get(4)?,
                    ))
                })?;
            let (day, src) = crate::insights::date_code(crate::insights::resolve_date(
                date.as_deref(),
                &text,
                &file,
            ));
            tx.prepare_cached(
                "INSERT OR REPLACE INTO article_facts(rid, id, file, day, src, keys) \
                 VALUES (?1,?2,?3,?4,?5,?6)",
            )?
            .execute(params![
                rid,
                id,
                file,
                day,
                src,
                encode_keys(&decode_entities(&text, &ents))
            ])?;
        }
    }
    if creates_entity_names(version) {
        // Every article's facts again, with its entities as ids.
        let rids: Vec<i64> = tx
            .prepare("SELECT rid FROM articles")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut read = tx.prepare(
            "SELECT a.id, f.path, a.date, a.text, a.ents FROM articles a \
             JOIN files f ON f.id=a.file_id WHERE a.rid=?1",
        )?;
        let mut names = NameIds::default();
        for rid in rids {
            let (id, file, date, text, ents): (String, String, Option<String>, String, Vec<u8>) =
                read.query_row([rid], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get::<_, Txt>(3)?.0,
                        r.get(4)?,
                    ))
                })?;
            let (day, src) = crate::insights::date_code(crate::insights::resolve_date(
                date.as_deref(),
                &text,
                &file,
            ));
            let ids = names.encode(tx, &decode_entities(&text, &ents))?;
            write_facts(tx, rid, &id, &file, day, src, &ids)?;
        }
    }
    if adds_merge_provenance(version) {
        for (table, column, decl) in [
            ("annotations", "by_merge", "INTEGER NOT NULL DEFAULT 0"),
            ("annotations", "made_by", "TEXT"),
            ("reviewed", "by_merge", "INTEGER NOT NULL DEFAULT 0"),
            ("article_tags", "by_merge", "INTEGER NOT NULL DEFAULT 0"),
            ("article_tags", "made_by", "TEXT"),
        ] {
            let has: bool = tx.query_row(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM pragma_table_info('{table}') WHERE name='{column}')"
                ),
                [],
                |r| r.get(0),
            )?;
            if !has {
                tx.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}"))?;
            }
        }
    }
    if version == 6 {
        for table in ["annotations", "lexicon"] {
            let has: bool = tx.query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM pragma_table_info('{table}') WHERE name='annotator')"),
                [],
                |r| r.get(0),
            )?;
            if !has {
                tx.execute_batch(&format!(
                    "ALTER TABLE {table} ADD COLUMN annotator TEXT NOT NULL DEFAULT 'default'"
                ))?;
            }
        }
        tx.execute_batch(
            "CREATE INDEX IF NOT EXISTS annotations_annotator ON annotations(annotator, article_id)",
        )?;
        let had_work: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM annotations) OR EXISTS (SELECT 1 FROM reviewed) \
             OR EXISTS (SELECT 1 FROM article_tags) OR EXISTS (SELECT 1 FROM entity_tags) \
             OR EXISTS (SELECT 1 FROM lexicon)",
            [],
            |r| r.get(0),
        )?;
        if had_work {
            tx.execute(
                "INSERT OR IGNORE INTO annotators(name) VALUES (?1)",
                [crate::teams::MIGRATED_ANNOTATOR],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES (?1, ?2)",
                [
                    crate::teams::META_ANNOTATOR,
                    crate::teams::MIGRATED_ANNOTATOR,
                ],
            )?;
        }
    }
    Ok(())
}

/// Trains a text dictionary from the first stored texts (up to
/// [`dict::SAMPLE_BYTES`]) of a database that has none, stores it and
/// compresses every text again with it. Nothing happens below
/// [`dict::MIN_SAMPLE_BYTES`] of text.
fn dictionary_for_stored_texts(tx: &Connection) -> rusqlite::Result<()> {
    let has: i64 = tx.query_row("SELECT count(*) FROM text_dicts", [], |r| r.get(0))?;
    if has > 0 {
        return Ok(());
    }
    let mut samples = Vec::new();
    let mut bytes = 0;
    {
        let mut st = tx.prepare("SELECT text FROM articles ORDER BY rid")?;
        let mut rows = st.query([])?;
        while bytes < dict::SAMPLE_BYTES
            && let Some(r) = rows.next()?
        {
            let t = r.get::<_, Txt>(0)?.0;
            bytes += t.len();
            samples.push(t);
        }
    }
    let Some(trained) = dict::train(&samples) else {
        return Ok(());
    };
    drop(samples);
    let Some(entry) = dict::register(&trained) else {
        return Ok(());
    };
    let d = TextDict::new(entry);
    tx.execute(
        "INSERT INTO text_dicts(id, dict) VALUES (?1, ?2)",
        params![d.id() as i64, trained],
    )?;
    let rids: Vec<i64> = tx
        .prepare("SELECT rid FROM articles")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut read = tx.prepare("SELECT text FROM articles WHERE rid=?1")?;
    let mut write = tx.prepare("UPDATE articles SET text=?2 WHERE rid=?1")?;
    for rid in rids {
        let text = read.query_row([rid], |r| r.get::<_, Txt>(0))?.0;
        if let Some(z) = d.encode(&text) {
            write.execute(params![rid, z])?;
        }
    }
    Ok(())
}

/// A person's card for the who's-who: titles, organisations and articles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PersonCard {
    /// The name.
    pub name: String,
    /// Distinct titles held, in first-seen order.
    pub titles: Vec<String>,
    /// Distinct organisations, in first-seen order.
    pub orgs: Vec<String>,
    /// Distinct (title, organisation) pairs.
    pub roles: Vec<(Option<String>, Option<String>)>,
    /// Ids of the articles mentioning the person, in archive order.
    pub articles: Vec<String>,
}

/// The newest schema version this build knows.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// zstd level of the stored article texts: fast to write and to read,
/// about a third of the UTF-8 size on Chinese news.
const TEXT_LEVEL: i32 = 3;

/// An article's text as stored in `articles.text` (migration 4): a zstd
/// frame in a BLOB. Falls back to the plain TEXT value (also readable) if
/// compression ever fails.
pub(crate) fn encode_text(text: &str) -> rusqlite::types::Value {
    match zstd::bulk::compress(text.as_bytes(), TEXT_LEVEL) {
        Ok(z) => rusqlite::types::Value::Blob(z),
        Err(_) => rusqlite::types::Value::Text(text.to_string()),
    }
}

/// Decodes a stored `articles.text` value: the one place every reader goes
/// through. A BLOB is a zstd frame (migration 4 on); a TEXT value is a
/// text stored before it (still read as it is).
pub(crate) fn decode_text(
    v: rusqlite::types::ValueRef<'_>,
) -> rusqlite::types::FromSqlResult<String> {
    use rusqlite::types::{FromSqlError, ValueRef};
    match v {
        ValueRef::Text(t) => {
            String::from_utf8(t.to_vec()).map_err(|e| FromSqlError::Other(Box::new(e)))
        }
        ValueRef::Blob(b) => {
            let raw = dict::decompress(b).map_err(|e| FromSqlError::Other(Box::new(e)))?;
            String::from_utf8(raw).map_err(|e| FromSqlError::Other(Box::new(e)))
        }
        _ => Err(FromSqlError::InvalidType),
    }
}

/// A stored article text read from a row (see [`decode_text`]).
struct Txt(String);

impl rusqlite::types::FromSql for Txt {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        decode_text(v).map(Txt)
    }
}

/// Kinds of user annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationKind {
    /// A typed entity span added (or retyped/reboundaried) by the user.
    Entity,
    /// An automatic entity the user rejected.
    Reject,
    /// An automatic entity the user confirmed.
    Accept,
    /// A highlighted passage, optionally with a colour and a note.
    Highlight,
    /// A text correction overlay (OCR fix); the source is never changed.
    Correction,
}

impl AnnotationKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AnnotationKind::Entity => "entity",
            AnnotationKind::Reject => "reject",
            AnnotationKind::Accept => "accept",
            AnnotationKind::Highlight => "highlight",
            AnnotationKind::Correction => "correction",
        }
    }

    fn parse(s: &str) -> AnnotationKind {
        match s {
            "entity" => AnnotationKind::Entity,
            "reject" => AnnotationKind::Reject,
            "accept" => AnnotationKind::Accept,
            "correction" => AnnotationKind::Correction,
            _ => AnnotationKind::Highlight,
        }
    }
}

/// A user annotation as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Annotation {
    /// Row id.
    pub id: i64,
    /// The article it belongs to.
    pub article_id: String,
    /// What it is.
    pub kind: AnnotationKind,
    /// Start (code points into the article text).
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// Quote selector: exact text and context.
    #[serde(skip)]
    pub quote: Quote,
    /// Entity type (entity, reject, accept).
    pub label: Option<EntityType>,
    /// Highlight colour, `#rrggbb`.
    pub color: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Replacement text (correction).
    pub replacement: Option<String>,
    /// Could not be placed in the current text.
    pub orphan: bool,
    /// Who made it (see [`crate::teams`]).
    #[serde(skip)]
    pub annotator: String,
    /// Written by `pizhu merge` into a curated set (`false`: made by hand;
    /// a re-run of merge changes only rows with this set, see
    /// [`crate::teams::merge`]).
    #[serde(skip)]
    pub by_merge: bool,
    /// A highlight `pizhu merge` brought into a curated set: the
    /// annotators who made it (comma-separated).
    #[serde(skip)]
    pub made_by: Option<String>,
}

/// A new annotation to store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAnnotation {
    /// Entity type.
    pub label: Option<EntityType>,
    /// Highlight colour.
    pub color: Option<String>,
    /// Note text.
    pub note: Option<String>,
    /// Replacement text for corrections.
    pub replacement: Option<String>,
}

/// The review status of an entity after the user's corrections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityStatus {
    /// Found automatically, not reviewed.
    Auto,
    /// Found automatically and confirmed by the user.
    Accepted,
    /// Added (or changed) by the user.
    User,
}

/// An entity after corrections, as shown and exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveEntity {
    /// The entity.
    #[serde(flatten)]
    pub entity: Entity,
    /// Its status.
    pub status: EntityStatus,
    /// The annotation that made it (user entities).
    pub annotation_id: Option<i64>,
}

/// One row of the article list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleSummary {
    /// Stable article id.
    pub id: String,
    /// File path relative to the archive.
    pub file: String,
    /// Position in the file.
    pub index: usize,
    /// Headline (may be empty).
    pub title: String,
    /// Date as stated.
    pub date: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Number of automatic entities.
    pub entities: usize,
    /// Number of user annotations.
    pub annotations: usize,
    /// Marked as reviewed.
    pub reviewed: bool,
}

/// A full article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    /// Stable article id.
    pub id: String,
    /// File path relative to the archive.
    pub file: String,
    /// Position in the file.
    pub index: usize,
    /// Headline.
    pub title: Option<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Date as stated.
    pub date: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Byline people.
    pub byline: Vec<String>,
    /// Cleaned text.
    pub text: String,
    /// Where the body starts in `text` (code points).
    pub body_start: usize,
    /// Cleaned code point → raw file code point.
    #[serde(skip)]
    pub offset_map: Vec<usize>,
    /// Range in the raw file text.
    pub raw_range: (usize, usize),
    /// Content hash of `text`.
    pub hash: String,
    /// Marked as reviewed.
    pub reviewed: bool,
}

impl Article {
    /// The headline, or the start of the text when there is none.
    pub fn display_title(&self) -> String {
        display_title(self.title.as_deref(), &self.text)
    }
}

/// The headline, or the first sentence (shortened) when there is none.
pub fn display_title(title: Option<&str>, text: &str) -> String {
    match title {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => {
            let first: String = text
                .chars()
                .take_while(|&c| !matches!(c, '。' | '\n' | '！' | '？'))
                .take(30)
                .collect();
            format!("{first}…")
        }
    }
}

/// Archive-wide entity statistics (after corrections).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Stats {
    /// (type, count), most frequent first.
    pub per_type: Vec<(String, usize)>,
    /// (text, type, count), most frequent first.
    pub top: Vec<(String, String, usize)>,
}

/// The automatic entities one lexicon change added to and removed from one
/// article.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDiff {
    /// The article.
    pub article_id: String,
    /// Its content hash when the change was made (a diff is replayed only
    /// on the same text).
    pub hash: String,
    /// Entities the change removed.
    pub removed: Vec<Entity>,
    /// Entities the change added.
    pub added: Vec<Entity>,
}

/// What a lexicon change did to the stored entities, to undo or redo it in
/// SQL without re-extraction ([`Store::relabel_lexicon`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LexiconDiff {
    /// One entry per changed article.
    pub articles: Vec<ArticleDiff>,
}

impl LexiconDiff {
    /// Number of articles changed.
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }
}

/// A learned-lexicon entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LexiconEntry {
    /// The word.
    pub text: String,
    /// `add` or `reject`.
    pub action: String,
    /// The type for `add`.
    pub label: Option<EntityType>,
}

/// One annotator of an archive and what they made ([`Store::annotators`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnotatorSummary {
    /// The name.
    pub name: String,
    /// Placed entity decisions: user entities, rejections, confirmations.
    pub entity_annotations: usize,
    /// Placed highlights and corrections.
    pub other_annotations: usize,
    /// Annotations that could not be placed.
    pub orphans: usize,
    /// Articles marked reviewed.
    pub reviewed: usize,
    /// Articles with at least one placed entity decision.
    pub annotated_articles: usize,
    /// Article and entity tags.
    pub tags: usize,
    /// Lexicon entries made (the lexicon is shared).
    pub lexicon: usize,
    /// A curated set written by `pizhu merge`.
    pub curated: bool,
}

impl AnnotatorSummary {
    /// Whether anything at all belongs to this annotator.
    pub fn has_work(&self) -> bool {
        self.entity_annotations
            + self.other_annotations
            + self.orphans
            + self.reviewed
            + self.tags
            + self.lexicon
            > 0
    }
}

/// What a file looked like when last indexed.
#[derive(Debug, Clone, PartialEq)]
pub struct FileState {
    /// Size in bytes.
    pub size: u64,
    /// Modification time.
    pub mtime: i64,
    /// Content hash (None for skipped files).
    pub hash: Option<String>,
    /// Why it was skipped, if it was.
    pub error: Option<String>,
}

/// A search hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Article id.
    pub id: String,
    /// Headline or start of text.
    pub title: String,
    /// File.
    pub file: String,
    /// Text around the first match.
    pub snippet: String,
    /// Code-point span of the first match in the article text.
    pub span: Option<(usize, usize)>,
}

/// Outcome of re-anchoring after an article's text changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnchorReport {
    /// Annotations placed again (moved or unchanged).
    pub placed: usize,
    /// Annotations that could not be placed (kept as orphans).
    pub orphaned: usize,
}

/// The store: one SQLite file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Inside [`Store::begin_batch`]: writes go straight into the batch's
    /// transaction (no savepoint per file; a failure rolls the batch back).
    batch: std::cell::Cell<bool>,
    /// Full-text rows of the batch, written just before it commits: FTS5
    /// flushes its in-memory terms at every statement savepoint (each
    /// entity insert opens one, for the count triggers), so writing them
    /// between other statements would flush tiny segments and merge them
    /// over and over.
    fts_queue: std::cell::RefCell<Vec<(i64, String)>>,
    /// Changes to `entity_counts` not yet written (written at the end of
    /// each write transaction, or of the batch).
    counts: std::cell::RefCell<CountDeltas>,
    /// The current annotator: whose annotations, reviewed marks and tags
    /// are read and written ([`Store::set_annotator`]).
    annotator: std::cell::RefCell<String>,
    /// Whether the current annotator is in the `annotators` table yet
    /// (registered on its first write).
    registered: std::cell::Cell<bool>,
    /// Entity names' ids (`entity_names`), cached; see [`NameIds`].
    names: std::cell::RefCell<NameIds>,
    /// The text dictionaries of this database (see [`TextDict`]), oldest
    /// first; texts are compressed with the last.
    dicts: std::cell::RefCell<Vec<TextDict>>,
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |source| Error::Db {
        path: path.to_path_buf(),
        source,
    }
}

/// Turns text into the form indexed by FTS: each Han character and each
/// Latin/digit word becomes a token, so any substring of Han characters is a
/// phrase query.
pub fn fts_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_word = false;
    for c in text.chars() {
        if is_han(c) {
            out.push(' ');
            out.push(c);
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                out.push(' ');
            }
            out.extend(c.to_lowercase());
            in_word = true;
        } else if !in_word || !is_cjk_punct(c) {
            in_word = false;
        }
    }
    out
}

/// Builds an FTS5 query: every whitespace-separated term must occur as a phrase.
pub fn fts_query(query: &str) -> Option<String> {
    let terms: Vec<String> = query
        .split_whitespace()
        .map(|t| fts_tokens(t).trim().to_string())
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{}\"", t.replace('"', "")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

/// What the full-text index holds for an article: its title and text as
/// tokens ([`fts_tokens`]).
fn fts_body(title: Option<&str>, text: &str) -> String {
    let mut body = fts_tokens(title.unwrap_or(""));
    body.push_str(&fts_tokens(text));
    body
}

/// A phrase that every text containing `needle` also contains in the
/// full-text index: the longest run of Han characters of `needle` (each Han
/// character is one token, so a run is a phrase). `None` when `needle` has no
/// Han character (Latin words are whole tokens and may sit inside longer ones).
fn fts_prefilter(needle: &str) -> Option<String> {
    let mut best: &str = "";
    let mut start = None;
    for (i, c) in needle
        .char_indices()
        .chain(std::iter::once((needle.len(), ' ')))
    {
        match (is_han(c) && i < needle.len(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s > best.len() {
                    best = &needle[s..i];
                }
                start = None;
            }
            _ => {}
        }
    }
    (!best.is_empty()).then(|| format!("\"{}\"", fts_tokens(best).trim()))
}

/// Searches matching at most this many articles are ranked by bm25.
pub const RANK_ALL_UP_TO: i64 = 1000;

/// Marks an offset map stored as runs (an offset no file can have: files
/// are capped far below 4 GiB). Older rows hold one little-endian `u32` per
/// character and are still read.
const RUNS_MAGIC: [u8; 4] = [0xff; 4];

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

/// Encodes an offset map as runs of consecutive raw offsets: the map is
/// mostly the identity shifted, so a run is two varints (the jump from the
/// previous run's end, zigzag, and the length) instead of 4 bytes a character.
pub fn encode_map(map: &[usize]) -> Vec<u8> {
    let mut out = RUNS_MAGIC.to_vec();
    put_varint(&mut out, map.len() as u64);
    let mut i = 0;
    let mut prev_end: i64 = 0;
    while i < map.len() {
        let start = map[i];
        let mut len = 1;
        while i + len < map.len() && map[i + len] == start + len {
            len += 1;
        }
        let jump = start as i64 - prev_end;
        put_varint(&mut out, ((jump << 1) ^ (jump >> 63)) as u64);
        put_varint(&mut out, len as u64);
        prev_end = (start + len) as i64;
        i += len;
    }
    out
}

/// Decodes an offset map written by [`encode_map`], or an older one (a
/// little-endian `u32` per character).
pub fn decode_map(bytes: &[u8]) -> Vec<usize> {
    if let Some(rest) = bytes.strip_prefix(&RUNS_MAGIC[..]) {
        let mut pos = 0;
        let n = get_varint(rest, &mut pos).unwrap_or(0) as usize;
        let mut out = Vec::with_capacity(n.min(rest.len() * 64));
        let mut prev_end: i64 = 0;
        while out.len() < n {
            let (Some(z), Some(len)) = (get_varint(rest, &mut pos), get_varint(rest, &mut pos))
            else {
                break;
            };
            let jump = ((z >> 1) as i64) ^ -((z & 1) as i64);
            let start = (prev_end + jump).max(0) as usize;
            let take = (len as usize).min(n - out.len());
            out.extend(start..start + take);
            prev_end = (start as u64 + len) as i64;
        }
        out.truncate(n);
        return out;
    }
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect()
}

const SOURCES: [Source; 6] = [
    Source::Model,
    Source::Dictionary,
    Source::Gazetteer,
    Source::Rule,
    Source::Lexicon,
    Source::User,
];

/// Encodes an article's automatic entities as one blob: a table of the
/// labels used, then per entity (by start) the start (delta), the length,
/// the label's index, the source (its high bit set when the entity's text is
/// not simply the article's characters at its span, which are then stored),
/// and the confidence (`f32`). About 8 bytes an entity instead of a row and
/// two index entries.
pub fn encode_entities(text: &str, ents: &[Entity]) -> Vec<u8> {
    let mut ents: Vec<&Entity> = ents.iter().collect();
    ents.sort_by_key(|e| (e.start, e.end));
    let bounds = char_bounds(text);
    let mut labels: Vec<&str> = Vec::new();
    for e in &ents {
        if !labels.contains(&e.label.as_str()) {
            labels.push(e.label.as_str());
        }
    }
    let mut out = Vec::with_capacity(8 + ents.len() * 9);
    put_varint(&mut out, labels.len() as u64);
    for l in &labels {
        put_varint(&mut out, l.len() as u64);
        out.extend_from_slice(l.as_bytes());
    }
    put_varint(&mut out, ents.len() as u64);
    let mut prev = 0;
    for e in ents {
        put_varint(&mut out, (e.start - prev.min(e.start)) as u64);
        prev = e.start;
        put_varint(&mut out, e.end.saturating_sub(e.start) as u64);
        let li = labels
            .iter()
            .position(|l| *l == e.label.as_str())
            .unwrap_or(0);
        put_varint(&mut out, li as u64);
        let si = SOURCES.iter().position(|s| *s == e.source).unwrap_or(0) as u8;
        let implied = bounds
            .get(e.start)
            .zip(bounds.get(e.end))
            .is_some_and(|(&a, &b)| a <= b && text[a..b] == e.text);
        out.push(si | if implied { 0 } else { 0x80 });
        out.extend_from_slice(&e.confidence.to_le_bytes());
        if !implied {
            put_varint(&mut out, e.text.len() as u64);
            out.extend_from_slice(e.text.as_bytes());
        }
    }
    out
}

/// Byte offset of every character of `text`, and the length at the end.
fn char_bounds(text: &str) -> Vec<usize> {
    let mut b: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    b.push(text.len());
    b
}

/// Decodes [`encode_entities`]; a damaged blob yields the entities before
/// the damage.
pub fn decode_entities(text: &str, blob: &[u8]) -> Vec<Entity> {
    let bounds = char_bounds(text);
    let mut pos = 0;
    let mut out = Vec::new();
    let Some(n_labels) = get_varint(blob, &mut pos) else {
        return out;
    };
    let mut labels: Vec<EntityType> = Vec::new();
    for _ in 0..n_labels {
        let Some(len) = get_varint(blob, &mut pos) else {
            return out;
        };
        let Some(bytes) = blob.get(pos..pos + len as usize) else {
            return out;
        };
        pos += len as usize;
        let l = String::from_utf8_lossy(bytes).into_owned();
        labels.push(l.parse().unwrap_or(EntityType::Custom(l)));
    }
    let Some(n) = get_varint(blob, &mut pos) else {
        return out;
    };
    let mut start = 0usize;
    for _ in 0..n {
        let (Some(ds), Some(len), Some(li)) = (
            get_varint(blob, &mut pos),
            get_varint(blob, &mut pos),
            get_varint(blob, &mut pos),
        ) else {
            break;
        };
        let Some(&src) = blob.get(pos) else { break };
        let Some(conf) = blob.get(pos + 1..pos + 5) else {
            break;
        };
        pos += 5;
        start += ds as usize;
        let end = start + len as usize;
        let text = if src & 0x80 == 0 {
            match (bounds.get(start), bounds.get(end)) {
                (Some(&a), Some(&b)) if a <= b => text[a..b].to_string(),
                _ => String::new(),
            }
        } else {
            let Some(l) = get_varint(blob, &mut pos) else {
                break;
            };
            let Some(bytes) = blob.get(pos..pos + l as usize) else {
                break;
            };
            pos += l as usize;
            String::from_utf8_lossy(bytes).into_owned()
        };
        out.push(Entity {
            start,
            end,
            text,
            label: labels
                .get(li as usize)
                .cloned()
                .unwrap_or(EntityType::Custom("ENTITY".into())),
            source: SOURCES[(src & 0x7f) as usize % SOURCES.len()],
            confidence: f32::from_le_bytes([conf[0], conf[1], conf[2], conf[3]]),
        });
    }
    out
}

/// Adds (`sign` 1) or removes (-1) entities from pending count changes.
fn count_entities(counts: &std::cell::RefCell<CountDeltas>, ents: &[Entity], sign: i64) {
    let mut c = counts.borrow_mut();
    for e in ents {
        *c.entry((e.text.clone(), e.label.as_str().to_string()))
            .or_default() += sign;
    }
}

/// Pending changes to `entity_counts`, by (text, label).
type CountDeltas = HashMap<(String, String), i64>;

fn flush_counts(c: &Connection, deltas: CountDeltas) -> rusqlite::Result<()> {
    let mut up = c.prepare_cached(
        "INSERT INTO entity_counts(text, label, n) VALUES (?1, ?2, ?3) \
         ON CONFLICT(text, label) DO UPDATE SET n = n + excluded.n",
    )?;
    let mut gone =
        c.prepare_cached("DELETE FROM entity_counts WHERE text=?1 AND label=?2 AND n <= 0")?;
    for ((text, label), d) in deltas {
        if d != 0 {
            up.execute(params![text, label, d])?;
            if d < 0 {
                gone.execute(params![text, label])?;
            }
        }
    }
    Ok(())
}

/// A stable id for an article from its file path and position.
pub fn article_id(rel_path: &str, index: usize) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("{rel_path}\n{index}").as_bytes());
    h.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// A content hash (hex, 16 chars).
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

const ANN_COLS: &str = "id, article_id, kind, start, end, exact, prefix, suffix, label, color, note, replacement, orphan, annotator, by_merge, made_by";

fn row_to_annotation(r: &rusqlite::Row<'_>) -> rusqlite::Result<Annotation> {
    let label: Option<String> = r.get(8)?;
    Ok(Annotation {
        id: r.get(0)?,
        article_id: r.get(1)?,
        kind: AnnotationKind::parse(&r.get::<_, String>(2)?),
        start: r.get::<_, i64>(3)? as usize,
        end: r.get::<_, i64>(4)? as usize,
        quote: Quote {
            exact: r.get(5)?,
            prefix: r.get(6)?,
            suffix: r.get(7)?,
        },
        label: label.and_then(|l| l.parse().ok()),
        color: r.get(9)?,
        note: r.get(10)?,
        replacement: r.get(11)?,
        orphan: r.get::<_, i64>(12)? != 0,
        annotator: r.get(13)?,
        by_merge: r.get::<_, i64>(14)? != 0,
        made_by: r.get(15)?,
    })
}

fn row_to_entity(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entity> {
    let label: String = r.get(3)?;
    Ok(Entity {
        start: r.get::<_, i64>(0)? as usize,
        end: r.get::<_, i64>(1)? as usize,
        text: r.get(2)?,
        label: label.parse().unwrap_or(EntityType::Custom(label)),
        source: Source::parse(&r.get::<_, String>(4)?),
        confidence: r.get::<_, f64>(5)? as f32,
    })
}

const ART_COLS: &str = "a.id, f.path, a.idx, a.title, a.subtitle, a.date, a.source, a.byline, a.text, \
     a.body_start, a.offset_map, a.raw_start, a.raw_end, a.hash, \
     EXISTS (SELECT 1 FROM reviewed r WHERE r.article_id=a.id AND r.annotator=?2)";

fn row_to_article(r: &rusqlite::Row<'_>) -> rusqlite::Result<Article> {
    let byline: String = r.get(7)?;
    let map: Vec<u8> = r.get(10)?;
    Ok(Article {
        id: r.get(0)?,
        file: r.get(1)?,
        index: r.get::<_, i64>(2)? as usize,
        title: r.get(3)?,
        subtitle: r.get(4)?,
        date: r.get(5)?,
        source: r.get(6)?,
        byline: serde_json::from_str(&byline).unwrap_or_default(),
        text: r.get::<_, Txt>(8)?.0,
        body_start: r.get::<_, i64>(9)? as usize,
        offset_map: decode_map(&map),
        raw_range: (r.get::<_, i64>(11)? as usize, r.get::<_, i64>(12)? as usize),
        hash: r.get(13)?,
        reviewed: r.get::<_, i64>(14)? != 0,
    })
}

/// A file's freshly parsed articles with their entities, ready to store.
/// Build it with [`IndexedFile::new`] (on a worker thread: it also prepares
/// what the store writes, so the writing thread only writes).
#[derive(Debug, Clone)]
pub struct IndexedFile {
    /// Path relative to the archive.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time.
    pub mtime: i64,
    /// Content hash of the bytes.
    pub hash: String,
    /// Detected encoding.
    pub encoding: String,
    /// Articles with their automatic entities.
    pub articles: Vec<(ParsedArticle, Vec<Entity>)>,
    prepared: Vec<Prepared>,
    /// The dictionary the texts were compressed with, if any.
    dict: Option<TextDict>,
}

/// What is written for one article, computed off the writing thread.
#[derive(Debug, Clone)]
struct Prepared {
    id: String,
    hash: String,
    byline: String,
    map: Vec<u8>,
    ents: Vec<u8>,
    head: String,
    text: rusqlite::types::Value,
    day: Option<i64>,
    src: i64,
    fts: String,
    roles: Vec<crate::extract::relations::Role>,
}

impl IndexedFile {
    /// A parsed file with its articles and their entities; prepares the
    /// article ids, hashes, offset maps, full-text tokens and person roles.
    pub fn new(
        rel: String,
        size: u64,
        mtime: i64,
        hash: String,
        encoding: String,
        articles: Vec<(ParsedArticle, Vec<Entity>)>,
    ) -> IndexedFile {
        IndexedFile::with_dict(rel, size, mtime, hash, encoding, articles, None)
    }

    /// [`IndexedFile::new`], compressing the texts with the database's
    /// dictionary ([`Store::text_dict`]) when there is one.
    pub fn with_dict(
        rel: String,
        size: u64,
        mtime: i64,
        hash: String,
        encoding: String,
        articles: Vec<(ParsedArticle, Vec<Entity>)>,
        dict: Option<TextDict>,
    ) -> IndexedFile {
        let prepared = articles
            .iter()
            .map(|(a, ents)| {
                (
                    a,
                    ents,
                    crate::insights::date_code(crate::insights::resolve_date(
                        a.date.as_deref(),
                        &a.text,
                        &rel,
                    )),
                )
            })
            .map(|(a, ents, (day, src))| Prepared {
                id: article_id(&rel, a.index),
                hash: content_hash(a.text.as_bytes()),
                byline: serde_json::to_string(&a.byline).unwrap_or_else(|_| "[]".into()),
                map: encode_map(&a.map),
                ents: encode_entities(&a.text, ents),
                head: a.text.chars().take(40).collect(),
                text: match dict.and_then(|d| d.encode(&a.text)) {
                    Some(z) => rusqlite::types::Value::Blob(z),
                    None => encode_text(&a.text),
                },
                day,
                src,
                fts: fts_body(a.title.as_deref(), &a.text),
                roles: crate::extract::relations::person_roles(&a.text, ents),
            })
            .collect();
        IndexedFile {
            rel,
            size,
            mtime,
            hash,
            encoding,
            articles,
            prepared,
            dict,
        }
    }

    /// The articles' cleaned texts (samples to train a dictionary from).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.articles.iter().map(|(a, _)| a.text.as_str())
    }

    /// Ids of the articles, in order.
    pub fn article_ids(&self) -> impl Iterator<Item = &str> {
        self.prepared.iter().map(|p| p.id.as_str())
    }

    /// Whether the texts were compressed with a dictionary.
    pub fn has_dict(&self) -> bool {
        self.dict.is_some()
    }
}

/// How a database is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Read and write; creates and migrates the file.
    ReadWrite,
    /// Read only: nothing is written (no migration, no journal change); for
    /// a database in a folder the user cannot write to.
    ReadOnly,
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Retries `f` while SQLite reports the database busy or locked (another
/// process is creating or migrating it), for up to ten seconds.
fn retry_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match f() {
            Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            r => return r,
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    ///
    /// Safe when several processes open the same new file at once: the
    /// migration takes the write lock first (`BEGIN IMMEDIATE`, waiting up
    /// to the busy timeout) and then re-reads the schema version.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, OpenMode::ReadWrite)
    }

    /// Opens an existing database without writing to it. Fails if the file
    /// does not exist or needs a migration (a read-only file cannot be
    /// migrated: open it read-write once with this version of Pizhu).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Store::open_with(path, OpenMode::ReadOnly)
    }

    /// Opens the database at `path` in `mode`, working as annotator `who`
    /// (a thread's own connection reads and writes as the one shown).
    pub fn open_as(path: &Path, mode: OpenMode, who: &str) -> Result<Store> {
        let store = Store::open_with(path, mode)?;
        store.set_annotator(who)?;
        Ok(store)
    }

    /// Opens the database at `path` in `mode`.
    pub fn open_with(path: &Path, mode: OpenMode) -> Result<Store> {
        use rusqlite::OpenFlags;
        if mode == OpenMode::ReadOnly {
            if !path.is_file() {
                return Err(Error::NotFound(format!(
                    "no database at {} (it is created by indexing, which needs a writable folder)",
                    path.display()
                )));
            }
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(path, flags).map_err(db_err(path))?;
            let mut store = Store {
                conn,
                path: path.to_path_buf(),
                batch: Default::default(),
                fts_queue: Default::default(),
                counts: Default::default(),
                annotator: std::cell::RefCell::new(crate::teams::MIGRATED_ANNOTATOR.into()),
                registered: Default::default(),
                names: Default::default(),
                dicts: Default::default(),
            };
            // A WAL database in a read-only folder cannot create its shared
            // memory file; SQLite then reads it as immutable, which is right
            // for a folder nobody can write to.
            if store.user_version().is_err() {
                let uri = format!(
                    "file:{}?immutable=1",
                    path.to_string_lossy()
                        .replace('?', "%3f")
                        .replace('#', "%23")
                );
                let conn = Connection::open_with_flags(&uri, flags | OpenFlags::SQLITE_OPEN_URI)
                    .map_err(db_err(path))?;
                store.conn = conn;
            }
            store
                .conn
                .busy_timeout(std::time::Duration::from_secs(5))
                .map_err(store.err())?;
            let found = store.user_version()?;
            let known = schema_version();
            if found > known {
                return Err(Error::NewerSchema {
                    path: path.to_path_buf(),
                    found,
                    known,
                });
            }
            if found < known {
                return Err(Error::Invalid(format!(
                    "database {} is read-only and has schema version {found}; this Pizhu needs {known}: \
                     open it once where it can be written to upgrade it",
                    path.display()
                )));
            }
            store
                .annotator
                .replace(crate::teams::default_annotator(&store)?);
            store.load_text_dicts();
            return Ok(store);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let conn = Connection::open(path).map_err(db_err(path))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            batch: Default::default(),
            fts_queue: Default::default(),
            counts: Default::default(),
            annotator: std::cell::RefCell::new(crate::teams::MIGRATED_ANNOTATOR.into()),
            registered: Default::default(),
            names: Default::default(),
            dicts: Default::default(),
        };
        store.configure()?;
        store.migrate()?;
        store
            .annotator
            .replace(crate::teams::default_annotator(&store)?);
        store.load_text_dicts();
        Ok(store)
    }

    /// Loads this database's text dictionaries (and remembers the file, so
    /// that a dictionary another process adds later is found when a text
    /// names it).
    fn load_text_dicts(&self) {
        if let Ok(abs) = std::path::absolute(&self.path) {
            dict::note_database(&abs);
        }
        *self.dicts.borrow_mut() = dict::load_from(&self.conn)
            .into_iter()
            .map(|(_, e)| TextDict::new(e))
            .collect();
    }

    /// The dictionary new texts are compressed with, if the database has
    /// one (an index run trains it from its first texts).
    pub fn text_dict(&self) -> Option<TextDict> {
        self.dicts.borrow().last().copied()
    }

    /// Stores a trained text dictionary (in the current transaction or
    /// batch) and makes it the one new texts are compressed with.
    pub fn add_text_dict(&self, bytes: &[u8]) -> Result<TextDict> {
        let entry =
            dict::register(bytes).ok_or_else(|| Error::Invalid("not a zstd dictionary".into()))?;
        let d = TextDict::new(entry);
        self.write(|c| {
            c.execute(
                "INSERT INTO text_dicts(id, dict) VALUES (?1, ?2)",
                params![d.id() as i64, bytes],
            )
        })?;
        self.dicts.borrow_mut().push(d);
        Ok(d)
    }

    /// Whether `d` is one of this database's dictionaries.
    fn has_text_dict(&self, d: &TextDict) -> bool {
        self.dicts.borrow().iter().any(|x| x.same(d))
    }

    /// Compresses again, with `d`, the texts of these articles that are not
    /// compressed with a dictionary yet (texts an index run stored before
    /// it had trained its dictionary). Returns how many changed.
    pub fn recompress_texts(&self, ids: &[String], d: TextDict) -> Result<usize> {
        if !self.has_text_dict(&d) {
            return Err(Error::Invalid(format!(
                "dictionary {} is not in database {}",
                d.id(),
                self.path.display()
            )));
        }
        self.write(|c| {
            let mut read = c.prepare_cached("SELECT rid, text FROM articles WHERE id=?1")?;
            let mut write = c.prepare_cached("UPDATE articles SET text=?2 WHERE rid=?1")?;
            let mut n = 0;
            for id in ids {
                let row = read
                    .query_row([id], |r| {
                        let named = matches!(r.get_ref(1)?, rusqlite::types::ValueRef::Blob(b)
                            if zstd::zstd_safe::get_dict_id_from_frame(b).is_some());
                        Ok(if named {
                            None
                        } else {
                            Some((r.get::<_, i64>(0)?, r.get::<_, Txt>(1)?.0))
                        })
                    })
                    .optional()?
                    .flatten();
                let Some((rid, text)) = row else {
                    continue;
                };
                if let Some(z) = d.encode(&text) {
                    write.execute(params![rid, z])?;
                    n += 1;
                }
            }
            Ok(n)
        })
    }

    /// Whether this connection was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false)
    }

    fn configure(&self) -> Result<()> {
        self.conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(db_err(&self.path))?;
        // Larger pages for a new file: an article (text, offset map and
        // entities, about 3.5 KB) would fill most of a 4 KiB page alone, or
        // spill into a mostly empty overflow page. Ignored for an existing file.
        self.conn
            .execute_batch("PRAGMA page_size=16384")
            .map_err(db_err(&self.path))?;
        // Switching a new file to WAL takes an exclusive lock that the busy
        // handler does not wait for; retry while another process holds it.
        retry_busy(|| {
            self.conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
        })
        .map_err(db_err(&self.path))?;
        self.conn
            // Savepoint journals in memory: a savepoint per file inside a
            // batch otherwise writes every page it first touches to a temp
            // file, in small writes.
            .execute_batch(
                "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;",
            )
            .map_err(db_err(&self.path))
    }

    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let version = |c: &Connection| c.query_row("PRAGMA user_version", [], |r| r.get(0));
        let found: i64 = version(&self.conn).map_err(db_err(&path))?;
        let known = schema_version();
        if found > known {
            return Err(Error::NewerSchema { path, found, known });
        }
        if found == known {
            return Ok(());
        }
        // Tables are rebuilt: foreign keys are off during the migration
        // (the pragma is a no-op inside a transaction) and checked before
        // it commits.
        self.conn
            .execute_batch("PRAGMA foreign_keys=OFF")
            .map_err(db_err(&path))?;
        let result = self.migrate_locked(known);
        let on = self.conn.execute_batch("PRAGMA foreign_keys=ON");
        result?;
        on.map_err(db_err(&path))?;
        // Migrations 3 and 4 drop the copies of the sources and compress
        // the text: give the space back (best effort: another process may hold the
        // file open, then it is left for later).
        if found > 0 && found < 4 {
            let _ = self
                .conn
                .execute_batch("PRAGMA journal_mode=DELETE; PRAGMA page_size=16384; VACUUM;");
            let _ = retry_busy(|| {
                self.conn
                    .query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
            });
        }
        Ok(())
    }

    fn migrate_locked(&self, known: i64) -> Result<()> {
        let path = self.path.clone();
        let version = |c: &Connection| c.query_row("PRAGMA user_version", [], |r| r.get(0));
        // Take the write lock before reading the version again: another
        // process may have migrated the file in the meantime.
        let tx = retry_busy(|| {
            rusqlite::Transaction::new_unchecked(
                &self.conn,
                rusqlite::TransactionBehavior::Immediate,
            )
        })
        .map_err(db_err(&path))?;
        let found: i64 = version(&tx).map_err(db_err(&path))?;
        if found > known {
            return Err(Error::NewerSchema { path, found, known });
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(m).map_err(db_err(&path))?;
            migrate_data(&tx, i + 1).map_err(db_err(&path))?;
        }
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .map_err(db_err(&path))?;
        if let Some(table) = broken {
            return Err(Error::Invalid(format!(
                "database {}: migration left a broken reference in {table}; nothing was changed",
                path.display()
            )));
        }
        tx.pragma_update(None, "user_version", known)
            .map_err(db_err(&path))?;
        tx.commit().map_err(db_err(&path))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        db_err(&self.path)
    }

    /// Runs `f` atomically: all of its writes commit together, or none do if
    /// it fails. Outside a transaction it is one `BEGIN IMMEDIATE`
    /// transaction (the write lock is taken first, waiting up to the busy
    /// timeout, so two writers queue instead of failing); inside one, a
    /// savepoint.
    pub fn atomically<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let outer = self.conn.is_autocommit();
        let (begin, commit, rollback) = if outer {
            ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
        } else {
            (
                "SAVEPOINT pizhu_edit",
                "RELEASE pizhu_edit",
                "ROLLBACK TO pizhu_edit; RELEASE pizhu_edit",
            )
        };
        retry_busy(|| self.conn.execute_batch(begin)).map_err(self.err())?;
        if outer {
            self.names.borrow_mut().forget_pending();
        }
        match f(self) {
            Ok(v) => match self.conn.execute_batch(commit) {
                Ok(()) => {
                    if outer {
                        self.names.borrow_mut().committed();
                    }
                    Ok(v)
                }
                Err(e) => {
                    let _ = self.conn.execute_batch(rollback);
                    self.names.borrow_mut().forget_pending();
                    Err(self.err()(e))
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch(rollback);
                self.names.borrow_mut().forget_pending();
                Err(e)
            }
        }
    }

    /// Starts a batch: the files stored until [`Store::commit_batch`] are
    /// committed together, all or nothing (a failure inside the batch is
    /// returned and the caller calls [`Store::rollback_batch`]). A crash
    /// loses the uncommitted batch only; the next index run reads those
    /// files again, since their stored state did not change.
    pub fn begin_batch(&self) -> Result<()> {
        if self.conn.is_autocommit() {
            retry_busy(|| self.conn.execute_batch("BEGIN IMMEDIATE")).map_err(self.err())?;
            self.names.borrow_mut().forget_pending();
            self.batch.set(true);
        }
        Ok(())
    }

    /// Commits the batch started by [`Store::begin_batch`].
    pub fn commit_batch(&self) -> Result<()> {
        if self.batch.get() {
            let rows = std::mem::take(&mut *self.fts_queue.borrow_mut());
            let counts = std::mem::take(&mut *self.counts.borrow_mut());
            if let Err(e) =
                write_fts(&self.conn, &rows).and_then(|()| flush_counts(&self.conn, counts))
            {
                self.rollback_batch();
                return Err(self.err()(e));
            }
            self.batch.set(false);
            if let Err(e) = self.conn.execute_batch("COMMIT") {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.names.borrow_mut().forget_pending();
                return Err(self.err()(e));
            }
            self.names.borrow_mut().committed();
        }
        Ok(())
    }

    /// Abandons the batch started by [`Store::begin_batch`].
    pub fn rollback_batch(&self) {
        self.fts_queue.borrow_mut().clear();
        self.counts.borrow_mut().clear();
        if self.batch.replace(false) {
            let _ = self.conn.execute_batch("ROLLBACK");
            // A dictionary added in the batch is gone with it.
            self.load_text_dicts();
        }
        self.names.borrow_mut().forget_pending();
    }

    /// Runs `f` on the connection as one transaction, or straight inside
    /// the current batch.
    fn write<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        if self.batch.get() {
            return f(&self.conn).map_err(self.err());
        }
        let r = self.atomically(|s| {
            let v = f(&s.conn).map_err(s.err())?;
            s.flush_counts()?;
            Ok(v)
        });
        if r.is_err() {
            self.counts.borrow_mut().clear();
        }
        r
    }

    /// Writes the pending entity-count changes (in the current transaction).
    fn flush_counts(&self) -> Result<()> {
        let counts = std::mem::take(&mut *self.counts.borrow_mut());
        flush_counts(&self.conn, counts).map_err(self.err())
    }

    /// The schema version of the open file.
    pub fn user_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.err())
    }

    /// A value from the meta table.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key=?1", [key], |r| r.get(0))
            .optional()
            .map_err(self.err())
    }

    /// Sets a value in the meta table.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO meta(key,value) VALUES(?1,?2) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Switches durability for bulk indexing (`false`) or user edits
    /// (`true`). Bulk mode is `synchronous=NORMAL` (in WAL mode a power cut
    /// may lose the last commits, never corrupt the file; a process crash
    /// loses nothing committed) with a larger page cache.
    pub fn set_bulk_mode(&self, bulk: bool) -> Result<()> {
        let (mode, cache, checkpoint) = if bulk {
            ("NORMAL", -256_000, 16_384)
        } else {
            ("FULL", -2_000, 1_000)
        };
        self.conn
            .pragma_update(None, "synchronous", mode)
            .map_err(self.err())?;
        // Checkpoint every 64 MiB of log instead of 4 MiB during bulk work:
        // a page changed by several batches is copied to the file once.
        self.conn
            .query_row(
                &format!("PRAGMA wal_autocheckpoint={checkpoint}"),
                [],
                |_| Ok(()),
            )
            .map_err(self.err())?;
        // The full-text index keeps up to 32 MB of new terms in memory
        // before it writes a segment (FTS5's default is 1 MB), so a batch of
        // thousands of articles makes one segment instead of dozens; and it
        // merges segments only once 16 of a level exist (default 4), so an
        // index run writes its terms about once instead of rewriting them at
        // every level. Settings stored in the table, written once; small
        // transactions flush at their commit anyway, and a search over a few
        // dozen segments stays well under a millisecond more.
        if bulk && !self.is_read_only() {
            for (key, value) in [
                ("hashsize", 32i64 << 20),
                ("automerge", 0),
                ("crisismerge", 64),
            ] {
                let current: Option<i64> = self
                    .conn
                    .query_row("SELECT v FROM articles_fts_config WHERE k=?1", [key], |r| {
                        r.get(0)
                    })
                    .optional()
                    .unwrap_or(None);
                if current != Some(value) {
                    self.conn
                        .execute(
                            "INSERT INTO articles_fts(articles_fts, rank) VALUES (?1, ?2)",
                            params![key, value],
                        )
                        .map_err(self.err())?;
                }
            }
        }
        self.conn
            .pragma_update(None, "cache_size", cache)
            .map_err(self.err())
    }

    /// Bytes used per table and index (largest first), from SQLite's
    /// `dbstat` table when the build has it.
    pub fn table_sizes(&self) -> Result<Vec<(String, u64)>> {
        let mut st = self
            .conn
            .prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    // ---- files -------------------------------------------------------------

    /// Every known file with its last indexed state.
    pub fn file_states(&self) -> Result<HashMap<String, FileState>> {
        let mut st = self
            .conn
            .prepare("SELECT path, size, mtime, hash, error FROM files")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    FileState {
                        size: r.get::<_, i64>(1)? as u64,
                        mtime: r.get(2)?,
                        hash: r.get(3)?,
                        error: r.get(4)?,
                    },
                ))
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Number of files known (indexed or skipped).
    pub fn file_count(&self) -> Result<usize> {
        self.conn
            .query_row("SELECT count(*) FROM files", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(self.err())
    }

    /// Files that were skipped, with their reasons.
    pub fn skipped_files(&self) -> Result<Vec<(String, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT path, error FROM files WHERE error IS NOT NULL ORDER BY path")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Records that a file's content is unchanged although its mtime moved.
    pub fn touch_file(&self, rel: &str, size: u64, mtime: i64) -> Result<()> {
        self.conn
            .execute(
                "UPDATE files SET size=?2, mtime=?3 WHERE path=?1",
                params![rel, size as i64, mtime],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Records a file that could not be indexed; its articles are removed and
    /// their annotations kept as orphans.
    pub fn record_skipped(
        &mut self,
        rel: &str,
        size: u64,
        mtime: i64,
        reason: &str,
    ) -> Result<AnchorReport> {
        let file = FileRow {
            rel,
            size,
            mtime,
            hash: None,
            encoding: None,
            error: Some(reason),
        };
        self.write(|c| replace_file_tx(c, &file, &[], &[], None, &self.counts, &self.names))
    }

    /// Stores a freshly parsed file, replacing its old articles and entities
    /// and re-anchoring the annotations that pointed into them.
    pub fn store_file(&mut self, f: &IndexedFile) -> Result<AnchorReport> {
        // Texts compressed with another database's dictionary would be
        // unreadable here: compress them plainly.
        if f.dict.is_some_and(|d| !self.has_text_dict(&d)) {
            let mut plain = f.clone();
            plain.dict = None;
            for ((a, _), p) in plain.articles.iter().zip(plain.prepared.iter_mut()) {
                p.text = encode_text(&a.text);
            }
            return self.store_file(&plain);
        }
        let file = FileRow {
            rel: &f.rel,
            size: f.size,
            mtime: f.mtime,
            hash: Some(&f.hash),
            encoding: Some(&f.encoding),
            error: None,
        };
        let queue = self.batch.get().then_some(&self.fts_queue);
        self.write(|c| {
            replace_file_tx(
                c,
                &file,
                &f.articles,
                &f.prepared,
                queue,
                &self.counts,
                &self.names,
            )
        })
    }

    /// Removes a file that is gone from the archive; annotations become
    /// orphans (reviewed marks and tags stay, keyed by article id).
    pub fn remove_file(&mut self, rel: &str) -> Result<AnchorReport> {
        let file = FileRow {
            rel,
            size: 0,
            mtime: 0,
            hash: None,
            encoding: None,
            error: Some("removed"),
        };
        self.write(|c| {
            let report = replace_file_tx(c, &file, &[], &[], None, &self.counts, &self.names)?;
            c.execute("DELETE FROM files WHERE path=?1", [rel])?;
            Ok(report)
        })
    }

    /// The archive folder the database indexes: the folder holding its
    /// `.pizhu` data folder, else the one recorded by the last index run.
    pub fn archive_root(&self) -> Result<Option<PathBuf>> {
        if let Some(dir) = self.path.parent()
            && dir
                .file_name()
                .is_some_and(|n| n == crate::archive::DATA_DIR)
            && let Some(root) = dir.parent()
        {
            let root = if root.as_os_str().is_empty() {
                Path::new(".")
            } else {
                root
            };
            return Ok(Some(root.to_path_buf()));
        }
        Ok(self.meta("archive_root")?.map(PathBuf::from))
    }

    /// The decoded text of a file (for the raw view), read from the archive:
    /// the store keeps no copy of the sources. `None` when the file is not
    /// indexed, cannot be read, or changed since it was indexed (its hash
    /// differs: the offset maps would point at the wrong characters).
    pub fn raw_text(&self, rel: &str) -> Result<Option<String>> {
        let hash: Option<String> = self
            .conn
            .query_row("SELECT hash FROM files WHERE path=?1", [rel], |r| r.get(0))
            .optional()
            .map_err(self.err())?
            .flatten();
        let (Some(hash), Some(root)) = (hash, self.archive_root()?) else {
            return Ok(None);
        };
        let path = root.join(rel);
        let Ok((bytes, decoded)) =
            crate::archive::read_file(&path, crate::archive::DEFAULT_MAX_FILE_BYTES)
        else {
            return Ok(None);
        };
        Ok((content_hash(&bytes) == hash).then_some(decoded.text))
    }

    /// The encoding detected for a file.
    pub fn file_encoding(&self, rel: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT encoding FROM files WHERE path=?1", [rel], |r| {
                r.get(0)
            })
            .optional()
            .map(Option::flatten)
            .map_err(self.err())
    }

    /// The folders' modification times (nanoseconds) recorded by the last
    /// complete index run, by path relative to the archive (`""` is the root).
    pub fn dir_states(&self) -> Result<HashMap<String, i64>> {
        let mut st = self
            .conn
            .prepare("SELECT path, mtime FROM dirs")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Replaces the recorded folder modification times.
    pub fn set_dir_states(&self, dirs: &[(String, i64)]) -> Result<()> {
        self.write(|c| {
            c.execute("DELETE FROM dirs", [])?;
            let mut st = c.prepare("INSERT OR REPLACE INTO dirs(path, mtime) VALUES (?1, ?2)")?;
            for (p, m) in dirs {
                st.execute(params![p, m])?;
            }
            Ok(())
        })
    }

    // ---- pending work ------------------------------------------------------

    /// Records work to finish later (in the caller's transaction, so it
    /// commits with the change that needs it): `kind` `reextract` with the
    /// text whose articles must be re-extracted.
    pub fn add_pending(&self, kind: &str, arg: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO pending(kind, arg) VALUES (?1, ?2)",
                params![kind, arg],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Recorded work not yet done: (id, kind, argument), oldest first.
    pub fn pending(&self) -> Result<Vec<(i64, String, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT id, kind, arg FROM pending ORDER BY id")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Marks recorded work done.
    pub fn finish_pending(&self, id: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM pending WHERE id=?1", [id])
            .map(|_| ())
            .map_err(self.err())
    }

    // ---- articles ----------------------------------------------------------

    /// Number of articles.
    pub fn article_count(&self) -> Result<usize> {
        self.conn
            .query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(self.err())
    }

    /// Every article, in file and position order, with counts.
    pub fn articles(&self) -> Result<Vec<ArticleSummary>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT a.id, f.path, a.idx, a.title, a.head, a.date, a.source, \
                 a.n_entities, \
                 (SELECT count(*) FROM annotations n WHERE n.article_id=a.id AND n.orphan=0 \
                  AND n.annotator=?1), \
                 EXISTS (SELECT 1 FROM reviewed r WHERE r.article_id=a.id AND r.annotator=?1) \
                 FROM articles a JOIN files f ON f.id=a.file_id ORDER BY f.path, a.idx",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([self.annotator()], |r| {
                let title: Option<String> = r.get(3)?;
                let head: String = r.get(4)?;
                Ok(ArticleSummary {
                    id: r.get(0)?,
                    file: r.get(1)?,
                    index: r.get::<_, i64>(2)? as usize,
                    title: display_title(title.as_deref(), &head),
                    date: r.get(5)?,
                    source: r.get(6)?,
                    entities: r.get::<_, i64>(7)? as usize,
                    annotations: r.get::<_, i64>(8)? as usize,
                    reviewed: r.get::<_, i64>(9)? != 0,
                })
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// One article by id.
    pub fn article(&self, id: &str) -> Result<Article> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {ART_COLS} FROM articles a JOIN files f ON f.id=a.file_id WHERE a.id=?1"
                ),
                params![id, self.annotator()],
                row_to_article,
            )
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| Error::NotFound(format!("no article with id {id}")))
    }

    /// Ids of all articles (in order).
    pub fn article_ids(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT a.id FROM articles a JOIN files f ON f.id=a.file_id ORDER BY f.path, a.idx",
            )
            .map_err(self.err())?;
        let rows = st.query_map([], |r| r.get(0)).map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Ids of articles whose text contains `needle` (all when empty), in
    /// storage order. The full-text index narrows the candidates when the
    /// needle has Han characters; each candidate's text is then checked.
    pub fn article_ids_containing(&self, needle: &str) -> Result<Vec<String>> {
        Ok(self
            .articles_containing(needle)?
            .into_iter()
            .map(|(_, id)| id)
            .collect())
    }

    /// (rid, id) of the articles whose text contains `needle`.
    fn articles_containing(&self, needle: &str) -> Result<Vec<(i64, String)>> {
        let (sql, arg) = match fts_prefilter(needle) {
            Some(q) => (
                "SELECT a.rid, a.id, a.text FROM articles a WHERE a.rid IN \
                 (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1) \
                 ORDER BY a.rid",
                q,
            ),
            None => (
                "SELECT rid, id, text FROM articles WHERE ?1 = ?1 ORDER BY rid",
                String::new(),
            ),
        };
        // The texts are compressed: the check is done here, not in SQL.
        let mut st = self.conn.prepare_cached(sql).map_err(self.err())?;
        let rows = st
            .query_map(params![arg], |r| {
                let text = r.get::<_, Txt>(2)?.0;
                Ok((r.get(0)?, r.get(1)?, text.contains(needle)))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (rid, id, hit): (i64, String, bool) = row.map_err(self.err())?;
            if hit {
                out.push((rid, id));
            }
        }
        Ok(out)
    }

    /// Number of articles matching a search query (full-text index only).
    pub fn count_matching(&self, query: &str) -> Result<usize> {
        let Some(q) = fts_query(query) else {
            return Ok(0);
        };
        self.conn
            .prepare_cached("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?1")
            .and_then(|mut st| st.query_row([q], |r| r.get::<_, i64>(0)))
            .map(|n| n as usize)
            .map_err(self.err())
    }

    /// The id of an article whose cleaned text is exactly `text`, found by
    /// its content hash (an index), not by reading every article.
    pub fn article_id_by_text(&self, text: &str) -> Result<Option<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id, text FROM articles WHERE hash=?1 ORDER BY rid")
            .map_err(self.err())?;
        let rows = st
            .query_map([content_hash(text.as_bytes())], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Txt>(1)?.0))
            })
            .map_err(self.err())?;
        for row in rows {
            let (id, t) = row.map_err(self.err())?;
            if t == text {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Whether an article with this id is stored.
    pub fn has_article(&self, id: &str) -> Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM articles WHERE id=?1", [id], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(self.err())
    }

    /// Marks an article reviewed (or not). The mark is kept by article id,
    /// like annotations: indexing never deletes it, so an article whose file
    /// disappears for a while gets it back when the file returns.
    pub fn set_reviewed(&self, id: &str, reviewed: bool) -> Result<()> {
        if !self.has_article(id)? {
            return Err(Error::NotFound(format!("no article with id {id}")));
        }
        // Removed by hand: a re-run of merge must not mark it again.
        self.set_dismissed(id, DISMISSED_REVIEWED, "", !reviewed)?;
        let sql = if reviewed {
            self.register()?;
            // A mark set by hand is hand-made, even over one merge set.
            "INSERT INTO reviewed(annotator, article_id, by_merge) VALUES (?2, ?1, 0) \
             ON CONFLICT DO UPDATE SET by_merge=0"
        } else {
            "DELETE FROM reviewed WHERE article_id=?1 AND annotator=?2"
        };
        self.conn
            .execute(sql, params![id, self.annotator()])
            .map(|_| ())
            .map_err(self.err())
    }

    /// Records that the current annotator took `key` of `kind`
    /// (`reviewed`, `highlight`, `tag`) away from an article by hand, so
    /// that `pizhu merge` does not bring it back ([`Store::is_dismissed`]);
    /// `dismissed: false` forgets it again (put back by hand or by undo).
    pub fn set_dismissed(
        &self,
        article_id: &str,
        kind: &str,
        key: &str,
        dismissed: bool,
    ) -> Result<()> {
        let sql = if dismissed {
            "INSERT OR IGNORE INTO merge_dismissed(annotator, article_id, kind, key) VALUES (?1,?2,?3,?4)"
        } else {
            "DELETE FROM merge_dismissed WHERE annotator=?1 AND article_id=?2 AND kind=?3 AND key=?4"
        };
        self.conn
            .execute(sql, params![self.annotator(), article_id, kind, key])
            .map(|_| ())
            .map_err(self.err())
    }

    /// The regions (start, end) of an article the last `pizhu merge` into
    /// the current annotator's set left out as conflicts, sorted.
    pub fn merge_conflicts(&self, article_id: &str) -> Result<Vec<(usize, usize)>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT start, end FROM merge_conflicts WHERE annotator=?1 AND article_id=?2 \
                 ORDER BY start, end",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![self.annotator(), article_id], |r| {
                Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Replaces the left-out regions of an article in the current
    /// annotator's set (`pizhu merge`).
    pub fn set_merge_conflicts(&self, article_id: &str, regions: &[(usize, usize)]) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM merge_conflicts WHERE annotator=?1 AND article_id=?2",
                params![self.annotator(), article_id],
            )
            .map_err(self.err())?;
        for &(s, e) in regions {
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO merge_conflicts(annotator, article_id, start, end) \
                     VALUES (?1,?2,?3,?4)",
                    params![self.annotator(), article_id, s as i64, e as i64],
                )
                .map_err(self.err())?;
        }
        Ok(())
    }

    /// Removes the left-out regions of an article that overlap
    /// `start..end` (a side was taken there); returns them (for undo).
    pub fn settle_merge_conflicts(
        &self,
        article_id: &str,
        start: usize,
        end: usize,
    ) -> Result<Vec<(usize, usize)>> {
        let gone: Vec<(usize, usize)> = self
            .merge_conflicts(article_id)?
            .into_iter()
            .filter(|&(s, e)| s < end && start < e)
            .collect();
        for &(s, e) in &gone {
            self.conn
                .execute(
                    "DELETE FROM merge_conflicts WHERE annotator=?1 AND article_id=?2 AND start=?3 AND end=?4",
                    params![self.annotator(), article_id, s as i64, e as i64],
                )
                .map_err(self.err())?;
        }
        Ok(gone)
    }

    /// Puts left-out regions back (undo of [`Store::settle_merge_conflicts`]).
    pub fn restore_merge_conflicts(
        &self,
        article_id: &str,
        regions: &[(usize, usize)],
    ) -> Result<()> {
        for &(s, e) in regions {
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO merge_conflicts(annotator, article_id, start, end) \
                     VALUES (?1,?2,?3,?4)",
                    params![self.annotator(), article_id, s as i64, e as i64],
                )
                .map_err(self.err())?;
        }
        Ok(())
    }

    /// Whether the current annotator took `key` of `kind` away from an
    /// article by hand ([`Store::set_dismissed`]).
    pub fn is_dismissed(&self, article_id: &str, kind: &str, key: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT 1 FROM merge_dismissed WHERE annotator=?1 AND article_id=?2 AND kind=?3 AND key=?4",
                params![self.annotator(), article_id, kind, key],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(self.err())
    }

    /// The current annotator's reviewed mark of an article: `None`, or
    /// `Some(by_merge)` (set by `pizhu merge`, or by hand).
    pub fn reviewed_mark(&self, id: &str) -> Result<Option<bool>> {
        self.conn
            .query_row(
                "SELECT by_merge FROM reviewed WHERE article_id=?1 AND annotator=?2",
                params![id, self.annotator()],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|o| o.map(|v| v != 0))
            .map_err(self.err())
    }

    /// Sets or removes a reviewed mark of `pizhu merge`'s (never one made
    /// by hand: setting keeps a hand mark as it is, removing removes only
    /// a merge's mark).
    pub fn set_reviewed_by_merge(&self, id: &str, reviewed: bool) -> Result<()> {
        let sql = if reviewed {
            self.register()?;
            "INSERT OR IGNORE INTO reviewed(annotator, article_id, by_merge) VALUES (?2, ?1, 1)"
        } else {
            "DELETE FROM reviewed WHERE article_id=?1 AND annotator=?2 AND by_merge=1"
        };
        self.conn
            .execute(sql, params![id, self.annotator()])
            .map(|_| ())
            .map_err(self.err())
    }

    // ---- annotators (see `crate::teams`) -------------------------------------

    /// The current annotator: every annotation, reviewed mark and tag read
    /// or written through this store is theirs (the lexicon is shared;
    /// each entry records who made it).
    pub fn annotator(&self) -> String {
        self.annotator.borrow().clone()
    }

    /// Makes `name` the current annotator of this connection (nothing is
    /// written: the name is registered on its first write). See
    /// [`crate::teams::default_annotator`] for the one chosen on open.
    pub fn set_annotator(&self, name: &str) -> Result<()> {
        let name = crate::teams::check_name(name)?;
        if *self.annotator.borrow() != name {
            self.annotator.replace(name);
            self.registered.set(false);
        }
        Ok(())
    }

    /// Runs `f` with `name` as the current annotator, then restores the
    /// previous one (also when `f` fails).
    pub fn with_annotator<T>(&self, name: &str, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let name = crate::teams::check_name(name)?;
        let old = self.annotator.replace(name);
        let was = self.registered.replace(false);
        let r = f(self);
        self.annotator.replace(old);
        self.registered.set(was);
        r
    }

    /// Records the current annotator in `annotators` (once per name and
    /// connection), before its first write.
    fn register(&self) -> Result<()> {
        if !self.registered.get() {
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO annotators(name) VALUES (?1)",
                    [self.annotator()],
                )
                .map_err(self.err())?;
            self.registered.set(true);
        }
        Ok(())
    }

    /// Every annotator known to the archive (with work, or registered),
    /// by name, with what they did.
    pub fn annotators(&self) -> Result<Vec<AnnotatorSummary>> {
        let mut st = self
            .conn
            .prepare(
                "WITH names(name) AS ( \
                   SELECT name FROM annotators UNION SELECT annotator FROM annotations \
                   UNION SELECT annotator FROM reviewed UNION SELECT annotator FROM article_tags \
                   UNION SELECT annotator FROM entity_tags UNION SELECT annotator FROM lexicon) \
                 SELECT n.name, \
                   (SELECT count(*) FROM annotations a WHERE a.annotator=n.name AND a.orphan=0 \
                    AND a.kind IN ('entity','reject','accept')), \
                   (SELECT count(*) FROM annotations a WHERE a.annotator=n.name AND a.orphan=0 \
                    AND a.kind IN ('highlight','correction')), \
                   (SELECT count(*) FROM annotations a WHERE a.annotator=n.name AND a.orphan=1), \
                   (SELECT count(*) FROM reviewed r WHERE r.annotator=n.name), \
                   (SELECT count(DISTINCT a.article_id) FROM annotations a WHERE a.annotator=n.name \
                    AND a.orphan=0 AND a.kind IN ('entity','reject','accept')), \
                   (SELECT count(*) FROM article_tags t WHERE t.annotator=n.name) \
                   + (SELECT count(*) FROM entity_tags t WHERE t.annotator=n.name), \
                   (SELECT count(*) FROM lexicon l WHERE l.annotator=n.name), \
                   coalesce((SELECT curated FROM annotators x WHERE x.name=n.name), 0) \
                 FROM names n ORDER BY n.name",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                let n = |i: usize| r.get::<_, i64>(i).map(|v| v as usize);
                Ok(AnnotatorSummary {
                    name: r.get(0)?,
                    entity_annotations: n(1)?,
                    other_annotations: n(2)?,
                    orphans: n(3)?,
                    reviewed: n(4)?,
                    annotated_articles: n(5)?,
                    tags: n(6)?,
                    lexicon: n(7)?,
                    curated: r.get::<_, i64>(8)? != 0,
                })
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Ids of the articles `name` marked reviewed (stored ones only).
    pub fn reviewed_by(&self, name: &str) -> Result<std::collections::BTreeSet<String>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT r.article_id FROM reviewed r JOIN articles a ON a.id=r.article_id \
                 WHERE r.annotator=?1",
            )
            .map_err(self.err())?;
        let rows = st.query_map([name], |r| r.get(0)).map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Ids of the (stored) articles where `name` made an entity decision
    /// (an entity, rejection or confirmation that is placed).
    pub fn annotated_by(&self, name: &str) -> Result<std::collections::BTreeSet<String>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT n.article_id FROM annotations n JOIN articles a ON a.id=n.article_id \
                 WHERE n.annotator=?1 AND n.orphan=0 AND n.kind IN ('entity','reject','accept')",
            )
            .map_err(self.err())?;
        let rows = st.query_map([name], |r| r.get(0)).map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Whether `name` is a curated set (written by a merge).
    pub fn is_curated(&self, name: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT curated FROM annotators WHERE name=?1",
                [name],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|v| v.unwrap_or(0) != 0)
            .map_err(self.err())
    }

    /// Records `name` as a curated set (or not).
    pub fn set_curated(&self, name: &str, curated: bool) -> Result<()> {
        let name = crate::teams::check_name(name)?;
        self.conn
            .execute(
                "INSERT INTO annotators(name, curated) VALUES (?1, ?2) \
                 ON CONFLICT(name) DO UPDATE SET curated=excluded.curated",
                params![name, curated as i64],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Gives everything `old` made (annotations, reviewed marks, tags,
    /// lexicon entries) to `new`, in one transaction. Refused when `new`
    /// already has work (nothing would be merged silently). Returns the
    /// number of rows moved.
    pub fn rename_annotator(&self, old: &str, new: &str) -> Result<usize> {
        let new = crate::teams::check_name(new)?;
        if self
            .annotators()?
            .iter()
            .any(|a| a.name == new && a.has_work())
        {
            return Err(Error::Invalid(format!(
                "annotator {new:?} already has work; renaming {old:?} to it would mix the two"
            )));
        }
        self.atomically(|s| {
            let mut n = 0;
            for table in [
                "annotations",
                "reviewed",
                "article_tags",
                "entity_tags",
                "lexicon",
            ] {
                n += s
                    .conn
                    .execute(
                        &format!("UPDATE {table} SET annotator=?2 WHERE annotator=?1"),
                        params![old, new],
                    )
                    .map_err(s.err())?;
            }
            let curated = s.is_curated(old)?;
            s.conn
                .execute(
                    "DELETE FROM annotators WHERE name=?1 OR name=?2",
                    [old, &new],
                )
                .map_err(s.err())?;
            s.conn
                .execute(
                    "INSERT INTO annotators(name, curated) VALUES (?1, ?2)",
                    params![new, curated as i64],
                )
                .map_err(s.err())?;
            for key in [crate::teams::META_ANNOTATOR, crate::teams::META_CURATED] {
                if s.meta(key)?.as_deref() == Some(old) {
                    s.set_meta(key, &new)?;
                }
            }
            Ok(n)
        })
        .inspect(|_| {
            if *self.annotator.borrow() == old {
                self.annotator.replace(new.clone());
            }
            self.registered.set(false);
        })
    }

    // ---- entities ----------------------------------------------------------

    /// The automatic entities of an article, by start.
    pub fn auto_entities(&self, article_id: &str) -> Result<Vec<Entity>> {
        let row: Option<(String, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT text, ents FROM articles WHERE id=?1")
            .and_then(|mut st| {
                st.query_row([article_id], |r| Ok((r.get::<_, Txt>(0)?.0, r.get(1)?)))
                    .optional()
            })
            .map_err(self.err())?;
        Ok(row
            .map(|(text, blob)| decode_entities(&text, &blob))
            .unwrap_or_default())
    }

    /// Replaces the automatic entities of an article (re-extraction).
    pub fn replace_auto_entities(&self, article_id: &str, ents: &[Entity]) -> Result<()> {
        self.write(|c| {
            let (rid, text, old): (i64, String, Vec<u8>) = c.query_row(
                "SELECT rid, text, ents FROM articles WHERE id=?1",
                [article_id],
                |r| Ok((r.get(0)?, r.get::<_, Txt>(1)?.0, r.get(2)?)),
            )?;
            count_entities(&self.counts, &decode_entities(&text, &old), -1);
            write_entities(c, rid, &text, ents, &self.counts, &self.names)?;
            write_roles(
                c,
                rid,
                &crate::extract::relations::person_roles(&text, ents),
            )
        })
    }

    // ---- people ------------------------------------------------------------

    /// The who's-who: every person (automatic PER entities and the user's
    /// PER annotations) with titles, organisations and articles; most
    /// mentioned first.
    pub fn people(&self) -> Result<Vec<PersonCard>> {
        self.person_cards(None)
    }

    /// One person's card (empty lists if the name is unknown).
    pub fn person_card(&self, name: &str) -> Result<PersonCard> {
        Ok(self
            .person_cards(Some(name))?
            .into_iter()
            .next()
            .unwrap_or_else(|| PersonCard {
                name: name.to_string(),
                ..Default::default()
            }))
    }

    fn person_cards(&self, only: Option<&str>) -> Result<Vec<PersonCard>> {
        let mut cards: Vec<PersonCard> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut card = |name: String, cards: &mut Vec<PersonCard>| -> usize {
            *index.entry(name.clone()).or_insert_with(|| {
                cards.push(PersonCard {
                    name,
                    ..Default::default()
                });
                cards.len() - 1
            })
        };
        let filter = only.unwrap_or("");
        // The user's PER entities, by article.
        let mut user: HashMap<String, Vec<String>> = HashMap::new();
        {
            let mut st = self
                .conn
                .prepare(
                    "SELECT n.exact, n.article_id FROM annotations n \
                     WHERE n.kind='entity' AND n.label='PER' AND n.orphan=0 AND (?1='' OR n.exact=?1) \
                     AND n.annotator=?2 ORDER BY n.id",
                )
                .map_err(self.err())?;
            let rows = st
                .query_map(params![filter, self.annotator()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(self.err())?;
            for row in rows {
                let (name, article) = row.map_err(self.err())?;
                user.entry(article).or_default().push(name);
            }
        }
        // Only articles containing the name can mention it.
        let only_rids: Option<std::collections::HashSet<i64>> = match only {
            Some(name) => Some(
                self.articles_containing(name)?
                    .into_iter()
                    .map(|(rid, _)| rid)
                    .collect(),
            ),
            None => None,
        };
        let mut st = self
            .conn
            .prepare(
                "SELECT a.rid, a.id, a.text, a.ents FROM articles a JOIN files f ON f.id=a.file_id \
                 ORDER BY f.path, a.idx",
            )
            .map_err(self.err())?;
        let mut rows = st.query([]).map_err(self.err())?;
        while let Some(r) = rows.next().map_err(self.err())? {
            let rid: i64 = r.get(0).map_err(self.err())?;
            let id: String = r.get(1).map_err(self.err())?;
            let wanted = only_rids.as_ref().is_none_or(|s| s.contains(&rid));
            let mut names: Vec<String> = Vec::new();
            if wanted {
                let text = r.get::<_, Txt>(2).map_err(self.err())?.0;
                let blob: Vec<u8> = r.get(3).map_err(self.err())?;
                names.extend(
                    decode_entities(&text, &blob)
                        .into_iter()
                        .filter(|e| {
                            e.label == EntityType::Per && (filter.is_empty() || e.text == filter)
                        })
                        .map(|e| e.text),
                );
            }
            names.extend(user.remove(&id).unwrap_or_default());
            for name in names {
                let i = card(name, &mut cards);
                if !cards[i].articles.contains(&id) {
                    cards[i].articles.push(id.clone());
                }
            }
        }
        let mut st = self
            .conn
            .prepare(
                "SELECT person, title, org FROM person_roles WHERE (?1='' OR person=?1) \
                 ORDER BY article_rid, start",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([filter], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(self.err())?;
        for row in rows {
            let (name, title, org) = row.map_err(self.err())?;
            let i = card(name, &mut cards);
            let c = &mut cards[i];
            if let Some(t) = &title
                && !c.titles.contains(t)
            {
                c.titles.push(t.clone());
            }
            if let Some(o) = &org
                && !c.orgs.contains(o)
            {
                c.orgs.push(o.clone());
            }
            let pair = (title, org);
            if !c.roles.contains(&pair) {
                c.roles.push(pair);
            }
        }
        cards.sort_by(|a, b| {
            b.articles
                .len()
                .cmp(&a.articles.len())
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(cards)
    }

    /// The entities of an article after the user's corrections: user entities,
    /// plus automatic ones that were neither rejected nor overridden.
    pub fn effective_entities(&self, article_id: &str) -> Result<Vec<EffectiveEntity>> {
        let auto = self.auto_entities(article_id)?;
        let anns = self.annotations(article_id)?;
        Ok(effective(auto, &anns))
    }

    // ---- annotations -------------------------------------------------------

    /// The (placed) annotations of an article.
    pub fn annotations(&self, article_id: &str) -> Result<Vec<Annotation>> {
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ANN_COLS} FROM annotations WHERE article_id=?1 AND orphan=0 AND annotator=?2 \
                 ORDER BY start, id"
            ))
            .map_err(self.err())?;
        let rows = st
            .query_map(params![article_id, self.annotator()], row_to_annotation)
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Every annotation that could not be placed.
    pub fn orphans(&self) -> Result<Vec<Annotation>> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {ANN_COLS} FROM annotations WHERE orphan=1 AND annotator=?1 ORDER BY id"
            ))
            .map_err(self.err())?;
        let rows = st
            .query_map([self.annotator()], row_to_annotation)
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Number of placed annotations in the archive.
    pub fn annotation_count(&self) -> Result<usize> {
        self.conn
            .query_row(
                "SELECT count(*) FROM annotations WHERE orphan=0 AND annotator=?1",
                [self.annotator()],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(self.err())
    }

    /// One annotation by id.
    pub fn annotation(&self, id: i64) -> Result<Annotation> {
        self.conn
            .query_row(
                &format!("SELECT {ANN_COLS} FROM annotations WHERE id=?1"),
                [id],
                row_to_annotation,
            )
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| Error::NotFound(format!("no annotation with id {id}")))
    }

    /// Adds an annotation on `article_id[start..end]`, made by hand;
    /// returns its id.
    pub fn add_annotation(
        &self,
        article_id: &str,
        kind: AnnotationKind,
        start: usize,
        end: usize,
        fields: NewAnnotation,
    ) -> Result<i64> {
        self.add_annotation_by(article_id, kind, start, end, fields, false)
    }

    /// [`Store::add_annotation`], recording whether `pizhu merge` wrote it
    /// (`by_merge`) or a person did.
    pub fn add_annotation_by(
        &self,
        article_id: &str,
        kind: AnnotationKind,
        start: usize,
        end: usize,
        fields: NewAnnotation,
        by_merge: bool,
    ) -> Result<i64> {
        let text: String = self
            .conn
            .query_row("SELECT text FROM articles WHERE id=?1", [article_id], |r| {
                r.get::<_, Txt>(0).map(|t| t.0)
            })
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| Error::NotFound(format!("no article with id {article_id}")))?;
        let chars: Vec<char> = text.chars().collect();
        if start >= end || end > chars.len() {
            return Err(Error::Invalid(format!(
                "span {start}..{end} is not inside the article ({} characters)",
                chars.len()
            )));
        }
        if matches!(
            kind,
            AnnotationKind::Entity | AnnotationKind::Reject | AnnotationKind::Accept
        ) && fields.label.is_none()
            && kind == AnnotationKind::Entity
        {
            return Err(Error::Invalid("an entity annotation needs a type".into()));
        }
        let q = quote(&chars, start, end);
        self.register()?;
        self.conn
            .execute(
                "INSERT INTO annotations(article_id, kind, start, end, exact, prefix, suffix, label, color, note, replacement, annotator, by_merge) \
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
                params![
                    article_id,
                    kind.as_str(),
                    start as i64,
                    end as i64,
                    q.exact,
                    q.prefix,
                    q.suffix,
                    fields.label.as_ref().map(|l| l.as_str().to_string()),
                    fields.color,
                    fields.note,
                    fields.replacement,
                    self.annotator(),
                    by_merge as i64
                ],
            )
            .map_err(self.err())?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The id of a stored annotation identical to the given one (same article,
    /// kind, span or quote, label, colour, note and replacement), if any.
    /// Imports use it so that importing the same file twice changes nothing.
    pub fn find_identical_annotation(&self, a: &Annotation) -> Result<Option<i64>> {
        let label = a.label.as_ref().map(|l| l.as_str().to_string());
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id FROM annotations WHERE article_id=?1 AND kind=?2 AND orphan=?3 \
                 AND (CASE WHEN ?3=1 THEN exact=?6 AND prefix=?7 AND suffix=?8 ELSE start=?4 AND end=?5 END) \
                 AND label IS ?9 AND color IS ?10 AND note IS ?11 AND replacement IS ?12 \
                 AND annotator=?13 LIMIT 1",
            )
            .map_err(self.err())?;
        st.query_row(
            params![
                a.article_id,
                a.kind.as_str(),
                a.orphan as i64,
                a.start as i64,
                a.end as i64,
                a.quote.exact,
                a.quote.prefix,
                a.quote.suffix,
                label,
                a.color,
                a.note,
                a.replacement,
                a.annotator
            ],
            |r| r.get(0),
        )
        .optional()
        .map_err(self.err())
    }

    /// Stores an annotation as given (its `id` is ignored): placed, or an
    /// orphan keeping its quote. Returns the new id.
    pub fn insert_annotation(&self, a: &Annotation) -> Result<i64> {
        self.write_annotation(None, a)
    }

    /// Writes `a` under `id` (replacing that row), or under a new id.
    fn write_annotation(&self, id: Option<i64>, a: &Annotation) -> Result<i64> {
        crate::teams::check_name(&a.annotator)?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO annotators(name) VALUES (?1)",
                [&a.annotator],
            )
            .map_err(self.err())?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO annotations(id, article_id, kind, start, end, exact, prefix, suffix, label, color, note, replacement, orphan, annotator, by_merge, made_by) \
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
                params![
                    id,
                    a.article_id,
                    a.kind.as_str(),
                    a.start as i64,
                    a.end as i64,
                    a.quote.exact,
                    a.quote.prefix,
                    a.quote.suffix,
                    a.label.as_ref().map(|l| l.as_str().to_string()),
                    a.color,
                    a.note,
                    a.replacement,
                    a.orphan as i64,
                    a.annotator,
                    a.by_merge as i64,
                    a.made_by
                ],
            )
            .map_err(self.err())?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Runs `f` in one transaction: everything it stores is committed
    /// together, or nothing is when it fails.
    pub fn in_transaction<T>(&mut self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(db_err(&self.path))?;
        self.names.borrow_mut().forget_pending();
        match f(self) {
            Ok(v) => {
                if let Err(e) = self.conn.execute_batch("COMMIT") {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    self.names.borrow_mut().forget_pending();
                    return Err(db_err(&self.path)(e));
                }
                self.names.borrow_mut().committed();
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.names.borrow_mut().forget_pending();
                Err(e)
            }
        }
    }

    /// Puts back an annotation exactly as it was (undo of a delete).
    pub fn restore_annotation(&self, a: &Annotation) -> Result<()> {
        self.write_annotation(Some(a.id), a).map(|_| ())
    }

    /// Deletes an annotation; returns what it was (for undo).
    pub fn delete_annotation(&self, id: i64) -> Result<Annotation> {
        let a = self.annotation(id)?;
        self.conn
            .execute("DELETE FROM annotations WHERE id=?1", [id])
            .map_err(self.err())?;
        Ok(a)
    }

    /// Changes the note, colour or label of an annotation by hand (so the
    /// row counts as hand-made from then on); returns the old one.
    pub fn update_annotation(&self, id: i64, fields: NewAnnotation) -> Result<Annotation> {
        let old = self.annotation(id)?;
        self.conn
            .execute(
                "UPDATE annotations SET label=?2, color=?3, note=?4, replacement=?5, by_merge=0 WHERE id=?1",
                params![
                    id,
                    fields.label.as_ref().map(|l| l.as_str().to_string()),
                    fields.color,
                    fields.note,
                    fields.replacement
                ],
            )
            .map_err(self.err())?;
        Ok(old)
    }

    // ---- tags --------------------------------------------------------------

    fn tag_id(&self, name: &str) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("a tag needs a name".into()));
        }
        self.conn
            .execute("INSERT OR IGNORE INTO tags(name) VALUES (?1)", [name])
            .map_err(self.err())?;
        self.conn
            .query_row("SELECT id FROM tags WHERE name=?1", [name], |r| r.get(0))
            .map_err(self.err())
    }

    /// Tags an article (by hand).
    pub fn tag_article(&self, article_id: &str, tag: &str) -> Result<()> {
        let id = self.tag_id(tag)?;
        self.register()?;
        self.set_dismissed(article_id, DISMISSED_TAG, tag.trim(), false)?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO article_tags(annotator, article_id, tag_id) VALUES (?3,?1,?2)",
                params![article_id, id, self.annotator()],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// The current annotator's tags of an article with their provenance:
    /// (tag, set by `pizhu merge`, the annotators it came from).
    pub fn article_tag_rows(
        &self,
        article_id: &str,
    ) -> Result<Vec<(String, bool, Option<String>)>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT t.name, a.by_merge, a.made_by FROM article_tags a JOIN tags t ON t.id=a.tag_id \
                 WHERE a.article_id=?1 AND a.annotator=?2 ORDER BY t.name",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![article_id, self.annotator()], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? != 0, r.get(2)?))
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Tags an article as `pizhu merge` (`made_by`: the annotators the tag
    /// came from); a tag already there stays as it is, except that a
    /// merged one gets the new `made_by`.
    pub fn tag_article_by_merge(&self, article_id: &str, tag: &str, made_by: &str) -> Result<()> {
        let id = self.tag_id(tag)?;
        self.register()?;
        self.conn
            .execute(
                "INSERT INTO article_tags(annotator, article_id, tag_id, by_merge, made_by) \
                 VALUES (?3,?1,?2,1,?4) \
                 ON CONFLICT DO UPDATE SET made_by=excluded.made_by WHERE by_merge=1",
                params![article_id, id, self.annotator(), made_by],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Removes a tag `pizhu merge` set (never one set by hand).
    pub fn untag_article_by_merge(&self, article_id: &str, tag: &str) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM article_tags WHERE article_id=?1 AND tag_id=(SELECT id FROM tags WHERE name=?2) \
                 AND annotator=?3 AND by_merge=1",
                params![article_id, tag, self.annotator()],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Records which annotators a merged highlight came from.
    pub fn set_made_by(&self, id: i64, made_by: Option<&str>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE annotations SET made_by=?2 WHERE id=?1",
                params![id, made_by],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Removes a tag from an article (by hand: a re-run of merge does not
    /// bring it back).
    pub fn untag_article(&self, article_id: &str, tag: &str) -> Result<()> {
        self.set_dismissed(article_id, DISMISSED_TAG, tag.trim(), true)?;
        self.conn
            .execute(
                "DELETE FROM article_tags WHERE article_id=?1 AND tag_id=(SELECT id FROM tags WHERE name=?2) \
                 AND annotator=?3",
                params![article_id, tag, self.annotator()],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Tags of an article, sorted.
    pub fn article_tags(&self, article_id: &str) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT t.name FROM article_tags a JOIN tags t ON t.id=a.tag_id WHERE a.article_id=?1 \
                 AND a.annotator=?2 ORDER BY t.name",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![article_id, self.annotator()], |r| r.get(0))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Articles carrying `tag`.
    pub fn articles_with_tag(&self, tag: &str) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT a.article_id FROM article_tags a JOIN tags t ON t.id=a.tag_id WHERE t.name=?1 \
                 AND a.annotator=?2",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![tag, self.annotator()], |r| r.get(0))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Tags an entity (by text and type) archive-wide.
    pub fn tag_entity(&self, text: &str, label: &EntityType, tag: &str) -> Result<()> {
        let id = self.tag_id(tag)?;
        self.register()?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO entity_tags(annotator, text, label, tag_id) VALUES (?4,?1,?2,?3)",
                params![text, label.as_str(), id, self.annotator()],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Removes a tag from an entity.
    pub fn untag_entity(&self, text: &str, label: &EntityType, tag: &str) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM entity_tags WHERE text=?1 AND label=?2 AND tag_id=(SELECT id FROM tags WHERE name=?3) \
                 AND annotator=?4",
                params![text, label.as_str(), tag, self.annotator()],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Tags of an entity.
    pub fn entity_tags(&self, text: &str, label: &EntityType) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT t.name FROM entity_tags e JOIN tags t ON t.id=e.tag_id WHERE e.text=?1 AND e.label=?2 \
                 AND e.annotator=?3 ORDER BY t.name",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![text, label.as_str(), self.annotator()], |r| {
                r.get(0)
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Every tag name in use, sorted (for autocompletion).
    pub fn all_tags(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT name FROM tags ORDER BY name")
            .map_err(self.err())?;
        let rows = st.query_map([], |r| r.get(0)).map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    // ---- lexicon -----------------------------------------------------------

    /// Learns `text` as an entity of type `label` everywhere.
    pub fn lexicon_add(&self, text: &str, label: &EntityType) -> Result<()> {
        self.lexicon_put(text, Some(label), "add")
    }

    /// Learns that `text` is never an entity.
    pub fn lexicon_reject(&self, text: &str) -> Result<()> {
        self.lexicon_put(text, None, "reject")
    }

    fn lexicon_put(&self, text: &str, label: Option<&EntityType>, action: &str) -> Result<()> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::Invalid("a lexicon entry needs some text".into()));
        }
        self.register()?;
        self.conn
            .execute(
                "INSERT INTO lexicon(text,label,action,annotator) VALUES (?1,?2,?3,?4) \
                 ON CONFLICT(text) DO UPDATE SET label=excluded.label, action=excluded.action, \
                 annotator=excluded.annotator",
                params![
                    text,
                    label.map(|l| l.as_str().to_string()),
                    action,
                    self.annotator()
                ],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Forgets a lexicon entry; returns it if there was one.
    pub fn lexicon_remove(&self, text: &str) -> Result<Option<LexiconEntry>> {
        let old = self.lexicon_list()?.into_iter().find(|e| e.text == text);
        self.conn
            .execute("DELETE FROM lexicon WHERE text=?1", [text])
            .map_err(self.err())?;
        Ok(old)
    }

    /// Every lexicon entry, sorted by text.
    pub fn lexicon_list(&self) -> Result<Vec<LexiconEntry>> {
        let mut st = self
            .conn
            .prepare("SELECT text, action, label FROM lexicon ORDER BY text")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                let label: Option<String> = r.get(2)?;
                Ok(LexiconEntry {
                    text: r.get(0)?,
                    action: r.get(1)?,
                    label: label.and_then(|l| l.parse().ok()),
                })
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Who made each lexicon entry (text → annotator).
    pub fn lexicon_authors(&self) -> Result<HashMap<String, String>> {
        let mut st = self
            .conn
            .prepare("SELECT text, annotator FROM lexicon")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// The lexicon as the extractor uses it.
    pub fn lexicon(&self) -> Result<Lexicon> {
        let mut lex = Lexicon::default();
        for e in self.lexicon_list()? {
            match (e.action.as_str(), e.label) {
                ("add", Some(l)) => {
                    lex.add.insert(e.text, l);
                }
                _ => {
                    lex.reject.insert(e.text);
                }
            }
        }
        Ok(lex)
    }

    /// Brings the stored automatic entities of every article containing
    /// `word` in line with the lexicon entry now stored for it, in SQL and
    /// in the caller's transaction, without re-running the extractor: an
    /// `add` entry tags every occurrence (outranking overlapping entities),
    /// a `reject` entry removes the word's entities, no entry removes the
    /// entities the lexicon had added. Returns what changed (for undo).
    ///
    /// Not covered (the next re-extraction does it): an entity the
    /// extractor found but that lost an overlap to the word's old entities
    /// does not reappear; when an entry is removed, the extractor's own
    /// entities for the word are not brought back ([`crate::edit`] records
    /// a pending re-extraction for that case).
    pub fn relabel_lexicon(
        &self,
        word: &str,
        progress: &dyn Fn(usize, usize),
    ) -> Result<LexiconDiff> {
        let entry = self.lexicon_list_of(word)?;
        let mut lex = Lexicon::default();
        match entry.as_ref().map(|e| (e.action.as_str(), e.label.clone())) {
            Some(("add", Some(l))) => {
                lex.add.insert(word.to_string(), l);
            }
            Some(_) => {
                lex.reject.insert(word.to_string());
            }
            None => {}
        }
        let candidates = self.articles_containing(word)?;
        let total = candidates.len();
        let mut diff = LexiconDiff::default();
        for (i, (rid, id)) in candidates.into_iter().enumerate() {
            if i % 256 == 0 {
                progress(i, total);
            }
            let (text, hash): (String, String) = self
                .conn
                .prepare_cached("SELECT text, hash FROM articles WHERE rid=?1")
                .and_then(|mut st| st.query_row([rid], |r| Ok((r.get::<_, Txt>(0)?.0, r.get(1)?))))
                .map_err(self.err())?;
            let auto = self.auto_entities_by_rid(rid)?;
            let new = if entry.is_some() {
                lex.apply(&text, auto.clone())
            } else {
                auto.iter()
                    .filter(|e| !(e.source == Source::Lexicon && e.text == word))
                    .cloned()
                    .collect()
            };
            let removed: Vec<Entity> = auto.iter().filter(|e| !new.contains(e)).cloned().collect();
            let added: Vec<Entity> = new.iter().filter(|e| !auto.contains(e)).cloned().collect();
            if removed.is_empty() && added.is_empty() {
                continue;
            }
            self.change_entities(rid, &text, &removed, &added)?;
            diff.articles.push(ArticleDiff {
                article_id: id,
                hash,
                removed,
                added,
            });
        }
        progress(total, total);
        Ok(diff)
    }

    /// Replays a [`LexiconDiff`] forwards (redo) or backwards (undo), in the
    /// caller's transaction. Returns the ids of articles whose text changed
    /// since the diff was made (they were left alone: re-extract them).
    pub fn apply_lexicon_diff(&self, diff: &LexiconDiff, forward: bool) -> Result<Vec<String>> {
        let mut stale = Vec::new();
        for d in &diff.articles {
            let row: Option<(i64, String, String)> = self
                .conn
                .prepare_cached("SELECT rid, text, hash FROM articles WHERE id=?1")
                .and_then(|mut st| {
                    st.query_row([&d.article_id], |r| {
                        Ok((r.get(0)?, r.get::<_, Txt>(1)?.0, r.get(2)?))
                    })
                    .optional()
                })
                .map_err(self.err())?;
            match row {
                Some((rid, text, hash)) if hash == d.hash => {
                    let (del, ins) = if forward {
                        (&d.removed, &d.added)
                    } else {
                        (&d.added, &d.removed)
                    };
                    self.change_entities(rid, &text, del, ins)?;
                }
                _ => stale.push(d.article_id.clone()),
            }
        }
        Ok(stale)
    }

    /// Deletes `removed` and inserts `added` among an article's automatic
    /// entities, then recomputes its person roles.
    fn change_entities(
        &self,
        rid: i64,
        text: &str,
        removed: &[Entity],
        added: &[Entity],
    ) -> Result<()> {
        let mut now = self.auto_entities_by_rid(rid)?;
        count_entities(&self.counts, &now, -1);
        for r in removed {
            if let Some(i) = now.iter().position(|e| {
                (e.start, e.end, &e.text, &e.label, e.source)
                    == (r.start, r.end, &r.text, &r.label, r.source)
            }) {
                now.remove(i);
            }
        }
        now.extend(added.iter().cloned());
        now.sort_by_key(|e| (e.start, e.end));
        let c = &self.conn;
        write_entities(c, rid, text, &now, &self.counts, &self.names)
            .and_then(|()| {
                write_roles(c, rid, &crate::extract::relations::person_roles(text, &now))
            })
            .map_err(self.err())?;
        self.flush_counts()
    }

    fn auto_entities_by_rid(&self, rid: i64) -> Result<Vec<Entity>> {
        let (text, blob): (String, Vec<u8>) = self
            .conn
            .prepare_cached("SELECT text, ents FROM articles WHERE rid=?1")
            .and_then(|mut st| st.query_row([rid], |r| Ok((r.get::<_, Txt>(0)?.0, r.get(1)?))))
            .map_err(self.err())?;
        Ok(decode_entities(&text, &blob))
    }

    fn lexicon_list_of(&self, word: &str) -> Result<Option<LexiconEntry>> {
        self.conn
            .query_row(
                "SELECT text, action, label FROM lexicon WHERE text=?1",
                [word],
                |r| {
                    let label: Option<String> = r.get(2)?;
                    Ok(LexiconEntry {
                        text: r.get(0)?,
                        action: r.get(1)?,
                        label: label.and_then(|l| l.parse().ok()),
                    })
                },
            )
            .optional()
            .map_err(self.err())
    }

    // ---- search and stats --------------------------------------------------

    /// Full-text search; every whitespace-separated term must occur.
    ///
    /// When at most [`RANK_ALL_UP_TO`] articles match, the best `limit` by
    /// bm25 come first; beyond that, the first `limit` in storage order
    /// (archive order as first indexed), which the full-text index yields
    /// lazily, without ranking or sorting every match.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let first = query.split_whitespace().next().unwrap_or("").to_string();
        let limit = limit.min(i64::MAX as usize) as i64;
        let many: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1 \
                 ORDER BY rowid LIMIT ?2)",
            )
            .and_then(|mut st| st.query_row(params![q, RANK_ALL_UP_TO + 1], |r| r.get(0)))
            .map_err(self.err())?;
        let (inner, outer) = if many > RANK_ALL_UP_TO {
            ("rowid", "s.rid")
        } else {
            ("rank, rowid", "s.r, s.rid")
        };
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT a.id, a.title, a.text, f.path FROM \
                 (SELECT rowid AS rid, rank AS r FROM articles_fts WHERE articles_fts MATCH ?1 \
                  ORDER BY {inner} LIMIT ?2) s \
                 JOIN articles a ON a.rid=s.rid JOIN files f ON f.id=a.file_id ORDER BY {outer}"
            ))
            .map_err(self.err())?;
        let rows = st
            .query_map(params![q, limit], |r| {
                let id: String = r.get(0)?;
                let title: Option<String> = r.get(1)?;
                let text = r.get::<_, Txt>(2)?.0;
                let file: String = r.get(3)?;
                Ok((id, title, text, file))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, title, text, file) = row.map_err(self.err())?;
            let (snippet, span) = snippet(&text, &first);
            out.push(SearchHit {
                title: display_title(title.as_deref(), &text),
                id,
                file,
                snippet,
                span,
            });
        }
        Ok(out)
    }

    /// Ids of every article matching a search query, in storage order,
    /// without reading any text (the app's list filter on a large archive;
    /// snippets come later, per row drawn, from [`Store::snippet_for`]).
    pub fn search_ids(&self, query: &str) -> Result<Vec<String>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT a.id FROM (SELECT rowid AS rid FROM articles_fts WHERE articles_fts MATCH ?1) s \
                 JOIN articles a ON a.rid=s.rid ORDER BY s.rid",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([q], |r| r.get::<_, String>(0))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// The snippet [`Store::search`] shows for an article and a query (the
    /// first term in context), or `None` if there is no such article.
    pub fn snippet_for(&self, id: &str, query: &str) -> Result<Option<String>> {
        let first = query.split_whitespace().next().unwrap_or("");
        self.conn
            .prepare_cached("SELECT text FROM articles WHERE id=?1")
            .and_then(|mut st| {
                st.query_row([id], |r| Ok(snippet(&r.get::<_, Txt>(0)?.0, first).0))
                    .optional()
            })
            .map_err(self.err())
    }

    /// Counts of effective entities per type, and the most frequent entities.
    ///
    /// The automatic entities' counts are kept by triggers
    /// (`entity_counts`); only the articles with user entities or
    /// rejections are read, to correct those counts.
    pub fn stats(&self, top: usize) -> Result<Stats> {
        // Corrections: effective minus automatic, per (text, type).
        let mut delta: HashMap<(String, String), i64> = HashMap::new();
        let corrected: Vec<String> = {
            let mut st = self
                .conn
                .prepare(
                    "SELECT DISTINCT n.article_id FROM annotations n JOIN articles a ON a.id=n.article_id \
                     WHERE n.orphan=0 AND n.kind IN ('entity','reject') AND n.annotator=?1",
                )
                .map_err(self.err())?;
            let rows = st
                .query_map([self.annotator()], |r| r.get(0))
                .map_err(self.err())?;
            rows.collect::<rusqlite::Result<_>>().map_err(self.err())?
        };
        for id in corrected {
            let auto = self.auto_entities(&id)?;
            for e in &auto {
                *delta
                    .entry((e.text.clone(), e.label.as_str().to_string()))
                    .or_default() -= 1;
            }
            for e in self.effective_entities(&id)? {
                *delta
                    .entry((e.entity.text, e.entity.label.as_str().to_string()))
                    .or_default() += 1;
            }
        }
        delta.retain(|_, d| *d != 0);
        let mut per_type: HashMap<String, i64> = HashMap::new();
        {
            let mut st = self
                .conn
                .prepare("SELECT label, sum(n) FROM entity_counts GROUP BY label")
                .map_err(self.err())?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .map_err(self.err())?;
            for row in rows {
                let (l, n) = row.map_err(self.err())?;
                *per_type.entry(l).or_default() += n;
            }
        }
        for ((_, l), d) in &delta {
            *per_type.entry(l.clone()).or_default() += d;
        }
        // The top `top` after corrections are among the first `top +
        // delta.len()` before them, plus the corrected entries.
        let mut counts: HashMap<(String, String), i64> = HashMap::new();
        {
            let mut st = self
                .conn
                .prepare(
                    "SELECT text, label, n FROM entity_counts WHERE n > 0 \
                     ORDER BY n DESC, text, label LIMIT ?1",
                )
                .map_err(self.err())?;
            let want = top.saturating_add(delta.len()).min(i64::MAX as usize) as i64;
            let rows = st
                .query_map([want], |r| {
                    Ok(((r.get(0)?, r.get(1)?), r.get::<_, i64>(2)?))
                })
                .map_err(self.err())?;
            for row in rows {
                let (k, n) = row.map_err(self.err())?;
                counts.insert(k, n);
            }
            let mut one = self
                .conn
                .prepare_cached("SELECT n FROM entity_counts WHERE text=?1 AND label=?2")
                .map_err(self.err())?;
            for (k, d) in &delta {
                if !counts.contains_key(k) {
                    let n: i64 = one
                        .query_row(params![k.0, k.1], |r| r.get(0))
                        .optional()
                        .map_err(self.err())?
                        .unwrap_or(0);
                    counts.insert(k.clone(), n);
                }
                *counts.get_mut(k).expect("inserted above") += d;
            }
        }
        let mut types: Vec<(String, usize)> = per_type
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(l, n)| (l, n as usize))
            .collect();
        types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut tops: Vec<(String, String, usize)> = counts
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((t, l), n)| (t, l, n as usize))
            .collect();
        tops.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        tops.truncate(top);
        Ok(Stats {
            per_type: types,
            top: tops,
        })
    }

    /// Number of automatic entities in the archive.
    pub fn entity_count(&self) -> Result<usize> {
        self.conn
            .query_row("SELECT coalesce(sum(n), 0) FROM entity_counts", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as usize)
            .map_err(self.err())
    }

    /// Articles mentioning an entity text (effective entities), with counts.
    pub fn articles_mentioning(&self, text: &str) -> Result<Vec<(String, usize)>> {
        let mut out = Vec::new();
        for id in self.article_ids_containing(text)? {
            let n = self
                .effective_entities(&id)?
                .iter()
                .filter(|e| e.entity.text == text)
                .count();
            if n > 0 {
                out.push((id, n));
            }
        }
        Ok(out)
    }

    /// What the Insights need of every article, read from `article_facts`
    /// (one small table, no text): `facts` gets id, file path, the date code
    /// and source (`insights::date_code`) and the distinct automatic entities
    /// (an [`encode_ids`] blob of `entity_names` ids, see
    /// [`Store::entity_names`]). Articles with entity corrections, and any article
    /// without facts, go to `full` instead with their text and effective
    /// entities (as [`Store::for_each_article_entities`]).
    pub fn for_each_article_facts(
        &self,
        mut facts: impl FnMut(&str, &str, Option<i64>, i64, &[u8]),
        mut full: impl FnMut(&str, &str, Option<&str>, &str, Vec<Entity>),
    ) -> Result<()> {
        let corrected = self.corrected_articles()?;
        let mut redo: Vec<i64> = Vec::new();
        let mut n_facts = 0i64;
        {
            let mut st = self
                .conn
                .prepare("SELECT rid, id, file, day, src, ents FROM article_facts")
                .map_err(self.err())?;
            let mut rows = st.query([]).map_err(self.err())?;
            while let Some(r) = rows.next().map_err(self.err())? {
                n_facts += 1;
                let id = r
                    .get_ref(1)
                    .map_err(self.err())?
                    .as_str()
                    .map_err(|e| Error::Invalid(e.to_string()))?;
                if corrected.contains(id) {
                    redo.push(r.get(0).map_err(self.err())?);
                    continue;
                }
                let file = r
                    .get_ref(2)
                    .map_err(self.err())?
                    .as_str()
                    .map_err(|e| Error::Invalid(e.to_string()))?;
                let ents = r.get_ref(5).map_err(self.err())?.as_blob().unwrap_or(&[]);
                facts(
                    id,
                    file,
                    r.get(3).map_err(self.err())?,
                    r.get(4).map_err(self.err())?,
                    ents,
                );
            }
        }
        // Articles without facts (none after migration 5, unless written
        // by an older build since) and corrected ones: the full read. A
        // facts row needs its article (foreign key), so equal counts (read
        // off the small index, not the article rows) mean none is missing.
        let count = |sql: &str| -> Result<i64> {
            self.conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(self.err())
        };
        if count("SELECT count(*) FROM articles INDEXED BY articles_file")? != n_facts {
            let mut st = self
                .conn
                .prepare(
                    "SELECT a.rid FROM articles a WHERE NOT EXISTS \
                     (SELECT 1 FROM article_facts x WHERE x.rid=a.rid)",
                )
                .map_err(self.err())?;
            let missing = st
                .query_map([], |r| r.get::<_, i64>(0))
                .map_err(self.err())?
                .collect::<rusqlite::Result<Vec<i64>>>()
                .map_err(self.err())?;
            redo.extend(missing);
        }
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT a.id, f.path, a.date, a.text, a.ents FROM articles a \
                 JOIN files f ON f.id=a.file_id WHERE a.rid=?1",
            )
            .map_err(self.err())?;
        for rid in redo {
            let (id, file, date, text, blob): (String, String, Option<String>, String, Vec<u8>) =
                st.query_row([rid], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get::<_, Txt>(3)?.0,
                        r.get(4)?,
                    ))
                })
                .map_err(self.err())?;
            let ents = if corrected.contains(&id) {
                self.effective_entities(&id)?
                    .into_iter()
                    .map(|e| e.entity)
                    .collect()
            } else {
                decode_entities(&text, &blob)
            };
            full(&id, &file, date.as_deref(), &text, ents);
        }
        Ok(())
    }

    /// Every entity name with its id (`entity_names`, in id order: ids
    /// only grow), as (id, type, text) to `f`. It holds every (type, text)
    /// an article's facts refer to, and names no article uses any more.
    pub fn entity_names(&self, mut f: impl FnMut(u32, &str, &str)) -> Result<()> {
        let mut st = self
            .conn
            .prepare("SELECT id, label, text FROM entity_names ORDER BY id")
            .map_err(self.err())?;
        let mut rows = st.query([]).map_err(self.err())?;
        while let Some(r) = rows.next().map_err(self.err())? {
            let id: i64 = r.get(0).map_err(self.err())?;
            let label = r.get_ref(1).map_err(self.err())?.as_str();
            let text = r.get_ref(2).map_err(self.err())?.as_str();
            if let (Ok(id), Ok(label), Ok(text)) = (u32::try_from(id), label, text) {
                f(id, label, text);
            }
        }
        Ok(())
    }

    /// Ids of the articles with entity corrections (user entities,
    /// rejections, confirmations).
    fn corrected_articles(&self) -> Result<std::collections::HashSet<String>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT DISTINCT article_id FROM annotations \
                 WHERE orphan=0 AND kind IN ('entity','reject','accept') AND annotator=?1",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([self.annotator()], |r| r.get(0))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// Streams every article (in storage order: no sort of the texts) with
    /// its effective entities (after corrections) to `f`: id, file path, the
    /// splitter's date, the cleaned text and the entities. One scan; the
    /// few corrected articles are read again with their annotations.
    pub fn for_each_article_entities(
        &self,
        mut f: impl FnMut(&str, &str, Option<&str>, &str, Vec<Entity>),
    ) -> Result<()> {
        let corrected: std::collections::HashSet<String> = {
            let mut st = self
                .conn
                .prepare(
                    "SELECT DISTINCT article_id FROM annotations \
                     WHERE orphan=0 AND kind IN ('entity','reject','accept') AND annotator=?1",
                )
                .map_err(self.err())?;
            let rows = st
                .query_map([self.annotator()], |r| r.get(0))
                .map_err(self.err())?;
            rows.collect::<rusqlite::Result<_>>().map_err(self.err())?
        };
        let mut st = self
            .conn
            .prepare(
                "SELECT a.id, f.path, a.date, a.text, a.ents FROM articles a \
                 JOIN files f ON f.id=a.file_id",
            )
            .map_err(self.err())?;
        let mut rows = st.query([]).map_err(self.err())?;
        while let Some(r) = rows.next().map_err(self.err())? {
            let id: String = r.get(0).map_err(self.err())?;
            let file: String = r.get(1).map_err(self.err())?;
            let date: Option<String> = r.get(2).map_err(self.err())?;
            let text = decode_text(r.get_ref(3).map_err(self.err())?)
                .map_err(|e| Error::Invalid(format!("article {id}: {e}")))?;
            let text = text.as_str();
            let ents = if corrected.contains(&id) {
                self.effective_entities(&id)?
                    .into_iter()
                    .map(|e| e.entity)
                    .collect()
            } else {
                let blob = r.get_ref(4).map_err(self.err())?.as_blob().unwrap_or(&[]);
                decode_entities(text, blob)
            };
            f(&id, &file, date.as_deref(), text, ents);
        }
        Ok(())
    }
}

fn snippet(text: &str, term: &str) -> (String, Option<(usize, usize)>) {
    let chars: Vec<char> = text.chars().collect();
    let needle: Vec<char> = term.chars().collect();
    let pos = (!needle.is_empty() && needle.len() <= chars.len())
        .then(|| {
            (0..=chars.len() - needle.len()).find(|&i| chars[i..i + needle.len()] == needle[..])
        })
        .flatten();
    match pos {
        Some(p) => {
            let a = p.saturating_sub(20);
            let b = (p + needle.len() + 20).min(chars.len());
            let s: String = chars[a..b].iter().collect::<String>().replace('\n', " ");
            (s, Some((p, p + needle.len())))
        }
        None => (
            chars.iter().take(40).collect::<String>().replace('\n', " "),
            None,
        ),
    }
}

/// Combines automatic entities with the user's annotations.
pub fn effective(auto: Vec<Entity>, anns: &[Annotation]) -> Vec<EffectiveEntity> {
    let mut out: Vec<EffectiveEntity> = Vec::new();
    let users: Vec<&Annotation> = anns
        .iter()
        .filter(|a| a.kind == AnnotationKind::Entity && !a.orphan)
        .collect();
    for e in auto {
        let rejected = anns.iter().any(|a| {
            a.kind == AnnotationKind::Reject
                && !a.orphan
                && a.start == e.start
                && a.end == e.end
                && a.label.as_ref().is_none_or(|l| *l == e.label)
        });
        let overridden = users.iter().any(|u| u.start < e.end && e.start < u.end);
        if rejected || overridden {
            continue;
        }
        let accepted = anns.iter().any(|a| {
            a.kind == AnnotationKind::Accept && !a.orphan && a.start == e.start && a.end == e.end
        });
        out.push(EffectiveEntity {
            entity: e,
            status: if accepted {
                EntityStatus::Accepted
            } else {
                EntityStatus::Auto
            },
            annotation_id: None,
        });
    }
    for u in users {
        out.push(EffectiveEntity {
            entity: Entity {
                start: u.start,
                end: u.end,
                text: u.quote.exact.clone(),
                label: u
                    .label
                    .clone()
                    .unwrap_or(EntityType::Custom("ENTITY".into())),
                source: Source::User,
                confidence: 1.0,
            },
            status: EntityStatus::User,
            annotation_id: Some(u.id),
        });
    }
    out.sort_by_key(|e| (e.entity.start, e.entity.end));
    out
}

fn write_fts(c: &Connection, rows: &[(i64, String)]) -> rusqlite::Result<()> {
    let mut st = c.prepare_cached("INSERT INTO articles_fts(rowid, body) VALUES (?1, ?2)")?;
    for (rid, body) in rows {
        st.execute(params![rid, body])?;
    }
    Ok(())
}

fn write_roles(
    c: &Connection,
    rid: i64,
    roles: &[crate::extract::relations::Role],
) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM person_roles WHERE article_rid=?1")?
        .execute([rid])?;
    let mut st = c.prepare_cached(
        "INSERT INTO person_roles(article_rid, person, title, org, start) VALUES (?1,?2,?3,?4,?5)",
    )?;
    for r in roles {
        st.execute(params![rid, r.person, r.title, r.org, r.start as i64])?;
    }
    Ok(())
}

/// A 64-bit key of an entity (type, text): FNV-1a over the type, a zero
/// byte and the text. Only migration 5 writes them (`article_facts.keys`,
/// which migration 6 replaces with [`encode_ids`]).
fn entity_key(label: &str, text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in label
        .as_bytes()
        .iter()
        .chain([0u8].iter())
        .chain(text.as_bytes())
    {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Migration 5's `article_facts.keys`: sorted distinct [`entity_key`]s.
fn encode_keys(ents: &[Entity]) -> Vec<u8> {
    let mut keys: Vec<u64> = ents
        .iter()
        .map(|e| entity_key(e.label.as_str(), &e.text))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.iter().flat_map(|k| k.to_le_bytes()).collect()
}

/// An article's distinct entity ids (`entity_names.id`) as stored in
/// `article_facts.ents`: sorted, each a varint of the gap from the previous
/// one (the first from 0). About 2–3 bytes an entity.
pub fn encode_ids(ids: &mut Vec<u32>) -> Vec<u8> {
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len() * 3);
    let mut prev = 0u32;
    for &i in ids.iter() {
        put_varint(&mut out, u64::from(i - prev));
        prev = i;
    }
    out
}

/// The ids of an [`encode_ids`] blob, in increasing order, appended to
/// `out`; `None` if the blob is malformed.
pub fn decode_ids(blob: &[u8], out: &mut Vec<u32>) -> Option<()> {
    let (mut pos, mut prev) = (0usize, 0u64);
    while pos < blob.len() {
        // The common case, a gap below 128, in one byte.
        let b = blob[pos];
        let gap = if b < 0x80 {
            pos += 1;
            u64::from(b)
        } else {
            get_varint(blob, &mut pos)?
        };
        prev += gap;
        out.push(u32::try_from(prev).ok()?);
    }
    Some(())
}

/// Entity (type, text) → its `entity_names` id, cached per connection.
///
/// Names are never deleted, so an id learned outside a transaction, or in
/// one that committed, stays right. Ids learned inside the current write
/// transaction are `pending`: a rollback (of the transaction or of a
/// savepoint in it) may undo their rows, and the same id may then be given
/// to another name, so they are forgotten then (and at the start of every
/// transaction); a commit keeps them.
#[derive(Default)]
struct NameIds {
    /// Type → text → id (looked up by `&str`, no allocation).
    ids: HashMap<String, rustc_hash::FxHashMap<String, u32>>,
    /// (type, text) learned in the current transaction.
    pending: Vec<(String, String)>,
}

impl NameIds {
    /// The id of (type, text), added to `entity_names` if new.
    fn id(&mut self, c: &Connection, label: &str, text: &str) -> rusqlite::Result<u32> {
        if let Some(&i) = self.ids.get(label).and_then(|m| m.get(text)) {
            return Ok(i);
        }
        let found: Option<i64> = c
            .prepare_cached("SELECT id FROM entity_names WHERE label=?1 AND text=?2")?
            .query_row(params![label, text], |r| r.get(0))
            .optional()?;
        let id = match found {
            Some(i) => i,
            None => {
                c.prepare_cached("INSERT INTO entity_names(label, text) VALUES (?1, ?2)")?
                    .execute(params![label, text])?;
                c.last_insert_rowid()
            }
        };
        let id = u32::try_from(id).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, id))?;
        if !c.is_autocommit() {
            self.pending.push((label.to_string(), text.to_string()));
        }
        match self.ids.get_mut(label) {
            Some(m) => m.insert(text.to_string(), id),
            None => self
                .ids
                .entry(label.to_string())
                .or_default()
                .insert(text.to_string(), id),
        };
        Ok(id)
    }

    /// The [`encode_ids`] blob of an article's entities.
    fn encode(&mut self, c: &Connection, ents: &[Entity]) -> rusqlite::Result<Vec<u8>> {
        let mut ids = Vec::with_capacity(ents.len());
        for e in ents {
            ids.push(self.id(c, e.label.as_str(), &e.text)?);
        }
        Ok(encode_ids(&mut ids))
    }

    /// The transaction committed: what it learned stays.
    fn committed(&mut self) {
        self.pending.clear();
    }

    /// The transaction (or a savepoint in it) rolled back, or a new one
    /// starts: forget what was learned since the last commit.
    fn forget_pending(&mut self) {
        for (l, t) in self.pending.drain(..) {
            if let Some(m) = self.ids.get_mut(&l) {
                m.remove(&t);
            }
        }
    }
}

fn write_facts(
    c: &Connection,
    rid: i64,
    id: &str,
    file: &str,
    day: Option<i64>,
    src: i64,
    ents: &[u8],
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR REPLACE INTO article_facts(rid, id, file, day, src, ents) VALUES (?1,?2,?3,?4,?5,?6)",
    )?
    .execute(params![rid, id, file, day, src, ents])?;
    Ok(())
}

/// Stores an article's automatic entities (its blob and count, and its
/// facts' entity ids) and adds them to the pending entity counts (the
/// caller removed the old ones).
fn write_entities(
    c: &Connection,
    rid: i64,
    text: &str,
    ents: &[Entity],
    counts: &std::cell::RefCell<CountDeltas>,
    names: &std::cell::RefCell<NameIds>,
) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE articles SET ents=?2, n_entities=?3 WHERE rid=?1")?
        .execute(params![rid, encode_entities(text, ents), ents.len() as i64])?;
    let ids = names.borrow_mut().encode(c, ents)?;
    c.prepare_cached("UPDATE article_facts SET ents=?2 WHERE rid=?1")?
        .execute(params![rid, ids])?;
    count_entities(counts, ents, 1);
    Ok(())
}

/// The `files` row being written.
struct FileRow<'a> {
    rel: &'a str,
    size: u64,
    mtime: i64,
    hash: Option<&'a str>,
    encoding: Option<&'a str>,
    error: Option<&'a str>,
}

fn replace_file_tx(
    tx: &Connection,
    f: &FileRow<'_>,
    articles: &[(ParsedArticle, Vec<Entity>)],
    prepared: &[Prepared],
    fts_queue: Option<&std::cell::RefCell<Vec<(i64, String)>>>,
    counts: &std::cell::RefCell<CountDeltas>,
    names: &std::cell::RefCell<NameIds>,
) -> rusqlite::Result<AnchorReport> {
    let rel = f.rel;
    let file_id: i64 = tx
        .prepare_cached(
            "INSERT INTO files(path, encoding, size, mtime, hash, error) VALUES (?1,?2,?3,?4,?5,?6) \
             ON CONFLICT(path) DO UPDATE SET encoding=excluded.encoding, size=excluded.size, mtime=excluded.mtime, \
             hash=excluded.hash, error=excluded.error RETURNING id",
        )?
        .query_row(
            params![rel, f.encoding, f.size as i64, f.mtime, f.hash, f.error],
            |r| r.get(0),
        )?;
    // Old articles of the file: id -> (rid, hash).
    let mut old: HashMap<String, (i64, String)> = HashMap::new();
    {
        let mut st =
            tx.prepare_cached("SELECT id, rid, hash, text, ents FROM articles WHERE file_id=?1")?;
        for row in st.query_map([file_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Txt>(3)?.0,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })? {
            let (id, rid, h, text, ents) = row?;
            count_entities(counts, &decode_entities(&text, &ents), -1);
            old.insert(id, (rid, h));
        }
    }
    if !old.is_empty() {
        let mut del_fts = tx.prepare_cached("DELETE FROM articles_fts WHERE rowid=?1")?;
        let mut del_facts = tx.prepare_cached("DELETE FROM article_facts WHERE rid=?1")?;
        for (rid, _) in old.values() {
            del_fts.execute([rid])?;
            del_facts.execute([rid])?;
        }
        tx.prepare_cached("DELETE FROM articles WHERE file_id=?1")?
            .execute([file_id])?;
    }
    let mut new_ids = Vec::new();
    let mut new_texts: Vec<(String, String, String)> = Vec::new();
    for ((a, ents), p) in articles.iter().zip(prepared) {
        tx.prepare_cached(
            "INSERT INTO articles(id, file_id, idx, title, subtitle, date, source, byline, text, body_start, offset_map, raw_start, raw_end, hash, ents, n_entities, head) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
        )?
        .execute(params![
            p.id,
            file_id,
            a.index as i64,
            a.title,
            a.subtitle,
            a.date,
            a.source,
            p.byline,
            p.text,
            a.body_start as i64,
            p.map,
            a.raw_range.0 as i64,
            a.raw_range.1 as i64,
            p.hash,
            p.ents,
            ents.len() as i64,
            p.head
        ])?;
        let rid = tx.last_insert_rowid();
        match fts_queue {
            Some(q) => q.borrow_mut().push((rid, p.fts.clone())),
            None => write_fts(tx, &[(rid, p.fts.clone())])?,
        }
        count_entities(counts, ents, 1);
        write_roles(tx, rid, &p.roles)?;
        let ids = names.borrow_mut().encode(tx, ents)?;
        write_facts(tx, rid, &p.id, rel, p.day, p.src, &ids)?;
        new_ids.push(p.id.clone());
        new_texts.push((p.id.clone(), p.hash.clone(), a.text.clone()));
    }
    // Re-anchor annotations that pointed into this file's articles.
    let mut ids: Vec<String> = old.keys().cloned().collect();
    for id in &new_ids {
        if !old.contains_key(id) {
            ids.push(id.clone());
        }
    }
    let mut report = AnchorReport::default();
    if ids.is_empty() {
        return Ok(report);
    }
    let mut anns = Vec::new();
    {
        let mut st = tx.prepare_cached(&format!(
            "SELECT {ANN_COLS} FROM annotations WHERE article_id=?1"
        ))?;
        for id in &ids {
            for a in st.query_map([id], row_to_annotation)? {
                anns.push(a?);
            }
        }
    }
    for a in anns {
        let same = new_texts.iter().find(|(id, _, _)| *id == a.article_id);
        let unchanged =
            same.is_some_and(|(id, h, _)| old.get(id).is_some_and(|(_, oh)| oh == h)) && !a.orphan;
        if unchanged {
            continue;
        }
        let mut placed = None;
        if let Some((id, _, text)) = same {
            placed = reanchor(text, a.start, &a.quote).map(|s| (id.clone(), s));
        }
        if placed.is_none() {
            placed = new_texts
                .iter()
                .filter(|(id, _, _)| *id != a.article_id)
                .find_map(|(id, _, text)| {
                    reanchor(text, a.start, &a.quote).map(|s| (id.clone(), s))
                });
        }
        match placed {
            Some((id, (s, e))) => {
                report.placed += 1;
                let exact: String = new_texts
                    .iter()
                    .find(|(i, _, _)| *i == id)
                    .map(|(_, _, t)| t.chars().skip(s).take(e - s).collect())
                    .unwrap_or_default();
                let chars: Vec<char> = new_texts
                    .iter()
                    .find(|(i, _, _)| *i == id)
                    .map(|(_, _, t)| t.chars().collect())
                    .unwrap_or_default();
                let q = quote(&chars, s, e);
                debug_assert_eq!(q.exact, exact);
                tx.execute(
                    "UPDATE annotations SET article_id=?2, start=?3, end=?4, exact=?5, prefix=?6, suffix=?7, orphan=0 WHERE id=?1",
                    params![a.id, id, s as i64, e as i64, q.exact, q.prefix, q.suffix],
                )?;
            }
            None => {
                report.orphaned += 1;
                tx.execute("UPDATE annotations SET orphan=1 WHERE id=?1", [a.id])?;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op_and_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite");
        let s = Store::open(&path).unwrap();
        assert_eq!(s.user_version().unwrap(), schema_version());
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.user_version().unwrap(), schema_version());
        s.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(s);
        let err = Store::open(&path).err().unwrap();
        assert!(err.to_string().contains("newer version of Pizhu"), "{err}");
    }

    #[test]
    fn offset_maps_round_trip_as_runs_and_old_maps_still_read() {
        let maps: Vec<Vec<usize>> = vec![
            vec![],
            vec![0],
            (0..100).collect(),
            (5..50).chain(52..60).chain(3..4).chain(200..210).collect(),
            vec![7, 7, 7, 1, 0],
        ];
        for m in maps {
            let runs = encode_map(&m);
            assert_eq!(decode_map(&runs), m);
            let old: Vec<u8> = m.iter().flat_map(|&x| (x as u32).to_le_bytes()).collect();
            assert_eq!(decode_map(&old), m);
        }
        let identity: Vec<usize> = (10..3010).collect();
        assert!(encode_map(&identity).len() < 12);
    }

    #[test]
    fn entity_blobs_round_trip() {
        let text = "甲乙丙丁戊己庚";
        let e = |start, end, text: &str, label: EntityType, source, confidence| Entity {
            start,
            end,
            text: text.into(),
            label,
            source,
            confidence,
        };
        let ents = vec![
            e(0, 2, "甲乙", EntityType::Per, Source::Rule, 0.9),
            e(
                2,
                3,
                "丙",
                EntityType::Custom("EVENT".into()),
                Source::Lexicon,
                1.0,
            ),
            e(3, 5, "别的", EntityType::Org, Source::Model, 0.25),
            e(5, 7, "己庚", EntityType::Per, Source::Gazetteer, 0.5),
        ];
        assert_eq!(decode_entities(text, &encode_entities(text, &ents)), ents);
        assert_eq!(decode_entities(text, &encode_entities(text, &[])), vec![]);
        assert!(decode_entities(text, &[0xff, 0xff]).is_empty());
    }

    #[test]
    fn the_prefilter_is_the_longest_han_run() {
        assert_eq!(
            fts_prefilter("G20峰会在杭州").as_deref(),
            Some("\"峰 会 在 杭 州\"")
        );
        assert_eq!(fts_prefilter("abc 12"), None);
        assert_eq!(fts_prefilter("中-国家"), Some("\"国 家\"".into()));
    }

    #[test]
    fn fts_tokens_split_han() {
        assert_eq!(fts_tokens("脱贫ABC 12"), " 脱 贫 abc 12");
        assert_eq!(fts_query("脱贫 abc").unwrap(), "\"脱 贫\" AND \"abc\"");
    }
}
