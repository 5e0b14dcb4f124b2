#!/usr/bin/env python3
"""pandas.read_csv (C engine) on tabular_50k.csv: median and min of REPS timed reads after one warm-up. One JSON line.

Usage: python bench_read_csv.py --data DIR [--reps 5]
"""
import argparse, json, os, statistics, time
import pandas as pd

ap = argparse.ArgumentParser()
ap.add_argument("--data", default=os.path.expanduser("~/.cache/copia-peers/data"))
ap.add_argument("--reps", type=int, default=5)
a = ap.parse_args()
path = os.path.join(a.data, "tabular_50k.csv")
pd.read_csv(path)
times = []
for _ in range(a.reps):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    times.append(time.perf_counter() - t0)
print(json.dumps({"bench": "pandas_read_csv", "rows": len(df), "columns": df.shape[1], "pandas": pd.__version__,
                  "median_s": statistics.median(times), "min_s": min(times)}))
