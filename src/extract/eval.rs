//! Scoring an extractor: precision, recall and F1 per type and overall,
//! on character-per-line BIO files (exact span match) and on sets of
//! entities (e.g. file-level gold annotations).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use rayon::prelude::*;

use super::{EntityType, Extractor};

/// True positives, false positives and false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted and in the gold.
    pub tp: usize,
    /// Predicted, not in the gold.
    pub fp: usize,
    /// In the gold, not predicted.
    pub fn_: usize,
}

impl Counts {
    /// tp / (tp + fp), 0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// tp / (tp + fn), 0 when the gold is empty.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores per type (only the evaluated types) and overall (micro-average).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    /// Per type label.
    pub per_type: BTreeMap<String, Counts>,
}

impl Scores {
    /// Micro-averaged counts over every type.
    pub fn overall(&self) -> Counts {
        let mut c = Counts::default();
        for v in self.per_type.values() {
            c.add(*v);
        }
        c
    }

    /// Counts of one type (zero if absent).
    pub fn of(&self, label: &EntityType) -> Counts {
        self.per_type
            .get(label.as_str())
            .copied()
            .unwrap_or_default()
    }

    /// Adds a comparison of `gold` and `pred` items `(key, type)`, counting
    /// only `types`. Items are compared exactly (as sets).
    pub fn add_sets<K: Eq + std::hash::Hash + Clone>(
        &mut self,
        gold: &[(K, EntityType)],
        pred: &[(K, EntityType)],
        types: &[EntityType],
    ) {
        for t in types {
            self.per_type.entry(t.as_str().to_string()).or_default();
        }
        let keep = |(_, l): &&(K, EntityType)| types.contains(l);
        let g: HashSet<(K, EntityType)> = gold.iter().filter(keep).cloned().collect();
        let p: HashSet<(K, EntityType)> = pred.iter().filter(keep).cloned().collect();
        for item in &p {
            let c = self
                .per_type
                .entry(item.1.as_str().to_string())
                .or_default();
            if g.contains(item) {
                c.tp += 1;
            } else {
                c.fp += 1;
            }
        }
        for item in g.difference(&p) {
            self.per_type
                .entry(item.1.as_str().to_string())
                .or_default()
                .fn_ += 1;
        }
    }

    /// A table: type, gold, predicted, P, R, F1; then the overall line.
    pub fn report(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "type\tgold\tpred\tP\tR\tF1");
        let line = |s: &mut String, name: &str, c: &Counts| {
            let _ = writeln!(
                s,
                "{name}\t{}\t{}\t{:.3}\t{:.3}\t{:.3}",
                c.tp + c.fn_,
                c.tp + c.fp,
                c.precision(),
                c.recall(),
                c.f1()
            );
        };
        for (k, c) in &self.per_type {
            line(&mut s, k, c);
        }
        line(&mut s, "overall", &self.overall());
        s
    }
}

/// A sentence of a BIO file with its gold spans (code points, end exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct BioSentence {
    /// The sentence text.
    pub text: String,
    /// Gold spans `(start, end, type)`.
    pub spans: Vec<(usize, usize, EntityType)>,
}

/// Parses a character-per-line BIO file (`字 B-PER`; blank line between
/// sentences). A line with only a tag stands for a space character. Tags
/// `B-X`/`I-X`/`O` (also `S-`/`E-`/`M-` of BIOES) are accepted.
pub fn parse_bio(input: &str) -> Vec<BioSentence> {
    let mut out = Vec::new();
    let mut chars: Vec<char> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let flush = |chars: &mut Vec<char>, tags: &mut Vec<String>, out: &mut Vec<BioSentence>| {
        if !chars.is_empty() {
            out.push(BioSentence {
                text: chars.iter().collect(),
                spans: spans_from_tags(tags),
            });
        }
        chars.clear();
        tags.clear();
    };
    for line in input.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            flush(&mut chars, &mut tags, &mut out);
            continue;
        }
        let (ch, tag) = match line.rsplit_once([' ', '\t']) {
            Some((c, t)) => (c.chars().next().unwrap_or(' '), t.trim().to_string()),
            None => (' ', line.trim().to_string()),
        };
        chars.push(ch);
        tags.push(tag);
    }
    flush(&mut chars, &mut tags, &mut out);
    out
}

/// Spans from a sequence of BIO(ES) tags.
pub fn spans_from_tags(tags: &[String]) -> Vec<(usize, usize, EntityType)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    let close = |cur: &mut Option<(usize, String)>, i: usize, out: &mut Vec<_>| {
        if let Some((s, t)) = cur.take()
            && let Ok(l) = t.parse::<EntityType>()
        {
            out.push((s, i, l));
        }
    };
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, ty) = tag.split_once('-').unwrap_or((tag.as_str(), ""));
        match prefix {
            "B" | "S" => {
                close(&mut cur, i, &mut out);
                cur = Some((i, ty.to_string()));
            }
            "I" | "M" | "E" => match &cur {
                Some((_, t)) if t == ty => {}
                _ => {
                    close(&mut cur, i, &mut out);
                    cur = Some((i, ty.to_string()));
                }
            },
            _ => close(&mut cur, i, &mut out),
        }
        if prefix == "S" || prefix == "E" {
            close(&mut cur, i + 1, &mut out);
        }
    }
    close(&mut cur, tags.len(), &mut out);
    out
}

/// Runs of `n` consecutive sentences joined into one text each (spans
/// shifted): articles for the article-level steps, where the sentences of a
/// file follow each other as in their articles.
pub fn group_sentences(sentences: &[BioSentence], n: usize) -> Vec<BioSentence> {
    sentences
        .chunks(n.max(1))
        .map(|run| {
            let (mut text, mut spans, mut at) = (String::new(), Vec::new(), 0);
            for s in run {
                text.push_str(&s.text);
                spans.extend(s.spans.iter().map(|(a, b, l)| (a + at, b + at, l.clone())));
                at += s.text.chars().count();
            }
            BioSentence { text, spans }
        })
        .collect()
}

/// Runs `extractor` over every sentence (in parallel) and scores exact span
/// matches for `types`.
pub fn evaluate_bio(
    extractor: &dyn Extractor,
    sentences: &[BioSentence],
    types: &[EntityType],
) -> Scores {
    let per: Vec<Scores> = sentences
        .par_iter()
        .map(|s| {
            let pred: Vec<((usize, usize), EntityType)> = extractor
                .extract(&s.text)
                .into_iter()
                .map(|e| ((e.start, e.end), e.label))
                .collect();
            let gold: Vec<((usize, usize), EntityType)> = s
                .spans
                .iter()
                .map(|(a, b, l)| ((*a, *b), l.clone()))
                .collect();
            let mut sc = Scores::default();
            sc.add_sets(&gold, &pred, types);
            sc
        })
        .collect();
    let mut total = Scores::default();
    for t in types {
        total.per_type.entry(t.as_str().to_string()).or_default();
    }
    for sc in per {
        for (k, c) in sc.per_type {
            total.per_type.entry(k).or_default().add(c);
        }
    }
    total
}

/// The mistakes (and hits) on each sentence, for tuning: lines
/// `FP|FN|TP <TAB> type <TAB> text <TAB> sentence [<TAB> source]`; found
/// entities carry the source that produced them.
pub fn bio_errors(
    extractor: &dyn Extractor,
    sentences: &[BioSentence],
    types: &[EntityType],
) -> Vec<String> {
    let mut out = Vec::new();
    for s in sentences {
        let chars: Vec<char> = s.text.chars().collect();
        let found = extractor.extract(&s.text);
        let source = |a: usize, b: usize, l: &EntityType| {
            found
                .iter()
                .find(|e| e.start == a && e.end == b && e.label == *l)
                .map(|e| format!("\t{}", e.source.as_str()))
                .unwrap_or_default()
        };
        let pred: HashSet<(usize, usize, EntityType)> = found
            .iter()
            .filter(|e| types.contains(&e.label))
            .map(|e| (e.start, e.end, e.label.clone()))
            .collect();
        let gold: HashSet<(usize, usize, EntityType)> = s
            .spans
            .iter()
            .filter(|x| types.contains(&x.2))
            .cloned()
            .collect();
        let txt = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
        let groups: Vec<(&str, Vec<_>)> = vec![
            ("FP", pred.difference(&gold).collect()),
            ("FN", gold.difference(&pred).collect()),
            ("TP", pred.intersection(&gold).collect()),
        ];
        for (kind, mut v) in groups {
            v.sort_by_key(|x| x.0);
            for (a, b, l) in v {
                // Missed entities (FN) have no source: `source` is empty.
                let src = source(*a, *b, l);
                out.push(format!("{kind}\t{l}\t{}\t{}{src}", txt(*a, *b), s.text));
            }
        }
    }
    out
}

/// Reads a gold file of entity sets (`TYPE<TAB>text` a line, `#` comments:
/// the format of `tests/gold/`).
pub fn parse_gold_sets(text: &str) -> crate::Result<Vec<(String, EntityType)>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (ty, ent) = line.split_once('\t').ok_or_else(|| {
            crate::Error::Invalid(format!("line {}: expected TYPE<TAB>text", i + 1))
        })?;
        out.push((ent.to_string(), ty.parse::<EntityType>()?));
    }
    out.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    out.dedup();
    Ok(out)
}

/// Scores `extractor` on file-level entity sets: for every `STEM.tsv` in
/// `gold_dir`, the file of the same stem in `archive` is split into
/// articles and its distinct entities compared with the gold set.
pub fn evaluate_gold_dir(
    extractor: &dyn Extractor,
    gold_dir: &std::path::Path,
    archive: &std::path::Path,
    types: &[EntityType],
) -> crate::Result<Scores> {
    let mut scores = Scores::default();
    let mut files: Vec<_> = std::fs::read_dir(archive)
        .map_err(|e| crate::Error::io(archive, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in files {
        let Some(stem) = f.file_stem().map(|s| s.to_string_lossy().to_string()) else {
            continue;
        };
        let gold_path = gold_dir.join(format!("{stem}.tsv"));
        let Ok(gold_text) = std::fs::read_to_string(&gold_path) else {
            continue;
        };
        let gold = parse_gold_sets(&gold_text)
            .map_err(|e| crate::Error::Invalid(format!("{}: {e}", gold_path.display())))?;
        let text = std::fs::read_to_string(&f).map_err(|e| crate::Error::io(&f, e))?;
        let mut pred = Vec::new();
        for a in crate::split::split_articles(&text, None) {
            for e in extractor.extract(&a.text) {
                pred.push((e.text, e.label));
            }
        }
        pred.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
        pred.dedup();
        scores.add_sets(&gold, &pred, types);
    }
    Ok(scores)
}

/// The misses and false alarms of [`evaluate_gold_dir`], one line each:
/// `FP|FN <TAB> type <TAB> text <TAB> file stem`.
pub fn gold_dir_errors(
    extractor: &dyn Extractor,
    gold_dir: &std::path::Path,
    archive: &std::path::Path,
    types: &[EntityType],
) -> crate::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(archive)
        .map_err(|e| crate::Error::io(archive, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for f in files {
        let Some(stem) = f.file_stem().map(|s| s.to_string_lossy().to_string()) else {
            continue;
        };
        let Ok(gold_text) = std::fs::read_to_string(gold_dir.join(format!("{stem}.tsv"))) else {
            continue;
        };
        let gold: HashSet<(String, EntityType)> = parse_gold_sets(&gold_text)?
            .into_iter()
            .filter(|g| types.contains(&g.1))
            .collect();
        let text = std::fs::read_to_string(&f).map_err(|e| crate::Error::io(&f, e))?;
        let mut pred = HashSet::new();
        for a in crate::split::split_articles(&text, None) {
            for e in extractor.extract(&a.text) {
                if types.contains(&e.label) {
                    pred.insert((e.text, e.label));
                }
            }
        }
        for (t, l) in pred.difference(&gold) {
            out.push(format!("FP\t{l}\t{t}\t{stem}"));
        }
        for (t, l) in gold.difference(&pred) {
            out.push(format!("FN\t{l}\t{t}\t{stem}"));
        }
    }
    out.sort();
    Ok(out)
}

/// Parses a comma-separated list of types (`PER,LOC,ORG`).
pub fn parse_types(list: &str) -> crate::Result<Vec<EntityType>> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(str::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bio_parsing_and_spans() {
        let s = parse_bio(
            "王 B-PER\n某 I-PER\n在 O\n北 B-LOC\n京 I-LOC\n\n新 B-ORG\n华 I-ORG\n社 I-ORG\n  O\n",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "王某在北京");
        assert_eq!(
            s[0].spans,
            vec![(0, 2, EntityType::Per), (3, 5, EntityType::Loc)]
        );
        assert_eq!(s[1].text, "新华社 ");
        assert_eq!(s[1].spans, vec![(0, 3, EntityType::Org)]);
        // An I- without a B- opens a span; BIOES singles close at once.
        let tags: Vec<String> = ["I-LOC", "S-PER", "O"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            spans_from_tags(&tags),
            vec![(0, 1, EntityType::Loc), (1, 2, EntityType::Per)]
        );
    }

    #[test]
    fn grouped_sentences_keep_their_spans() {
        let s = parse_bio("甲 B-PER\n乙 E-PER\n。 O\n\n在 O\n丙 S-LOC\n\n丁 S-ORG\n");
        let g = group_sentences(&s, 2);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].text, "甲乙。在丙");
        assert_eq!(
            g[0].spans,
            vec![(0, 2, EntityType::Per), (4, 5, EntityType::Loc)]
        );
        assert_eq!(g[1].text, "丁");
        assert_eq!(g[1].spans, vec![(0, 1, EntityType::Org)]);
    }

    #[test]
    fn set_scoring_counts_exact_matches() {
        let gold = vec![
            ((0, 2), EntityType::Per),
            ((3, 5), EntityType::Loc),
            ((6, 8), EntityType::Org),
        ];
        let pred = vec![
            ((0, 2), EntityType::Per),
            ((3, 4), EntityType::Loc),
            ((6, 8), EntityType::Org),
            ((9, 10), EntityType::Date),
        ];
        let mut sc = Scores::default();
        sc.add_sets(
            &gold,
            &pred,
            &[EntityType::Per, EntityType::Loc, EntityType::Org],
        );
        assert_eq!(
            sc.of(&EntityType::Per),
            Counts {
                tp: 1,
                fp: 0,
                fn_: 0
            }
        );
        assert_eq!(
            sc.of(&EntityType::Loc),
            Counts {
                tp: 0,
                fp: 1,
                fn_: 1
            }
        );
        let all = sc.overall();
        assert_eq!(
            all,
            Counts {
                tp: 2,
                fp: 1,
                fn_: 1
            }
        );
        assert!((all.precision() - 2.0 / 3.0).abs() < 1e-9);
        assert!((all.f1() - 2.0 / 3.0).abs() < 1e-9);
        assert!(sc.report().contains("overall\t3\t3\t0.667\t0.667\t0.667"));
        assert_eq!(Counts::default().f1(), 0.0);
    }

    #[test]
    fn type_lists_parse() {
        assert_eq!(
            parse_types("PER, loc,ORG").unwrap(),
            vec![EntityType::Per, EntityType::Loc, EntityType::Org]
        );
        assert!(parse_types("PER,坏").is_err());
    }
}
