#!/usr/bin/env python3
"""Reference perplexities of SmolLM2-135M (pinned GGUF, dequantized to f32 by transformers) on the
first windows of each corpus's held-out part, tokenized by PyPI `tokenizers` with SmolLM2's
tokenizer.json, GPTQ convention (non-overlapping windows, every token after the first scored).
Writes Fixtures/reference/smollm2_perplexity.json.
Usage: for n in wiki news books; do ptqlab corpus $n > DIR/$n.evaluation.txt; done
       python scripts/reference/smollm2_perplexity.py MODEL.gguf DIR [--context 512] [--windows 8]
"""
import argparse, json, subprocess, sys

p = argparse.ArgumentParser()
p.add_argument("model"); p.add_argument("dir")
p.add_argument("--context", type=int, default=512); p.add_argument("--windows", type=int, default=8)
a = p.parse_args()
out = {"context": a.context, "windows": a.windows, "tasks": {}}
for name in ["wiki", "news", "books"]:
    r = subprocess.run([sys.executable, "scripts/peers/torch_forward.py", "ppl", a.model,
                        "--text", f"{a.dir}/{name}.evaluation.txt", "--context", str(a.context),
                        "--max-windows", str(a.windows), "--tokenizer", "Fixtures/tokenizers/smollm2/tokenizer.json"],
                       check=True, capture_output=True, text=True)
    res = json.loads(r.stdout.strip().splitlines()[-1])
    out["tasks"][name] = {"perplexity": res["perplexity"], "tokens": res["tokens"]}
    print(name, res)
with open("Fixtures/reference/smollm2_perplexity.json", "w") as f:
    json.dump(out, f, indent=1)
