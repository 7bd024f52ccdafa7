#!/bin/sh
# The app's scale figures on a large archive, headless (real egui frames):
# time to the first list, the frame answering each keypress, memory, and a
# new file appearing without a restart.
#   scripts/gui_scale.sh ARCHIVE [DB]
# e.g. python3 ../shared/tools/make_archive.py --articles 100000 /tmp/a100k
#      scripts/gui_scale.sh /tmp/a100k /tmp/a100k.sqlite
# The archive is indexed first if needed (into DB, else ARCHIVE/.pizhu/).
# PIZHU_NEW_FILE=1 also drops a file into ARCHIVE (removed after) and times
# how long the open app takes to list it.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 ARCHIVE [DB]" >&2; exit 2; }
PIZHU_ARCHIVE=$1
export PIZHU_ARCHIVE
if [ $# -ge 2 ]; then PIZHU_DB=$2; export PIZHU_DB; fi
cd "$(dirname "$0")/.."
exec cargo bench --bench gui_scale
