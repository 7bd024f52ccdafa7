//! Reading an archive folder: which files belong to it and how their bytes
//! become text.
//!
//! Owns file discovery (recursive, hidden folders and the database folder
//! skipped), file identity (a lossless text form of each relative path),
//! encoding detection and HTML tag stripping. Nothing here panics on file
//! contents: a file that cannot be used yields a [`SkipReason`], a folder or
//! link that cannot be followed yields a listing problem, and the rest of the
//! archive goes on.
//!
//! Encoding rule ([`decode`]): a BOM decides; NUL bytes mean UTF-16 when they
//! sit at one parity and the text reads as text, else binary; valid UTF-8 is
//! UTF-8. Otherwise each line is decoded as UTF-8 (invalid bytes become
//! U+FFFD and are counted) or as the legacy encoding `chardetng` picks from
//! the invalid lines (GBK/GB2312 read as GB18030), whichever costs less: a
//! UTF-8 invalid sequence costs 1, a legacy decoding error 2 and a valid
//! three- or four-byte UTF-8 character read as legacy 1 (it would be
//! mojibake; two-byte sequences occur by chance in GB18030 and count for
//! nothing). The
//! encoding with the lower total over the file is the default; a line
//! switches away from it only when the other encoding is cheaper by
//! [`SWITCH_MARGIN`]. One stray byte in a UTF-8 file therefore stays one
//! U+FFFD, and mixed UTF-8/GB18030 files are read line by line. Every step is
//! linear in the file's size; `chardetng` sees at most [`DETECT_SAMPLE`]
//! bytes.

use std::cell::RefCell;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use walkdir::WalkDir;

use crate::error::{Error, Result};

/// Default largest file that is read (50 MB, 1 MB = 2^20 bytes as in
/// `--max-file-mb`).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 50 * MB;

/// One megabyte as Pizhu counts it everywhere (`--max-file-mb`, messages).
pub const MB: u64 = 1024 * 1024;

/// Name of the folder inside an archive that holds Pizhu's own data.
pub const DATA_DIR: &str = ".pizhu";

/// A file Pizhu writes into every folder export (brat, reading copies); a
/// folder holding it is never indexed.
pub const EXPORT_MARKER: &str = ".pizhu-export";

/// How much cheaper the other encoding must be before one line leaves the
/// file's default encoding.
pub const SWITCH_MARGIN: usize = 3;

/// Most bytes of invalid lines given to `chardetng` to pick a legacy encoding.
pub const DETECT_SAMPLE: usize = 256 * 1024;

/// The kinds of source file Pizhu reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Plain text (`.txt`).
    Text,
    /// Markdown (`.md`, `.markdown`).
    Markdown,
    /// HTML (`.html`, `.htm`): tags are stripped.
    Html,
}

impl FileKind {
    /// The kind of `path` by its extension, if Pizhu reads it.
    pub fn of(path: &Path) -> Option<FileKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(FileKind::Text),
            "md" | "markdown" => Some(FileKind::Markdown),
            "html" | "htm" => Some(FileKind::Html),
            _ => None,
        }
    }
}

/// A source file found in the archive.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The real path (the file's own bytes, never a lossy conversion).
    pub path: PathBuf,
    /// Path relative to the archive root, with `/` separators, each name in
    /// its lossless text form ([`escape_name`]): the file's identity.
    pub rel: String,
    /// What kind of file it is.
    pub kind: FileKind,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds since the epoch (0 if unknown).
    pub mtime: i64,
}

/// The lossless text form of one file or folder name.
///
/// A name that is valid UTF-8 and holds no `\` is itself. Otherwise every
/// byte that is not part of valid UTF-8 becomes `\xHH` and every `\`
/// becomes `\\`, so two different names never share a text form (GBK names
/// from Windows zips stay apart) and [`unescape_name`] gives the bytes back.
pub fn escape_name(name: &OsStr) -> String {
    let bytes = name.as_encoded_bytes();
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.contains('\\') => s.to_string(),
        _ => {
            let mut out = String::with_capacity(bytes.len() * 2);
            for chunk in bytes.utf8_chunks() {
                for c in chunk.valid().chars() {
                    if c == '\\' {
                        out.push_str("\\\\");
                    } else {
                        out.push(c);
                    }
                }
                for b in chunk.invalid() {
                    let _ = write!(out, "\\x{b:02X}");
                }
            }
            out
        }
    }
}

/// The bytes of a name written by [`escape_name`].
pub fn unescape_name(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
                continue;
            }
            if b.get(i + 1) == Some(&b'x')
                && let Some(h) = text.get(i + 2..i + 4)
                && let Ok(v) = u8::from_str_radix(h, 16)
            {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The real path of the file whose identity is `rel` under `root`.
#[cfg(unix)]
pub fn path_of(root: &Path, rel: &str) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let mut p = root.to_path_buf();
    for part in rel.split('/') {
        p.push(OsStr::from_bytes(&unescape_name(part)));
    }
    p
}

/// The real path of the file whose identity is `rel` under `root`.
#[cfg(not(unix))]
pub fn path_of(root: &Path, rel: &str) -> PathBuf {
    let mut p = root.to_path_buf();
    for part in rel.split('/') {
        p.push(String::from_utf8_lossy(&unescape_name(part)).as_ref());
    }
    p
}

/// The identity of `path` relative to `root` (see [`SourceFile::rel`]).
pub fn rel_of(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| escape_name(c.as_os_str()))
        .collect::<Vec<_>>()
        .join("/")
}

/// Everything [`list_archive`] found.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The readable files, sorted by relative path.
    pub files: Vec<SourceFile>,
    /// What was not followed or could not be listed, as (relative path,
    /// reason): links leading outside the archive, link loops, broken links,
    /// folders that cannot be listed, Pizhu's own export folders.
    pub problems: Vec<(String, String)>,
}

/// Lists the readable files of `root`, sorted by relative path (see
/// [`list_archive`], whose problems this drops).
pub fn list_files(root: &Path, skip_dir: Option<&Path>) -> Result<Vec<SourceFile>> {
    Ok(list_archive(root, skip_dir)?.files)
}

/// Whether `dir` is a folder Pizhu exported (it holds [`EXPORT_MARKER`], or
/// the `annotation.conf` of a brat export written by Pizhu).
pub fn is_export_folder(dir: &Path) -> bool {
    if dir.join(EXPORT_MARKER).exists() {
        return true;
    }
    let mut head = [0u8; 32];
    std::fs::File::open(dir.join("annotation.conf"))
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .is_ok_and(|n| head[..n].starts_with(b"# Written by Pizhu"))
}

/// Lists the readable files of `root` and what could not be followed.
///
/// Hidden files and folders (names starting with `.`) are skipped, which
/// includes the `.pizhu` data folder; so is `skip_dir` (the database's folder
/// when it lives elsewhere inside the archive). Symbolic links are followed
/// only when they lead to a place inside the archive; links leading outside,
/// broken links, link loops, folders that cannot be listed and Pizhu's own
/// export folders are reported in [`Listing::problems`], by name.
pub fn list_archive(root: &Path, skip_dir: Option<&Path>) -> Result<Listing> {
    if !root.is_dir() {
        return Err(Error::NotAFolder(root.to_path_buf()));
    }
    let canon_root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let skip = skip_dir.and_then(|d| d.canonicalize().ok());
    let problems: RefCell<Vec<(String, String)>> = RefCell::new(Vec::new());
    let mut out = Vec::new();
    let walker = WalkDir::new(root).follow_links(true).into_iter();
    for entry in walker.filter_entry(|e| {
        if e.depth() == 0 {
            return true;
        }
        if e.file_name().as_encoded_bytes().starts_with(b".") {
            return false;
        }
        let is_dir = e.file_type().is_dir();
        let relevant = is_dir || FileKind::of(e.path()).is_some();
        if e.path_is_symlink() {
            let report = |why: String| {
                if relevant {
                    problems.borrow_mut().push((rel_of(e.path(), root), why));
                }
            };
            match e.path().canonicalize() {
                Ok(target) if !target.starts_with(&canon_root) => {
                    report(format!(
                        "symbolic link to {} outside the archive, not followed",
                        target.display()
                    ));
                    return false;
                }
                Ok(_) => {}
                Err(err) => {
                    report(format!("broken symbolic link ({err}), not followed"));
                    return false;
                }
            }
        }
        if is_dir {
            let canon = e.path().canonicalize().ok();
            if skip.is_some() && canon == skip {
                return false;
            }
            if is_export_folder(e.path()) {
                problems.borrow_mut().push((
                    rel_of(e.path(), root),
                    "a folder exported by Pizhu, not indexed".into(),
                ));
                return false;
            }
        }
        true
    }) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let rel = err.path().map(|p| rel_of(p, root)).unwrap_or_default();
                let why = match (err.loop_ancestor(), err.io_error()) {
                    (Some(anc), _) => format!(
                        "symbolic link loop (leads back to {}), not followed",
                        anc.display()
                    ),
                    (None, Some(io)) => format!("cannot list or read: {io}"),
                    (None, None) => err.to_string(),
                };
                problems.borrow_mut().push((rel, why));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(kind) = FileKind::of(entry.path()) else {
            continue;
        };
        let meta = entry.metadata().ok();
        let size = meta.as_ref().map_or(0, |m| m.len());
        let mtime = meta
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        out.push(SourceFile {
            rel: rel_of(entry.path(), root),
            path: entry.path().to_path_buf(),
            kind,
            size,
            mtime,
        });
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut problems = problems.into_inner();
    problems.sort();
    problems.dedup();
    Ok(Listing {
        files: out,
        problems,
    })
}

/// Why a file was not indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The file has no bytes (or only whitespace).
    Empty,
    /// The file is larger than the configured limit.
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The file looks binary (NUL bytes outside UTF-16).
    Binary,
    /// Most of the bytes decode to nothing in any supported encoding.
    Undecodable(String),
    /// The file could not be read.
    Unreadable(String),
    /// A reading copy Pizhu exported (`pizhu export --format markdown|html`).
    OwnExport,
}

/// `bytes` in MB (2^20 bytes), without a fraction when it is whole.
pub fn format_mb(bytes: u64) -> String {
    if bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Empty => write!(f, "empty file"),
            SkipReason::TooLarge { size, limit } => write!(
                f,
                "file too large: {} is over the {} limit (--max-file-mb)",
                format_mb(*size),
                format_mb(*limit)
            ),
            SkipReason::Binary => write!(f, "binary file (contains NUL bytes), not text"),
            SkipReason::Undecodable(why) => write!(f, "cannot decode text: {why}"),
            SkipReason::Unreadable(why) => write!(f, "cannot read file: {why}"),
            SkipReason::OwnExport => write!(f, "a reading copy exported by Pizhu, not indexed"),
        }
    }
}

/// A decoded file.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, with a BOM removed and `\r\n` kept as it was.
    pub text: String,
    /// The encoding's name (`UTF-8`, `UTF-8 BOM`, `UTF-16LE`, `gb18030`,
    /// `UTF-8 + gb18030` for a file mixing both line by line, …).
    pub encoding: String,
    /// Bytes that were invalid in the encoding that read them; each invalid
    /// sequence is one U+FFFD in `text`.
    pub invalid_bytes: usize,
}

/// Reads and decodes a file, or says why it cannot be used.
pub fn read_file(
    path: &Path,
    max_bytes: u64,
) -> std::result::Result<(Vec<u8>, Decoded), SkipReason> {
    let meta = std::fs::metadata(path).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    if meta.len() > max_bytes {
        return Err(SkipReason::TooLarge {
            size: meta.len(),
            limit: max_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    let decoded = decode(&bytes)?;
    if is_own_export(&decoded.text) {
        return Err(SkipReason::OwnExport);
    }
    Ok((bytes, decoded))
}

/// Whether `text` is a reading copy written by [`crate::export`]: Markdown
/// opening with its `# Pizhu 批注` heading, or HTML with its generator tag.
pub fn is_own_export(text: &str) -> bool {
    let mut n = text.len().min(1024);
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    text.starts_with("# Pizhu 批注\n") || text[..n].contains(crate::export::reading::GENERATOR_META)
}

/// Decodes bytes to text, detecting the encoding (rule in the module
/// documentation).
pub fn decode(bytes: &[u8]) -> std::result::Result<Decoded, SkipReason> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SkipReason::Empty);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let name = if enc == encoding_rs::UTF_8 {
            "UTF-8 BOM".to_string()
        } else {
            enc.name().to_string()
        };
        return whole(enc, &bytes[bom_len..], name);
    }
    if bytes.contains(&0) {
        return match utf16_without_bom(bytes) {
            Some(enc) => whole(enc, bytes, format!("{} (no BOM)", enc.name())),
            None => Err(SkipReason::Binary),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return finish(text.to_string(), 0, "UTF-8".into());
    }
    decode_lines(bytes)
}

/// Decodes all of `bytes` with `enc`, counting invalid sequences.
fn whole(
    enc: &'static Encoding,
    bytes: &[u8],
    name: String,
) -> std::result::Result<Decoded, SkipReason> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    let invalid = if had_errors {
        text.chars().filter(|&c| c == '\u{FFFD}').count()
    } else {
        0
    };
    finish(text.into_owned(), invalid, name)
}

/// Whether a character is ordinary in text (for telling UTF-16 from binary).
fn texty(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t' | ' '..='~')
        || (c >= '\u{a0}'
            && !c.is_control()
            && c != '\u{FFFD}'
            && !('\u{e000}'..='\u{f8ff}').contains(&c))
}

/// UTF-16 without a BOM: NUL bytes at one parity (the high bytes of ASCII
/// characters) and a sample that decodes to ordinary text.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(64 * 1024) & !1];
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in sample.iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    let nul = even + odd;
    let enc = if nul > 0 && odd * 10 >= nul * 9 {
        encoding_rs::UTF_16LE
    } else if nul > 0 && even * 10 >= nul * 9 {
        encoding_rs::UTF_16BE
    } else {
        return None;
    };
    let (text, _) = enc.decode_without_bom_handling(sample);
    let (mut n, mut good) = (0usize, 0usize);
    for c in text.chars() {
        n += 1;
        good += usize::from(texty(c));
    }
    (n > 0 && good * 100 >= n * 95).then_some(enc)
}

/// What one line costs in each encoding.
#[derive(Debug, Clone, Copy, Default)]
struct LineCost {
    /// Byte range of the line (with its `\n`).
    start: usize,
    end: usize,
    /// The line is valid UTF-8.
    valid: bool,
    /// The line has bytes outside ASCII.
    non_ascii: bool,
    /// Invalid UTF-8 sequences (one U+FFFD each) and their bytes.
    bad_seqs: usize,
    bad_bytes: usize,
    /// Valid UTF-8 characters of three or four bytes.
    multibyte: usize,
    /// Decoding errors in the legacy encoding (`None`: not computed).
    legacy_errors: Option<usize>,
}

impl LineCost {
    fn utf8(&self) -> usize {
        self.bad_seqs
    }
    fn legacy(&self) -> usize {
        2 * self.legacy_errors.unwrap_or(0) + self.multibyte
    }
}

/// Valid UTF-8 characters of three or four bytes in `s` (valid UTF-8):
/// Chinese text in UTF-8 is made of them, while two-byte sequences turn up
/// by chance in GB18030 text (`踢成` holds one) and prove nothing.
fn count_multibyte(s: &[u8]) -> usize {
    s.iter().filter(|&&b| b >= 0xE0).count()
}

fn legacy_errors(enc: &'static Encoding, line: &[u8]) -> usize {
    let (text, had_errors) = enc.decode_without_bom_handling(line);
    if had_errors {
        text.chars().filter(|&c| c == '\u{FFFD}').count()
    } else {
        0
    }
}

/// Decodes text that is not valid UTF-8, line by line (see the module
/// documentation for the rule).
fn decode_lines(bytes: &[u8]) -> std::result::Result<Decoded, SkipReason> {
    let mut lines = Vec::new();
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut fed = 0usize;
    let mut start = 0usize;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let end = start + line.len();
        let mut c = LineCost {
            start,
            end,
            ..LineCost::default()
        };
        c.non_ascii = !line.is_ascii();
        if std::str::from_utf8(line).is_ok() {
            c.valid = true;
            c.multibyte = count_multibyte(line);
        } else {
            for chunk in line.utf8_chunks() {
                c.multibyte += count_multibyte(chunk.valid().as_bytes());
                if !chunk.invalid().is_empty() {
                    c.bad_seqs += 1;
                    c.bad_bytes += chunk.invalid().len();
                }
            }
            if fed < DETECT_SAMPLE {
                fed += line.len();
                detector.feed(line, false);
            }
        }
        lines.push(c);
        start = end;
    }
    detector.feed(&[], true);
    let mut legacy = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    if legacy == encoding_rs::GBK || legacy == encoding_rs::UTF_8 {
        // GB18030 is a superset of GBK and GB2312.
        legacy = encoding_rs::GB18030;
    }
    let (mut total_utf8, mut total_legacy) = (0usize, 0usize);
    for c in &mut lines {
        if !c.valid {
            c.legacy_errors = Some(legacy_errors(legacy, &bytes[c.start..c.end]));
        }
        total_utf8 += c.utf8();
        total_legacy += c.legacy();
    }
    let utf8_default = total_utf8 <= total_legacy;
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let (mut invalid, mut utf8_lines, mut legacy_lines) = (0usize, 0usize, 0usize);
    for c in &mut lines {
        let line = &bytes[c.start..c.end];
        if !utf8_default && c.valid && c.non_ascii && c.legacy_errors.is_none() {
            c.legacy_errors = Some(legacy_errors(legacy, line));
        }
        let use_utf8 = if utf8_default {
            c.utf8() < c.legacy() + SWITCH_MARGIN
        } else {
            c.utf8() + SWITCH_MARGIN <= c.legacy()
        };
        if c.non_ascii {
            if use_utf8 {
                utf8_lines += 1;
            } else {
                legacy_lines += 1;
            }
        }
        if use_utf8 {
            invalid += c.bad_bytes;
            text.push_str(&String::from_utf8_lossy(line));
        } else {
            let (t, _) = legacy.decode_without_bom_handling(line);
            invalid += c.legacy_errors.unwrap_or(0);
            text.push_str(&t);
        }
    }
    let name = match (utf8_lines > 0, legacy_lines > 0) {
        (true, true) if utf8_default => format!("UTF-8 + {}", legacy.name()),
        (true, true) => format!("{} + UTF-8", legacy.name()),
        (false, true) => legacy.name().to_string(),
        _ => "UTF-8".to_string(),
    };
    finish(text, invalid, name)
}

fn finish(
    text: String,
    invalid: usize,
    encoding: String,
) -> std::result::Result<Decoded, SkipReason> {
    let mut total = 0usize;
    let mut bad = 0usize;
    let mut controls = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\u{FFFD}' {
            bad += 1;
        } else if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}') {
            controls += 1;
        }
    }
    let total = total.max(1);
    if invalid > 0 && bad * 20 > total {
        return Err(SkipReason::Undecodable(format!(
            "{bad} of {total} characters are invalid as {encoding}"
        )));
    }
    if controls * 10 > total {
        return Err(SkipReason::Binary);
    }
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    Ok(Decoded {
        text,
        encoding,
        invalid_bytes: invalid,
    })
}

/// Strips HTML tags, returning the visible text and, for each of its
/// characters, the code-point offset in the HTML source.
///
/// Block elements become line breaks; `<script>` and `<style>` contents are
/// dropped; the common character entities are decoded.
pub fn strip_html(html: &str) -> (String, Vec<usize>) {
    let chars: Vec<char> = html.chars().collect();
    let mut out = String::with_capacity(html.len());
    let mut map = Vec::with_capacity(chars.len());
    // The next `>` at or after a tag start (`usize::MAX`: none left), searched
    // again only once passed, so text full of unclosed `<` stays linear.
    let mut next_gt: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // A `<` starts a tag only before a letter, `/`, `!` or `?` (as in
        // HTML's tokenizer) and when a `>` closes it; any other `<` is text
        // (`3 < 5 的标题`).
        let opens_tag = c == '<'
            && chars
                .get(i + 1)
                .is_some_and(|&n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'));
        let close = if opens_tag {
            if next_gt.is_none_or(|g| g < i) {
                next_gt = Some(
                    chars[i..]
                        .iter()
                        .position(|&c| c == '>')
                        .map_or(usize::MAX, |p| i + p),
                );
            }
            next_gt.filter(|&g| g != usize::MAX)
        } else {
            None
        };
        if let Some(close) = close {
            let tag: String = chars[i + 1..close]
                .iter()
                .collect::<String>()
                .to_ascii_lowercase();
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if !tag.starts_with('/')
                && matches!(
                    name.as_str(),
                    "script" | "style" | "head" | "noscript" | "template"
                )
            {
                let end_tag: Vec<char> = format!("</{name}").chars().collect();
                let mut j = close + 1;
                while j < chars.len() {
                    if chars[j] == '<'
                        && chars[j..]
                            .iter()
                            .take(end_tag.len())
                            .map(|c| c.to_ascii_lowercase())
                            .eq(end_tag.iter().copied())
                    {
                        break;
                    }
                    j += 1;
                }
                i = chars[j..]
                    .iter()
                    .position(|&c| c == '>')
                    .map_or(chars.len(), |p| j + p + 1);
                continue;
            }
            const BLOCKS: &[&str] = &[
                "p",
                "br",
                "div",
                "h1",
                "h2",
                "h3",
                "h4",
                "h5",
                "h6",
                "li",
                "tr",
                "title",
                "section",
                "article",
                "header",
                "footer",
                "blockquote",
            ];
            if BLOCKS.contains(&name.as_str()) {
                out.push('\n');
                map.push(i);
            }
            i = close + 1;
            continue;
        }
        if c == '&' {
            let semi = chars[i..]
                .iter()
                .take(12)
                .position(|&c| c == ';')
                .map(|p| i + p);
            if let Some(semi) = semi {
                let ent: String = chars[i + 1..semi].iter().collect();
                let decoded = match ent.as_str() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    "ldquo" => Some('“'),
                    "rdquo" => Some('”'),
                    "middot" => Some('·'),
                    _ => ent
                        .strip_prefix("#x")
                        .or_else(|| ent.strip_prefix("#X"))
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                };
                if let Some(d) = decoded {
                    out.push(d);
                    map.push(i);
                    i = semi + 1;
                    continue;
                }
            }
        }
        out.push(c);
        map.push(i);
        i += 1;
    }
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_gbk_utf16_and_rejects_binary() {
        let text = "新郑市举行签约仪式，喆。";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let d = decode(&gbk).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "gb18030");
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&utf16).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "UTF-16LE");
        assert_eq!(
            decode(&[0, 1, 2, 3, 0, 0, 7]).unwrap_err(),
            SkipReason::Binary
        );
        assert_eq!(decode(b"  \n").unwrap_err(), SkipReason::Empty);
    }

    #[test]
    fn strips_html_with_offsets() {
        let html = "<html><style>p{}</style><h1>标题&amp;</h1><p>正文</p></html>";
        let (text, map) = strip_html(html);
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines, vec!["标题&", "正文"]);
        let chars: Vec<char> = html.chars().collect();
        let pos = text.chars().position(|c| c == '正').unwrap();
        assert_eq!(chars[map[pos]], '正');
    }
}
