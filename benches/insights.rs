//! Insights timings on an indexed archive: reading the store into
//! `Insights` (one pass), then each aggregate the charts and the commands
//! use. `PIZHU_BENCH_DB=path/to/pizhu.sqlite cargo bench --bench insights`
//! (default: the seeds, indexed first with `pizhu index seeds`).

use std::path::PathBuf;
use std::time::Instant;

use pizhu::insights::{Insights, Measure};
use pizhu::store::Store;

/// A named aggregate returning the size of its result.
type Run<'a> = (&'static str, Box<dyn Fn() -> usize + 'a>);

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let db = std::env::var_os("PIZHU_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("seeds/.pizhu/pizhu.sqlite"));
    let store = Store::open_read_only(&db).expect("an indexed store");
    let mut loads = Vec::new();
    let mut ins = Insights::default();
    for _ in 0..3 {
        let t = Instant::now();
        ins = Insights::load(&store).expect("load");
        loads.push(ms(t));
    }
    println!(
        "{}: {} articles, {} distinct entities",
        db.display(),
        ins.docs.len(),
        ins.names.len()
    );
    println!("load (one pass over the store): {loads:.0?} ms");
    let top3: Vec<Measure> = ins
        .top_entities("PER", 3, None)
        .into_iter()
        .map(|(t, _)| Measure::Entity(t, Some("PER".into())))
        .collect();
    let runs: Vec<Run> = vec![
        (
            "articles per month",
            Box::new(|| ins.by_month(&[Measure::Articles], None).rows.len()),
        ),
        (
            "mentions of 3 people per month",
            Box::new(|| ins.by_month(&top3, None).rows.len()),
        ),
        (
            "PER mentions per month",
            Box::new(|| {
                ins.by_month(&[Measure::Type("PER".into())], None)
                    .rows
                    .len()
            }),
        ),
        (
            "top 20 PER",
            Box::new(|| ins.top_entities("PER", 20, None).len()),
        ),
        (
            "cooccur PER × ORG",
            Box::new(|| ins.cooccur("PER", "ORG", 20, None).len()),
        ),
        (
            "cooccur LOC × ORG",
            Box::new(|| ins.cooccur("LOC", "ORG", 20, None).len()),
        ),
    ];
    for (name, f) in &runs {
        let mut v = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            std::hint::black_box(f());
            v.push(ms(t));
        }
        v.sort_by(f64::total_cmp);
        println!("{name}: median {:.1} ms, max {:.1} ms", v[2], v[4]);
    }
}
