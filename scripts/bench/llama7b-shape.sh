#!/usr/bin/env bash
# A 7B-class model in this machine's 24 GB: writes (once) a random-weight checkpoint with
# Llama-2-7B's shapes (32 blocks, hidden 4096, MLP 11008, vocab 32000: 6.74 B parameters, 13.5 GB
# of bf16; `ptqlab random-model`, our own writer, never committed), then measures with
# /usr/bin/time -v, one after the other:
#   1. ptqlab eval DIR --tasks wiki --context 512 --max-windows 2           (weights auto → lean)
#   2. the same with GPTQ W4 g128 (asym) on 8 × 512 calibration tokens of wiki
# and prints wall time and peak RSS of each beside the checkpoint's size. The weights are random,
# so perplexities are meaningless; memory and time are what a real 7B checkpoint costs.
#
#   bash scripts/bench/llama7b-shape.sh [DIR]        # DIR default: .bench/llama-2-7b-random
# Needs ~14 GB of disk for the checkpoint; ~25 minutes on 2 cores (Zen 4).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR="${1:-.bench/llama-2-7b-random}"
PTQLAB="${PTQLAB:-.build/release/ptqlab}"
[ -x "$PTQLAB" ] || swift build -c release --product ptqlab
if [ ! -f "$DIR/model.safetensors.index.json" ]; then
  "$PTQLAB" random-model --shape llama-2-7b --out "$DIR"
fi
size=$(du -sb "$DIR" | cut -f1)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
isa=$(grep -q avx512f /proc/cpuinfo && echo "AVX-512" || echo "AVX2")
echo "checkpoint: $DIR, $(awk -v b="$size" 'BEGIN { printf "%.2f GB", b / 1e9 }'); CPU: $cpu ($isa), $(nproc) cores"
measure() {   # LABEL ARGS…
  local label="$1"; shift
  local log; log="$(mktemp)"
  /usr/bin/time -v "$PTQLAB" "$@" > "$log.out" 2> "$log"
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  echo "$label: wall $wall, peak RSS $(awk -v k="$rss" 'BEGIN { printf "%.2f GB", k * 1024 / 1e9 }') ($(awk -v k="$rss" -v b="$size" 'BEGIN { printf "%.2f", k * 1024 / b }') × the checkpoint)"
  grep -E "wiki|tokens/s|quantize" "$log.out" | head -5 | sed 's/^/    /'
  rm -f "$log" "$log.out"
}
measure "eval 2 × 512" eval "$DIR" --tasks wiki --context 512 --max-windows 2
measure "GPTQ W4 g128 (8 × 512 calibration) + eval 2 × 512" eval "$DIR" --tasks wiki --context 512 --max-windows 2 \
  --quant w4a16-g128-asym --method gptq --calib-samples 8 --calib-length 512
