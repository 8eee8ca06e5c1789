#!/usr/bin/env bash
# Runs the original mit-han-lab/llm-awq AWQ (github.com/mit-han-lab/llm-awq, awq/quantize imported
# unmodified from a git mirror, never copied here) on CPU on PTQLab's tiny transformers fixtures
# (tiny-llama, tiny-opt, tiny-qwen2 at W4 g32; tiny-llama at W3 g32) and writes
# Fixtures/reference/awq-llm-awq-tiny.json: per-layer scales, the activation statistic and grid ratio
# behind them, clip thresholds, and float / RTN / AWQ+RTN losses. See the driver's docstring
# (scripts/reference/awq_llm_awq_reference.py) for the steps and the environment patches.
#
#   scripts/reference/awq_llm_awq_reference.sh        # from anywhere; ~15 s in all on one core
#
# Environment (defaults in brackets):
#   PTQLAB_PEER_VENV  venv with torch, transformers 5, numpy   [.venv-peers]
#   PY            python                          [$PTQLAB_PEER_VENV/bin/python]
#   MIRROR        git dir of mit-han-lab/llm-awq  [/work/.mirror/mit-han-lab+llm-awq/repo]
#   LLM_AWQ_DIR   an llm-awq tree (the directory containing awq/) to use instead of extracting
#                 awq/quantize and awq/utils from MIRROR's HEAD into WORK/llm-awq
#   WORK          scratch directory               [/tmp/ref/awq-llm-awq]
#   THREADS       torch threads                   [1]
#   ONLY          space-separated configuration names to run (default: all); the fixture keeps the
#                 other configurations it already has
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
PTQLAB_PEER_VENV="${PTQLAB_PEER_VENV:-$REPO/.venv-peers}"
PY="${PY:-$PTQLAB_PEER_VENV/bin/python}"
MIRROR="${MIRROR:-/work/.mirror/mit-han-lab+llm-awq/repo}"
WORK="${WORK:-/tmp/ref/awq-llm-awq}"
THREADS="${THREADS:-1}"
OUT_JSON="$REPO/Fixtures/reference/awq-llm-awq-tiny.json"
SCRIPT="$REPO/scripts/reference/awq_llm_awq_reference.py"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# 1. the reference source
if [ -n "${LLM_AWQ_DIR:-}" ]; then
  SRC="$LLM_AWQ_DIR"
  COMMIT="$(git -C "$SRC" rev-parse HEAD 2>/dev/null || echo unknown)"
else
  SRC="$WORK/llm-awq"
  rm -rf "$SRC"; mkdir -p "$SRC"
  # Only awq/quantize and awq/utils are needed. The mirror lacks some large blobs elsewhere (tinychat
  # figures); git may print "error: invalid object ... tinychat/figures/..." and still extract these.
  git -C "$MIRROR" archive HEAD awq/quantize awq/utils | tar -x -C "$SRC"
  COMMIT="$(git -C "$MIRROR" rev-parse HEAD)"
fi
log "llm-awq $COMMIT from $SRC"

# 2. the driver (one process, a few seconds per configuration)
ONLY_ARGS=()
if [ -n "${ONLY:-}" ]; then
  # shellcheck disable=SC2206
  ONLY_ARGS=(--only $ONLY)
fi
OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" \
  "$PY" "$SCRIPT" --llm-awq "$SRC" --reference-commit "$COMMIT" --threads "$THREADS" \
  --out "$OUT_JSON" "${ONLY_ARGS[@]}"
log "wrote $OUT_JSON"
