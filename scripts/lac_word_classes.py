#!/usr/bin/env python3
"""Writes the word classes of the tagger's LAC word features: k-means
classes of the multi-character words of Baidu LAC 2.1.2's word embeddings.

Source: the PyPI sdist `LAC-2.1.2.tar.gz` (Apache-2.0, sha256
22fcde0d5082d2044205ea6f6a7a9cd1f0d63e7b21b2dd5c9c73f27e7c0a3ef1), read
straight from the tarball: `LAC/lac_model/conf/word.dic` (`id<TAB>token`,
58,224 rows) and `LAC/lac_model/model/word_emb` (PaddlePaddle tensor: a
29-byte header, then 58,224 x 128 little-endian f32). The embeddings were
trained in LAC's lexer (segmentation, POS, PER/LOC/ORG/TIME) on Baidu's
corpus; no evaluation data is read here.

Every token of 2 or more characters whose characters are all Han
(U+3400..U+9FFF) is kept; its vector is L2-normalised (cosine geometry)
and clustered by k-means (k-means++ start, fixed seed, Lloyd iterations
until no assignment changes or 100 iterations) once per K. Output, one line
per word, sorted by word: `word<TAB>class for K1<TAB>class for K2 ...`
(classes 1..K; 0 is kept for "not a LAC word"). Deterministic for the same
tarball and numpy.

    python3 scripts/lac_word_classes.py /work/ext/LAC-2.1.2.tar.gz \
        assets/model/lac-words.tsv 32 256 512

also writes `OUT.vec`, the back-off for words LAC does not hold (below).
"""
import io
import sys
import tarfile

import numpy as np

SEED = 20260


def load(tar_path):
    with tarfile.open(tar_path) as tf:
        def read(suffix):
            for m in tf.getmembers():
                if m.name.endswith(suffix):
                    return tf.extractfile(m).read()
            raise SystemExit(f"{suffix} not in {tar_path}")

        dic = read("lac_model/conf/word.dic").decode("utf-8")
        raw = read("lac_model/model/word_emb")
    emb = np.frombuffer(raw[29:], "<f4").reshape(-1, 128)
    words = {}
    for line in io.StringIO(dic):
        line = line.rstrip("\n")
        if "\t" not in line:
            continue
        i, w = line.split("\t", 1)
        words[int(i)] = w
    assert len(words) == emb.shape[0], (len(words), emb.shape)
    return words, emb


def is_han(c):
    return "\u3400" <= c <= "\u9fff"


def kmeans(x, k, seed):
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    sq = (x * x).sum(1)
    # k-means++ start.
    centres = np.empty((k, x.shape[1]), dtype=np.float64)
    first = rng.integers(n)
    centres[0] = x[first]
    d2 = np.maximum(sq - 2 * x @ centres[0] + centres[0] @ centres[0], 0)
    for j in range(1, k):
        p = d2 / d2.sum()
        c = rng.choice(n, p=p)
        centres[j] = x[c]
        d2 = np.minimum(d2, np.maximum(sq - 2 * x @ centres[j] + centres[j] @ centres[j], 0))
    assign = None
    for it in range(100):
        d = sq[:, None] - 2 * x @ centres.T + (centres * centres).sum(1)[None, :]
        new = d.argmin(1)
        if assign is not None and (new == assign).all():
            break
        assign = new
        for j in range(k):
            members = x[assign == j]
            if len(members):
                centres[j] = members.mean(0)
    print(f"k={k}: {it + 1} iterations", file=sys.stderr)
    return assign, centres


def main():
    tar_path, out = sys.argv[1], sys.argv[2]
    ks = [int(a) for a in sys.argv[3:]] or [256]
    words, emb = load(tar_path)
    keep = sorted(
        (w, i) for i, w in words.items() if len(w) >= 2 and all(is_han(c) for c in w)
    )
    x = emb[[i for _, i in keep]].astype(np.float64)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    print(f"{len(keep)} words", file=sys.stderr)
    runs = [kmeans(x, k, SEED + k) for k in ks]
    cols = [a + 1 for a, _ in runs]
    with open(out, "w", encoding="utf-8") as f:
        for r, (w, _) in enumerate(keep):
            f.write(w + "".join(f"\t{c[r]}" for c in cols) + "\n")
    # Back-off for words LAC does not hold (`OUT.vec`): the single Han
    # characters' unit vectors quantised to i8 with a scale per character,
    # and every K's centres (little-endian): u32 count, then per character
    # u32 code point, f32 scale, 128 i8; then per K: u32 K, K x 128 f32.
    singles = sorted((w, i) for i, w in words.items() if len(w) == 1 and is_han(w))
    with open(out + ".vec", "wb") as f:
        f.write(np.uint32(len(singles)).tobytes())
        for w, i in singles:
            v = emb[i].astype(np.float64)
            v /= max(np.linalg.norm(v), 1e-12)
            scale = max(np.abs(v).max(), 1e-12) / 127.0
            q = np.clip(np.rint(v / scale), -127, 127).astype(np.int8)
            f.write(np.uint32(ord(w)).tobytes() + np.float32(scale).astype("<f4").tobytes() + q.tobytes())
        for k, (_, c) in zip(ks, runs):
            f.write(np.uint32(k).tobytes() + c.astype("<f4").tobytes())


if __name__ == "__main__":
    main()
