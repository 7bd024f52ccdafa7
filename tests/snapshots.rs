//! Snapshot images of the main window, rendered on the CPU (wgpu on Mesa's
//! lavapipe/llvmpipe). Regenerate with `UPDATE_SNAPSHOTS=1 cargo test --test snapshots`.
#![cfg(feature = "gui")]

mod common;

use common::app::app_harness;
use common::seed_copy;
use egui_kittest::{Harness, SnapshotOptions};
use pizhu::ui::app::PizhuApp;

fn main_window(dark: bool) -> (tempfile::TempDir, Harness<'static, PizhuApp>) {
    let (g, arch) = seed_copy();
    let mut h = app_harness(Harness::builder().with_size([1280.0, 800.0]).wgpu(), &arch);
    let id = h
        .state()
        .articles
        .iter()
        .find(|a| a.file.starts_with("004"))
        .unwrap()
        .id
        .clone();
    h.state_mut().settings.dark = dark;
    h.state_mut().select(&id);
    for _ in 0..4 {
        h.step();
    }
    // The archive lives in a random temp folder: hide the status bar showing its path.
    h.mask(egui::Rect::from_min_max(
        egui::pos2(0.0, 770.0),
        egui::pos2(1280.0, 800.0),
    ));
    (g, h)
}

/// Whether a Vulkan driver is installed (Mesa's lavapipe on CI: `.ci/run`
/// installs `mesa-vulkan-drivers`). Without one there is nothing to render
/// with: on a developer's machine the snapshot tests say so and pass; on CI
/// (`CI` set) they fail.
fn have_vulkan() -> bool {
    let found = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .any(|e| e.is_ok());
    if !found {
        common::skip_or_fail(
            "snapshots",
            "no Vulkan driver installed; install mesa-vulkan-drivers to render snapshots",
        );
    }
    found
}

fn options() -> SnapshotOptions {
    // Software rasterisers differ slightly in anti-aliasing between Mesa versions.
    SnapshotOptions::new().threshold(1.5).max_failed_pixels(400)
}

#[test]
fn main_window_light() {
    if !have_vulkan() {
        return;
    }
    let (_g, mut h) = main_window(false);
    h.snapshot_options("main_window_light", &options());
}

#[test]
fn main_window_dark() {
    if !have_vulkan() {
        return;
    }
    let (_g, mut h) = main_window(true);
    h.snapshot_options("main_window_dark", &options());
}
