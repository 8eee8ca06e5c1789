#!/usr/bin/env python3
"""Reference numbers for a second/third model family (Qwen2.5-Coder-0.5B, Gemma 3 270M) from PyPI
transformers loading the same GGUF (`gguf_file=`; weights dequantized to f32), for the Swift suites
in Tests/EvaluationTests/Families/.

Token ids: the reference tokenizer for a GGUF is llama.cpp's (llama-cpp-python, `vocab_only`), which
the ids are taken from when it is importable; transformers' tokenizer built from the same GGUF is
recorded beside it. They agree for Qwen2; for Gemma 3 they differ only on long runs of spaces
(llama.cpp, like SentencePiece, matches the longest whitespace token first; transformers' GGUF
conversion merges them by BPE rank). The fixture pins, for each corpus's held-out text
(`ptqlab corpus NAME > DIR/NAME.evaluation.txt`), count, SHA-256 and first ids (BOS included when
the tokenizer adds it); the Swift tests check that our tokenizer gives exactly these ids, and that
the windows scored below lie inside the prefix on which transformers' ids agree, so both sides
score identical tokens.

Writes one JSON file:
  tokenizer:  {"reference": "llama.cpp" | "transformers", "<corpus>": {"count", "sha256" (ids as
              little-endian int32), "head": first 64 ids, "transformers": {"count", "sha256",
              "agreeing_prefix"}}}
  prompts:    text, ids_plain / ids (without / with BOS) from the reference tokenizer,
              ids_transformers, and per position {"lse", "argmax", "probe": logits at probe_ids,
              "next_logit"} of the model run on `ids`
  long_prompt: the first N ids of the books corpus, a few positions (past a 512 sliding window)
  perplexity: {"context", "windows", "tasks": {"<corpus>": {"perplexity", "tokens", "window_nll":
              [sum of NLL per window]}}} (GPTQ convention: non-overlapping windows, every token
              after the first scored)
Usage:
  python scripts/reference/family_reference.py MODEL.gguf DIR OUT.json [--context 512] [--windows 8]
         [--long-prompt-tokens 700]
"""
import argparse, hashlib, json, math, os, struct, sys, time
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

p = argparse.ArgumentParser()
p.add_argument("model"); p.add_argument("dir"); p.add_argument("out")
p.add_argument("--context", type=int, default=512); p.add_argument("--windows", type=int, default=8)
p.add_argument("--long-prompt-tokens", type=int, default=700,
               help="a long prompt from the books corpus (past a 512 sliding window)")
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)

d, f = os.path.split(os.path.abspath(a.model))
tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
t0 = time.time()
model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32).eval()
print(f"loaded in {time.time() - t0:.1f}s: {type(model).__name__}", file=sys.stderr)
vocab = model.config.vocab_size
adds_bos = tok("a", add_special_tokens=True)["input_ids"][0] == tok.bos_token_id if tok.bos_token_id is not None else False
out = {"model": os.path.basename(a.model), "transformers": __import__("transformers").__version__,
       "torch": torch.__version__, "adds_bos": bool(adds_bos), "bos": tok.bos_token_id, "vocab": vocab,
       "note": "transformers GGUF loader, f32"}

def sha(ids):
    return hashlib.sha256(struct.pack(f"<{len(ids)}i", *ids)).hexdigest()

# --- tokenizer: whole held-out corpora ---------------------------------------------------------
try:
    import llama_cpp
    lc = llama_cpp.Llama(model_path=os.path.abspath(a.model), vocab_only=True, verbose=False)
    def reference_ids(text, add_special):
        return lc.tokenize(text.encode("utf-8"), add_bos=add_special and adds_bos, special=False)
    out["tokenizer_reference"] = "llama.cpp (llama-cpp-python " + llama_cpp.__version__ + ")"
except ImportError:
    def reference_ids(text, add_special):
        return tok(text, add_special_tokens=add_special)["input_ids"]
    out["tokenizer_reference"] = "transformers"

def transformers_ids(text, add_special):
    return tok(text, add_special_tokens=add_special)["input_ids"]

texts = {n: open(os.path.join(a.dir, f"{n}.evaluation.txt"), encoding="utf-8").read() for n in ["wiki", "news", "books"]}
corpus_ids = {}
out["tokenizer"] = {}
for n, text in texts.items():
    ids = reference_ids(text, True)
    hf = transformers_ids(text, True)
    agree = next((i for i, (x, y) in enumerate(zip(ids, hf)) if x != y), min(len(ids), len(hf)))
    corpus_ids[n] = ids
    out["tokenizer"][n] = {"count": len(ids), "sha256": sha(ids), "head": ids[:64],
                           "transformers": {"count": len(hf), "sha256": sha(hf), "agreeing_prefix": agree}}
    print(n, len(ids), "tokens;", "transformers", len(hf), "agreeing prefix", agree, file=sys.stderr)

# --- logits on prompts -------------------------------------------------------------------------
prompts = [
    "The capital of France is Paris, and the capital of Germany is",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return",
    "In 1815, the Duke of Wellington defeated Napoleon at Waterloo. The battle",
    "Ünïcödé, emoji 🦙 and numbers 1234567 mixed:\tcolumns\n\n  indented",
    "Signed,\n" + " " * 40 + "JOHN WILLOUGHBY.",
]
probe_ids = list(range(0, vocab, max(1, vocab // 48)))[:48]
out["probe_ids"] = probe_ids
out["prompts"] = []

def run(ids, positions):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    rows = []
    for t in positions:
        row = logits[t]
        e = {"position": t, "lse": torch.logsumexp(row, 0).item(), "argmax": int(row.argmax()),
             "probe": [row[i].item() for i in probe_ids]}
        if t + 1 < len(ids):
            e["next_logit"] = row[ids[t + 1]].item()
        rows.append(e)
    return rows

for text in prompts:
    plain = reference_ids(text, False)
    ids = reference_ids(text, True)
    out["prompts"].append({"text": text, "ids_plain": plain, "ids": ids,
                           "ids_transformers": transformers_ids(text, True),
                           "positions": run(ids, list(range(len(ids))))})
# A long prompt (books text, ids as in the corpus tokenization): the last positions see more than
# a 512-token sliding window.
n = a.long_prompt_tokens
ids = corpus_ids["books"][:n]
pos = sorted(set([0, 1, 255, 511, 512, 513] + list(range(n - 8, n))))
out["long_prompt"] = {"corpus": "books", "tokens": n, "positions": run(ids, [q for q in pos if q < n])}
print("logits done", file=sys.stderr)

# --- perplexity --------------------------------------------------------------------------------
c = a.context
out["perplexity"] = {"context": c, "windows": a.windows, "tasks": {}}
for name, ids in corpus_ids.items():
    starts = list(range(0, len(ids) - c + 1, c))[:a.windows]
    window_nll = []
    with torch.inference_mode():
        for s in starts:
            x = torch.tensor([ids[s:s + c]])
            logits = model(x).logits[0].double()
            lp = torch.log_softmax(logits[:-1], dim=-1)
            window_nll.append(-lp.gather(1, x[0, 1:, None]).sum().item())
    total = sum(window_nll)
    scored = len(starts) * (c - 1)
    out["perplexity"]["tasks"][name] = {"perplexity": math.exp(total / scored), "tokens": scored,
                                        "window_nll": window_nll}
    print(name, out["perplexity"]["tasks"][name]["perplexity"], file=sys.stderr)

with open(a.out, "w") as fh:
    json.dump(out, fh, indent=None, separators=(",", ":"))
print("wrote", a.out, file=sys.stderr)
