#!/usr/bin/env python3
"""Counts the ops of one step of one of ../shared/bench's PyTorch references, unchanged, as facegan's countOps does.

Usage: reference-op-counts.py [--device cuda] OUT.json SCRIPT [the script's own arguments]
Builds bench/op-counter.cc against this PyTorch (g++, once per PyTorch version and counter source, in the temp
folder), runs the script's definitions (all of it before its timing loop, `times = []`), two warm-up calls of its
step(), then counts one step() and writes { "op [shape] dtype": calls } to OUT.json. --device as in reference-run.py.
"""
import ctypes, hashlib, json, os, subprocess, sys, tempfile

import torch

args = sys.argv[1:]
device = "cpu"
if args[0] == "--device":
    device, args = args[1], args[2:]
out, script = args[0], args[1]
here = os.path.dirname(os.path.abspath(__file__))
# keyed by the counter's sources too (op-counter.cc includes native/op-count.h), so that a change rebuilds it
sources = [os.path.join(here, "op-counter.cc"), os.path.join(here, "..", "native", "op-count.h")]
digest = hashlib.sha1(b"".join(open(f, "rb").read() for f in sources)).hexdigest()[:12]
lib = os.path.join(tempfile.gettempdir(), f"facegan-op-counter-{torch.__version__}-{digest}.so")
if not os.path.exists(lib):
    inc = os.path.join(os.path.dirname(torch.__file__), "include")
    libdir = os.path.join(os.path.dirname(torch.__file__), "lib")
    cmd = ["g++", "-O1", "-w", "-DNDEBUG", "-std=c++17", "-fPIC", "-shared", os.path.join(here, "op-counter.cc"),
           "-o", lib, f"-I{inc}", f"-L{libdir}", "-ltorch_cpu", "-lc10",
           f"-D_GLIBCXX_USE_CXX11_ABI={int(torch.compiled_with_cxx11_abi())}"]
    subprocess.run(cmd, check=True)
counter = ctypes.CDLL(lib)
counter.op_counter_stop.restype = ctypes.c_char_p
if device != "cpu":
    torch.set_default_device(device)
    cpu_autocast = torch.autocast
    torch.autocast = lambda device_type, *a, **kw: cpu_autocast(torch.device(device).type, *a, **kw)
sys.argv = args[1:]
src = open(script).read()
defs = {"__name__": "reference"}
exec(compile(src[: src.index("\ntimes = []")], script, "exec"), defs)
for _ in range(2):
    defs["step"]()
counter.op_counter_start()
defs["step"]()
lines = counter.op_counter_stop().decode().splitlines()
json.dump({k: int(n) for k, n in (line.rsplit("\t", 1) for line in lines)}, open(out, "w"), indent=0, sort_keys=True)
