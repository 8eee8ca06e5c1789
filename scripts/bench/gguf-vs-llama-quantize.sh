#!/usr/bin/env bash
# llama.cpp's quantizer beside PTQLab's GGUF export at equal file size, judged by llama.cpp itself:
# on one model and one calibration text (PTQLab's wiki corpus), for each of llama.cpp's type mixes
# (Q4_K_M, Q3_K_M, Q2_K, …) it writes four GGUF files
#   llama-<MIX>.gguf            llama-quantize, no importance matrix
#   llama-<MIX>-imatrix.gguf    llama-quantize --imatrix (llama-imatrix on the calibration part)
#   ptqlab-<mix>.gguf           ptqlab quantize --method gptq    --target-bpw B
#   ptqlab-<mix>-imatrix.gguf   ptqlab quantize --method imatrix --target-bpw B
# where B is the bits per block-linear weight of the mix as PTQLab emulates it (read from
# `ptqlab quantize --quant <mix> --method rtn`, whose file rtn-<mix>.gguf must equal llama-<MIX>.gguf
# tensor by tensor: scripts/bench/gguf_tensor_diff.py), so the PTQLab files keep the mix's embedding
# and output types and spend the same bits on the block linears. Every file is scored by
# `llama-perplexity --kl-divergence` against the unquantized base's logits on the held-out
# evaluation part: PPL, mean KLD, top-1 agreement ("Same top p"), file size.
# The base is the model's own GGUF (SmolLM2-135M: Q4_1, Qwen2.5-Coder-0.5B: mostly Q5_0); both tools
# quantize from its dequantized weights (llama-quantize with --allow-requantize).
# Needs: swift build -c release; bash scripts/peers/build-llama-cpp.sh (the native variant).
#
#   MODEL=smollm2-135m bash scripts/bench/gguf-vs-llama-quantize.sh
#   MODEL=qwen2.5-coder-0.5b MIXES="Q4_K_M Q3_K_M" nice -n 5 bash scripts/bench/gguf-vs-llama-quantize.sh
#
# Environment:
#   MODEL         PTQLab model name (default smollm2-135m; `ptqlab inspect MODEL` gives its GGUF)
#   MIXES         llama.cpp type mixes (default "Q4_K_M Q3_K_M Q2_K")
#   CHUNKS        evaluation chunks of 512 tokens for llama-perplexity (default 8)
#   CALIB_CHUNKS  calibration chunks of 512 tokens for llama-imatrix (default 32; PTQLab draws
#                 32 windows of 512 tokens from the same calibration part)
#   OUT           output folder (default .bench/gguf-vs-llama/<MODEL>)
#   THREADS       threads of the llama.cpp tools (default: nproc)
#   LLAMA_BIN     llama.cpp tools (default .peers/llama.cpp/native/bin)
#   PTQLAB        ptqlab binary (default .build/release/ptqlab)
#   METHODS       PTQLab methods at each mix's size (default "gptq imatrix")
#   FORCE=1       redo every step; otherwise a step whose output exists is skipped, so a rerun
#                 only redoes what is missing (outputs are written under a temporary name and
#                 renamed when the step succeeds)
#
# Output (in OUT): calib.txt, eval.txt, base.kld, imatrix.gguf, the GGUF files above, one log per
# step (logs/*.log), commands.sh (every command of the recipe, in order, including the ones skipped
# because their output existed), times.tsv (seconds per step actually run), results.tsv (sizes in
# bytes and the parsed llama-perplexity figures), and summary.md (processor, llama.cpp commit,
# per-mix target bits and tensor-diff results, the Markdown table
# mix | file | size MiB | size vs llama imatrix (%) | PPL | mean KLD | top-1 agreement,
# storage types of every file, step times, commands), which is also printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
MODEL="${MODEL:-smollm2-135m}"
MIXES="${MIXES:-Q4_K_M Q3_K_M Q2_K}"
CHUNKS="${CHUNKS:-8}"
CALIB_CHUNKS="${CALIB_CHUNKS:-32}"
OUT="${OUT:-.bench/gguf-vs-llama/$MODEL}"
THREADS="${THREADS:-$(nproc)}"
LLAMA_BIN="${LLAMA_BIN:-.peers/llama.cpp/native/bin}"
PTQLAB="${PTQLAB:-.build/release/ptqlab}"
FORCE="${FORCE:-0}"
METHODS="${METHODS:-gptq imatrix}"
CALIB_SAMPLES=32   # PTQLab calibration windows (as llama-imatrix's default CALIB_CHUNKS)
CTX=512

log() { echo "gguf-vs-llama: $*" >&2; }
die() { log "error: $*"; exit 1; }
# ptqlab_file MIX METHOD: PTQLab's file for a mix (lower case) and method
ptqlab_file() { if [ "$2" = gptq ]; then echo "ptqlab-$1.gguf"; else echo "ptqlab-$1-$2.gguf"; fi; }

# --- tools ---------------------------------------------------------------------------------------
for t in llama-quantize llama-imatrix llama-perplexity; do
  [ -x "$LLAMA_BIN/$t" ] || die "$LLAMA_BIN/$t not found: build llama.cpp's tools first with \`bash scripts/peers/build-llama-cpp.sh\` (PTQLAB_LLAMA_VARIANTS=native is enough), or set LLAMA_BIN"
done
[ -x "$PTQLAB" ] || die "$PTQLAB not found: build it with \`swift build -c release\`, or set PTQLAB"
BASE="$("$PTQLAB" inspect "$MODEL" | sed -n 's/^model: *//p')"
[ -n "$BASE" ] && [ -f "$BASE" ] || die "\`$PTQLAB inspect $MODEL\` gave no GGUF path on its model: line"
case "$BASE" in *.gguf) ;; *) die "$MODEL is not a GGUF model ($BASE); llama.cpp's tools need one" ;; esac

mkdir -p "$OUT/logs"
CMDS="$OUT/commands.sh"
TIMES="$OUT/times.tsv"
{ echo "# gguf-vs-llama-quantize.sh MODEL=$MODEL MIXES=\"$MIXES\" CHUNKS=$CHUNKS CALIB_CHUNKS=$CALIB_CHUNKS THREADS=$THREADS ($(date -u +%FT%TZ))"
  echo "# run from $ROOT"; } > "$CMDS"
touch "$TIMES"

# step OUTPUT LOG CMD...: records CMD in commands.sh; skips it when OUTPUT exists (unless FORCE=1);
# otherwise runs it with stdout and stderr into LOG, an argument equal to OUTPUT replaced by a
# temporary name that is renamed to OUTPUT on success (OUTPUT = LOG: the log is the output).
# A failing command's log tail is printed and the script stops.
step() {
  local output="$1" logf="$2"; shift 2
  printf '%q ' "$@" | sed 's/ $//' >> "$CMDS"; echo >> "$CMDS"
  if [ "$FORCE" != 1 ] && [ -s "$output" ]; then log "have $output, skipped"; return 0; fi
  local tmp; tmp="$(dirname "$output")/.partial.$(basename "$output")"
  local args=() a
  for a in "$@"; do if [ "$a" = "$output" ]; then args+=("$tmp"); else args+=("$a"); fi; done
  local runlog="$logf.partial"; [ "$output" = "$logf" ] && runlog="$tmp"
  log "running: $*"
  local t0=$SECONDS rc=0
  "${args[@]}" > "$runlog" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    tail -n 30 "$runlog" >&2
    die "exit status $rc of: $* (full log: $runlog)"
  fi
  [ "$output" = "$logf" ] || mv "$runlog" "$logf"
  mv "$tmp" "$output"
  printf '%s\t%s\n' "$(basename "$logf" .log)" "$((SECONDS - t0))" >> "$TIMES"
  log "done in $((SECONDS - t0)) s: $output"
}

# --- 1. text ---------------------------------------------------------------------------------------
for part in calibration evaluation; do
  f="$OUT/calib.txt"; [ "$part" = evaluation ] && f="$OUT/eval.txt"
  echo "$PTQLAB corpus wiki --part $part > $f" >> "$CMDS"
  if [ "$FORCE" = 1 ] || [ ! -s "$f" ]; then
    "$PTQLAB" corpus wiki --part "$part" > "$f.partial" || die "ptqlab corpus wiki --part $part failed"
    mv "$f.partial" "$f"
  fi
done

LP=("$LLAMA_BIN/llama-perplexity" -f "$OUT/eval.txt" -c "$CTX" -b "$CTX" --chunks "$CHUNKS" -t "$THREADS")

# --- 2. base logits --------------------------------------------------------------------------------
step "$OUT/base.kld" "$OUT/logs/base-logits.log" \
  "${LP[@]}" -m "$BASE" --kl-divergence-base "$OUT/base.kld"

# --- 3. importance matrix --------------------------------------------------------------------------
step "$OUT/imatrix.gguf" "$OUT/logs/llama-imatrix.log" \
  "$LLAMA_BIN/llama-imatrix" -m "$BASE" -f "$OUT/calib.txt" -c "$CTX" --chunks "$CALIB_CHUNKS" \
  -t "$THREADS" -o "$OUT/imatrix.gguf"

# --- 4./5. quantized files ---------------------------------------------------------------------------
declare -A BPW DIFF
for mix in $MIXES; do
  lo="${mix,,}"
  step "$OUT/llama-$mix.gguf" "$OUT/logs/llama-quantize-$mix.log" \
    "$LLAMA_BIN/llama-quantize" --allow-requantize "$BASE" "$OUT/llama-$mix.gguf" "$mix" "$THREADS"
  step "$OUT/llama-$mix-imatrix.gguf" "$OUT/logs/llama-quantize-$mix-imatrix.log" \
    "$LLAMA_BIN/llama-quantize" --allow-requantize --imatrix "$OUT/imatrix.gguf" "$BASE" \
    "$OUT/llama-$mix-imatrix.gguf" "$mix" "$THREADS"

  # PTQLab's emulation of the mix (RTN): its bits per block-linear weight, and the tensor check.
  [ "$FORCE" != 1 ] && [ -s "$OUT/rtn-$lo.gguf" ] && [ ! -s "$OUT/logs/ptqlab-rtn-$lo.log" ] && rm -f "$OUT/rtn-$lo.gguf"
  step "$OUT/rtn-$lo.gguf" "$OUT/logs/ptqlab-rtn-$lo.log" \
    "$PTQLAB" quantize "$MODEL" --quant "$lo" --method rtn --out "$OUT/rtn-$lo.gguf"
  B="$(sed -n 's/^quantized .*: \([0-9.]*\) bits\/weight over [0-9]* weights.*/\1/p' "$OUT/logs/ptqlab-rtn-$lo.log" | tail -n1)"
  [ -n "$B" ] || die "no 'quantized ... : X bits/weight over N weights' line in $OUT/logs/ptqlab-rtn-$lo.log"
  BPW[$mix]="$B"
  echo "python3 scripts/bench/gguf_tensor_diff.py $OUT/llama-$mix.gguf $OUT/rtn-$lo.gguf" >> "$CMDS"
  python3 scripts/bench/gguf_tensor_diff.py "$OUT/llama-$mix.gguf" "$OUT/rtn-$lo.gguf" \
    > "$OUT/tensor-diff-$mix.txt" || true
  DIFF[$mix]="$(tail -n1 "$OUT/tensor-diff-$mix.txt")"
  log "$mix: PTQLab's RTN emulation: $B bits/weight on the block linears; llama-$mix.gguf vs rtn-$lo.gguf: ${DIFF[$mix]}"
  grep -v 'tensors identical' "$OUT/tensor-diff-$mix.txt" | head -n 20 >&2 || true

  common=(--quant "$lo" --calib wiki --calib-samples "$CALIB_SAMPLES" --calib-length "$CTX" --target-bpw "$B")
  for m in $METHODS; do
    step "$OUT/$(ptqlab_file "$lo" "$m")" "$OUT/logs/ptqlab-$m-$lo.log" \
      "$PTQLAB" quantize "$MODEL" "${common[@]}" --method "$m" --out "$OUT/$(ptqlab_file "$lo" "$m")"
  done
done

# --- 6. KL divergence against the base logits ----------------------------------------------------------
files=()
for mix in $MIXES; do
  lo="${mix,,}"
  files+=("$mix llama-$mix.gguf" "$mix llama-$mix-imatrix.gguf")
  for m in $METHODS; do files+=("$mix $(ptqlab_file "$lo" "$m")"); done
done
for entry in "${files[@]}"; do
  f="${entry#* }"
  kl="$OUT/logs/kld-${f%.gguf}.log"
  # a log without the final statistics (interrupted run) does not count as done
  [ -s "$kl" ] && ! grep -q '^Same top p' "$kl" && rm -f "$kl"
  step "$kl" "$kl" "${LP[@]}" -m "$OUT/$f" --kl-divergence-base "$OUT/base.kld" --kl-divergence
done

# --- 7. summary ------------------------------------------------------------------------------------------
# "a ± b" figures of llama-perplexity's statistics, reformatted with DIGITS decimals
pm() { # LOG PATTERN DIGITS [SCALE-SUFFIX]
  grep -m1 "$2" "$1" | sed 's/^[^:]*: *//; s/%//g' | awk -v d="$3" -v s="${4:-}" \
    '{ printf "%.*f ± %.*f%s", d, $1, d, $3, s }'
}
size_of() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }

RES="$OUT/results.tsv"
printf 'mix\tfile\tbytes\tppl\tppl_err\tmean_kld\tkld_err\ttop1_pct\ttop1_err\n' > "$RES"
base_ppl="$(sed -n 's/.*Final estimate: PPL = \([0-9.]*\) +\/- \([0-9.]*\).*/\1 \2/p' "$OUT/logs/base-logits.log" | tail -n1)"
base_bytes="$(size_of "$BASE")"
printf 'base\t%s\t%s\t%s\t%s\t0\t0\t100\t0\n' "$(basename "$BASE")" "$base_bytes" ${base_ppl:-- -} >> "$RES"

table="| mix | file | size MiB | size vs llama imatrix (%) | PPL | mean KLD | top-1 agreement |
|---|---|---:|---:|---:|---:|---:|
| base | $(basename "$BASE") | $(mib "$base_bytes") | | $(awk '{ printf "%.3f ± %.3f", $1, $2 }' <<<"${base_ppl:-0 0}") | 0 | 100 % |"
for entry in "${files[@]}"; do
  mix="${entry%% *}"; f="${entry#* }"; kl="$OUT/logs/kld-${f%.gguf}.log"
  bytes="$(size_of "$OUT/$f")"; ref="$(size_of "$OUT/llama-$mix-imatrix.gguf")"
  rel="$(awk -v a="$bytes" -v b="$ref" 'BEGIN { printf "%+.2f", (a / b - 1) * 100 }')"
  ppl="$(pm "$kl" '^Mean PPL(Q)' 3)"; kld="$(pm "$kl" '^Mean    KLD' 4)"; top="$(pm "$kl" '^Same top p' 2 ' %')"
  table+=$'\n'"| $mix | $f | $(mib "$bytes") | $rel | $ppl | $kld | $top |"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$mix" "$f" "$bytes" \
    "$(grep -m1 '^Mean PPL(Q)' "$kl" | sed 's/^[^:]*: *//' | awk '{ print $1 "\t" $3 }')" \
    "$(grep -m1 '^Mean    KLD' "$kl" | sed 's/^[^:]*: *//' | awk '{ print $1 "\t" $3 }')" \
    "$(grep -m1 '^Same top p' "$kl" | sed 's/^[^:]*: *//; s/%//g' | awk '{ print $1 "\t" $3 }')" >> "$RES"
done

cpu="$(lscpu | grep 'Model name' | head -n1 | sed 's/^[^:]*: *//')"
avx512="no"; grep -qw avx512f /proc/cpuinfo && avx512="yes"
llama_commit="$(sed -n 2p .peers/llama.cpp/src/.ptqlab-source 2>/dev/null || echo unknown)"

{
  echo "# llama-quantize vs PTQLab GGUF at equal size: $MODEL"
  echo
  echo "- base: \`$BASE\` ($(basename "$BASE"), $base_bytes bytes)"
  echo "- processor: $cpu; avx512f: $avx512; $(nproc) cores; llama.cpp tools with -t $THREADS"
  echo "- llama.cpp: commit $llama_commit (tools in \`$LLAMA_BIN\`); $("$PTQLAB" --version)"
  echo "- evaluation: \`llama-perplexity --kl-divergence\` against the base's logits, wiki evaluation part, $CHUNKS chunks × $CTX tokens (PPL and KLD over the second half of each chunk)"
  echo "- calibration: wiki calibration part; llama-imatrix $CALIB_CHUNKS chunks × $CTX tokens; PTQLab $CALIB_SAMPLES windows × $CTX tokens (seed 0)"
  echo "- date: $(date -u +%FT%TZ)"
  echo
  echo "$table"
  echo
  echo "## Target bits and the RTN emulation check"
  echo
  echo "| mix | block-linear bits/weight of the mix (PTQLab RTN) = --target-bpw | llama-MIX.gguf vs rtn-mix.gguf (gguf_tensor_diff.py) |"
  echo "|---|---:|---|"
  for mix in $MIXES; do echo "| $mix | ${BPW[$mix]} | ${DIFF[$mix]} |"; done
  echo
  echo "## Storage types"
  echo
  for f in "$BASE" $(for mix in $MIXES; do lo="${mix,,}"; echo "$OUT/llama-$mix.gguf $OUT/rtn-$lo.gguf $OUT/llama-$mix-imatrix.gguf"; for m in $METHODS; do echo "$OUT/$(ptqlab_file "$lo" "$m")"; done; done); do
    echo "$(basename "$f"):"
    echo '```'
    "$PTQLAB" inspect "$f" | sed -n '/^storage types:/,/^shape:/p' | grep -v -e '^storage types:' -e '^shape:'
    echo '```'
  done
  echo
  echo "## Step times (seconds, last run of each step)"
  echo
  echo "| step | s |"
  echo "|---|---:|"
  awk -F'\t' '{ t[$1] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } } END { for (i = 1; i <= n; i++) printf "| %s | %s |\n", order[i], t[order[i]] }' "$TIMES"
  echo
  echo "## Commands"
  echo
  echo '```sh'
  cat "$CMDS"
  echo '```'
} > "$OUT/summary.md"
cat "$OUT/summary.md"
log "wrote $OUT/summary.md"
