//! Frame cost of the reader on an article with thousands of highlights:
//! memoised layout against rebuilding it every frame, in the same run.
//! `cargo bench --bench gui_frame`

use std::time::Instant;

use egui_kittest::Harness;

#[path = "../tests/common/app.rs"]
mod app;
use app::app_harness;
use pizhu::edit::{Edit, Editor};
use pizhu::store::Store;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let arch = dir.path().join("archive");
    std::fs::create_dir_all(&arch).unwrap();
    // One long article built from the seeds' paragraphs.
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut body = String::new();
    for e in std::fs::read_dir(&seeds).unwrap() {
        let t = std::fs::read_to_string(e.unwrap().path()).unwrap();
        for line in t
            .lines()
            .filter(|l| l.chars().count() > 60 && !l.contains('|'))
        {
            body.push_str(line);
            body.push_str("\n\n");
        }
    }
    let text = format!("# 长文测试\n\n本报讯 {}", body.repeat(3));
    std::fs::write(arch.join("long.md"), &text).unwrap();

    let mut h = app_harness(Harness::builder().with_size([1280.0, 800.0]), &arch);
    let db = arch.join(".pizhu/pizhu.sqlite");
    let id = {
        let store = Store::open(&db).unwrap();
        let id = store.article_ids().unwrap()[0].clone();
        let n = store.article(&id).unwrap().text.chars().count();
        let mut ed = Editor::new();
        let mut k = 0;
        let mut s = 10;
        while s + 4 < n && k < 3000 {
            ed.apply(
                &store,
                Edit::AddHighlight {
                    article: id.clone(),
                    start: s,
                    end: s + 3,
                    color: Some("#f7d84a".into()),
                    note: (k % 10 == 0).then(|| "批注".to_string()),
                },
            )
            .unwrap();
            s += 7;
            k += 1;
        }
        println!("article: {n} characters, {k} highlights");
        id
    };
    h.state_mut().select(&id);
    h.step();
    let frames = 60;
    let t = Instant::now();
    for _ in 0..frames {
        h.step();
    }
    let memo = t.elapsed().as_secs_f64() / frames as f64;
    let t = Instant::now();
    for _ in 0..frames {
        h.state_mut().invalidate_layout();
        h.step();
    }
    let rebuild = t.elapsed().as_secs_f64() / frames as f64;
    println!("frame, memoised layout:      {:.2} ms", memo * 1e3);
    println!("frame, layout rebuilt:       {:.2} ms", rebuild * 1e3);
    println!("memoised / rebuilt:          {:.3}", memo / rebuild);
}
