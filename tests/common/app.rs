//! The real app in a kittest harness, opened on an archive, shared by the GUI
//! tests, the snapshot tests and the frame bench.

use std::path::Path;

use egui_kittest::{Harness, HarnessBuilder};
use pizhu::ui::app::{AppOptions, PizhuApp};

/// Builds the app on `arch` with `builder` and waits until indexing is done.
pub fn app_harness(builder: HarnessBuilder<PizhuApp>, arch: &Path) -> Harness<'static, PizhuApp> {
    let arch = arch.to_path_buf();
    let mut h = builder.build_eframe(move |cc| {
        PizhuApp::new(
            cc,
            AppOptions {
                archive: Some(arch),
                db: None,
                system_fonts: false,
                annotator: None,
            },
        )
    });
    wait_idle(&mut h);
    h
}

/// Steps frames until the background worker is idle (bounded), then settles.
pub fn wait_idle(h: &mut Harness<'static, PizhuApp>) {
    for _ in 0..5000 {
        h.step();
        if !h.state().is_busy() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(!h.state().is_busy(), "background work did not finish");
    h.step();
    h.step();
}
