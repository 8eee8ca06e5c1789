#!/usr/bin/env bash
# Times the same ptqlab workloads with two binaries, interleaved (A, B, A, B, …), on this machine
# in one run, and prints the best wall time of each and the ratio B/A per workload.
# Used to check that building the parsers and the study engine with overflow/bounds checks (-O
# instead of -Ounchecked) slowed nothing down:
#   cp .build/release/ptqlab /tmp/ptqlab-old   # before the change
#   swift build -c release --product ptqlab     # after
#   scripts/bench/compare_binaries.sh /tmp/ptqlab-old .build/release/ptqlab [REPS]
# Run from the checkout (the binaries find .assets from the working directory).
set -euo pipefail
A="$1"; B="$2"; REPS="${3:-3}"
workloads=(
  "load+tokenize+ppl wiki (1 window)|eval --tasks wiki --context 512 --max-windows 1 --quiet"
  "perplexity news (8 windows of 512)|eval --tasks news --context 512 --max-windows 8 --quiet"
  "RTN w4 g128 + KL (4 windows)|eval --tasks news --context 512 --max-windows 4 --quant w4a16-g128-asym --kl --quiet"
  "GPTQ w4 row (32 x 512 calibration)|eval --tasks news --context 512 --max-windows 2 --quant w4a16-row-asym --method gptq --calib-samples 32 --quiet"
  "zero-shot piqa (200 docs)|eval --tasks piqa --limit 200 --quiet"
  "a8 per-token (4 windows)|eval --tasks news --context 512 --max-windows 4 --quant w8a8-row-sym-tok --quiet"
)
best() { sort -n | head -1; }
printf '%-40s %10s %10s %8s\n' workload "A (s)" "B (s)" "B/A"
for w in "${workloads[@]}"; do
  name="${w%%|*}"; args="${w#*|}"
  ta=(); tb=()
  for ((r = 0; r < REPS; r++)); do
    for side in A B; do
      bin="$A"; [ "$side" = B ] && bin="$B"
      s=$(date +%s.%N)
      # shellcheck disable=SC2086
      "$bin" $args >/dev/null
      e=$(date +%s.%N)
      t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
      if [ "$side" = A ]; then ta+=("$t"); else tb+=("$t"); fi
    done
  done
  a=$(printf '%s\n' "${ta[@]}" | best); b=$(printf '%s\n' "${tb[@]}" | best)
  printf '%-40s %10.2f %10.2f %8.3f\n' "$name" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')"
done
