#!/usr/bin/env bash
# Peers for `ptqlab bench` and reference checks (not needed by tests or CI): a venv with PyPI's
# torch (CPU), transformers, gguf, accelerate, lm-eval (lm-evaluation-harness, for
# `bench --zero-shot`), and optionally llama-cpp-python (built from source; set
# PTQLAB_PEER_LLAMACPP=1). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${PTQLAB_PEER_VENV:-$PWD/.venv-peers}"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
if ! "$VENV/bin/python" -c "import torch, transformers, gguf, accelerate" 2>/dev/null; then
  "$VENV/bin/pip" install -q torch transformers gguf accelerate numpy
fi
if ! "$VENV/bin/python" -c "import lm_eval" 2>/dev/null; then
  "$VENV/bin/pip" install -q lm-eval==0.4.13
fi
if [ "${PTQLAB_PEER_LLAMACPP:-0}" = 1 ] && ! "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
  CMAKE_ARGS="-DGGML_NATIVE=ON" "$VENV/bin/pip" install -q llama-cpp-python==0.3.36
fi
echo "$VENV/bin/python"
