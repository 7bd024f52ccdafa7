#!/usr/bin/env python3
"""The learning experiment of issue 18: a corpus whose conventions differ from the shipped
model's; a third of its documents imported as reviewed gold (jsonl, "reviewed": true);
`pizhu train ARCHIVE`; F1 on the other two thirds before and after; and the adaptation
curve for 0, 10, 50 and 200 reviewed sentences (`pizhu train --curve`).

Usage: learning_experiment.py PIZHU CORPUS.bio WORKDIR [--docs-of N]
  PIZHU      the pizhu binary (release build)
  CORPUS.bio a character-per-line BIO/BMES corpus (e.g. the output of convention_shift.py)
  WORKDIR    an empty folder for the archive, its database and the split files

Documents are runs of N consecutive sentences (default 20), one file each; the first third of
the documents is the reviewed part, the rest the test. Nothing is downloaded and nothing is
written outside WORKDIR.
"""
import json, os, subprocess, sys


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
        cur.append((parts[0], parts[-1]) if len(parts) > 1 else (" ", parts[0]))
    if cur:
        sents.append(cur)
    return sents


def spans(tags):
    """(start, end, type) of BIO or BMES tags."""
    out, start, ty = [], None, None
    for i, t in enumerate(list(tags) + ["O"]):
        p, _, k = t.partition("-")
        if start is not None and (p in ("B", "S", "O") or k != ty):
            out.append((start, i, ty))
            start, ty = None, None
        if p == "B":
            start, ty = i, k
        elif p == "S":
            out.append((i, i + 1, k))
        elif p in ("I", "M") and start is None:
            start, ty = i, k
        elif p == "E" and start is not None:
            out.append((start, i + 1, ty))
            start, ty = None, None
    return out


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def overall(report):
    for line in report.splitlines():
        if line.startswith("overall"):
            return float(line.split()[-1])
    raise SystemExit("no overall line in:\n" + report)


def main():
    pizhu, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    per_doc = int(sys.argv[sys.argv.index("--docs-of") + 1]) if "--docs-of" in sys.argv else 20
    sents = read(corpus)
    docs = [sents[i:i + per_doc] for i in range(0, len(sents), per_doc)]
    cut = len(docs) // 3
    arch = os.path.join(work, "archive")
    os.makedirs(arch, exist_ok=True)
    texts = []
    for k, doc in enumerate(docs):
        text = "\n".join("".join(c for c, _ in s) for s in doc) + "\n"
        texts.append(text)
        with open(os.path.join(arch, f"doc{k:04}.txt"), "w", encoding="utf-8") as f:
            f.write(text)
    test_bio = os.path.join(work, "test.bio")
    with open(test_bio, "w", encoding="utf-8") as f:
        for doc in docs[cut:]:
            for s in doc:
                f.write("".join(f"{c} {t}\n" for c, t in s) + "\n")
    db = os.path.join(work, "pizhu.sqlite")
    run(pizhu, "index", arch, "--db", db)
    exported = [json.loads(l) for l in run(pizhu, "export", arch, "--db", db, "--format", "jsonl").splitlines()]
    by_file = {}
    for d in exported:
        by_file.setdefault(d["file"], []).append(d)
    reviewed, placed, missed = [], 0, 0
    for k, doc in enumerate(docs[:cut]):
        arts = by_file.get(f"doc{k:04}.txt", [])
        labels = {a["id"]: [] for a in arts}
        for s in doc:
            text = "".join(c for c, _ in s)
            home = next((a for a in arts if text in a["text"]), None)
            if home is None:
                missed += 1
                continue
            at = len(home["text"][: home["text"].index(text)])
            for a, b, ty in spans([t for _, t in s]):
                if ty in ("PER", "LOC", "ORG"):
                    labels[home["id"]].append([at + a, at + b, ty])
            placed += 1
        for a in arts:
            reviewed.append({"id": a["id"], "text": a["text"], "label": labels[a["id"]], "reviewed": True})
    gold = os.path.join(work, "reviewed.jsonl")
    with open(gold, "w", encoding="utf-8") as f:
        for d in reviewed:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(f"{len(sents)} sentences in {len(docs)} documents; reviewed: {cut} documents, "
          f"{placed} sentences ({missed} not found in the indexed text); test: {len(docs) - cut} documents")
    before = overall(run(pizhu, "eval", test_bio))
    print(run(pizhu, "import", arch, os.path.join(work, "reviewed.jsonl"), "--db", db, "--format", "jsonl").strip())
    print(run(pizhu, "train", arch, "--db", db).strip())
    model = os.path.join(os.path.dirname(db), "tagger-adapted.bin")
    after = overall(run(pizhu, "eval", test_bio, "--model", model))
    print(f"F1 on the other two thirds (PER/LOC/ORG, exact spans): shipped {before:.3f}, "
          f"after learning {after:.3f} ({after - before:+.3f})")
    print("adaptation curve (pizhu train --curve CORPUS):")
    print(run(pizhu, "train", "--curve", corpus).strip())


if __name__ == "__main__":
    main()
