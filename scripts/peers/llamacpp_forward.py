#!/usr/bin/env python3
"""llama.cpp peer for `ptqlab bench` (via PyPI llama-cpp-python, built from source by
scripts/setup-peers.sh with PTQLAB_PEER_LLAMACPP=1). Times prompt processing of each window (the
same token ids PTQLab runs) with a fresh KV cache, logits for every position (what perplexity
needs), and prints {"peer": "llama.cpp …", "tokens_per_second": x, ...}.
Usage: python scripts/peers/llamacpp_forward.py MODEL.gguf --tokens ids.json [--threads 2] [--reps 3]
MODEL should be an f32 GGUF for a same-precision comparison (`ptqlab bench` writes one).
"""
import argparse, json, os, time
import llama_cpp

p = argparse.ArgumentParser()
p.add_argument("model"); p.add_argument("--tokens", required=True)
p.add_argument("--threads", type=int, default=os.cpu_count()); p.add_argument("--reps", type=int, default=3)
a = p.parse_args()
windows = json.load(open(a.tokens))
c = len(windows[0])
llm = llama_cpp.Llama(model_path=a.model, n_ctx=c, n_batch=c, n_ubatch=c, n_threads=a.threads,
                      n_threads_batch=a.threads, logits_all=True, verbose=False)
def run():
    for w in windows:
        llm.reset()
        llm.eval(w)
run()  # warm-up
best = float("inf")
for _ in range(a.reps):
    t0 = time.perf_counter(); run(); best = min(best, time.perf_counter() - t0)
n = len(windows) * c
print(json.dumps({"peer": "llama.cpp (llama-cpp-python " + llama_cpp.__version__ + ")",
                  "tokens_per_second": n / best, "seconds": best, "threads": a.threads, "tokens": n}))
