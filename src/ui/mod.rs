//! The egui desktop shell (feature `gui`). It draws the core's state and
//! turns input into commands; it owns no annotation data of its own.
//!
//! - [`app`]: state, commands, the frame loop, persistence.
//! - [`reader`]: the article with highlights, the selection toolbar, raw view.
//! - [`review`]: review mode, a keyboard queue over automatic entities.
//! - [`panels`]: menu, article list, entity side panel, status bar, windows.
//! - [`insights`]: the Insights window (charts over the list filter).
//! - [`teams`]: the Team menu (your name, whose work is shown), curation
//!   and agreement windows.
//! - [`highlight`]: spans → memoisable `LayoutJob`; correction overlays.
//! - [`worker`]: indexing and re-extraction off the UI thread.
//! - [`fonts`]: the bundled CJK font and system fallbacks.

pub mod app;
pub mod fonts;
pub mod highlight;
pub mod insights;
pub mod live;
pub mod panels;
pub mod reader;
pub mod review;
pub mod teams;
pub mod worker;

use std::path::PathBuf;

pub use app::{AppOptions, Command, PizhuApp, Settings};

/// Runs the desktop app.
pub fn run(
    archive: Option<PathBuf>,
    db: Option<PathBuf>,
    annotator: Option<String>,
) -> eframe::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("批注 Pizhu")
            .with_inner_size([1280.0, 820.0]),
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        "pizhu",
        options,
        Box::new(move |cc| {
            Ok(Box::new(PizhuApp::new(
                cc,
                AppOptions {
                    archive,
                    db,
                    system_fonts: true,
                    annotator,
                },
            )))
        }),
    )
}
