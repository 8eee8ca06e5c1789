#!/usr/bin/env bash
# Runs the original mit-han-lab/smoothquant (github.com/mit-han-lab/smoothquant; smoothquant/calibration,
# smooth and fake_quant imported unmodified from a git mirror, never copied here) on CPU on PTQLab's tiny
# transformers fixtures (tiny-llama, tiny-opt, tiny-bloom; alpha 0.5 and 0.85) and writes
# Fixtures/reference/smoothquant-tiny.json: per-linear activation statistics, per smoothed group the
# weight statistic, smoothing scales and smoothed norm parameters, and float / smoothed float / W8A8
# (per-channel weights, per-token or per-tensor activations) losses. See the driver's docstring
# (scripts/reference/smoothquant_reference.py) for the steps and the environment patches.
#
#   scripts/reference/smoothquant_reference.sh        # from anywhere; a few seconds on one core
#
# Environment (defaults in brackets):
#   PTQLAB_PEER_VENV  venv with torch, transformers 5, numpy   [.venv-peers]
#   PY               python                              [$PTQLAB_PEER_VENV/bin/python]
#   MIRROR           git dir of mit-han-lab/smoothquant  [/work/.mirror/mit-han-lab+smoothquant/repo]
#   SMOOTHQUANT_DIR  a smoothquant tree (the directory containing smoothquant/) to use instead of
#                    extracting smoothquant/ from MIRROR's HEAD into WORK/smoothquant
#   WORK             scratch directory                   [/tmp/ref/smoothquant]
#   THREADS          torch threads                       [1]
#   ONLY             space-separated configuration names to run (default: all); the fixture keeps the
#                    other configurations it already has
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
PTQLAB_PEER_VENV="${PTQLAB_PEER_VENV:-$REPO/.venv-peers}"
PY="${PY:-$PTQLAB_PEER_VENV/bin/python}"
MIRROR="${MIRROR:-/work/.mirror/mit-han-lab+smoothquant/repo}"
WORK="${WORK:-/tmp/ref/smoothquant}"
THREADS="${THREADS:-1}"
OUT_JSON="$REPO/Fixtures/reference/smoothquant-tiny.json"
SCRIPT="$REPO/scripts/reference/smoothquant_reference.py"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# 1. the reference source
if [ -n "${SMOOTHQUANT_DIR:-}" ]; then
  SRC="$SMOOTHQUANT_DIR"
  COMMIT="$(git -C "$SRC" rev-parse HEAD 2>/dev/null || echo unknown)"
else
  SRC="$WORK/smoothquant"
  rm -rf "$SRC"; mkdir -p "$SRC"
  # Only the smoothquant/ package is needed. The mirror lacks a large blob elsewhere (assets/SmoothQuant.pdf);
  # git may print "error: invalid object ... assets/SmoothQuant.pdf" and still extract smoothquant/.
  git -C "$MIRROR" archive HEAD smoothquant | tar -x -C "$SRC"
  COMMIT="$(git -C "$MIRROR" rev-parse HEAD)"
fi
log "smoothquant $COMMIT from $SRC"

# 2. the driver (one process, a few seconds in all)
ONLY_ARGS=()
if [ -n "${ONLY:-}" ]; then
  # shellcheck disable=SC2206
  ONLY_ARGS=(--only $ONLY)
fi
OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" \
  "$PY" "$SCRIPT" --smoothquant "$SRC" --reference-commit "$COMMIT" --threads "$THREADS" \
  --out "$OUT_JSON" "${ONLY_ARGS[@]}"
log "wrote $OUT_JSON"
