//! Reading an archive folder: which files belong to it and how their bytes
//! become text.
//!
//! Owns file discovery (recursive, hidden folders and the database folder
//! skipped), encoding detection (UTF-8 with or without BOM, UTF-16 with BOM,
//! GB18030/GBK/GB2312 via `chardetng`) and HTML tag stripping. Nothing here
//! panics on file contents: a file that cannot be used yields a
//! [`SkipReason`] and the rest of the archive goes on.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{Error, Result};

/// Default largest file that is read (50 MB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Name of the folder inside an archive that holds Pizhu's own data.
pub const DATA_DIR: &str = ".pizhu";

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
    /// Absolute (or as given) path.
    pub path: PathBuf,
    /// Path relative to the archive root, with `/` separators.
    pub rel: String,
    /// What kind of file it is.
    pub kind: FileKind,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds since the epoch (0 if unknown).
    pub mtime: i64,
}

/// Lists the readable files of `root`, sorted by relative path.
///
/// Hidden files and folders (names starting with `.`) are skipped, which
/// includes the `.pizhu` data folder; so is `skip_dir` (the database's folder
/// when it lives elsewhere inside the archive).
pub fn list_files(root: &Path, skip_dir: Option<&Path>) -> Result<Vec<SourceFile>> {
    if !root.is_dir() {
        return Err(Error::NotAFolder(root.to_path_buf()));
    }
    let skip = skip_dir.and_then(|d| d.canonicalize().ok());
    let mut out = Vec::new();
    let walker = WalkDir::new(root).follow_links(true).into_iter();
    for entry in walker.filter_entry(|e| {
        let hidden = e.depth() > 0 && e.file_name().to_str().is_some_and(|n| n.starts_with('.'));
        let is_skip = skip.as_ref().is_some_and(|s| {
            e.file_type().is_dir() && e.path().canonicalize().ok().as_ref() == Some(s)
        });
        !hidden && !is_skip
    }) {
        let Ok(entry) = entry else { continue };
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
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        out.push(SourceFile {
            path: entry.path().to_path_buf(),
            rel,
            kind,
            size,
            mtime,
        });
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
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
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Empty => write!(f, "empty file"),
            SkipReason::TooLarge { size, limit } => write!(
                f,
                "file too large: {:.1} MB is over the {:.1} MB limit",
                *size as f64 / 1e6,
                *limit as f64 / 1e6
            ),
            SkipReason::Binary => write!(f, "binary file (contains NUL bytes), not text"),
            SkipReason::Undecodable(why) => write!(f, "cannot decode text: {why}"),
            SkipReason::Unreadable(why) => write!(f, "cannot read file: {why}"),
        }
    }
}

/// A decoded file.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, with a BOM removed and `\r\n` kept as it was.
    pub text: String,
    /// The encoding's name (`UTF-8`, `UTF-8 BOM`, `UTF-16LE`, `GB18030`, …).
    pub encoding: String,
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
    Ok((bytes, decoded))
}

/// Decodes bytes to text, detecting the encoding.
pub fn decode(bytes: &[u8]) -> std::result::Result<Decoded, SkipReason> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SkipReason::Empty);
    }
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let name = if enc == encoding_rs::UTF_8 {
            "UTF-8 BOM".to_string()
        } else {
            enc.name().to_string()
        };
        return finish(text.into_owned(), had_errors, name);
    }
    if bytes.contains(&0) {
        return Err(SkipReason::Binary);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return finish(text.to_string(), false, "UTF-8".into());
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let mut enc = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    if enc == encoding_rs::GBK || enc == encoding_rs::UTF_8 {
        // GB18030 is a superset of GBK and GB2312; invalid UTF-8 falls back to it too.
        enc = encoding_rs::GB18030;
    }
    let (text, _, had_errors) = enc.decode(bytes);
    finish(text.into_owned(), had_errors, enc.name().to_string())
}

fn finish(
    text: String,
    had_errors: bool,
    encoding: String,
) -> std::result::Result<Decoded, SkipReason> {
    if had_errors {
        let total = text.chars().count().max(1);
        let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
        if bad * 20 > total {
            return Err(SkipReason::Undecodable(format!(
                "{bad} of {total} characters are invalid as {encoding}"
            )));
        }
    }
    let controls = text
        .chars()
        .filter(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls * 10 > text.chars().count().max(1) {
        return Err(SkipReason::Binary);
    }
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    Ok(Decoded { text, encoding })
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
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '<' {
            let close = chars[i..].iter().position(|&c| c == '>').map(|p| i + p);
            let Some(close) = close else {
                break;
            };
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
