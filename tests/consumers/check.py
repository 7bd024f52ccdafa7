#!/usr/bin/env python3
"""Reads Pizhu's exports with real consumers and checks what they see.

Usage: check.py EXPORT_DIR   (the folder tests/export.rs writes: jsonl,
conll, conll-jieba, csv, csv-highlights, labelstudio, w3c, html, brat/)

- CoNLL: parsed by `conllu` (columns form, ner); tags must be valid BIO and
  the entities read back must be the jsonl entities (flattened, whitespace
  dropped, as documented in src/export/conll.rs).
- Label Studio and W3C: validated by `jsonschema` against the schemas here;
  every region/selector must slice the article text (Python str = code
  points) to its quoted text.
- CSV: Python's csv module with utf-8-sig (BOM), each row's text must be the
  slice of the article text.
- brat: what brat does — Python str slicing of the .txt by the T offsets.
- HTML: html.parser, only the expected tags (article text is escaped).

Exit 0 when everything passes, 1 on a failure, 3 when a package is missing.
"""

import csv
import html.parser
import json
import os
import re
import sys

try:
    import conllu
    import jsonschema
except ImportError as e:  # pragma: no cover
    print(f"missing Python package ({e.name}); pip install -r tests/consumers/requirements.txt")
    sys.exit(3)

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def load_jsonl(d):
    with open(os.path.join(d, "jsonl"), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def flatten(labels):
    # The documented rule: earlier start wins, then the longer span.
    kept, end = [], -1
    for s, e, t in sorted(labels, key=lambda l: (l[0], -l[1])):
        if not kept or s >= end:
            kept.append((s, e, t))
            end = e
    return kept


def conll_docs(path):
    with open(path, encoding="utf-8") as f:
        data = f.read()
    sents = conllu.parse(data, fields=("form", "ner"))
    docs = []
    for sent in sents:
        forms = [t["form"] for t in sent]
        if forms == ["-DOCSTART-"]:
            docs.append([])
            continue
        docs[-1].append([(t["form"], t["ner"]) for t in sent])
    return docs


def bio_entities(sents, errors, where):
    ents = []
    for sent in sents:
        cur = None
        for form, tag in sent:
            if not form or re.search(r"\s", form):
                errors.append(f"{where}: token {form!r} is empty or has whitespace")
            if not re.fullmatch(r"O|[BI]-[A-Za-z0-9_-]+", tag or ""):
                errors.append(f"{where}: bad tag {tag!r}")
                continue
            if tag == "O":
                cur = None
                continue
            kind, typ = tag.split("-", 1)
            if kind == "I":
                if cur is None or cur[0] != typ:
                    errors.append(f"{where}: I- without B- ({form} {tag})")
                    cur = [typ, ""]
                    ents.append(cur)
            else:
                cur = [typ, ""]
                ents.append(cur)
            cur[1] += form
    return [(t, s) for t, s in ents]


def check_conll(d, docs):
    for name, chars in (("conll", True), ("conll-jieba", False)):
        parsed = conll_docs(os.path.join(d, name))
        check(len(parsed) == len(docs), f"{name}: {len(parsed)} documents, expected {len(docs)}")
        tokens = 0
        for doc, sents in zip(docs, parsed):
            errors = []
            got = bio_entities(sents, errors, f"{name} {doc['id']}")
            failures.extend(errors[:5])
            tokens += sum(len(s) for s in sents)
            text = doc["text"]
            # Every non-whitespace character comes out, in order.
            joined = "".join(f for s in sents for f, _ in s)
            check(joined == re.sub(r"\s", "", text), f"{name} {doc['id']}: tokens do not spell the text")
            if chars:
                want = [(t, re.sub(r"\s", "", text[s:e])) for s, e, t in flatten(doc["label"])]
                check(got == want, f"{name} {doc['id']}: entities differ: {got[:5]} vs {want[:5]}")
            else:
                check(len(got) > 0 or not doc["label"], f"{name} {doc['id']}: no entities")
        print(f"conllu read {name}: {len(parsed)} documents, {tokens} tokens")


def check_labelstudio(d, by_id):
    with open(os.path.join(d, "labelstudio"), encoding="utf-8") as f:
        tasks = json.load(f)
    with open(os.path.join(HERE, "labelstudio_tasks.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.validate(tasks, schema)
    regions = 0
    for t in tasks:
        text = t["data"]["text"]
        for group in ("predictions", "annotations"):
            for p in t.get(group, []):
                for r in p["result"]:
                    v = r["value"]
                    regions += 1
                    check(text[v["start"]:v["end"]] == v["text"], f"labelstudio: {v} does not slice the text")
    check(any("annotations" in t for t in tasks), "labelstudio: no annotations")
    print(f"jsonschema validated {len(tasks)} Label Studio tasks, {regions} regions slice the text")


def check_w3c(d, by_id):
    with open(os.path.join(d, "w3c"), encoding="utf-8") as f:
        col = json.load(f)
    with open(os.path.join(HERE, "w3c_collection.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.validate(col, schema, format_checker=jsonschema.FormatChecker())
    items = col["first"]["items"]
    check(col["total"] == len(items), "w3c: total != number of items")
    for a in items:
        tgt = a["target"]
        if isinstance(tgt, str):
            continue
        art = by_id[tgt["source"].rsplit(":", 1)[1]]["text"]
        q = next(s for s in tgt["selector"] if s["type"] == "TextQuoteSelector")
        p = next(s for s in tgt["selector"] if s["type"] == "TextPositionSelector")
        check(art[p["start"]:p["end"]] == q["exact"], f"w3c {a['id']}: position and quote disagree")
        check(art[: p["start"]].endswith(q["prefix"]), f"w3c {a['id']}: prefix")
        check(art[p["end"]:].startswith(q["suffix"]), f"w3c {a['id']}: suffix")
    print(f"jsonschema validated the W3C collection: {len(items)} annotations")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def unneutralize(cell):
    """The value of a CSV cell: Pizhu prefixes ' to cells a spreadsheet would
    run as formulas (OWASP CSV injection); such a cell never starts with a
    formula character itself."""
    check(not cell.startswith(FORMULA_START), f"csv: formula cell not neutralised: {cell!r}")
    if cell.startswith("'") and cell[1:].startswith(FORMULA_START):
        return cell[1:]
    return cell


def check_csv(d, by_id):
    for name, cols in (
        ("csv", ["article_id", "file", "title", "type", "text", "start", "end", "source", "status", "tags", "annotator"]),
        ("csv-highlights", ["article_id", "file", "title", "start", "end", "text", "color", "note", "annotator"]),
    ):
        path = os.path.join(d, name)
        with open(path, "rb") as f:
            check(f.read(3) == b"\xef\xbb\xbf", f"{name}: no UTF-8 BOM")
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            rows = [{k: unneutralize(v) for k, v in r.items()} for r in reader]
            check(reader.fieldnames == cols, f"{name}: header {reader.fieldnames}")
        for r in rows:
            t = by_id[r["article_id"]]["text"]
            check(t[int(r["start"]):int(r["end"])] == r["text"], f"{name}: row {r} does not slice the text")
            check(
                r["annotator"] != "" and r["annotator"] == by_id[r["article_id"]].get("annotator"),
                f"{name}: row {r} does not name the annotator of the jsonl export",
            )
        print(f"csv read {name}: {len(rows)} rows")


def check_brat(d):
    b = os.path.join(d, "brat")
    with open(os.path.join(b, "annotation.conf"), encoding="utf-8") as f:
        conf = f.read()
    types = set(conf.split("[entities]")[1].split("[")[0].split())
    n = 0
    for name in sorted(os.listdir(b)):
        if not name.endswith(".ann"):
            continue
        with open(os.path.join(b, name[:-4] + ".txt"), encoding="utf-8", newline="") as f:
            text = f.read()
        with open(os.path.join(b, name), encoding="utf-8") as f:
            for line in f:
                if not line.startswith("T"):
                    continue
                tid, mid, txt = line.rstrip("\n").split("\t")
                typ, spans = mid.split(" ", 1)
                check(typ in types, f"brat {name}: type {typ} not in annotation.conf")
                frags = [tuple(map(int, s.split())) for s in spans.split(";")]
                got = " ".join(text[s:e] for s, e in frags)
                check(got == txt, f"brat {name} {tid}: {got!r} != {txt!r}")
                n += 1
    print(f"brat slicing (Python str, as brat does): {n} text-bound annotations match")


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def check_html(d):
    p = Tags()
    with open(os.path.join(d, "html"), encoding="utf-8") as f:
        p.feed(f.read())
    allowed = {"html", "head", "meta", "title", "style", "body", "article", "h2", "p", "mark", "sup", "a", "ol", "li", "hr", "br"}
    check(p.tags <= allowed, f"html: unexpected tags {p.tags - allowed}")
    print(f"html.parser read the HTML: tags {sorted(p.tags)}")


def main():
    d = sys.argv[1]
    docs = load_jsonl(d)
    by_id = {x["id"]: x for x in docs}
    check_conll(d, docs)
    check_labelstudio(d, by_id)
    check_w3c(d, by_id)
    check_csv(d, by_id)
    check_brat(d)
    check_html(d)
    if failures:
        print("FAILED:\n" + "\n".join(failures[:40]))
        sys.exit(1)
    print("all consumers OK")


if __name__ == "__main__":
    main()
