#!/usr/bin/env python3
"""Runs one of ../shared/bench's PyTorch references on a GPU, unchanged.

Usage: reference-on-device.py DEVICE SCRIPT [the script's own arguments]
DEVICE (cuda, cuda:1) becomes torch's default device, so the script's modules and inputs are made there, and its
torch.autocast("cpu", ...) is taken as autocast on DEVICE. Each of the references' steps ends by reading a loss
(.item()), which waits for the GPU, so their per-step timings hold there. Its peak GPU memory goes to stderr.
"""
import runpy, sys

import torch

device, script = sys.argv[1], sys.argv[2]
torch.set_default_device(device)
cpu_autocast = torch.autocast
torch.autocast = lambda device_type, *a, **kw: cpu_autocast(torch.device(device).type, *a, **kw)
sys.argv = [script, *sys.argv[3:]]
try:
    runpy.run_path(script, run_name="__main__")
finally:
    if torch.cuda.is_available():
        print(f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**20:.1f} MB", file=sys.stderr)
