//! Training the tagger ([`super::tagger`]) from BMES/BIO corpora, and
//! scoring it: what `pizhu train --corpus` runs.
//!
//! Reproducible: the corpora are read in the order given, the held-out
//! sentences are every `holdout`-th one, and each epoch's order comes from
//! a fixed-seed generator; the same data, options and binary give the same
//! model byte for byte.
//!
//! The names feature ([`super::names`]) is jackknifed: the training
//! sentences are cut into `folds` contiguous blocks (neighbouring sentences,
//! often one article, stay together) and each block's features read the
//! dictionary of the other blocks' names; the held-out and dev sentences,
//! and the shipped model, read the dictionary of every training sentence.

use rayon::prelude::*;

use super::EntityType;
use super::eval::{BioSentence, Counts};
use super::names::NameDict;
use super::news::{NewsExtractor, segments};
use super::tagger::{Sample, Tagger, Trainer, labels_of_spans, log_likelihood, spans_of_labels};

/// Options of a training run.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Table size in bits (`2^bits` buckets of 16 bytes).
    pub bits: u32,
    /// Passes over the training sentences.
    pub epochs: usize,
    /// Every `holdout`-th sentence is held out (temperature and dev
    /// figures); 0 holds none out.
    pub holdout: usize,
    /// Seed of the epoch order.
    pub seed: u64,
    /// Feature bagging: share of sentences learned without lexical features.
    pub dropout: f32,
    /// Jackknife folds of the names feature (at least 2).
    pub folds: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            bits: 20,
            epochs: 30,
            holdout: 50,
            seed: 18,
            dropout: 0.3,
            folds: 5,
        }
    }
}

/// Samples (features and gold labels) of BIO sentences, computed in
/// parallel (order kept); sentence `i` reads the names `names(i)`.
pub fn samples<'a>(
    ex: &NewsExtractor,
    sents: &[BioSentence],
    bits: u32,
    names: &(dyn Fn(usize) -> &'a NameDict + Sync),
) -> Vec<Sample> {
    sents
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let (chars, feats, _) = ex.analyse(&s.text, bits, names(i));
            Sample {
                gold: labels_of_spans(chars.len(), &s.spans),
                feats,
            }
        })
        .collect()
}

/// Exact-span counts of `t` on `samples`, per PER/LOC/ORG.
pub fn score(t: &Tagger, samples: &[Sample]) -> [Counts; 3] {
    let mut c: [Counts; 3] = Default::default();
    for s in samples {
        let n = s.gold.len();
        if n == 0 {
            continue;
        }
        let (pred, _) = t.tag(&s.feats, n);
        let gold = spans_of_labels(&s.gold);
        let pred = spans_of_labels(&pred);
        for (k, ty) in [EntityType::Per, EntityType::Loc, EntityType::Org]
            .iter()
            .enumerate()
        {
            let g: Vec<_> = gold.iter().filter(|x| &x.2 == ty).collect();
            let p: Vec<_> = pred.iter().filter(|x| &x.2 == ty).collect();
            let tp = p.iter().filter(|x| g.contains(x)).count();
            c[k].tp += tp;
            c[k].fp += p.len() - tp;
            c[k].fn_ += g.len() - tp;
        }
    }
    c
}

/// Overall F1 of [`score`]'s counts.
pub fn f1(c: &[Counts; 3]) -> f64 {
    let mut all = Counts::default();
    for x in c {
        all.tp += x.tp;
        all.fp += x.fp;
        all.fn_ += x.fn_;
    }
    all.f1()
}

/// A small xorshift generator (fixed, so orders are reproducible).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn shuffle(&mut self, v: &mut [usize]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Picks the confidence temperature that best predicts the gold labels of
/// `dev` (grid search); 1.0 when there is no dev data.
pub fn fit_temperature(t: &Tagger, dev: &[Sample]) -> f32 {
    if dev.is_empty() {
        return 1.0;
    }
    let mut best = (f64::MIN, 1.0f32);
    for temp in [0.25f32, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0] {
        let ll = log_likelihood(t, dev, temp);
        if ll > best.0 {
            best = (ll, temp);
        }
    }
    best.1
}

/// Trains a tagger from `sentences` (features from `ex`, which should be a
/// rules-only extractor). `extra_dev` sentences are scored after every
/// epoch (for tuning; never trained on). `log` receives progress lines.
pub fn train(
    ex: &NewsExtractor,
    sentences: &[BioSentence],
    extra_dev: &[BioSentence],
    opts: &TrainOptions,
    log: &mut dyn FnMut(&str),
) -> Tagger {
    let t0 = std::time::Instant::now();
    let (mut train_s, mut dev_s) = (Vec::new(), Vec::new());
    for (i, s) in sentences.iter().enumerate() {
        if opts.holdout > 0 && i % opts.holdout == opts.holdout - 1 {
            dev_s.push(s.clone());
        } else {
            train_s.push(s.clone());
        }
    }
    let all_names = NameDict::from_spans(&train_s);
    let folds = opts.folds.max(2);
    let block = train_s.len().div_ceil(folds).max(1);
    let fold_names: Vec<NameDict> = (0..folds)
        .into_par_iter()
        .map(|k| {
            NameDict::from_spans(
                train_s
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i / block != k)
                    .map(|(_, s)| s),
            )
        })
        .collect();
    let train = samples(ex, &train_s, opts.bits, &|i| &fold_names[i / block]);
    drop(fold_names);
    let dev = samples(ex, &dev_s, opts.bits, &|_| &all_names);
    let extra = samples(ex, extra_dev, opts.bits, &|_| &all_names);
    log(&format!(
        "features: {} training, {} held-out, {} extra dev sentences, {} names in {:.1} s",
        train.len(),
        dev.len(),
        extra.len(),
        all_names.len(),
        t0.elapsed().as_secs_f64()
    ));
    let mut trainer = Trainer::new(opts.bits).with_dropout(opts.dropout);
    let mut rng = Rng(opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut order: Vec<usize> = (0..train.len()).collect();
    for epoch in 1..=opts.epochs {
        rng.shuffle(&mut order);
        let wrong = trainer.epoch(&train, &order);
        let mut line = format!(
            "epoch {epoch}: {wrong} sentences wrong, {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        if !dev.is_empty() || !extra.is_empty() {
            let t = trainer.finish(1.0);
            if !dev.is_empty() {
                line.push_str(&format!("; held-out F1 {:.4}", f1(&score(&t, &dev))));
            }
            if !extra.is_empty() {
                line.push_str(&format!("; dev F1 {:.4}", f1(&score(&t, &extra))));
            }
        }
        log(&line);
    }
    let t = trainer.finish(1.0).with_names(all_names);
    let temp = fit_temperature(&t, &dev);
    log(&format!(
        "temperature {temp}; {:.1} s in all",
        t0.elapsed().as_secs_f64()
    ));
    t.with_temperature(temp)
}

/// Adapts `base` to `sentences` (the user's reviewed text): `epochs`
/// perceptron passes, each update `step` times as large as in training.
pub fn adapt(
    ex: &NewsExtractor,
    base: &Tagger,
    sentences: &[BioSentence],
    epochs: usize,
    step: f32,
) -> Tagger {
    let samples = samples(ex, sentences, base.bits(), &|_| base.names());
    let mut trainer = Trainer::from_tagger(base, step);
    let mut rng = Rng(0x5EED_0018);
    let mut order: Vec<usize> = (0..samples.len()).collect();
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        trainer.epoch(&samples, &order);
    }
    // The reviewed names join the dictionary: the weights learned how far
    // a name annotated elsewhere is to be trusted (jackknifed), and the
    // reviewed sentences were learned from without their own names in it,
    // as the training folds were.
    let mut names = base.names().clone();
    names.extend(sentences);
    // The rules' arbitration (the product's conventions where the rules
    // know better) stays only if it does not lower the base model's F1 on
    // the user's own reviewed sentences: where the user's conventions are
    // other ones, theirs win.
    let types = [EntityType::Per, EntityType::Loc, EntityType::Org];
    let f1_with = |on: bool| {
        let ex = NewsExtractor::new().with_tagger(Some(base.clone().with_arbitration(on)));
        super::eval::evaluate_bio(&ex, sentences, &types)
            .overall()
            .f1()
    };
    let arbitrate = f1_with(true) >= f1_with(false);
    trainer
        .finish_scaled(base.temperature(), Some(base.scale()))
        .with_names(names)
        .with_arbitration(arbitrate)
}

/// Sentences of a text with entity spans, cut where the tagger cuts them
/// (spans crossing a cut are dropped).
pub fn sentences_of(text: &str, spans: &[(usize, usize, EntityType)]) -> Vec<BioSentence> {
    let chars: Vec<char> = text.chars().collect();
    segments(&chars)
        .into_iter()
        .filter(|(s, e)| chars[*s..*e].iter().any(|c| !c.is_whitespace()))
        .map(|(s, e)| BioSentence {
            text: chars[s..e].iter().collect(),
            spans: spans
                .iter()
                .filter(|x| x.0 >= s && x.1 <= e)
                .map(|x| (x.0 - s, x.1 - s, x.2.clone()))
                .collect(),
        })
        .collect()
}

/// The learning curve of adaptation: the last third of `sentences` is the
/// test; the shipped-model extractor `base` is adapted to the first `n` of
/// the rest for each `n` of `sizes`, and the whole extractor (tagger,
/// rules, arbitration) is scored on the test, exact spans, PER/LOC/ORG.
pub fn learning_curve(
    base: &Tagger,
    sentences: &[BioSentence],
    sizes: &[usize],
) -> Vec<(usize, super::eval::Scores)> {
    let cut = sentences.len() * 2 / 3;
    let (pool, test) = sentences.split_at(cut);
    let types = [EntityType::Per, EntityType::Loc, EntityType::Org];
    let rules = NewsExtractor::new();
    sizes
        .iter()
        .map(|&n| {
            let n = n.min(pool.len());
            let t = if n == 0 {
                base.clone()
            } else {
                adapt(
                    &rules,
                    base,
                    &pool[..n],
                    super::learn::ADAPT_EPOCHS,
                    super::learn::ADAPT_STEP,
                )
            };
            let ex = NewsExtractor::new().with_tagger(Some(t));
            (n, super::eval::evaluate_bio(&ex, test, &types))
        })
        .collect()
}
