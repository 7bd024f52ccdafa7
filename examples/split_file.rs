//! Prints how a file splits into articles: `cargo run --example split_file -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: split_file FILE");
    let bytes = std::fs::read(&path).expect("read");
    let text = pizhu::archive::decode(&bytes).expect("decode").text;
    for a in pizhu::split::split_articles(&text, None) {
        println!(
            "=== #{} title={:?} sub={:?} date={:?} source={:?} byline={:?}",
            a.index, a.title, a.subtitle, a.date, a.source, a.byline
        );
        println!("{}", a.text);
    }
}
