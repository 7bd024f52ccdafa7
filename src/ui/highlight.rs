//! Turning an article and its spans into a `LayoutJob`.
//!
//! Pure functions of their input; the reader memoises the result by a key
//! (article, edit generation, style), so nothing is rebuilt per frame.
//! Corrections are shown as overlays: the display text has each corrected
//! span replaced, and [`DisplayText`] maps display offsets to text offsets
//! and back (both code points).

use std::collections::BTreeSet;

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId, Stroke};

use crate::extract::EntityType;
use crate::store::{Annotation, AnnotationKind, EffectiveEntity};

/// The article text as displayed, with corrections applied.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplayText {
    /// What is shown.
    pub text: String,
    /// Display code point → text code point (len = display chars + 1).
    pub to_text: Vec<usize>,
    /// Display code point → end of the text it stands for (len = display chars).
    to_text_end: Vec<usize>,
    /// Text code point → display code point (len = text chars + 1).
    pub from_text: Vec<usize>,
    /// Display ranges that are corrected text.
    pub corrected: Vec<(usize, usize)>,
}

impl DisplayText {
    /// Applies non-overlapping corrections to `text`.
    pub fn new(text: &str, annotations: &[Annotation]) -> DisplayText {
        let mut corr: Vec<&Annotation> = annotations
            .iter()
            .filter(|a| a.kind == AnnotationKind::Correction && a.replacement.is_some())
            .collect();
        corr.sort_by_key(|a| a.start);
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut to_text = Vec::with_capacity(chars.len() + 1);
        let mut to_text_end = Vec::with_capacity(chars.len());
        let mut from_text = vec![0; chars.len() + 1];
        let mut corrected = Vec::new();
        let mut i = 0;
        let mut d = 0;
        let mut ci = corr.iter().peekable();
        while i < chars.len() {
            while ci.peek().is_some_and(|c| c.start < i) {
                ci.next();
            }
            if let Some(c) = ci.peek().filter(|c| c.start == i && c.end <= chars.len()) {
                let rep = c.replacement.as_deref().unwrap_or("");
                let start_d = d;
                for ch in rep.chars() {
                    out.push(ch);
                    to_text.push(i);
                    to_text_end.push(c.end);
                    d += 1;
                }
                for f in from_text.iter_mut().take(c.end).skip(i) {
                    *f = start_d;
                }
                corrected.push((start_d, d));
                i = c.end.max(i + 1);
                ci.next();
                continue;
            }
            from_text[i] = d;
            out.push(chars[i]);
            to_text.push(i);
            to_text_end.push(i + 1);
            d += 1;
            i += 1;
        }
        from_text[chars.len()] = d;
        to_text.push(chars.len());
        DisplayText {
            text: out,
            to_text,
            to_text_end,
            from_text,
            corrected,
        }
    }

    /// Display range of a text range.
    pub fn display_range(&self, start: usize, end: usize) -> (usize, usize) {
        let n = self.from_text.len() - 1;
        (self.from_text[start.min(n)], self.from_text[end.min(n)])
    }

    /// Text range of a display range.
    pub fn text_range(&self, start: usize, end: usize) -> (usize, usize) {
        let n = self.to_text.len() - 1;
        let s = self.to_text[start.min(n)];
        let e = if end > start && end - 1 < self.to_text_end.len() {
            self.to_text_end[end - 1]
        } else if end > start {
            self.to_text[n]
        } else {
            self.to_text[end.min(n)]
        };
        (s, e.max(s))
    }
}

/// The colour of an entity type.
pub fn type_color(label: &EntityType) -> Color32 {
    match label {
        EntityType::Per => Color32::from_rgb(0xe0, 0x5a, 0x4f),
        EntityType::Loc => Color32::from_rgb(0x3c, 0xa5, 0x5c),
        EntityType::Org => Color32::from_rgb(0x3f, 0x7f, 0xd8),
        EntityType::Title => Color32::from_rgb(0x9b, 0x59, 0xb6),
        EntityType::Date => Color32::from_rgb(0xe6, 0x8a, 0x1e),
        EntityType::Money => Color32::from_rgb(0x16, 0xa0, 0x9c),
        EntityType::Custom(_) => Color32::from_rgb(0x80, 0x80, 0x80),
    }
}

/// Parses `#rrggbb`.
pub fn parse_color(s: &str) -> Option<Color32> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let v = u32::from_str_radix(h, 16).ok()?;
    Some(Color32::from_rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

/// Highlight colours offered (name, `#rrggbb`).
pub const HIGHLIGHT_COLORS: &[(&str, &str)] = &[
    ("yellow", "#f7d84a"),
    ("green", "#8fd18b"),
    ("blue", "#8ab8f0"),
    ("pink", "#f09ac0"),
];

/// What the layout depends on besides the spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// Body font size.
    pub font_size: f32,
    /// Dark theme.
    pub dark: bool,
    /// Entity types to colour.
    pub shown: BTreeSet<String>,
    /// Code point where the body starts (the headline is larger).
    pub body_start: usize,
    /// Search hits (display code points).
    pub hits: Vec<(usize, usize)>,
    /// The hit stepped to with Enter/F3.
    pub current_hit: Option<(usize, usize)>,
}

/// Builds the highlighted layout of an article (display offsets).
pub fn layout_job(
    display: &DisplayText,
    entities: &[EffectiveEntity],
    annotations: &[Annotation],
    selected: Option<(usize, usize)>,
    style: &Style,
    wrap_width: f32,
) -> LayoutJob {
    let text_color = if style.dark {
        Color32::from_gray(225)
    } else {
        Color32::from_gray(30)
    };
    let n = display.to_text.len() - 1;
    // Boundaries of every span, in display offsets.
    let mut cuts: BTreeSet<usize> = [0, n].into_iter().collect();
    let title_end = display.display_range(style.body_start, style.body_start).0;
    cuts.insert(title_end.min(n));
    let mut ents: Vec<(usize, usize, Color32)> = Vec::new();
    for e in entities {
        if !style.shown.contains(e.entity.label.as_str()) {
            continue;
        }
        let (s, t) = display.display_range(e.entity.start, e.entity.end);
        ents.push((s, t, type_color(&e.entity.label)));
    }
    let mut hls: Vec<(usize, usize, Color32, bool)> = Vec::new();
    for a in annotations
        .iter()
        .filter(|a| a.kind == AnnotationKind::Highlight)
    {
        let (s, t) = display.display_range(a.start, a.end);
        let c = a
            .color
            .as_deref()
            .and_then(parse_color)
            .unwrap_or(Color32::from_rgb(0xf7, 0xd8, 0x4a));
        hls.push((s, t, c, a.note.as_deref().is_some_and(|n| !n.is_empty())));
    }
    for &(s, t, _) in &ents {
        cuts.insert(s.min(n));
        cuts.insert(t.min(n));
    }
    for &(s, t, _, _) in &hls {
        cuts.insert(s.min(n));
        cuts.insert(t.min(n));
    }
    for &(s, t) in &display.corrected {
        cuts.insert(s.min(n));
        cuts.insert(t.min(n));
    }
    for &(s, t) in style.hits.iter().chain(&selected) {
        cuts.insert(s.min(n));
        cuts.insert(t.min(n));
    }
    let cuts: Vec<usize> = cuts.into_iter().collect();
    let idx = crate::offsets::CharIndex::new(&display.text);
    let mut job = LayoutJob {
        text: display.text.clone(),
        ..Default::default()
    };
    job.wrap.max_width = wrap_width;
    for w in cuts.windows(2) {
        let (s, t) = (w[0], w[1]);
        if s >= t {
            continue;
        }
        let title = s < title_end;
        let size = if title {
            style.font_size * 1.35
        } else {
            style.font_size
        };
        let mut fmt = TextFormat {
            font_id: FontId::new(size, super::fonts::reader_family()),
            color: text_color,
            line_height: Some(size * 1.7),
            ..Default::default()
        };
        // Innermost (shortest) entity wins the background.
        if let Some(&(_, _, c)) = ents
            .iter()
            .filter(|(a, b, _)| *a <= s && t <= *b)
            .min_by_key(|(a, b, _)| b - a)
        {
            fmt.background = c.gamma_multiply(if style.dark { 0.45 } else { 0.28 });
            fmt.underline = Stroke::new(1.5, c);
        }
        if let Some(&(_, _, c, note)) = hls
            .iter()
            .filter(|(a, b, _, _)| *a <= s && t <= *b)
            .min_by_key(|(a, b, _, _)| b - a)
        {
            if fmt.background == Color32::TRANSPARENT {
                fmt.background = c.gamma_multiply(if style.dark { 0.55 } else { 0.7 });
            } else {
                fmt.underline = Stroke::new(3.0, c);
            }
            if note {
                fmt.italics = true;
            }
        }
        if display.corrected.iter().any(|&(a, b)| a <= s && t <= b) {
            fmt.color = Color32::from_rgb(0x1e, 0x9e, 0x4a);
            fmt.underline = Stroke::new(1.0, Color32::from_rgb(0x1e, 0x9e, 0x4a));
        }
        if style.hits.iter().any(|&(a, b)| a <= s && t <= b) {
            let current = style.current_hit.is_some_and(|(a, b)| a <= s && t <= b);
            fmt.background = if current {
                Color32::from_rgb(0xff, 0x96, 0x32)
            } else {
                Color32::from_rgb(0xff, 0xe0, 0x66)
            };
            fmt.color = Color32::from_gray(20);
        }
        if selected.is_some_and(|(a, b)| a <= s && t <= b) {
            // The entity under review: unmistakable, whatever its type colour.
            let c = ents
                .iter()
                .filter(|(a, b, _)| *a <= s && t <= *b)
                .min_by_key(|(a, b, _)| b - a)
                .map_or(Color32::from_gray(60), |e| e.2);
            fmt.strikethrough = Stroke::NONE;
            fmt.background = Color32::from_rgb(0xff, 0xd2, 0x4a);
            fmt.color = Color32::from_gray(10);
            fmt.underline = Stroke::new(3.0, c);
        }
        job.sections.push(egui::text::LayoutSection {
            leading_space: 0.0,
            byte_range: egui::text::ByteIndex(idx.byte(s))..egui::text::ByteIndex(idx.byte(t)),
            format: fmt,
        });
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anchor::Quote;

    fn corr(start: usize, end: usize, rep: &str) -> Annotation {
        Annotation {
            id: 1,
            article_id: "a".into(),
            kind: AnnotationKind::Correction,
            start,
            end,
            quote: Quote::default(),
            label: None,
            color: None,
            note: None,
            replacement: Some(rep.into()),
            orphan: false,
            annotator: "default".into(),
            by_merge: false,
            made_by: None,
        }
    }

    #[test]
    fn corrections_map_both_ways() {
        let d = DisplayText::new("从抓实人手做起𠀀", &[corr(3, 5, "入手了")]);
        assert_eq!(d.text, "从抓实入手了做起𠀀");
        assert_eq!(d.display_range(0, 3), (0, 3));
        assert_eq!(d.display_range(5, 7), (6, 8));
        assert_eq!(d.text_range(6, 8), (5, 7));
        assert_eq!(d.text_range(3, 6), (3, 5));
        assert_eq!(d.corrected, vec![(3, 6)]);
        assert_eq!(d.display_range(7, 8), (8, 9));
    }
}
