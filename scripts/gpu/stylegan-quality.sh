#!/usr/bin/env bash
# StyleGAN's CPU default (64 px, channel base 4096, batch 16, fp32), trained on a GPU for SECONDS on the shared
# faces, to learn in minutes how its quality grows with the images it has seen (the CPU's 2-hour run sees ~20k).
# The face-api measures need tfjs, which does not travel: the EMA snapshots come back in float16 (under the
# 16 MiB a returned file may have) and are measured here with `facegan eval-gen` (docs/stylegan.md, "Quality").
# Usage (check.sh's sgquality step): stylegan-quality.sh OUT SECONDS; faces from $SG_FACES/{train,held}.
set -u
out=$1 seconds=$2 m=/tmp/sgq faces=${SG_FACES:-dev-carry/sgfaces}
every=${SG_SNAPSHOT_EVERY:-400}
timeout -s INT "$seconds" node bin/facegan.js train --model stylegan -i "$faces/train" -m $m \
  --device "${SG_DEVICE:-cuda}" --precision fp32 \
  --snapshot-every "$every" --save-every "$every" --preview-every "$every" --timelapse --log-every 20 \
  2>&1 | tr '\r' '\n' | grep -v '^train \[' | tail -n 20
node bin/facegan.js generate -m $m --seeds 0-63 --grid -o $m/seeds.png
node bin/facegan.js generate -m $m --seeds 0-63 --truncation 0.7 --grid -o $m/seeds-psi07.png
node bin/facegan.js generate -m $m --mix-rows 0-5 --mix-cols 10-15 --styles 0-3 -o $m/mixing.png
# up to 5 snapshots back: the first three (what the CPU's 2 hours reach) and the last two
mapfile -t snaps < <(ls $m/snapshots | sort)
n=${#snaps[@]}
pick=("${snaps[@]:0:3}")
[ "$n" -gt 3 ] && pick+=("${snaps[@]:$((n > 5 ? n - 2 : 3))}")
for s in "${pick[@]}"; do
  node --import tsx scripts/gpu/cast.mts "$m/snapshots/$s" "$out/snap-${s%.safetensors}.st" float16
done
tar -cf "$out/sgquality.tar" -C $m config.json state.json log.jsonl previews seeds.png seeds-psi07.png mixing.png
ls -la "$out"
