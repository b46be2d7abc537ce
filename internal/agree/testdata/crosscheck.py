#!/usr/bin/env python3
"""Cross-check internal/agree against NLTK and scikit-learn (development aid).

Writes JSON cases (units x coders, null = missing) with the values NLTK's
AnnotationTask (alpha nominal and interval, pi, kappa) and scikit-learn's
cohen_kappa_score give, for TestCrossCheck to compare:

    python3 crosscheck.py > /tmp/crosscheck.json
    AGREE_CROSSCHECK=/tmp/crosscheck.json go test -run CrossCheck ./internal/agree/

The Go tests never need Python; this script is ours, written for this check.
"""
import json
import random

from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import binary_distance, interval_distance
from sklearn.metrics import cohen_kappa_score


def case(name, units):
    triples = [(str(c), str(u), v) for u, row in enumerate(units)
               for c, v in enumerate(row) if v is not None]
    out = {"name": name, "units": units}
    coders = len(units[0])
    nominal = AnnotationTask(data=triples, distance=binary_distance)
    out["alpha_nominal"] = nominal.alpha()
    out["alpha_interval"] = AnnotationTask(data=triples, distance=interval_distance).alpha()
    complete = all(v is not None for row in units for v in row)
    if complete:
        out["pi"] = nominal.pi()  # Scott's pi; for more coders, Fleiss' kappa
        if coders == 2:
            out["kappa"] = nominal.kappa()
            out["sklearn_kappa"] = cohen_kappa_score([r[0] for r in units], [r[1] for r in units])
    return out


def main():
    rng = random.Random(20240610)
    cases = []
    kripp = [[1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2],
             [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [None, 5, 5, 5],
             [None, None, 1, 1], [None, 3, None, None]]
    cases.append(case("krippendorff2011", kripp))
    for i in range(60):
        coders = 2 if i < 30 else rng.randint(3, 5)
        cats = rng.randint(2, 5)
        missing = 0.0 if i % 2 == 0 else 0.2
        units = []
        for _ in range(rng.randint(10, 80)):
            truth = rng.randrange(cats)
            row = []
            for _ in range(coders):
                if rng.random() < missing:
                    row.append(None)
                else:
                    row.append(truth if rng.random() < 0.7 else rng.randrange(cats))
            units.append(row)
        cases.append(case("random%d" % i, units))
    json.dump(cases, __import__("sys").stdout)


main()
