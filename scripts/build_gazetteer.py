#!/usr/bin/env python3
"""Rebuild assets/gazetteer/divisions.tsv from the `jionlp` PyPI package.

Source: jionlp 1.5.31 (Apache License 2.0, https://github.com/dongrixinyu/JioNLP),
files jionlp/dictionary/china_location.zip and jionlp/dictionary/world_location.txt.

Fetch the package (only the wheel, none of its dependencies are needed):

    pip download jionlp==1.5.31 --no-deps -d /tmp/jionlp

Then run (standard library only, Python 3.11):

    python3 scripts/build_gazetteer.py /tmp/jionlp/jionlp-1.5.31-py2.py3-none-any.whl

The argument may also be an unpacked wheel or an installed site-packages
directory (anything containing jionlp/dictionary/).  Use -o to write elsewhere.

Output: UTF-8, no header, one line per division, sorted, deduplicated:

    level <TAB> full_name <TAB> short_name <TAB> parent_full_name

level is province, city, county, town (乡/镇/街道 and other township-level
units), country or foreign_city.  Provinces have an empty parent; a country's
parent is its continent (亚洲, 欧洲, ...); a foreign city's parent is the
country's full name.  Villages (村/社区, ~658k entries in the source) are left
out: they would make the file about 28 MB.

Short names: for provinces, cities and counties the package's own alias is used
(it already avoids clashes, e.g. 吉林市 stays 吉林市, 大理市 stays 大理市; where
it lists several, e.g. 克州/克孜勒苏, the first is taken).  Entries without an
alias (towns, Taiwan's districts) get a suffix stripped (镇, 乡, 街道, 苏木,
区, 县, 市, plus ethnic-minority qualifiers such as 彝族乡), but only if at least
two characters remain; otherwise the full name is kept.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

DICT_DIR = "jionlp/dictionary/"

# The 56 officially recognised ethnic groups.
ETHNIC_GROUPS = sorted(
    """汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族
    白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族
    东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族
    毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族
    鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族
    珞巴族 基诺族""".split(),
    key=len,
    reverse=True,
)
# Also the 民族 spelling seen in the source (鄂温克民族苏木).
ETHNIC_QUALIFIERS = ETHNIC_GROUPS + [g[:-1] + "民族" for g in ETHNIC_GROUPS]
ETHNIC_QUALIFIERS.sort(key=len, reverse=True)

# Suffixes stripped when the source gives no alias (longest first).
TOWN_SUFFIXES = ("街道办事处", "街道", "苏木", "镇", "乡")
COUNTY_SUFFIXES = ("自治县", "自治旗", "县", "区", "市", "旗")

# The source groups county-level units directly under a province in a
# pseudo-city with this name; we skip it and attach them to the province.
PSEUDO_CITY = "省直辖行政区划"

# Entries in world_location.txt's city column that are not cities.
NOT_CITIES = {"巴新"}  # abbreviation of 巴布亚新几内亚, listed as a city


def read_dictionary(package: Path, name: str) -> bytes:
    """Return the bytes of jionlp/dictionary/<name> from a wheel or a directory."""
    if package.is_dir():
        for candidate in (package / DICT_DIR / name, package / "dictionary" / name):
            if candidate.exists():
                return candidate.read_bytes()
        raise FileNotFoundError(f"{name} not found under {package}")
    with zipfile.ZipFile(package) as wheel:
        return wheel.read(DICT_DIR + name)


def strip_ethnic(name: str) -> str:
    """Remove trailing ethnic qualifiers: 平村彝族傣族 -> 平村, 陈旗鄂温克民族 -> 陈旗."""
    while True:
        for group in ETHNIC_QUALIFIERS:
            if name.endswith(group) and len(name) > len(group):
                name = name[: -len(group)]
                break
        else:
            return name


def shorten(full: str, suffixes: tuple[str, ...]) -> str:
    """Strip one suffix (and ethnic qualifiers); keep full name if <2 chars remain."""
    for suffix in suffixes:
        if full.endswith(suffix) and len(full) > len(suffix):
            short = full[: -len(suffix)]
            if suffix in ("乡", "镇", "苏木", "自治县", "自治旗"):
                short = strip_ethnic(short)
            return short if len(short) >= 2 else full
    return full


def pick_alias(full: str, alias: str | None, suffixes: tuple[str, ...]) -> str:
    if alias:
        first = alias.split("/")[0].strip()
        if len(first) >= 2:
            return first
    return shorten(full, suffixes)


def china_rows(text: str) -> list[tuple[str, str, str, str]]:
    """Parse china_location.txt: tab-indented tree, depth = number of leading tabs.

    depth 0 province, 1 city, 2 county (name, code, alias), 3 town, 4 village.
    """
    rows = []
    province = city = county = None
    for raw in text.splitlines():
        depth = len(raw) - len(raw.lstrip("\t"))
        fields = [f.strip() for f in raw.strip().split("\t")]
        if not fields or not fields[0]:
            continue
        name = fields[0]
        alias = fields[2] if len(fields) >= 3 else None
        if depth == 0:
            province = name
            city = county = None
            rows.append(("province", name, pick_alias(name, alias, ("省",)), ""))
        elif depth == 1:
            if name == PSEUDO_CITY:
                city = province
                continue
            city = name
            rows.append(("city", name, pick_alias(name, alias, COUNTY_SUFFIXES), province))
        elif depth == 2:
            county = name
            rows.append(("county", name, pick_alias(name, alias, COUNTY_SUFFIXES), city))
        elif depth == 3:
            rows.append(("town", name, shorten(name, TOWN_SUFFIXES), county))
        # depth 4 (villages) deliberately skipped
    return rows


def world_rows(text: str) -> list[tuple[str, str, str, str]]:
    """Parse world_location.txt.

    Lines are either '<continent>:' or
    short_name<TAB>full_name<TAB>capital[<TAB>city/city/...].
    """
    rows = []
    continent = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.endswith(":") and "\t" not in line:
            continent = line[:-1]
            continue
        fields = [f.strip() for f in line.split("\t")]
        short, full, capital = fields[0], fields[1], fields[2]
        rows.append(("country", full, short, continent))
        if short == "中国":  # domestic cities are covered by china_location
            continue
        cities = [capital] + (fields[3].split("/") if len(fields) > 3 else [])
        for c in cities:
            c = c.strip()
            if c and c not in NOT_CITIES:
                rows.append(("foreign_city", c, shorten(c, ("市",)), full))
    return rows


def main() -> int:
    repo = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("package", type=Path, help="jionlp wheel (.whl) or unpacked directory")
    ap.add_argument(
        "-o", "--output", type=Path, default=repo / "assets/gazetteer/divisions.tsv"
    )
    args = ap.parse_args()

    with zipfile.ZipFile(io.BytesIO(read_dictionary(args.package, "china_location.zip"))) as z:
        china = z.read("china_location.txt").decode("utf-8")
    world = read_dictionary(args.package, "world_location.txt").decode("utf-8")

    lines = {"\t".join(r) for r in china_rows(china) + world_rows(world)}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("".join(l + "\n" for l in sorted(lines)), encoding="utf-8")
    print(f"wrote {len(lines)} lines to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
