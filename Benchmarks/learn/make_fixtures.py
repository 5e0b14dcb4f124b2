#!/usr/bin/env python3
"""Writes CopiaLearn's reference fixtures (run from the repository root with the peers venv):

    ~/.cache/copia-peers/venv/bin/python Benchmarks/learn/make_fixtures.py

- Tests/CopiaLearnTests/Fixtures/digits200.csv: the first 200 UCI 8x8 digits from sklearn's load_digits
  (64 pixel values 0..16, then the label), for the autoencoder convergence test.
- Tests/CopiaLearnTests/Fixtures/optimizers.json: parameter trajectories of torch.optim SGD (momentum, Nesterov,
  weight decay), Adam, Adam with L2 decay and AdamW on f(p) = sum((p - t)^2 * w), and learning rates of torch's
  StepLR, ExponentialLR and OneCycleLR, so Copia's arithmetic is compared with PyTorch's.
"""
import json
import os

import numpy as np
import torch
from sklearn.datasets import load_digits

OUT = "Tests/CopiaLearnTests/Fixtures"
os.makedirs(OUT, exist_ok=True)

d = load_digits()
with open(f"{OUT}/digits200.csv", "w") as f:
    f.write(",".join([f"p{i}" for i in range(64)] + ["label"]) + "\n")
    for x, y in zip(d.data[:200], d.target[:200]):
        f.write(",".join(str(int(v)) for v in x) + f",{int(y)}\n")

p0 = [0.5, -1.0, 2.0, 0.0, -0.25]
target = [1.0, 1.0, -1.0, 0.5, 0.0]
weights = [1.0, 3.0, 0.5, 2.0, 10.0]
configs = {
    "sgd": lambda p: torch.optim.SGD([p], lr=0.05),
    "sgdMomentum": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9),
    "sgdNesterovDecay": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    "adam": lambda p: torch.optim.Adam([p], lr=0.1),
    "adamL2": lambda p: torch.optim.Adam([p], lr=0.1, weight_decay=0.1, betas=(0.5, 0.99)),
    "adamW": lambda p: torch.optim.AdamW([p], lr=0.1, weight_decay=0.1),
}
trajectories = {}
for name, make in configs.items():
    p = torch.tensor(p0, dtype=torch.float32, requires_grad=True)
    opt = make(p)
    steps = []
    for _ in range(6):
        opt.zero_grad()
        loss = ((p - torch.tensor(target)) ** 2 * torch.tensor(weights)).sum()
        loss.backward()
        opt.step()
        steps.append([float(v) for v in p.detach()])
    trajectories[name] = steps


def rates(make, n):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


schedules = {
    "step": rates(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 10),
    "exponential": rates(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 10),
    "oneCycle": rates(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=20), 20),
}
with open(f"{OUT}/optimizers.json", "w") as f:
    json.dump({"p0": p0, "target": target, "weights": weights, "trajectories": trajectories,
               "schedules": schedules, "torch": torch.__version__}, f, indent=1)
print("wrote", OUT)
