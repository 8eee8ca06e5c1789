#!/usr/bin/env bash
# The quantization table of issue 3 on SmolLM2-135M: wiki/news/books perplexity (context 512,
# first N windows of each held-out part), base vs RTN vs GPTQ at several schemes, GPTQ+LoRC, W8A8
# and W4A8. One JSON line per run in OUT (default study-out/smollm2_quant_table.jsonl).
# Usage: scripts/studies/smollm2_quant_table.sh [WINDOWS] [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
WINDOWS="${1:-40}"
OUT="${2:-study-out/smollm2_quant_table.jsonl}"
mkdir -p "$(dirname "$OUT")"
BIN=${PTQLAB_BIN:-.build/release/ptqlab}
run() { "$BIN" eval --tasks wiki,news,books --context 512 --max-windows "$WINDOWS" --format json --quiet "$@" >> "$OUT"; }
run
for spec in w8a16-row-asym w4a16-row-asym w4a16-g128-asym w3a16-g128-asym w3a16-row-asym; do
  run --quant "$spec" --method rtn
  run --quant "$spec" --method gptq
done
run --quant w3a16-g128-asym --method gptq --lorc 8
run --quant w4a16-row-asym --method gptq --lorc 8
run --quant w8a8-row-sym-tok --method rtn
run --quant w8a8-row-sym-tok --method gptq
run --quant w4a8-g128-asym-tok --method rtn
run --quant w4a8-g128-asym-tok --method gptq
