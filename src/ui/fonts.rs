//! Fonts: the bundled Noto Sans SC subset (every GBK hanzi, OFL) after egui's
//! defaults, then any system CJK font found, for characters beyond GBK.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// The bundled CJK font (a subset of Noto Sans CJK SC; licence in assets/fonts/OFL.txt).
pub static BUNDLED_CJK: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Pizhu.otf");

/// System fonts tried as a last fallback (rare characters outside GBK).
const SYSTEM_FALLBACKS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simsun.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
];

/// Font definitions with the bundled CJK font (and, if `system`, a system fallback).
pub fn definitions(system: bool) -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "noto_sc".into(),
        Arc::new(FontData::from_static(BUNDLED_CJK)),
    );
    let mut names = vec!["noto_sc".to_string()];
    if system && let Some(bytes) = SYSTEM_FALLBACKS.iter().find_map(|p| std::fs::read(p).ok()) {
        fonts
            .font_data
            .insert("system_cjk".into(), Arc::new(FontData::from_owned(bytes)));
        names.push("system_cjk".into());
    }
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        list.extend(names.iter().cloned());
    }
    // The reader's family puts the CJK font first: digits, Latin letters and
    // hanzi then come from one font with one ascent and height, so a mixed
    // span such as 8月1日 gets one highlight box, not one per font run.
    let mut reader = names.clone();
    reader.extend(
        fonts
            .families
            .get(&FontFamily::Proportional)
            .into_iter()
            .flatten()
            .filter(|n| !names.contains(n))
            .cloned(),
    );
    fonts.families.insert(reader_family(), reader);
    fonts
}

/// The font family of the article text (see [`definitions`]).
pub fn reader_family() -> FontFamily {
    FontFamily::Name("pizhu_reader".into())
}
