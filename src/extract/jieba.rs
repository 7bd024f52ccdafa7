//! The baseline extractor: jieba-rs part-of-speech tags plus small date and
//! money patterns. The extraction issue replaces its inside; the interface
//! stays [`Extractor`].

use std::sync::LazyLock;

use jieba_rs::Jieba;
use regex::Regex;

use super::{Entity, EntityType, Extractor, Source, resolve_overlaps};
use crate::chars::is_sentence_end;
use crate::offsets::CharIndex;

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日(?:[~～至\-]\d{1,2}日)?)?(?:上午|下午|晚上|凌晨)?|\d{4}年")
        .unwrap()
});
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)(?:多|余|近)?(?:个)?(?:万|亿|千|百)*(?:多|余)?(?:元|美元|欧元)")
        .unwrap()
});

/// Entities from jieba-rs POS tags (`nr`, `ns`, `nt`) with date/money regexes.
pub struct JiebaExtractor {
    jieba: Jieba,
}

impl Default for JiebaExtractor {
    fn default() -> Self {
        Self::new()
    }
}

impl JiebaExtractor {
    /// Loads jieba's default dictionary.
    pub fn new() -> Self {
        JiebaExtractor {
            jieba: Jieba::new(),
        }
    }

    /// The shared segmenter.
    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }
}

impl Extractor for JiebaExtractor {
    fn version(&self) -> String {
        "jieba-pos-1".into()
    }

    fn extract(&self, text: &str) -> Vec<Entity> {
        let mut out = Vec::new();
        let mut offset = 0;
        for sentence in text.split_inclusive(is_sentence_end) {
            for tag in self.jieba.tag(sentence, true) {
                let label = match tag.tag {
                    "nr" | "nrfg" | "nrt" => EntityType::Per,
                    "ns" => EntityType::Loc,
                    "nt" => EntityType::Org,
                    _ => continue,
                };
                out.push(Entity {
                    start: offset + tag.start,
                    end: offset + tag.end,
                    text: tag.word.to_string(),
                    label,
                    source: Source::Model,
                    confidence: 0.5,
                });
            }
            offset += sentence.chars().count();
        }
        let idx = CharIndex::new(text);
        for (re, label) in [(&*DATE, EntityType::Date), (&*MONEY, EntityType::Money)] {
            for m in re.find_iter(text) {
                out.push(Entity {
                    start: idx.char_of_byte(m.start()),
                    end: idx.char_of_byte(m.end()),
                    text: m.as_str().to_string(),
                    label: label.clone(),
                    source: Source::Rule,
                    confidence: 0.9,
                });
            }
        }
        resolve_overlaps(out)
    }
}
