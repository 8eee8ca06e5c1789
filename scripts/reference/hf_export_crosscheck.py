#!/usr/bin/env python3
"""Checks that PyPI transformers loads directories written by `ptqlab export-hf` and computes the
same logits as from the source the directory was written from (not a CI test: needs torch).

For each pair SOURCE EXPORTED: SOURCE is a GGUF file (transformers dequantizes it with
`gguf_file=`) or an HF directory. Prints max |Δlogit| between transformers on SOURCE and on
EXPORTED for a fixed text, and whether both tokenizers give the same ids. SOURCE may also be a
fixture's reference.json ({"tokens", "logits"}): EXPORTED then runs its tokens (no tokenizer
needed; e.g. tiny-gemma3, whose GGUF transformers cannot load faithfully).
Usage: python scripts/reference/hf_export_crosscheck.py SOURCE EXPORTED [SOURCE EXPORTED ...]
"""
import json, os, sys
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

TEXT = "The quick brown fox jumps over the lazy dog. In 2024, 12 apples cost 3 dollars."


def load(path):
    if path.endswith(".gguf"):
        d, f = os.path.split(path)
        return (AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32),
                AutoTokenizer.from_pretrained(d, gguf_file=f))
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32), AutoTokenizer.from_pretrained(path)


args = sys.argv[1:]
for source, exported in zip(args[::2], args[1::2]):
    if source.endswith("reference.json"):
        ref = json.load(open(source))
        m1 = AutoModelForCausalLM.from_pretrained(exported, dtype=torch.float32, attn_implementation="eager").eval()
        with torch.no_grad():
            l1 = m1(torch.tensor(ref["tokens"])).logits
        l0 = torch.tensor(ref["logits"])
        print(f"{exported}: {type(m1).__name__}, max |Δlogit| vs {source} {float((l0 - l1).abs().max()):.3g} "
              f"(max |logit| {float(l0.abs().max()):.3g})")
        continue
    m0, t0 = load(source)
    m1, t1 = load(exported)
    ids0, ids1 = t0(TEXT)["input_ids"], t1(TEXT)["input_ids"]
    ids = torch.tensor([ids1])
    with torch.no_grad():
        l0 = m0.eval()(ids).logits
        l1 = m1.eval()(ids).logits
    print(f"{exported}: {type(m1).__name__}, {ids.shape[1]} tokens, tokenizer ids equal: {ids0 == ids1}, "
          f"max |Δlogit| vs source {float((l0 - l1).abs().max()):.3g} (max |logit| {float(l0.abs().max()):.3g})")
