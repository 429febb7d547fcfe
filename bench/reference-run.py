#!/usr/bin/env python3
"""Runs one of ../shared/bench's PyTorch references, unchanged, on another device or with denormals flushed.

Usage: reference-run.py [--device cuda] [--flush-denormal] SCRIPT [the script's own arguments]
--device (cuda, cuda:1) becomes torch's default device, so the script's modules and inputs are made there, and its
torch.autocast("cpu", ...) is taken as autocast on that device. Each of the references' steps ends by reading a loss
(.item()), which waits for the GPU, so their per-step timings hold; the peak GPU memory goes to stderr.
--flush-denormal sets torch.set_flush_denormal(True) before the script runs (denormal floats become zero).
"""
import runpy, sys

import torch

args = sys.argv[1:]
device, flush = "cpu", False
while args and args[0].startswith("--"):
    if args[0] == "--device":
        device, args = args[1], args[2:]
    elif args[0] == "--flush-denormal":
        flush, args = True, args[1:]
    else:
        sys.exit(f"reference-run.py: unknown option {args[0]}")
if flush and not torch.set_flush_denormal(True):
    sys.exit("reference-run.py: this CPU cannot flush denormals")
if device != "cpu":
    torch.set_default_device(device)
    cpu_autocast = torch.autocast
    torch.autocast = lambda device_type, *a, **kw: cpu_autocast(torch.device(device).type, *a, **kw)
sys.argv = args
try:
    runpy.run_path(args[0], run_name="__main__")
finally:
    if device != "cpu" and torch.cuda.is_available():
        print(f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**20:.1f} MB", file=sys.stderr)
