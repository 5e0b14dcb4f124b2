#!/usr/bin/env python3
"""Fixtures for CopiaTable's deterministic under-samplers, from imbalanced-learn itself.

Writes, next to this script:
  undersampling.csv        200 rows: f0..f3 (floats written with repr, so they read back bit-exactly) and label (0/1/2)
  undersampling.json       for each sampler configuration, the sorted row indices imbalanced-learn keeps

Usage: python make_fixtures.py      (needs numpy, scikit-learn, imbalanced-learn; versions are recorded in the JSON)
"""
import json
import os

import imblearn
import numpy as np
import sklearn
from imblearn.under_sampling import EditedNearestNeighbours, NearMiss, TomekLinks
from sklearn.datasets import make_classification

here = os.path.dirname(os.path.abspath(__file__))
X, y_int = make_classification(n_samples=200, n_features=4, n_informative=3, n_redundant=0, n_classes=3,
                               n_clusters_per_class=1, weights=[0.6, 0.3, 0.1], class_sep=0.8, flip_y=0.05,
                               random_state=11)
y = y_int  # integer labels: EditedNearestNeighbours(kind_sel="mode") needs numeric ones (scipy.stats.mode)

with open(os.path.join(here, "undersampling.csv"), "w") as f:
    f.write("f0,f1,f2,f3,label\n")
    for row, lab in zip(X, y):
        f.write(",".join(repr(float(v)) for v in row) + f",{int(lab)}\n")

configs = {
    "TomekLinks auto": TomekLinks(),
    "TomekLinks all": TomekLinks(sampling_strategy="all"),
    "EditedNearestNeighbours auto": EditedNearestNeighbours(),
    "EditedNearestNeighbours all mode 5": EditedNearestNeighbours(sampling_strategy="all", n_neighbors=5, kind_sel="mode"),
    "NearMiss 1": NearMiss(version=1),
    "NearMiss 2": NearMiss(version=2),
    "NearMiss 3": NearMiss(version=3),
    "NearMiss 1 counts": NearMiss(version=1, sampling_strategy={0: 40, 1: 30}),
}
out = {"versions": {"imblearn": imblearn.__version__, "sklearn": sklearn.__version__, "numpy": np.__version__},
       "counts": {str(k): int(v) for k, v in zip(*np.unique(y, return_counts=True))}, "kept": {}}
for name, sampler in configs.items():
    sampler.fit_resample(X, y)
    out["kept"][name] = sorted(int(i) for i in sampler.sample_indices_)
with open(os.path.join(here, "undersampling.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print({k: len(v) for k, v in out["kept"].items()})
