#!/usr/bin/env bash
# Copia's table benchmarks against the Python peers, alternating in one session so both see the same machine load.
# Prints the JSON lines of both and a ratio line per figure (peer seconds / Copia seconds; > 1 means Copia is faster).
#
# Usage: Benchmarks/table/compare.sh [DATA_DIR] [ROUNDS]
#   DATA_DIR  holds tabular_50k.csv (python ../shared/peers/make_data.py DIR); default ~/.cache/copia-peers/data
#   ROUNDS    alternations (default 3); each round runs Copia then the peers; the median over rounds is reported.
# Environment: PYTHON (default ~/.cache/copia-peers/venv/bin/python), BIN (default .build/release/copia-bench-table),
#              PEERS (default ../shared/peers, relative to the repository root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${1:-$HOME/.cache/copia-peers/data}"
rounds="${2:-3}"
python="${PYTHON:-$HOME/.cache/copia-peers/venv/bin/python}"
bin="${BIN:-$root/.build/release/copia-bench-table}"
peers="${PEERS:-$root/../shared/peers}"
out="$(mktemp -d)"
for r in $(seq 1 "$rounds"); do
    "$bin" --data "$data" --reps 5 --only csv,smote,random_oversampler,adasyn,borderline_smote | tee -a "$out/copia.jsonl"
    "$python" "$here/bench_read_csv.py" --data "$data" --reps 5 | tee -a "$out/pandas.jsonl"
    "$python" "$peers/bench_smote.py" --data "$data" --threads 2 --reps 5 | tee -a "$out/imblearn.jsonl"
done
"$python" - "$out" <<'PY'
import json, statistics, sys, os
out = sys.argv[1]
def lines(name):
    return [json.loads(l) for l in open(os.path.join(out, name)) if l.strip()]
copia = {}
for l in lines("copia.jsonl"):
    if "median_s" in l: copia.setdefault(l["bench"], []).append(l["median_s"])
pandas = [l["median_s"] for l in lines("pandas.jsonl")]
peer = lines("imblearn.jsonl")
def ratio(name, theirs, ours):
    t, o = statistics.median(theirs), statistics.median(ours)
    print(json.dumps({"ratio": name, "peer_s": t, "copia_s": o, "peer_over_copia": t / o}))
ratio("csv_read_vs_pandas", pandas, copia["csv_read"])
for name in ["smote", "random_oversampler", "adasyn", "borderline_smote"]:
    ratio(f"{name}_vs_imblearn", [p[f"{name}_s"] for p in peer], copia[name])
PY
