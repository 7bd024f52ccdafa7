#!/usr/bin/env python3
"""Re-annotate a character-per-line BIO/BMES file under another convention, for the learning
experiment (scripts/learning_experiment.sh).

Convention B (as in corpora that annotate a place and the body it qualifies apart, e.g.
`中国外交部` -> LOC `中国` + ORG `外交部`): an ORG whose name starts with a place annotated as LOC
somewhere in the same file, followed by at least two more characters, is split into that place
(LOC) and the rest (ORG). The places come from the file's own annotations; no list is used.

Usage: convention_shift.py IN.bio OUT.bio   (prints how many ORG were split)
"""
import sys


def read(path):
    sents, cur = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            if cur:
                sents.append(cur)
            cur = []
            continue
        parts = line.split()
        ch, tag = (parts[0], parts[-1]) if len(parts) > 1 else (" ", parts[0])
        cur.append([ch, tag])
    if cur:
        sents.append(cur)
    return sents


def spans(tags):
    out, start, ty = [], None, None
    for i, t in enumerate(tags + ["O"]):
        p, _, k = t.partition("-")
        if p in ("B", "S") or p == "O" or (k and k != ty):
            if start is not None:
                out.append((start, i, ty))
            start, ty = (i, k) if p in ("B", "S") else (None, None)
            if p == "S":
                out.append((i, i + 1, k))
                start, ty = None, None
        if p == "E" and start is not None:
            out.append((start, i + 1, ty))
            start, ty = None, None
    return sorted(set(out))


def tag(start, end, ty, tags):
    for i in range(start, end):
        tags[i] = ("B-" if i == start else "I-") + ty


def main():
    src, dst = sys.argv[1], sys.argv[2]
    sents = read(src)
    places = set()
    for s in sents:
        chars = [c for c, _ in s]
        for a, b, ty in spans([t for _, t in s]):
            if ty == "LOC" and b - a >= 2:
                places.add("".join(chars[a:b]))
    split = 0
    with open(dst, "w", encoding="utf-8") as out:
        for s in sents:
            chars = [c for c, _ in s]
            tags = ["O"] * len(s)
            for a, b, ty in spans([t for _, t in s]):
                name = "".join(chars[a:b])
                cut = 0
                if ty == "ORG":
                    for k in range(b - a - 2, 1, -1):
                        if name[:k] in places:
                            cut = k
                            break
                if cut:
                    tag(a, a + cut, "LOC", tags)
                    tag(a + cut, b, "ORG", tags)
                    split += 1
                else:
                    tag(a, b, ty, tags)
            for c, t in zip(chars, tags):
                out.write(f"{c} {t}\n")
            out.write("\n")
    print(f"{len(sents)} sentences, {split} ORG split into LOC + ORG")


if __name__ == "__main__":
    main()
