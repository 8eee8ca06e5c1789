#!/usr/bin/env bash
# Forward throughput of PTQLab beside llama.cpp's own tools (llama-perplexity: every scored logit,
# with its peak memory; llama-bench pp512: last-token logits), f32 on both sides, on the bundled
# models, for each instruction-set path this processor has: AVX-512 (PTQLab's 8×48 kernel vs
# llama.cpp built with -march=native) and AVX2 (PTQLab's 6×16 kernel, PTQLAB_GEMM=avx2, vs
# llama.cpp built for AVX2 + FMA without AVX-512; OpenBLAS also pinned to its Haswell kernels).
# Needs: swift build -c release; bash scripts/peers/build-llama-cpp.sh. Run on an idle machine.
# usage: scripts/bench/forward-vs-llamacpp.sh [model ...]   (default: the three bundled models)
set -euo pipefail
cd "$(dirname "$0")/../.."
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(smollm2-135m gemma3-270m qwen2.5-coder-0.5b)
paths=(native)
grep -qw avx512f /proc/cpuinfo && paths=(native avx2)
grep -qw avx512f /proc/cpuinfo || paths=(avx2)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs), $(grep -o 'avx512[a-z]*' /proc/cpuinfo | sort -u | tr '\n' ' ')"
for model in "${models[@]}"; do
  for path in "${paths[@]}"; do
    if [ "$path" = avx2 ]; then
      env PTQLAB_GEMM=avx2 OPENBLAS_CORETYPE=Haswell .build/release/ptqlab bench "$model" --reps 3 --no-torch
    else
      .build/release/ptqlab bench "$model" --reps 3 --no-torch
    fi
    echo
  done
done
