#!/usr/bin/env bash
# The GPU check, run on a machine with an NVIDIA GPU and a CUDA PyTorch but no Node (the device tool's machines),
# from the repository root, after `node scripts/gpu/pack.mjs` here packed dev-carry/. It builds the native engine
# against PyTorch's own libtorch (the LIBTORCH layout README describes), then runs, each under its own time limit:
#   1. the CUDA tests (src/engine/cuda.test.ts) and the engine's tests on that libtorch;
#   2. bench engine and bench cyclegan on the GPU, PyTorch beside facegan, fp32 and bf16;
#   3. `facegan train --device cuda` on synthetic faces, resumed once;
#   4. bench engine on that machine's CPU in bf16 (the PyTorch bf16 ratio, where the CPU has AMX);
#   5. (asked for by name: stylegan) bench stylegan on the GPU and on that CPU;
#   6. (asked for by name: sgquality) StyleGAN's CPU default trained on the GPU (scripts/gpu/stylegan-quality.sh).
# Logs and JSON lines go to $OUT (or /tmp/gpu-out). Usage: scripts/gpu/check.sh [steps...] (default: all).
set -u
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
log() { echo "[$(date +%T)] $*" | tee -a "$OUT/summary.txt"; }
run() { # run NAME SECONDS CMD...: one step, its output in $OUT/NAME.log, its exit code in the summary
  local name=$1 limit=$2; shift 2
  log "start $name"
  timeout "$limit" bash -c '"$@"' _ "$@" >"$OUT/$name.log" 2>&1
  log "end $name: exit $?"
  tail -n 3 "$OUT/$name.log"
}
steps=${*:-build test bench train cpu stylegan}
has() { [[ " $steps " == *" $1 "* ]]; }

mkdir -p /tmp/node/bin
[ -x /tmp/node/bin/node ] || xz -dc dev-carry/node.xz >/tmp/node/bin/node && chmod +x /tmp/node/bin/node
export PATH=/tmp/node/bin:$PATH FACEGAN_SHARED=$PWD/dev-carry FACEGAN_PYTHON=python3
[ -d node_modules/tsx ] || tar -xJf dev-carry/deps.tar.xz
export LIBTORCH=${LIBTORCH:-$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')}
log "node $(node --version); $(python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)')"
log "$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader)"
log "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2); $(nproc) threads;" \
  "$(grep -o -w -E 'amx_bf16|avx512_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"

compile() { # compile STD: every source at once, as node-gyp would from binding.gyp (no node-gyp or npm there)
  local flags="-std=$1 -O2 -fPIC -fexceptions -frtti -DNAPI_CPP_EXCEPTIONS -DNAPI_VERSION=8 -Wno-deprecated-declarations"
  flags+=" -Idev-carry/include -I$(node -p "require('node-addon-api').include_dir")"
  flags+=" $(for i in $(node scripts/libtorch.mjs --include); do printf -- '-I%s ' "$i"; done)"
  flags+=" $(for d in $(node scripts/libtorch.mjs --cflags); do printf -- '-D%s ' "$d"; done)"
  mkdir -p build/obj build/Release
  local pids=() ok=0
  for f in native/*.cc; do g++ $flags -c "$f" -o "build/obj/$(basename "$f" .cc).o" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || ok=1; done
  return $ok
}
build() {
  node scripts/libtorch.mjs --check
  compile c++17 && echo "compiled as C++17" || { echo "C++17 failed; trying C++20"; compile c++20 && echo "compiled as C++20"; } &&
    g++ -shared -o build/Release/facegan_native.node build/obj/*.o $(node scripts/libtorch.mjs --libs) &&
    node -e "require('./build/Release/facegan_native.node'); console.log('addon loads')"
}

export -f compile build
if has build; then run build 300 build || { log "build failed"; tail -n 40 "$OUT/build.log"; exit 1; }; fi
if has test; then
  run cuda-tests 120 node --import tsx --test --test-reporter=spec src/engine/cuda.test.ts
  run engine-tests 120 node --import tsx --test --test-concurrency=1 src/engine/*.test.ts
fi
if has bench; then
  run bench-engine-gpu-fp32 90 node --import tsx bench/main.ts engine --device cuda --batch 64 --steps 20 --warmup 10
  run bench-engine-gpu-bf16 90 node --import tsx bench/main.ts engine --device cuda --batch 64 --steps 20 --warmup 10 --bf16
  run bench-cyclegan-gpu 120 node --import tsx bench/main.ts cyclegan --device cuda --steps 20 --warmup 5
fi
if has train; then
  run train-gpu 170 node scripts/gpu/train-check.mjs "$OUT" cuda 200
fi
if has sgquality; then
  run sgquality $((${SG_SECONDS:-270} + 90)) scripts/gpu/stylegan-quality.sh "$OUT" "${SG_SECONDS:-270}"
fi
if has stylegan; then
  # bf16 on the GPU settles after 5-10 steps (measured: 0.76x PyTorch's after 3 warm-up steps, 1.25x after 15)
  run bench-stylegan-gpu 90 node --import tsx bench/main.ts stylegan --device cuda --steps 30 --warmup 15
  run bench-stylegan-cpu 100 node --import tsx bench/main.ts stylegan --flush-denormal --steps 4 --warmup 1 --precisions "${SG_CPU_PRECISIONS:-fp32,bf16}"
fi
if has cpu; then
  run bench-engine-cpu-bf16 120 node --import tsx bench/main.ts engine --bf16 --steps 8 --warmup 2
fi
grep -h '^{' "$OUT"/bench-*.log >"$OUT/bench.jsonl" 2>/dev/null
# a returned $OUT holds at most 8 files: the steps' logs travel as one tar
(cd "$OUT" && tar -cf logs.tar ./*.log && rm -f ./*.log)
log done
