#!/usr/bin/env python3
"""PyTorch peer for `ptqlab bench` and for perplexity cross-checks. Loads a GGUF with transformers
(dequantized to f32) and either
  bench:  times forward passes over `--windows` windows of `--context` tokens (ids from a JSON
          file, so both programs see the same input), printing
          {"peer": "pytorch", "tokens_per_second": x, "seconds": s, "threads": n, ...}
  ppl:    perplexity of a text file, GPTQ convention (non-overlapping windows, last partial
          window dropped, every token after the first scored), printing
          {"perplexity": x, "tokens": n, "windows": w, "token_sha256": ...}
Usage:
  python scripts/peers/torch_forward.py bench MODEL.gguf --tokens ids.json [--threads 2] [--reps 3]
  python scripts/peers/torch_forward.py ppl MODEL.gguf --text FILE --context 512 [--max-windows N]
         [--tokenizer tokenizer.json]
"""
import argparse, hashlib, json, math, os, sys, time

def load(path, threads):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    torch.set_num_threads(threads)
    d, f = os.path.split(os.path.abspath(path))
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32).eval()
    tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
    return torch, model, tok

def bench(a):
    torch, model, _ = load(a.model, a.threads)
    windows = json.load(open(a.tokens))
    x = torch.tensor(windows)
    with torch.inference_mode():
        model(x[:1])  # warm-up
        times = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            for w in range(x.shape[0]):
                model(x[w:w + 1])
            times.append(time.perf_counter() - t0)
    best = min(times)
    n = x.shape[0] * x.shape[1]
    print(json.dumps({"peer": "pytorch " + torch.__version__, "tokens_per_second": n / best, "seconds": best,
                      "threads": torch.get_num_threads(), "tokens": n, "reps": a.reps}))

def ppl(a):
    torch, model, tok = load(a.model, a.threads)
    text = open(a.text, encoding="utf-8").read()
    if a.tokenizer:
        # transformers' GGUF tokenizer conversion drops some pre-tokenizer rules (e.g. SmolLM2's
        # digit split); a real tokenizer.json avoids that.
        from tokenizers import Tokenizer
        ids = Tokenizer.from_file(a.tokenizer).encode(text).ids
    else:
        ids = tok(text, add_special_tokens=True)["input_ids"]
    c = a.context
    starts = list(range(0, len(ids) - c + 1, c))
    if a.max_windows:
        starts = starts[:a.max_windows]
    nll, n = 0.0, 0
    with torch.inference_mode():
        for s in starts:
            x = torch.tensor([ids[s:s + c]])
            logits = model(x).logits[0].double()
            lp = torch.log_softmax(logits[:-1], dim=-1)
            tgt = x[0, 1:]
            nll -= lp.gather(1, tgt[:, None]).sum().item()
            n += c - 1
    h = hashlib.sha256(json.dumps(ids).encode()).hexdigest()
    print(json.dumps({"perplexity": math.exp(nll / n), "tokens": n, "windows": len(starts),
                      "text_tokens": len(ids), "token_sha256": h}))

p = argparse.ArgumentParser()
sub = p.add_subparsers(dest="cmd", required=True)
b = sub.add_parser("bench"); b.add_argument("model"); b.add_argument("--tokens", required=True)
b.add_argument("--threads", type=int, default=os.cpu_count()); b.add_argument("--reps", type=int, default=3)
q = sub.add_parser("ppl"); q.add_argument("model"); q.add_argument("--text", required=True)
q.add_argument("--context", type=int, default=512); q.add_argument("--max-windows", type=int, default=0)
q.add_argument("--threads", type=int, default=os.cpu_count())
q.add_argument("--tokenizer", help="tokenizer.json to tokenize with instead of the GGUF's")
a = p.parse_args()
{"bench": bench, "ppl": ppl}[a.cmd](a)
