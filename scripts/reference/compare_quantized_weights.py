#!/usr/bin/env python3
"""Compares two quantized models layer by layer (not a CI test: needs numpy and safetensors).

A and B are Hugging Face directories of f32 safetensors holding fake-quantized weights, e.g. the
IST-DASLab reference's output (scripts/reference/gptq_ist_reference.sh writes one per
configuration) and PTQLab's (`ptqlab quantize ... --out GPTQDIR` then `ptqlab export-hf GPTQDIR
--out F32DIR`). ORIGINAL, when given, is the unquantized model, to show how far each side moved
the weights. Per linear: the share of weights where A and B agree (|a − b| ≤ 1e-3 · the row's
largest step), the relative difference ‖A − B‖ / ‖A‖, and with ORIGINAL the relative errors
‖A − W‖ / ‖W‖ and ‖B − W‖ / ‖W‖. Blocks are printed in order, so the first block (whose inputs
are the same on both sides) shows whether the algorithms agree and the later ones how far the
difference propagates.

Usage: python scripts/reference/compare_quantized_weights.py A B [ORIGINAL] [--blocks N]
"""
import argparse
import glob
import os

import numpy as np
from safetensors.numpy import load_file


def tensors(directory):
    out = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.safetensors"))):
        out.update(load_file(path))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("original", nargs="?")
    p.add_argument("--blocks", type=int, default=0, help="only the first N blocks (0: all)")
    args = p.parse_args()
    a, b = tensors(args.a), tensors(args.b)
    w = tensors(args.original) if args.original else None
    names = [n for n in a if n.endswith("_proj.weight") and n in b]
    names.sort(key=lambda n: (int(n.split(".")[2]) if n.split(".")[2].isdigit() else 0, n))
    total_same = total = 0
    for name in names:
        block = int(name.split(".")[2])
        if args.blocks and block >= args.blocks:
            continue
        x, y = a[name].astype(np.float64), b[name].astype(np.float64)
        # The row's smallest non-zero gap between distinct values approximates its grid step.
        step = np.abs(x).max(axis=1, keepdims=True) / 8 + 1e-30
        same = np.abs(x - y) <= 1e-3 * step
        total_same += same.sum()
        total += same.size
        line = f"{name:45s} agree {100 * same.mean():6.2f}%  |A-B|/|A| {np.linalg.norm(x - y) / np.linalg.norm(x):.4f}"
        if w is not None and name in w:
            o = w[name].astype(np.float64)
            line += f"  |A-W|/|W| {np.linalg.norm(x - o) / np.linalg.norm(o):.4f}  |B-W|/|W| {np.linalg.norm(y - o) / np.linalg.norm(o):.4f}"
        print(line)
    print(f"all compared weights: {100 * total_same / max(total, 1):.2f}% agree")


if __name__ == "__main__":
    main()
