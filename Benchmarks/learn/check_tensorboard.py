#!/usr/bin/env python3
"""Checks that CopiaLearn's TensorBoard event files read back with TensorBoard's own Python readers.

    swift run -c release copia-bench-learn --write-log /tmp/copia-tb
    ~/.cache/copia-peers/venv/bin/python Benchmarks/learn/check_tensorboard.py /tmp/copia-tb

Reads the directory with tensorboard's EventAccumulator (what `tensorboard --logdir` uses) and with tbparse, checks
the scalar, histogram and image tags and values, decodes the sample grid PNG, and compares scalars.jsonl with the
event file. Exits non-zero on any mismatch.
"""
import io
import json
import math
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

logdir = sys.argv[1]
acc = EventAccumulator(logdir, size_guidance={"scalars": 0, "histograms": 0, "images": 0})
acc.Reload()
tags = acc.Tags()
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


for t in ["loss/total", "loss/kl", "learning_rate", "gradient_norm"]:
    check(t in tags["scalars"], f"scalar tag {t}")
loss = acc.Scalars("loss/total")
check(len(loss) == 40 and [e.step for e in loss] == list(range(40)), "40 loss steps 0..39")
check(loss[-1].value < loss[0].value, "loss decreases")
lr = acc.Scalars("learning_rate")
check(abs(lr[4].value - 1e-3) < 1e-9, "warm-up reaches 1e-3 at step 4")
hist_tags = [t for t in tags["histograms"]]
check(any(t.startswith("weights/") for t in hist_tags) and any(t.startswith("gradients/") for t in hist_tags),
      "weight and gradient histograms")
h = acc.Histograms(hist_tags[0])
check(len(h) == 4 and h[0].histogram_value.num > 0, "histogram at 4 steps with values")
check("samples" in tags["images"], "image tag samples")
img = acc.Images("samples")[-1]
check((img.width, img.height) == (4 * 28 + 10, 4 * 28 + 10), f"grid size {img.width}x{img.height}")
try:
    from PIL import Image
    pic = Image.open(io.BytesIO(img.encoded_image_string))
    pic.load()
    check(pic.size == (img.width, img.height) and pic.mode == "L", f"PNG decodes ({pic.size}, {pic.mode})")
except ImportError:
    print("PIL not installed: PNG decoding not checked")

# The JSON lines mirror the event file's scalars.
jsonl = [json.loads(l) for l in open(os.path.join(logdir, "scalars.jsonl"))]
by_tag = {}
for rec in jsonl:
    by_tag.setdefault(rec["tag"], []).append(rec)
check([r["step"] for r in by_tag["loss/total"]] == [e.step for e in loss], "jsonl steps match")
check(all(math.isclose(r["value"], e.value, rel_tol=1e-6) for r, e in zip(by_tag["loss/total"], loss)),
      "jsonl values match the event file (float32)")

try:
    from tbparse import SummaryReader
    df = SummaryReader(logdir).scalars
    check(set(["loss/total", "learning_rate"]).issubset(set(df["tag"])), "tbparse sees the scalars")
    check(len(df[df["tag"] == "loss/total"]) == 40, "tbparse reads 40 loss points")
except ImportError:
    print("tbparse not installed: skipped")

print(json.dumps({"logdir": logdir, "scalar_tags": sorted(tags["scalars"]), "histogram_tags": len(hist_tags),
                  "image_tags": tags["images"], "failures": failures}))
sys.exit(1 if failures else 0)
