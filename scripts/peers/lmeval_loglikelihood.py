#!/usr/bin/env python3
"""lm-evaluation-harness peer for `ptqlab bench --zero-shot`: scores the same loglikelihood requests
PTQLab scored, with the harness's own HFLM (lm_eval.models.huggingface.HFLM, `loglikelihood`:
its tokenization, length-sorted batching, logits cache and greedy check), on CPU in float32.

The model is the GGUF file PTQLab ran, loaded by HFLM through transformers (`gguf_file`,
dequantized to f32); the tokenizer is the GGUF's (or --tokenizer DIR). Requests come from a JSON
file written by PTQLab: {"tasks": [{"name", "requests": [[context, continuation], ...]}]}.

Timed ("seconds", per task): HFLM.loglikelihood over the task's requests (tokenization included,
as in the harness). Not timed: Python start-up, imports, model loading ("load_seconds").

Prints one JSON line:
  {"peer": "lm-eval <v> HFLM, torch <v>", "threads": t, "batch_size": b, "load_seconds": s,
   "tasks": [{"name", "seconds", "requests", "loglikelihoods": [...], "greedy": [...]}]}

Usage:
  python scripts/peers/lmeval_loglikelihood.py MODEL.gguf --requests R.json [--batch-size 8]
         [--threads N] [--tokenizer DIR]
"""
import argparse, json, os, time


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--requests", required=True)
    p.add_argument("--batch-size", default="8", help="HFLM batch_size (an integer, or auto)")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--tokenizer", help="tokenizer directory (default: the GGUF's own)")
    a = p.parse_args()

    import torch
    import lm_eval
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    torch.set_num_threads(a.threads)
    spec = json.load(open(a.requests))
    d, f = os.path.split(os.path.abspath(a.model))
    t0 = time.perf_counter()
    batch = a.batch_size if a.batch_size == "auto" else int(a.batch_size)
    lm = HFLM(pretrained=d, gguf_file=f, tokenizer=a.tokenizer, device="cpu", dtype="float32",
              batch_size=batch)
    load_s = time.perf_counter() - t0

    tasks = []
    for task in spec["tasks"]:
        instances = [Instance(request_type="loglikelihood", doc={}, arguments=(c, x), idx=i)
                     for i, (c, x) in enumerate(task["requests"])]
        t0 = time.perf_counter()
        with torch.no_grad():
            out = lm.loglikelihood(instances, disable_tqdm=True)
        seconds = time.perf_counter() - t0
        tasks.append({"name": task["name"], "seconds": seconds, "requests": len(instances),
                      "loglikelihoods": [float(ll) for ll, _ in out], "greedy": [bool(g) for _, g in out]})
    version = getattr(lm_eval, "__version__", "?")
    print(json.dumps({"peer": f"lm-eval {version} HFLM, torch {torch.__version__}", "threads": torch.get_num_threads(),
                      "batch_size": batch, "load_seconds": load_s, "tasks": tasks}))


if __name__ == "__main__":
    main()
