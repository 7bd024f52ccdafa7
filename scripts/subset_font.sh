#!/usr/bin/env bash
# Reproduce assets/fonts/NotoSansSC-Pizhu.otf: a subset of Noto Sans CJK SC
# (face 2 of Debian's NotoSansCJK-Regular.ttc) covering every character
# encodable in GBK, CJK Ext A (GB18030), plus Latin/punctuation/symbol ranges.
#
# Size: ~6.8 MB (--desubroutinize was tried and makes it larger, 7.2 MB).
# Usage: bash scripts/subset_font.sh   (run as root, or with SKIP_INSTALL=1 if
#        fonts-noto-cjk and fonttools are already installed)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TTC=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
OUT="$REPO/assets/fonts/NotoSansSC-Pizhu.otf"
FONTTOOLS_VERSION=4.68.0   # pinned so the output is byte-for-byte reproducible

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
    apt-get update
    apt-get install -y fonts-noto-cjk python3 python3-pip
    pip install "fonttools==$FONTTOOLS_VERSION" 2>/dev/null \
        || pip install --break-system-packages "fonttools==$FONTTOOLS_VERSION"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Find the face index of "Noto Sans CJK SC" (2 in Debian's 20220127 package).
FACE="$(python3 - "$TTC" <<'PY'
import sys
from fontTools.ttLib import TTCollection
for i, f in enumerate(TTCollection(sys.argv[1]).fonts):
    if f["name"].getDebugName(4) == "Noto Sans CJK SC":
        print(i); break
else:
    sys.exit("Noto Sans CJK SC not found in " + sys.argv[1])
PY
)"
echo "using face $FACE of $TTC"

# Code point list, one U+XXXX per line.
python3 - > "$WORK/unicodes.txt" <<'PY'
cps = set()
# 1. Everything encodable in GBK: decode every two-byte sequence.
for lead in range(0x81, 0xFF):
    for trail in range(0x40, 0xFF):
        try:
            s = bytes([lead, trail]).decode("gbk")
        except UnicodeDecodeError:
            continue
        if len(s) == 1:
            cps.add(ord(s))
# 2. Extra ranges.
ranges = [
    (0x0020, 0x007E),   # ASCII
    (0x00A0, 0x00FF),   # Latin-1 Supplement
    (0x2000, 0x206F),   # General Punctuation (incl. ※ U+203B)
    (0x2100, 0x214F),   # Letterlike Symbols (℃ №)
    (0x2150, 0x218F),   # Number Forms (Ⅰ Ⅱ …)
    (0x2190, 0x21FF),   # Arrows (→ ←)
    (0x2200, 0x22FF),   # Mathematical Operators
    (0x2460, 0x24FF),   # Enclosed Alphanumerics (① – ⑳)
    (0x2500, 0x257F),   # Box Drawing
    (0x2580, 0x259F),   # Block Elements
    (0x25A0, 0x25FF),   # Geometric Shapes (■ □ ● ○ ◆)
    (0x2600, 0x26FF),   # Miscellaneous Symbols (★ ☆)
    (0x3000, 0x303F),   # CJK Symbols and Punctuation
    (0x3040, 0x30FF),   # Hiragana, Katakana
    (0x3100, 0x312F),   # Bopomofo
    (0x3200, 0x32FF),   # Enclosed CJK Letters and Months
    (0x3400, 0x4DBF),   # CJK Ext A (GB18030 mandatory set)
    (0x4E00, 0x9FFF),   # CJK Unified Ideographs (all the font has)
    (0xF900, 0xFAFF),   # CJK Compatibility Ideographs
    (0xFE30, 0xFE4F),   # CJK Compatibility Forms
    (0xFF00, 0xFFEF),   # Halfwidth and Fullwidth Forms
]
for lo, hi in ranges:
    cps.update(range(lo, hi + 1))
cps.add(0x20000)        # 𠀀 (kept only if the font has it; Noto SC does not)
cps = {c for c in cps if not 0xE000 <= c <= 0xF8FF}   # no Private Use Area
for c in sorted(cps):
    print("U+%04X" % c)
PY
echo "$(wc -l < "$WORK/unicodes.txt") code points requested"

mkdir -p "$(dirname "$OUT")"
pyftsubset "$TTC" \
    --font-number="$FACE" \
    --unicodes-file="$WORK/unicodes.txt" \
    --layout-features='' \
    --no-hinting \
    --name-IDs='*' \
    --name-languages='*' \
    --notdef-outline \
    --output-file="$OUT"

ls -l "$OUT"
