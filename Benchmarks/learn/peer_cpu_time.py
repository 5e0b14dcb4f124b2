#!/usr/bin/env python3
"""Runs ../shared/peers/bench_torch_vae.py unchanged except that its epoch timer reads process CPU time
(time.process_time: user + system seconds of all the process's threads) instead of wall time.

On a shared machine, wall time depends on other jobs; CPU time per epoch is the fairer side-by-side figure, and
copia-bench-learn reports both (vae_cpu_s_per_epoch, gan_cpu_s_per_epoch). Same arguments as the peer script:

    ~/.cache/copia-peers/venv/bin/python Benchmarks/learn/peer_cpu_time.py --threads 2 --only vae
"""
import os
import runpy
import sys
import time

peer = os.environ.get("COPIA_PEER_BENCH",
                      os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "peers", "bench_torch_vae.py"))
if not os.path.exists(peer):
    peer = "/work/shared/peers/bench_torch_vae.py"
time.perf_counter = time.process_time
sys.argv = [peer] + sys.argv[1:]
runpy.run_path(peer, run_name="__main__")
