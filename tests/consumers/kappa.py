#!/usr/bin/env python3
"""Cross-checks Pizhu's Cohen's kappa with scikit-learn's cohen_kappa_score.

Usage: kappa.py CASES.json, a list of {"type", "a", "b", "kappa"}: two
annotators' per-character labels (integers) and the kappa `pizhu agreement`
reported for them (null when undefined). tests/teams.rs writes it.

Exit 0 when every kappa agrees (to 1e-9), 1 on a difference, 3 when
scikit-learn is missing.
"""

import json
import math
import sys

try:
    from sklearn.metrics import cohen_kappa_score
except ImportError as e:  # pragma: no cover
    print(f"missing Python package ({e.name}); pip install -r tests/consumers/requirements.txt")
    sys.exit(3)

with open(sys.argv[1], encoding="utf-8") as f:
    cases = json.load(f)

bad = []
for c in cases:
    want = cohen_kappa_score(c["a"], c["b"])
    got = c["kappa"]
    if got is None:
        # Pizhu reports an undefined kappa; scikit-learn gives nan there.
        ok = math.isnan(want)
    else:
        ok = abs(want - got) < 1e-9
    if not ok:
        bad.append(f"{c['type']}: pizhu {got}, scikit-learn {want}")

if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"{len(cases)} kappas agree with scikit-learn")
