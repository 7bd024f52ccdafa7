//! Insights timings on an indexed archive: the loads and every chart query
//! (whole archive and two filters; `pizhu::insights::bench`, also printed by
//! `pizhu bench --insights` and `pizhu bench --store`), then the GUI: the
//! real app in a kittest harness with the Insights window open, timing
//! every frame while the window loads, on each chart, and after a chart
//! filter narrows the list (to about a tenth, then nine tenths).
//!
//! `PIZHU_BENCH_DB=path/to/pizhu.sqlite PIZHU_BENCH_ARCHIVE=path/to/archive
//! cargo bench --bench insights` (default: the seeds, indexed first with
//! `pizhu index seeds`; without `PIZHU_BENCH_ARCHIVE` the GUI part is skipped).

use std::path::PathBuf;

#[cfg(feature = "gui")]
#[path = "../tests/common/app.rs"]
#[allow(dead_code)] // (this bench opens the app on its own database)
mod app;

fn main() {
    let db = std::env::var_os("PIZHU_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("seeds/.pizhu/pizhu.sqlite"));
    for line in pizhu::insights::bench(&db, 5).expect("an indexed store") {
        println!("{line}");
    }
    #[cfg(feature = "gui")]
    if let Some(arch) = std::env::var_os("PIZHU_BENCH_ARCHIVE") {
        gui::frames(PathBuf::from(arch), db);
    }
}

#[cfg(feature = "gui")]
mod gui {
    use std::path::PathBuf;
    use std::time::Instant;

    use egui_kittest::Harness;
    use pizhu::insights::Insights;
    use pizhu::store::Store;
    use pizhu::ui::app::{AppOptions, PizhuApp};
    use pizhu::ui::insights::Chart;

    use super::app;

    /// This thread's CPU time (ms): a frame's own work, without the time
    /// other threads and processes took the core (the machine is shared).
    fn cpu() -> f64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 * 1e-6
    }

    /// One frame: (wall ms, UI-thread CPU ms).
    fn frame(h: &mut Harness<'static, PizhuApp>) -> (f64, f64) {
        let (t, c) = (Instant::now(), cpu());
        h.step();
        (t.elapsed().as_secs_f64() * 1e3, cpu() - c)
    }

    /// Median and maximum of frame times, wall and CPU (ms).
    fn summary(v: &mut [(f64, f64)]) -> String {
        let mut w: Vec<f64> = v.iter().map(|x| x.0).collect();
        let mut c: Vec<f64> = v.iter().map(|x| x.1).collect();
        w.sort_by(f64::total_cmp);
        c.sort_by(f64::total_cmp);
        format!(
            "{} frames, median {:.2} ms, max {:.2} ms (UI-thread CPU: median {:.2} ms, max {:.2} ms)",
            v.len(),
            w[w.len() / 2],
            w[w.len() - 1],
            c[c.len() / 2],
            c[c.len() - 1]
        )
    }

    /// Steps frames until the Insights window has its aggregates (timing each).
    fn settle(h: &mut Harness<'static, PizhuApp>, times: &mut Vec<(f64, f64)>) -> f64 {
        let t0 = Instant::now();
        for _ in 0..20_000 {
            times.push(frame(h));
            let v = &h.state().insights;
            if v.computed.is_some() && !v.is_busy() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        t0.elapsed().as_secs_f64() * 1e3
    }

    pub fn frames(arch: PathBuf, db: PathBuf) {
        let t = Instant::now();
        let (a, d) = (arch.clone(), db.clone());
        let mut h = Harness::builder()
            .with_size([1400.0, 900.0])
            .build_eframe(move |cc| {
                PizhuApp::new(
                    cc,
                    AppOptions {
                        archive: Some(a),
                        db: Some(d),
                        system_fonts: false,
                        annotator: None,
                    },
                )
            });
        app::wait_idle(&mut h);
        println!(
            "GUI: app open with {} articles in {:.0} ms",
            h.state().articles.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
        // The baseline: the same app's frames without the Insights window.
        let mut times = Vec::new();
        for _ in 0..30 {
            times.push(frame(&mut h));
        }
        println!(
            "GUI: frames without the Insights window: {}",
            summary(&mut times)
        );
        h.state_mut().insights.open = true;
        let mut times = Vec::new();
        let wall = settle(&mut h, &mut times);
        println!(
            "GUI: Insights window opened → charts drawn in {wall:.0} ms (load {:.0} ms + aggregates {:.0} ms, off the UI thread); UI-thread frames meanwhile: {}",
            h.state().insights.load_millis,
            h.state()
                .insights
                .computed
                .as_ref()
                .map_or(0.0, |c| c.millis),
            summary(&mut times)
        );
        for (chart, name) in Chart::ALL {
            h.state_mut().insights.chart = chart;
            let mut times = Vec::new();
            for _ in 0..30 {
                times.push(frame(&mut h));
            }
            println!("GUI: {name} chart: {}", summary(&mut times));
        }
        // A chart filter (a click) narrowing the list to the articles of the
        // entity found in about a tenth of them, then to all the others.
        let store = Store::open_read_only(&db).unwrap();
        let ins = Insights::load(&store).unwrap();
        let tenth = ins.docs.len() / 10;
        let (label, text) = ["PER", "ORG", "LOC"]
            .iter()
            .flat_map(|l| {
                ins.top_entities(l, 2000, None)
                    .into_iter()
                    .map(move |(t, n)| (n.abs_diff(tenth), l.to_string(), t))
            })
            .min()
            .map(|(_, l, t)| (l, t))
            .unwrap();
        let few = ins.article_ids(None, &[(text.clone(), Some(label))], None);
        let few_set: std::collections::HashSet<&String> = few.iter().collect();
        let most: Vec<String> = ins
            .docs
            .iter()
            .map(|d| d.id.clone())
            .filter(|id| !few_set.contains(id))
            .collect();
        for (what, ids) in [("a tenth", few.clone()), ("nine tenths", most)] {
            let n = ids.len();
            h.state_mut().insights.chart = Chart::Months;
            h.state_mut().filter.chart = Some((format!("bench: {what}"), std::sync::Arc::new(ids)));
            let mut times = Vec::new();
            // The frame that refilters the list (the list's own cost).
            let (refilter, refilter_cpu) = frame(&mut h);
            let wall = settle(&mut h, &mut times);
            println!(
                "GUI: chart filter to {what} ({n} articles): list refilter frame {refilter:.1} ms ({refilter_cpu:.1} ms CPU); charts redrawn after {wall:.0} ms (aggregates {:.0} ms off the UI thread); frames: {}",
                h.state()
                    .insights
                    .computed
                    .as_ref()
                    .map_or(0.0, |c| c.millis),
                summary(&mut times)
            );
            for (chart, name) in Chart::ALL {
                h.state_mut().insights.chart = chart;
                let mut times = Vec::new();
                for _ in 0..20 {
                    times.push(frame(&mut h));
                }
                println!("GUI:   {name} chart on the filter: {}", summary(&mut times));
            }
        }
    }
}
