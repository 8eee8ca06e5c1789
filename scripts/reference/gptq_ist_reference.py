#!/usr/bin/env python3
"""Run the original IST-DASLab GPTQ implementation (github.com/IST-DASLab/gptq) on CPU on a Llama
Hugging Face directory and PTQLab's calibration windows; write the fake-quantized model and its
torch perplexity.

The reference code is NOT part of this repository: this script imports `GPTQ` (gptq.py) and
`Quantizer` (quant.py) from the directory given as --gptq-repo, e.g.

    mkdir -p /tmp/ist-gptq
    git -C /work/.mirror/IST-DASLab+gptq/repo archive HEAD gptq.py quant.py | tar -x -C /tmp/ist-gptq

What this file contains is only a driver, written here, that follows the reference's llama.py
`llama_sequential` step by step:
  1. capture the inputs of decoder layer 0 for every calibration window (a Catcher module that
     records the hidden states and the keyword arguments the current transformers passes to a decoder
     layer — attention mask, position ids, rotary position embeddings — and raises);
  2. for each decoder layer, for each group of sublayers ([k,v,q], [o], [up,gate], [down] with
     --true-sequential; all seven linears at once without), register forward hooks that call
     `GPTQ.add_batch(input, output)`, run the layer on every window (one window per call, as the
     reference does), remove the hooks, then for each sublayer configure a `Quantizer`
     (bits, perchannel=True, sym, mse=False) and call
     `GPTQ.fasterquant(percdamp=, groupsize=, actorder=, static_groups=)` (blocksize 128, its default);
  3. re-run the (now quantized) layer on every window to get the next layer's inputs.
The quantized weights are the reference's dequantized values (`layer.weight.data = Q`), in float32.

Only workaround: gptq.py calls `torch.cuda.synchronize()` inside fasterquant, which raises on a
machine without an NVIDIA driver; when CUDA is unavailable this driver replaces that one function
by a no-op before calling the reference (the reference files are not modified).
`torch.cuda.empty_cache()` is a no-op on CPU and left as is. The reference prints
`time ...` and `error ...` for every sublayer; this driver captures that output to sum the errors.

Output (--out DIR): a Hugging Face directory PTQLab loads — config.json, tokenizer.json and
tokenizer_config.json copied from the base directory, and model.safetensors holding every tensor
of the base model.safetensors under the same name and dtype, with the 7 linear weights of each
decoder layer replaced by the reference's quantized weights (tied embeddings untouched).

Perplexity (--eval-tokens-json, {"tokens": [...]}): non-overlapping windows of --context tokens,
the last partial window dropped, every token after the first of each window scored, exp of the
mean NLL over all scored tokens.

Usage:
    ptqlab corpus news --windows 128 --window-length 512 --seed 0 > windows.json
    ptqlab corpus news --tokens > tokens.json
    python scripts/reference/gptq_ist_reference.py --gptq-repo /tmp/ist-gptq --base /tmp/ref/base \
        --windows-json windows.json --eval-tokens-json tokens.json --out /tmp/ref/gptq-w3g128 \
        --wbits 3 --groupsize 128 --true-sequential [--sym] [--act-order] [--static-groups] \
        [--percdamp 0.01] [--result-json RESULT.json]
    python scripts/reference/gptq_ist_reference.py --base /tmp/ref/base --no-quant \
        --eval-tokens-json tokens.json            # perplexity of the base model only
Prints one JSON line on stdout at the end (progress goes to stderr).
"""
import argparse
import contextlib
import io
import json
import math
import os
import re
import shutil
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--gptq-repo", help="directory holding the reference's gptq.py and quant.py")
    p.add_argument("--base", required=True, help="base Hugging Face directory (f32 safetensors)")
    p.add_argument("--windows-json", help='calibration windows, {"windows": [[ids]...]}')
    p.add_argument("--eval-tokens-json", help='held-out tokens, {"tokens": [...]}')
    p.add_argument("--out", help="output Hugging Face directory for the quantized model")
    p.add_argument("--wbits", type=int, default=4)
    p.add_argument("--groupsize", type=int, default=-1, help="-1: one scale per row")
    p.add_argument("--sym", action="store_true")
    p.add_argument("--act-order", action="store_true")
    p.add_argument("--static-groups", action="store_true")
    p.add_argument("--true-sequential", action="store_true")
    p.add_argument("--percdamp", type=float, default=0.01)
    p.add_argument("--nsamples", type=int, default=0, help="use only the first N windows (0: all)")
    p.add_argument("--context", type=int, default=512, help="evaluation window length")
    p.add_argument("--eval-batch", type=int, default=4, help="evaluation windows per forward")
    p.add_argument("--eval-max-windows", type=int, default=0, help="evaluate only the first N windows (0: all)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--no-quant", action="store_true", help="only evaluate the base model")
    p.add_argument("--result-json", help="also write the result object to this file")
    a = p.parse_args()
    if not a.no_quant and not (a.gptq_repo and a.windows_json and a.out):
        p.error("--gptq-repo, --windows-json and --out are required unless --no-quant")
    return a


def log(*xs):
    print(*xs, file=sys.stderr, flush=True)


def main():
    a = parse_args()
    import torch
    import torch.nn as nn
    import transformers
    from transformers import LlamaForCausalLM

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    if not a.no_quant:
        sys.path.insert(0, os.path.abspath(a.gptq_repo))
        with contextlib.redirect_stdout(sys.stderr):  # quant.py prints 'CUDA extension not installed.'
            from gptq import GPTQ
            from quant import Quantizer
        if not torch.cuda.is_available():
            # gptq.py's fasterquant calls torch.cuda.synchronize(), which raises without a driver.
            torch.cuda.synchronize = lambda *args, **kwargs: None

    model = LlamaForCausalLM.from_pretrained(a.base, dtype=torch.float32)
    model.eval()
    model.config.use_cache = False
    result = {
        "config": {
            "wbits": None if a.no_quant else a.wbits,
            "groupsize": a.groupsize, "sym": a.sym, "act_order": a.act_order,
            "static_groups": a.static_groups, "true_sequential": a.true_sequential,
            "percdamp": a.percdamp, "quantized": not a.no_quant,
        },
        "torch": torch.__version__, "transformers": transformers.__version__,
        "attn_implementation": getattr(model.config, "_attn_implementation", None),
        "threads": torch.get_num_threads(),
    }

    if not a.no_quant:
        with open(a.windows_json) as f:
            windows = json.load(f)["windows"]
        if a.nsamples:
            windows = windows[: a.nsamples]
        lengths = {len(w) for w in windows}
        if len(lengths) != 1:
            raise SystemExit(f"calibration windows of different lengths: {sorted(lengths)}")
        tick = time.time()
        errors = quantize_sequential(model, windows, a, GPTQ, Quantizer, torch, nn)
        result["seconds"] = round(time.time() - tick, 1)
        result["nsamples"] = len(windows)
        result["seqlen"] = lengths.pop()
        result["gptq_error_sum"] = sum(errors.values())
        result["gptq_error_by_sublayer"] = errors
        save_hf(model, a.base, a.out, torch)
        result["out"] = os.path.abspath(a.out)

    if a.eval_tokens_json:
        with open(a.eval_tokens_json) as f:
            tokens = json.load(f)["tokens"]
        tick = time.time()
        if a.eval_max_windows:
            tokens = tokens[: a.eval_max_windows * a.context]
        ppl, scored, nwin = perplexity(model, tokens, a.context, a.eval_batch, torch)
        result["torch_ppl"] = ppl
        result["eval_tokens"] = len(tokens)
        result["eval_scored_tokens"] = scored
        result["eval_windows"] = nwin
        result["eval_seconds"] = round(time.time() - tick, 1)

    line = json.dumps(result)
    if a.result_json:
        with open(a.result_json, "w") as f:
            f.write(json.dumps(result, indent=1) + "\n")
    print(line, flush=True)


def quantize_sequential(model, windows, a, GPTQ, Quantizer, torch, nn):
    """The reference's llama_sequential, on CPU, one window per layer call."""
    layers = model.model.layers
    n = len(windows)
    seqlen = len(windows[0])
    hidden = model.config.hidden_size
    inps = torch.zeros((n, seqlen, hidden), dtype=torch.float32)
    captured = {"i": 0, "kwargs": None}

    class Catcher(nn.Module):
        def __init__(self, module):
            super().__init__()
            self.module = module

        def forward(self, hidden_states, *args, **kwargs):
            if args:
                raise RuntimeError("decoder layer called with extra positional arguments")
            inps[captured["i"]] = hidden_states[0]
            captured["i"] += 1
            if captured["kwargs"] is None:
                captured["kwargs"] = dict(kwargs)
            raise ValueError

    with torch.no_grad():
        layers[0] = Catcher(layers[0])
        for w in windows:
            try:
                model(torch.tensor([w], dtype=torch.long), use_cache=False)
            except ValueError:
                pass
        layers[0] = layers[0].module
    if captured["i"] != n:
        raise RuntimeError(f"captured {captured['i']} of {n} windows")
    layer_kwargs = captured["kwargs"]
    log("layer kwargs:", {k: (tuple(v.shape) if torch.is_tensor(v) else
                              [tuple(t.shape) for t in v] if isinstance(v, tuple) else v)
                          for k, v in layer_kwargs.items()})
    outs = torch.zeros_like(inps)

    def run_layer(layer, x):
        y = layer(x.unsqueeze(0), **layer_kwargs)
        if isinstance(y, tuple):  # older transformers return (hidden_states, ...)
            y = y[0]
        return y[0]

    errors = {}
    error_re = re.compile(r"^error (\S+)$", re.M)
    t0 = time.time()
    with torch.no_grad():
        for i in range(len(layers)):
            layer = layers[i]
            full = {name: m for name, m in layer.named_modules() if isinstance(m, nn.Linear)}
            if a.true_sequential:
                sequential = [
                    ["self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj"],
                    ["self_attn.o_proj"],
                    ["mlp.up_proj", "mlp.gate_proj"],
                    ["mlp.down_proj"],
                ]
            else:
                sequential = [list(full.keys())]
            if sorted(sum(sequential, [])) != sorted(full.keys()):
                raise RuntimeError(f"layer {i} linears {sorted(full)} != groups {sequential}")

            for names in sequential:
                subset = {name: full[name] for name in names}
                gptq = {}
                for name in subset:
                    gptq[name] = GPTQ(subset[name])
                    gptq[name].quantizer = Quantizer()
                    gptq[name].quantizer.configure(a.wbits, perchannel=True, sym=a.sym, mse=False)

                def add_batch(name):
                    def hook(_, inp, out):
                        gptq[name].add_batch(inp[0].data, out.data)
                    return hook

                handles = [subset[name].register_forward_hook(add_batch(name)) for name in subset]
                for j in range(n):
                    outs[j] = run_layer(layer, inps[j])
                for h in handles:
                    h.remove()

                for name in subset:
                    buf = io.StringIO()
                    with contextlib.redirect_stdout(buf):
                        gptq[name].fasterquant(percdamp=a.percdamp, groupsize=a.groupsize,
                                               actorder=a.act_order, static_groups=a.static_groups)
                    text = buf.getvalue()
                    m = error_re.search(text)
                    key = f"model.layers.{i}.{name}"
                    errors[key] = float(m.group(1)) if m else float("nan")
                    log(f"{key}: " + " ".join(text.split()))
                    gptq[name].free()
                del gptq

            for j in range(n):
                outs[j] = run_layer(layer, inps[j])
            inps, outs = outs, inps
            log(f"layer {i} done, {time.time() - t0:.0f}s")
    return errors


def save_hf(model, base, out, torch):
    from safetensors.torch import load_file, save_file

    os.makedirs(out, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(base, name), os.path.join(out, name))
    tensors = load_file(os.path.join(base, "model.safetensors"))
    replaced = 0
    for i, layer in enumerate(model.model.layers):
        for name, m in layer.named_modules():
            if isinstance(m, torch.nn.Linear):
                key = f"model.layers.{i}.{name}.weight"
                old = tensors[key]
                new = m.weight.data.detach().to(old.dtype).contiguous().clone()
                if new.shape != old.shape:
                    raise RuntimeError(f"{key}: shape {tuple(new.shape)} != {tuple(old.shape)}")
                tensors[key] = new
                replaced += 1
    expected = 7 * len(model.model.layers)
    if replaced != expected:
        raise RuntimeError(f"replaced {replaced} linear weights, expected {expected}")
    save_file(tensors, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    log(f"wrote {out} ({replaced} linear weights replaced, {len(tensors)} tensors)")


def perplexity(model, tokens, context, batch, torch):
    import torch.nn.functional as F

    nwin = len(tokens) // context
    ids = torch.tensor(tokens[: nwin * context], dtype=torch.long).view(nwin, context)
    total = 0.0
    scored = 0
    with torch.no_grad():
        for s in range(0, nwin, batch):
            x = ids[s: s + batch]
            logits = model(x, use_cache=False).logits.float()
            nll = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]),
                                  x[:, 1:].reshape(-1), reduction="sum")
            total += nll.item()
            scored += x[:, 1:].numel()
    return math.exp(total / scored), scored, nwin


if __name__ == "__main__":
    main()
