#!/usr/bin/env python3
"""Writes the tagger's per-character outside knowledge,
`assets/model/char-knowledge.tsv`: for every Han character with a
radical-stroke index, its given-name bucket and its radical.

Sources (all read as shipped, nothing else):
- given names: `ngender/charfreq.csv` of the PyPI sdist `ngender==0.1.1`
  (MIT licence, https://github.com/observerss/ngender): 9,442 characters
  with their counts in male and female given names of a large corpus of
  real Chinese names;
- ordinary text: jieba's dictionary as built into the `jieba-rs` crate
  (`src/data/dict.txt`, MIT licence): a character's frequency is the sum of
  the frequencies of the words it occurs in (once per occurrence);
- radicals: `Unihan_IRGSources.txt` of Debian's `unicode-data` 15.0.0
  package (Unicode licence, `usr/share/unicode/Unihan_IRGSources.txt.bz2`),
  field `kRSUnicode` (`radical.strokes`, the first value; `'` marks a
  simplified radical form).

Given-name bucket (0 = no evidence): a character counted in at least
`MIN_NAME` given names gets the log ratio of its share of given-name
characters to its share of jieba's dictionary text (both +1 smoothed),
cut at `CUTS` into levels 1..=len(CUTS)+1: high = used in names far more
than in ordinary words (`婷`, `昊`), low = common in text, rare in names.

Radical: 1..=214 (the Kangxi radical); a simplified form (`'`) adds 256;
kept for U+3400..=U+9FFF (the unified ideographs and extension A: the
characters news text uses).

Output, one line per character in code point order:
`char<TAB>name bucket<TAB>radical`; characters with neither a bucket nor a
radical are left out. Deterministic.

    python3 scripts/char_knowledge.py /tmp/kncheck/ngender-0.1.1/ngender/charfreq.csv \
        ~/.cargo/registry/src/*/jieba-rs-0.11.0/src/data/dict.txt \
        /tmp/kncheck/ud/usr/share/unicode/Unihan_IRGSources.txt.bz2 \
        assets/model/char-knowledge.tsv
"""
import bz2
import csv
import math
import sys

MIN_NAME = 10
CUTS = [-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.5]


def main(charfreq, dict_txt, unihan, out):
    names = {}
    with open(charfreq, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            names[r["char"]] = int(r["male"]) + int(r["female"])
    n_total = sum(names.values())
    freq = {}
    with open(dict_txt, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            for c in parts[0]:
                freq[c] = freq.get(c, 0) + int(parts[1])
    f_total = sum(freq.values())
    bucket = {}
    for c, n in names.items():
        if len(c) != 1 or n < MIN_NAME:
            continue
        lr = math.log((n + 1) / n_total) - math.log((freq.get(c, 0) + 1) / f_total)
        bucket[c] = 1 + sum(lr >= t for t in CUTS)
    radical = {}
    with bz2.open(unihan, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "\tkRSUnicode\t" not in line:
                continue
            cp, _, val = line.rstrip("\n").split("\t")
            rad = val.split()[0].split(".")[0]
            simp = rad.endswith("'")
            c = chr(int(cp[2:], 16))
            if "\u3400" <= c <= "\u9fff":
                radical[c] = int(rad.rstrip("'")) + 256 * simp
    chars = sorted(set(bucket) | set(radical), key=ord)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for c in chars:
            f.write(f"{c}\t{bucket.get(c, 0)}\t{radical.get(c, 0)}\n")
    sizes = [0] * (len(CUTS) + 2)
    for b in bucket.values():
        sizes[b] += 1
    print(f"{len(chars)} characters; bucket sizes {sizes[1:]}; {len(radical)} radicals",
          file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
