#!/usr/bin/env bash
# Runs the original IST-DASLab GPTQ (github.com/IST-DASLab/gptq, imported from a git mirror, never
# copied here) on SmolLM2-135M with PTQLab's calibration windows, evaluates every quantized model with
# `ptqlab eval` and with torch, and writes Fixtures/reference/gptq-ist-smollm2.json.
#
#   scripts/reference/gptq_ist_reference.sh          # from anywhere; ~30-40 min per configuration on 2 cores
#
# Environment (defaults in brackets):
#   PTQLAB   ptqlab binary             [.build/release/ptqlab]
#   PY       python with torch, transformers, safetensors   [.venv-peers/bin/python]
#   MIRROR   git dir of IST-DASLab/gptq [/work/.mirror/IST-DASLab+gptq/repo]
#   BASE     base HF directory          [/tmp/ref/base; exported with `ptqlab export-hf` if missing]
#   WORK     scratch directory          [/tmp/ref/gptq-ist]  (windows, tokens, quantized models, logs)
#   THREADS  torch threads              [1: on this shared 2-core machine, 2 torch threads made the
#            reference's column-by-column GPTQ loop ~5-25x slower and the layer forwards slower too]
#   FORCE=1  redo configurations whose results already exist in WORK
#   ONLY     space-separated configuration names to run (default: all); the fixture keeps every
#            configuration whose results exist in WORK
#   CI_CONFIGS  configurations the CI test runs  [w3-g128-asym-trueseq-n16: the first 16 of the 128
#            windows, a few minutes; the 128-window ones take PTQLab ~15-45 min on 2 cores]
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
PTQLAB="${PTQLAB:-$REPO/.build/release/ptqlab}"
PY="${PY:-$REPO/.venv-peers/bin/python}"
MIRROR="${MIRROR:-/work/.mirror/IST-DASLab+gptq/repo}"
BASE="${BASE:-/tmp/ref/base}"
WORK="${WORK:-/tmp/ref/gptq-ist}"
THREADS="${THREADS:-1}"
FORCE="${FORCE:-0}"
OUT_JSON="$REPO/Fixtures/reference/gptq-ist-smollm2.json"
SCRIPT="$REPO/scripts/reference/gptq_ist_reference.py"
export PTQLAB_ASSETS="${PTQLAB_ASSETS:-$REPO/.assets}"

mkdir -p "$WORK" "$WORK/gptq-src"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# 1. base model, calibration windows, held-out tokens, reference sources
if [ ! -f "$BASE/model.safetensors" ]; then
  log "exporting base model to $BASE"
  "$PTQLAB" export-hf --out "$BASE"
fi
"$PTQLAB" corpus news --windows 128 --window-length 512 --seed 0 > "$WORK/windows.json"
"$PTQLAB" corpus news --tokens > "$WORK/tokens.json"
git -C "$MIRROR" archive HEAD gptq.py quant.py | tar -x -C "$WORK/gptq-src"
git -C "$MIRROR" rev-parse HEAD > "$WORK/reference-commit.txt"

ptqlab_eval() {  # DIR OUT.json
  "$PTQLAB" eval "$1" --tasks news --context 512 --format json --quiet --batch 4 > "$2.tmp"
  mv "$2.tmp" "$2"
}

# 2. base model, both ways
if [ "$FORCE" = 1 ] || [ ! -s "$WORK/base.ptqlab.json" ]; then
  log "ptqlab eval base"; ptqlab_eval "$BASE" "$WORK/base.ptqlab.json"
fi
if [ "$FORCE" = 1 ] || [ ! -s "$WORK/base.result.json" ]; then
  log "torch eval base"
  "$PY" "$SCRIPT" --base "$BASE" --no-quant --eval-tokens-json "$WORK/tokens.json" \
    --threads "$THREADS" --result-json "$WORK/base.result.json" 2> "$WORK/base.log" > /dev/null
fi

# 3. configurations: name, then the script's options
CONFIGS=(
  "w3-g128-asym-trueseq|--wbits 3 --groupsize 128 --true-sequential"
  "w4-row-asym-trueseq|--wbits 4 --groupsize -1 --true-sequential"
  "w4-row-asym-trueseq-actorder|--wbits 4 --groupsize -1 --true-sequential --act-order"
  "w3-g128-asym|--wbits 3 --groupsize 128"
  "w4-g128-sym-trueseq|--wbits 4 --groupsize 128 --sym --true-sequential"
  "w3-g128-asym-trueseq-n16|--wbits 3 --groupsize 128 --true-sequential --nsamples 16"
)
for entry in "${CONFIGS[@]}"; do
  name="${entry%%|*}"; opts="${entry#*|}"
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then continue; fi
  if [ "$FORCE" != 1 ] && [ -s "$WORK/$name.result.json" ] && [ -s "$WORK/$name.ptqlab.json" ]; then
    log "$name: already done"; continue
  fi
  log "$name: quantizing ($opts)"
  # shellcheck disable=SC2086
  "$PY" "$SCRIPT" --gptq-repo "$WORK/gptq-src" --base "$BASE" --windows-json "$WORK/windows.json" \
    --eval-tokens-json "$WORK/tokens.json" --out "$WORK/$name" --threads "$THREADS" $opts \
    --result-json "$WORK/$name.result.json" 2> "$WORK/$name.log" > /dev/null
  log "$name: ptqlab eval"
  ptqlab_eval "$WORK/$name" "$WORK/$name.ptqlab.json"
done

# 4. the fixture
CONFIG_NAMES="$(printf '%s\n' "${CONFIGS[@]}" | cut -d'|' -f1 | tr '\n' ' ')"
CPU="$(lscpu | grep 'Model name' | head -1 | sed 's/^Model name:[[:space:]]*//')"
if grep -q avx512f /proc/cpuinfo; then CPU="$CPU (AVX-512)"; else CPU="$CPU (AVX2, no AVX-512)"; fi
PTQLAB_SHA="$(sha256sum "$PTQLAB" | cut -d' ' -f1)"
WORK="$WORK" OUT_JSON="$OUT_JSON" CONFIG_NAMES="$CONFIG_NAMES" CPU="$CPU" PTQLAB_SHA="$PTQLAB_SHA" \
PTQLAB_COMMIT="$(git -C "$REPO" rev-parse HEAD)" "$PY" - <<'EOF'
import hashlib, json, os
work = os.environ["WORK"]
def load(name):
    with open(os.path.join(work, name)) as f:
        return json.load(f)
def sha(name):
    with open(os.path.join(work, name), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
commit = open(os.path.join(work, "reference-commit.txt")).read().strip()
ntok = len(load("tokens.json")["tokens"])
bp, bt = load("base.ptqlab.json")["tasks"]["news"], load("base.result.json")
evaluation = f"news held-out, context 512, {ntok} tokens ({bp['windows']} windows, {bp['tokens']} scored)"
calibration = {"description": "news calibration part, 128 × 512 tokens, seed 0",
               "windows_json_sha256": sha("windows.json")}
common = {"reference": "IST-DASLab/gptq", "reference_commit": commit,
          "torch": bt["torch"], "transformers": bt["transformers"],
          "attn_implementation": bt["attn_implementation"], "torch_threads": bt["threads"],
          "cpu": os.environ["CPU"]}
out = {
    "description": "Original IST-DASLab GPTQ (gptq.py/quant.py imported unmodified, driver "
                   "scripts/reference/gptq_ist_reference.py following llama.py llama_sequential) on CPU "
                   "on SmolLM2-135M-Instruct (the dequantized Q4_1 GGUF exported by ptqlab export-hf), "
                   "PTQLab's calibration windows; ptqlab_ppl is `ptqlab eval DIR --tasks news --context 512 "
                   "--batch 4` of the reference's fake-quantized f32 output, torch_ppl the script's own "
                   "transformers perplexity with the same protocol. Written by scripts/reference/gptq_ist_reference.sh.",
    **common,
    "ptqlab_commit": os.environ["PTQLAB_COMMIT"], "ptqlab_binary_sha256": os.environ["PTQLAB_SHA"],
    "tokens_json_sha256": sha("tokens.json"),
    "calibration": calibration, "evaluation": evaluation,
    "base": {"ptqlab_ppl": bp["perplexity"], "torch_ppl": bt["torch_ppl"],
             "scored_tokens": bp["tokens"], "windows": bp["windows"]},
    "configurations": [],
}
ci = os.environ.get("CI_CONFIGS", "w3-g128-asym-trueseq-n16").split()
# Configurations finished in an earlier WORK directory stay in the fixture unless re-run here.
previous = {}
if os.path.exists(os.environ["OUT_JSON"]):
    with open(os.environ["OUT_JSON"]) as f:
        previous = {c["name"]: c for c in json.load(f).get("configurations", [])}
for name in os.environ["CONFIG_NAMES"].split():
    if not (os.path.exists(os.path.join(work, f"{name}.result.json")) and os.path.exists(os.path.join(work, f"{name}.ptqlab.json"))):
        if name in previous:
            previous[name]["ci"] = name in ci
            out["configurations"].append(previous[name])
        continue   # not run (yet): the fixture keeps the configurations that finished
    r, p = load(f"{name}.result.json"), load(f"{name}.ptqlab.json")["tasks"]["news"]
    c = r["config"]
    assert r["seqlen"] == 512, name
    assert r["eval_scored_tokens"] == p["tokens"], name
    out["configurations"].append({
        "name": name, "wbits": c["wbits"], "groupsize": c["groupsize"], "sym": c["sym"],
        "act_order": c["act_order"], "static_groups": c["static_groups"],
        "true_sequential": c["true_sequential"], "percdamp": c["percdamp"],
        "samples": r["nsamples"],
        "calibration": {"description": f"news calibration part, the first {r['nsamples']} of the 128 × 512-token windows, seed 0",
                        "windows_json_sha256": sha("windows.json")},
        "evaluation": evaluation,
        "ptqlab_ppl": p["perplexity"], "torch_ppl": r["torch_ppl"],
        "seconds": r["seconds"], "torch_eval_seconds": r["eval_seconds"],
        "gptq_error_sum": r["gptq_error_sum"],
        "ci": name in ci,   # Tests/ExperimentTests/ReferenceGPTQTests runs these in CI, the rest with PTQLAB_LONG_TESTS=1
        **common,
    })
with open(os.environ["OUT_JSON"], "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(json.dumps({c["name"]: [round(c["ptqlab_ppl"], 4), round(c["torch_ppl"], 4), c["seconds"]]
                  for c in out["configurations"]}, indent=1))
EOF
log "wrote $OUT_JSON"
