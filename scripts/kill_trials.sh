#!/usr/bin/env bash
# Crash trials: N `kill -9`s at random moments during `pizhu index --force`, `pizhu import`
# (jsonl) and `pizhu lexicon add/reject` on a generated archive. After every
# kill it checks that the database passes `PRAGMA integrity_check`, that every
# annotation committed before the trial is still there (same id, kind, quote,
# note), that a killed import left all or none of its annotations (one
# transaction), and that re-running it afterwards commits them all.
#
# Usage: scripts/kill_trials.sh [N=20] [ARTICLES=2000]
#   PIZHU=path/to/pizhu (default target/release/pizhu; build it first with
#   `cargo build --release`), MAKE_ARCHIVE=path/to/make_archive.py,
#   KEEP=1 keeps the work folder.
# Exit status 0 when every trial passed; the last line is the summary.
set -euo pipefail

N=${1:-20}
ARTICLES=${2:-2000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
P=${PIZHU:-$ROOT/target/release/pizhu}
MAKE=${MAKE_ARCHIVE:-}
if [ -z "$MAKE" ]; then
  for m in "$ROOT/../shared/tools/make_archive.py" "$ROOT/../../shared/tools/make_archive.py"; do
    [ -f "$m" ] && MAKE=$m && break
  done
fi
[ -x "$P" ] || { echo "no pizhu binary at $P (cargo build --release)" >&2; exit 2; }
[ -f "$MAKE" ] || { echo "make_archive.py not found; set MAKE_ARCHIVE" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pizhu-kill.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
A=$WORK/archive
DB=$A/.pizhu/pizhu.sqlite

cat >"$WORK/check.py" <<'PY'
"""Helpers for kill_trials.sh: snapshots and checks of the annotations."""
import json, random, sqlite3, sys

def connect(db):
    return sqlite3.connect(db, timeout=30)

def integrity(db):
    r = connect(db).execute("PRAGMA integrity_check").fetchall()
    return [x[0] for x in r]

def rows(db):
    c = connect(db)
    return {
        r[0]: list(r[1:])
        for r in c.execute("SELECT id, article_id, kind, exact, IFNULL(note,''), IFNULL(label,'') FROM annotations")
    }

cmd = sys.argv[1]
if cmd == "snapshot":          # snapshot DB OUT
    json.dump(rows(sys.argv[2]), open(sys.argv[3], "w"))
elif cmd == "check":           # check DB BEFORE: integrity + nothing committed lost
    ic = integrity(sys.argv[2])
    if ic != ["ok"]:
        print(f"integrity_check: {ic[:5]}"); sys.exit(1)
    before = json.load(open(sys.argv[3]))
    after = {str(k): v for k, v in rows(sys.argv[2]).items()}
    lost = [k for k, v in before.items() if after.get(k) != v]
    if lost:
        print(f"{len(lost)} committed annotations lost or changed, e.g. {lost[:3]}"); sys.exit(1)
    print(len(after))
elif cmd == "make_import":     # make_import BASE OUT TAG K: K new highlights noted TAG-i
    base = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
    tag, k = sys.argv[4], int(sys.argv[5])
    rnd = random.Random(tag)
    out = open(sys.argv[3], "w", encoding="utf-8")
    for i, d in enumerate(rnd.sample(base, k)):
        n = len(d["text"])
        s = rnd.randrange(0, max(1, n - 10))
        d["highlights"] = [{"start": s, "end": s + 5, "text": d["text"][s:s + 5], "note": f"{tag}-{i}"}]
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
elif cmd == "count_tag":       # count_tag DB TAG: annotations noted TAG-*
    c = connect(sys.argv[2])
    print(c.execute("SELECT count(*) FROM annotations WHERE note LIKE ?", (sys.argv[3] + "-%",)).fetchone()[0])
PY
py() { python3 "$WORK/check.py" "$@"; }

echo "generating $ARTICLES articles in $A" >&2
python3 "$MAKE" --articles "$ARTICLES" "$A" >/dev/null
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms)
"$P" index "$A" >/dev/null
t_index=$(( $(ms) - t0 ))
"$P" export "$A" --format jsonl --out "$WORK/base.jsonl" 2>/dev/null
K=300
py make_import "$WORK/base.jsonl" "$WORK/cal.jsonl" cal $K
t0=$(ms); "$P" import "$A" --format jsonl "$WORK/cal.jsonl" >/dev/null; t_import=$(( $(ms) - t0 ))
t0=$(ms); "$P" lexicon add "$A" 发展 ORG >/dev/null; t_lex=$(( $(ms) - t0 ))
t0=$(ms); "$P" index "$A" --force >/dev/null; t_index=$(( $(ms) - t0 ))
echo "calibration: index --force ${t_index} ms, import ${t_import} ms, lexicon add ${t_lex} ms" >&2

# Words in most generated articles, so that a lexicon change re-extracts
# hundreds of articles and a kill lands in the middle of it.
WORDS=(发展 工作 经济 建设 企业 国家 人民 全国)
pass=0; fail=0; killed=0; finished=0
declare -A ops=()
for i in $(seq 1 "$N"); do
  py snapshot "$DB" "$WORK/before.json"
  # The operations take turns; the moment of the kill is random.
  op=$(( (i - 1) % 4 ))
  tag="t$i"
  case $op in
    0) name=index; cmd=("$P" index "$A" --force); dur=$t_index ;;
    1) name=import; py make_import "$WORK/base.jsonl" "$WORK/$tag.jsonl" "$tag" $K
       cmd=("$P" import "$A" --format jsonl "$WORK/$tag.jsonl"); dur=$t_import ;;
    2) name="lexicon add"; w=${WORDS[$((RANDOM % ${#WORDS[@]}))]}
       cmd=("$P" lexicon add "$A" "$w" ORG); dur=$t_lex ;;
    3) name="lexicon reject"; w=${WORDS[$((RANDOM % ${#WORDS[@]}))]}
       cmd=("$P" lexicon reject "$A" "$w"); dur=$t_lex ;;
  esac
  ops[$name]=$(( ${ops[$name]:-0} + 1 ))
  # Kill somewhere in the first 110% of the operation's calibrated time.
  delay=$(python3 -c "import random; print(round(random.uniform(0.02, 1.1 * $dur / 1000), 3))")
  "${cmd[@]}" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then state=killed; killed=$((killed + 1)); else state=finished; finished=$((finished + 1)); fi
  wait "$pid" 2>/dev/null || true
  ok=1
  note=""
  msg=$(py check "$DB" "$WORK/before.json") || ok=0
  if [ $op -eq 1 ] && [ $ok -eq 1 ]; then
    got=$(py count_tag "$DB" "$tag")
    note=" import kept $got/$K;"
    if [ "$state" = finished ] && [ "$got" -ne $K ]; then ok=0; msg="finished import kept $got of $K"; fi
    if [ "$got" -ne 0 ] && [ "$got" -ne $K ]; then ok=0; msg="killed import left $got of $K (not atomic)"; fi
    if [ $ok -eq 1 ]; then
      py snapshot "$DB" "$WORK/before.json"
      "$P" import "$A" --format jsonl "$WORK/$tag.jsonl" >/dev/null
      got=$(py count_tag "$DB" "$tag")
      [ "$got" -eq $K ] || { ok=0; msg="re-run import has $got of $K"; }
      note="$note re-run $got/$K;"
      msg=$(py check "$DB" "$WORK/before.json") || ok=0
    fi
  fi
  if [ $ok -eq 1 ]; then pass=$((pass + 1)); r="ok ($note $msg annotations)"; else fail=$((fail + 1)); r="FAIL: $msg"; fi
  printf 'trial %3d  %-14s %-8s at %6ss  %s\n' "$i" "$name" "$state" "$delay" "$r"
done

# A final complete index must work on whatever the kills left.
py snapshot "$DB" "$WORK/before.json"
if "$P" index "$A" >/dev/null 2>&1 && py check "$DB" "$WORK/before.json" >/dev/null; then
  final=ok
else
  final=FAIL; fail=$((fail + 1))
fi
summary=""
for k in "${!ops[@]}"; do summary+="$k ${ops[$k]}, "; done
echo "N=$N trials (${summary%, }; $killed killed mid-run, $finished finished first): $pass passed, $((N - pass)) failed; final index $final"
[ $fail -eq 0 ]
