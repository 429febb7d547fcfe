#!/usr/bin/env bash
# facegan set-up for Debian/Ubuntu, safe to run again: installs missing system packages with apt-get
# (libtorch, ffmpeg, redis-server, the compiler, the PyTorch reference used by the benchmark), then the npm packages and the
# native engine. Nothing is downloaded at run time; weights come from npm and Debian packages only.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need=()
command -v node >/dev/null || need+=(nodejs npm)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v python3 >/dev/null || need+=(python3)
[ -f /usr/include/node/node_api.h ] || [ -n "${npm_config_nodedir:-}" ] || need+=(libnode-dev)
if [ -z "${LIBTORCH:-}" ] && [ ! -f /usr/include/torch/csrc/api/include/torch/version.h ]; then need+=(libtorch-dev); fi
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
# Debian's libtorch calls the system BLAS for fp32 matrix products (Linear layers), which is the slow reference
# implementation unless an optimised one is installed: OpenBLAS (OpenMP build, as libtorch uses OpenMP) makes a float32
# training step of the original model 1.6x faster (docs/engine.md). Skipped for a LIBTORCH of your own (it has its own).
if [ -z "${LIBTORCH:-}" ] && ! compgen -G '/usr/lib/*/openblas-openmp' >/dev/null; then need+=(libopenblas0-openmp); fi
command -v ffmpeg >/dev/null || need+=(ffmpeg)
# the job queue's tests start their own redis-server on a loopback port (the system service is not needed)
command -v redis-server >/dev/null || need+=(redis-server)
# the dashboard's tests drive Debian's chromium through playwright-core (never a downloaded browser)
command -v chromium >/dev/null || need+=(chromium)

if [ ${#need[@]} -gt 0 ]; then
  echo "facegan setup: installing ${need[*]} with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "facegan needs Node.js 20 or newer, found $(node -v). Install Node 20 (e.g. from your distribution's backports or nodejs.org) and run this again." >&2
  exit 1
fi

# node-gyp builds against the system's Node headers, never downloading them.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
else
  npm run -s build:native
fi
