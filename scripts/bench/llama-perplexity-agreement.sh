#!/usr/bin/env bash
# Does `ptqlab eval` measure what `llama-perplexity` measures on the same GGUF file?
# For each file: llama-perplexity (CHUNKS × 512 tokens of one text, llama.cpp's half-window
# protocol), then `ptqlab eval --ppl-mode llamacpp` on the same windows twice: in f32 arithmetic
# (what the stored weights mean) and with --llamacpp-arithmetic (each linear's input rounded to the
# weight type's dot-product type, as ggml-cpu does). Also, as the yardstick of llama.cpp's own
# reproducibility, llama-perplexity with flash attention off and with an f32 KV cache (same file,
# same tokens: only llama.cpp's settings change). Prints a Markdown table with the differences.
# Needs: swift build -c release; bash scripts/peers/build-llama-cpp.sh (the native variant).
#
#   TEXT=.bench/gguf-vs-llama/smollm2-135m/eval.txt CHUNKS=64 \
#     bash scripts/bench/llama-perplexity-agreement.sh a.gguf b.gguf …
#
# Environment:
#   TEXT       UTF-8 text (default: the wiki evaluation part, written by `ptqlab corpus wiki --part evaluation`)
#   CHUNKS     windows of 512 tokens (default 64: over fewer, rounding differences inside llama.cpp
#              alone move its perplexity by up to 0.6% on a quantized file, see the README)
#   THREADS    llama.cpp threads (default nproc); LLAMA_BIN, PTQLAB as in gguf-vs-llama-quantize.sh
#   VARIANTS=0 skip llama.cpp's own variants (flash attention off, f32 KV cache)
#   OUT        logs and results.tsv (default .bench/llama-perplexity-agreement)
set -euo pipefail
cd "$(dirname "$0")/../.."
CHUNKS="${CHUNKS:-64}"
THREADS="${THREADS:-$(nproc)}"
LLAMA_BIN="${LLAMA_BIN:-.peers/llama.cpp/native/bin}"
PTQLAB="${PTQLAB:-.build/release/ptqlab}"
VARIANTS="${VARIANTS:-1}"
OUT="${OUT:-.bench/llama-perplexity-agreement}"
mkdir -p "$OUT/logs"
[ "$#" -ge 1 ] || { echo "usage: $0 FILE.gguf …" >&2; exit 2; }
[ -x "$LLAMA_BIN/llama-perplexity" ] || { echo "no $LLAMA_BIN/llama-perplexity: bash scripts/peers/build-llama-cpp.sh" >&2; exit 2; }
[ -x "$PTQLAB" ] || { echo "no $PTQLAB: swift build -c release" >&2; exit 2; }
if [ -z "${TEXT:-}" ]; then
  TEXT="$OUT/eval.txt"
  [ -s "$TEXT" ] || "$PTQLAB" corpus wiki --part evaluation > "$TEXT"
fi

llama_ppl() { # file log extra-args… → PPL
  local f="$1" log="$2"; shift 2
  "$LLAMA_BIN/llama-perplexity" -m "$f" -f "$TEXT" -c 512 -b 512 --chunks "$CHUNKS" -t "$THREADS" "$@" > "$log" 2>&1
  grep -o 'Final estimate: PPL = [0-9.]*' "$log" | awk '{print $NF}'
}
ptqlab_ppl() { # file log extra-args… → PPL
  local f="$1" log="$2"; shift 2
  "$PTQLAB" eval "$f" --text "$TEXT" --context 512 --ppl-mode llamacpp --max-windows "$CHUNKS" --format json --quiet "$@" > "$log" 2>&1
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(iter(d["tasks"].values()))["perplexity"])' "$log"
}
fmt() { python3 -c "import sys; print(f'{float(sys.argv[1]):.4f}')" "$1"; }
pct() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{100*(a/b-1):+.3f}%')" "$1" "$2"; }

CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
ISA="$(grep -q avx512f /proc/cpuinfo && echo AVX-512 || echo AVX2)"
printf 'file\tllama\tllama_fa_off\tllama_kv_f32\tptqlab_f32\tptqlab_llamacpp\n' > "$OUT/results.tsv"
rows=()
for f in "$@"; do
  name="$(basename "$f" .gguf)"
  echo "llama-perplexity-agreement: $name" >&2
  l="$(llama_ppl "$f" "$OUT/logs/$name.llama.log")"
  lfa=-; lkv=-
  if [ "$VARIANTS" = 1 ]; then
    lfa="$(llama_ppl "$f" "$OUT/logs/$name.llama-fa-off.log" -fa off)"
    lkv="$(llama_ppl "$f" "$OUT/logs/$name.llama-kv-f32.log" -fa off -ctk f32 -ctv f32)"
  fi
  p="$(ptqlab_ppl "$f" "$OUT/logs/$name.ptqlab.json")"
  a="$(ptqlab_ppl "$f" "$OUT/logs/$name.ptqlab-llamacpp.json" --llamacpp-arithmetic)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$l" "$lfa" "$lkv" "$p" "$a" >> "$OUT/results.tsv"
  spread=-
  [ "$VARIANTS" = 1 ] && spread="$(python3 -c "import sys; v=[float(x) for x in sys.argv[1:]]; print(f'{100*(max(v)/min(v)-1):.3f}%')" "$l" "$lfa" "$lkv")"
  rows+=("| $name | $l | $spread | $(fmt "$p") ($(pct "$p" "$l")) | $(fmt "$a") ($(pct "$a" "$l")) |")
done
echo
echo "$CPU ($ISA), $CHUNKS × 512 tokens of $(basename "$TEXT"), llama.cpp half-window protocol"
echo
echo "| file | llama-perplexity | llama.cpp's own spread (FA off, f32 KV) | ptqlab eval (f32) | ptqlab eval --llamacpp-arithmetic |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
