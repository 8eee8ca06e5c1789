#!/usr/bin/env python3
"""Markdown table from `ptqlab eval --format json` lines (one JSON object per line), e.g. the output
of scripts/studies/smollm2_quant_table.sh. Columns: spec, method, effective bits, perplexity per
task, mean perplexity, quantization seconds, and KL / top-1 agreement when the run had --kl.
Usage: python3 scripts/studies/table_markdown.py RESULTS.jsonl [MORE.jsonl …]  (standard library only)
"""
import json, sys


def main():
    rows = [json.loads(line) for path in sys.argv[1:] for line in open(path) if line.strip()]
    if not rows:
        sys.exit("no results")
    tasks = list(rows[0]["tasks"].keys())
    tasks.sort(key=lambda t: ["wiki", "news", "books"].index(t) if t in ["wiki", "news", "books"] else 9)
    with_kl = any("kl" in r for r in rows)
    head = ["spec", "method", "eff. bits"] + tasks + ["mean PPL", "quantize s"]
    if with_kl:
        head += ["mean KL", "top-1 agree"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        q = r.get("quant")
        ppl = [r["tasks"][t]["perplexity"] for t in tasks if t in r["tasks"]]
        cells = [q["spec"] if q else "base", q["method"] if q else "–",
                 f'{q["effective_bits"]:.3f}' if q else "32 (f32)"]
        cells += [f"{p:.3f}" for p in ppl] + [f"{sum(ppl) / len(ppl):.3f}", f'{q["seconds"]:.0f}' if q else "0"]
        if with_kl:
            k = r.get("kl")
            cells += [f'{k["mean"]:.4f}', f'{100 * k["top1_agreement"]:.2f}%'] if k else ["–", "–"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
