//! Per-database zstd dictionaries for the stored article texts.
//!
//! News texts are short and alike (datelines, boilerplate, recurring
//! phrases), so zstd compresses each one much better against a dictionary
//! trained on the archive's own texts. An index run trains one from the first
//! texts it stores ([`train`]), the store keeps it in `text_dicts` (one row
//! per dictionary, keyed by its zstd dictionary id) and texts are compressed
//! with it ([`TextDict::encode`]) on the extraction threads.
//!
//! Every frame names its dictionary (zstd's dictionary id in the frame
//! header) and carries a checksum. Decoding ([`decompress`]) looks the id up
//! in a process-wide registry that every opened store fills from its table;
//! two databases whose dictionaries happen to share an id both stay
//! readable (each candidate is tried, the checksum rejects a wrong one). A
//! frame whose dictionary this process has not loaded (another process
//! trained it after this one opened the database) reloads the dictionaries
//! of every database opened in this process, then retries. A frame without
//! a dictionary id decodes as before (texts stored before the dictionary,
//! or in an archive too small to train one).

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, OnceLock, RwLock};

use rustc_hash::FxHashMap;
use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};
use zstd::zstd_safe;

/// zstd level of texts compressed with a dictionary.
const LEVEL: i32 = 3;
/// Bytes of text a dictionary is trained from (the first texts of a run).
pub const SAMPLE_BYTES: usize = 8 << 20;
/// Below this much text no dictionary is trained (it would cost more than it
/// saves): such archives keep plain zstd frames.
pub const MIN_SAMPLE_BYTES: usize = 1 << 20;
/// Largest dictionary: about a twelfth of the sample (zstd wants at least
/// ten times the dictionary's size of samples), at most 512 KiB.
const MAX_DICT_BYTES: usize = 512 << 10;
/// A decoded text larger than this is refused as corrupt (files larger than
/// the indexer's limit are never read).
const MAX_TEXT_BYTES: u64 = 1 << 30;

/// One loaded dictionary: its bytes, prepared for decoding, and (made on
/// first use) for encoding.
pub(crate) struct Entry {
    id: u32,
    bytes: Vec<u8>,
    /// Made on first use (a command that decodes no text never pays it).
    dec: OnceLock<Option<DecoderDictionary<'static>>>,
    enc: OnceLock<Option<EncoderDictionary<'static>>>,
}

/// Dictionaries by zstd id; entries are leaked (one per distinct
/// dictionary per process, a few hundred KiB each) so that the thread-local
/// codecs can hold them for the process's life.
static REGISTRY: LazyLock<RwLock<FxHashMap<u32, Vec<&'static Entry>>>> =
    LazyLock::new(Default::default);
/// Databases opened in this process, reread when a frame names a
/// dictionary not loaded yet.
static DATABASES: LazyLock<Mutex<Vec<PathBuf>>> = LazyLock::new(Default::default);

/// Registers a dictionary (once per distinct content) and returns it.
pub(crate) fn register(bytes: &[u8]) -> Option<&'static Entry> {
    let id = zstd_safe::get_dict_id_from_dict(bytes)?.get();
    if let Some(e) = REGISTRY
        .read()
        .ok()?
        .get(&id)
        .and_then(|v| v.iter().find(|e| e.bytes == bytes))
    {
        return Some(e);
    }
    let mut reg = REGISTRY.write().ok()?;
    let list = reg.entry(id).or_default();
    if let Some(e) = list.iter().find(|e| e.bytes == bytes) {
        return Some(e);
    }
    let entry: &'static Entry = Box::leak(Box::new(Entry {
        id,
        bytes: bytes.to_vec(),
        dec: OnceLock::new(),
        enc: OnceLock::new(),
    }));
    list.push(entry);
    Some(entry)
}

/// Remembers a database opened in this process (see [`decompress`]).
pub(crate) fn note_database(path: &Path) {
    if let Ok(mut dbs) = DATABASES.lock()
        && !dbs.iter().any(|p| p == path)
    {
        dbs.push(path.to_path_buf());
    }
}

/// Registers every dictionary stored in the database at `conn`; returns
/// their ids. A database without the table (older schema) has none.
pub(crate) fn load_from(conn: &rusqlite::Connection) -> Vec<(u32, &'static Entry)> {
    let Ok(mut st) = conn.prepare("SELECT dict FROM text_dicts ORDER BY n") else {
        return Vec::new();
    };
    let Ok(rows) = st.query_map([], |r| r.get::<_, Vec<u8>>(0)) else {
        return Vec::new();
    };
    rows.filter_map(|r| r.ok())
        .filter_map(|b| register(&b))
        .map(|e| (e.id, e))
        .collect()
}

/// Rereads the dictionaries of every database opened in this process.
fn reload_all() {
    let paths = DATABASES.lock().map(|d| d.clone()).unwrap_or_default();
    for p in paths {
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if let Ok(c) = rusqlite::Connection::open_with_flags(&p, flags) {
            let _ = c.busy_timeout(std::time::Duration::from_secs(5));
            load_from(&c);
        }
    }
}

/// A database's text dictionary, ready to compress with (cheap to copy and
/// to send to other threads).
#[derive(Clone, Copy)]
pub struct TextDict {
    entry: &'static Entry,
}

impl std::fmt::Debug for TextDict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TextDict(id {}, {} bytes)",
            self.entry.id,
            self.entry.bytes.len()
        )
    }
}

thread_local! {
    static ENCODER: RefCell<Option<(u32, usize, Compressor<'static>)>> = const { RefCell::new(None) };
    static DECODER: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

impl TextDict {
    pub(crate) fn new(entry: &'static Entry) -> TextDict {
        TextDict { entry }
    }

    /// Whether both are the same dictionary (the registry holds one entry
    /// per distinct content).
    pub fn same(&self, other: &TextDict) -> bool {
        std::ptr::eq(self.entry, other.entry)
    }

    /// The zstd dictionary id (also the `text_dicts` key).
    pub fn id(&self) -> u32 {
        self.entry.id
    }

    /// The dictionary's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.entry.bytes
    }

    /// Compresses a text with this dictionary: a zstd frame naming the
    /// dictionary, with a checksum. `None` if zstd fails (the caller then
    /// stores a plain frame).
    pub fn encode(&self, text: &str) -> Option<Vec<u8>> {
        let enc = self
            .entry
            .enc
            .get_or_init(|| EncoderDictionary::try_copy(&self.entry.bytes, LEVEL).ok())
            .as_ref()?;
        let key = self.entry as *const Entry as usize;
        ENCODER.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.as_ref().is_none_or(|(_, k, _)| *k != key) {
                let mut c = Compressor::with_prepared_dictionary(enc).ok()?;
                c.set_parameter(zstd_safe::CParameter::ChecksumFlag(true))
                    .ok()?;
                *cell = Some((self.entry.id, key, c));
            }
            let (_, _, c) = cell.as_mut()?;
            c.compress(text.as_bytes()).ok()
        })
    }
}

/// Trains a dictionary from sample texts; `None` when they are too few
/// (below [`MIN_SAMPLE_BYTES`]) or zstd cannot train on them.
pub fn train<S: AsRef<[u8]>>(samples: &[S]) -> Option<Vec<u8>> {
    let total: usize = samples.iter().map(|s| s.as_ref().len()).sum();
    if total < MIN_SAMPLE_BYTES || samples.len() < 16 {
        return None;
    }
    let size = (total / 12).clamp(16 << 10, MAX_DICT_BYTES);
    zstd::dict::from_samples(samples, size).ok()
}

/// Decompresses a stored text frame: with the dictionary the frame names
/// (see the module documentation), else plainly.
pub(crate) fn decompress(frame: &[u8]) -> std::io::Result<Vec<u8>> {
    let size = match zstd_safe::get_frame_content_size(frame) {
        Ok(Some(n)) if n <= MAX_TEXT_BYTES => n as usize,
        _ => return zstd::stream::decode_all(frame),
    };
    let with_decoder = |dict: Option<&'static DecoderDictionary<'static>>| {
        DECODER.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.is_none() {
                *cell = Some(Decompressor::new()?);
            }
            let d = cell
                .as_mut()
                .ok_or_else(|| std::io::Error::other("no decoder"))?;
            match dict {
                Some(dict) => d.set_prepared_dictionary(dict)?,
                None => d.set_dictionary(&[])?,
            }
            d.decompress(frame, size)
        })
    };
    let Some(id) = zstd_safe::get_dict_id_from_frame(frame).map(|i| i.get()) else {
        return with_decoder(None);
    };
    for attempt in 0..2 {
        let candidates: Vec<&'static Entry> = REGISTRY
            .read()
            .ok()
            .and_then(|r| r.get(&id).cloned())
            .unwrap_or_default();
        for e in candidates {
            let Some(dec) = e
                .dec
                .get_or_init(|| DecoderDictionary::try_copy(&e.bytes).ok())
                .as_ref()
            else {
                continue;
            };
            if let Ok(v) = with_decoder(Some(dec)) {
                return Ok(v);
            }
        }
        if attempt == 0 {
            reload_all();
        }
    }
    Err(std::io::Error::other(format!(
        "text compressed with dictionary {id}, which is not in the database"
    )))
}
