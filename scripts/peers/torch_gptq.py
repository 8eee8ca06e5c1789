#!/usr/bin/env python3
"""PyTorch GPTQ peer for `ptqlab bench --gptq`: the reference sequential GPTQ procedure of
IST-DASLab/gptq `llama.py` (`llama_sequential`, with or without its --true-sequential) on a GGUF model loaded with
transformers (dequantized to f32), with calibration windows given as token ids (a JSON list of
equal-length lists), so both programs see the same input.

Procedure, as the reference:
  1. capture the inputs of decoder layer 0 for every calibration window (the model is run one
     window at a time up to layer 0, which raises after recording its input and keyword arguments:
     attention mask, position ids, rotary position embeddings);
  2. for each decoder layer: forward hooks on its nn.Linear modules accumulate
     H = 2/n · Σ XᵀX (gptq.py `add_batch`, n = windows seen, one H per linear even where they share
     an input), the layer is run on every window, each hooked linear is quantized with `fasterquant`
     (scripts/peers/gptq_reference.py: blocks of 128, damping 1% of mean diag H, groups, act-order)
     and its weight replaced by the dequantized one; then the layer is run again on every window
     to produce the inputs of the next layer. Without --true-sequential all linears are hooked in
     one run (2 layer runs per layer); with it, as the reference's `sequential` list, the groups
     [k, v, q], [o], [up, gate], [down] are hooked and quantized one after the other, the layer being
     run once per group (5 layer runs per layer).
Numerical conventions (f16 scales, PTQLab's named symmetric grids) are PTQLab's; see gptq_reference.py.

Timed ("seconds"): steps 1–2 for all layers, i.e. from the loaded model to all layers quantized,
calibration forward passes included. Not timed: Python start-up, imports, reading the ids, model
loading ("load_seconds", reported separately) and the optional perplexity check.

Prints one JSON line:
  {"peer": "pytorch <version>", "seconds": s, "layers": quantized linears, "blocks": decoder layers,
   "threads": t, "load_seconds": s, "forward_seconds": s, "gptq_seconds": s, "loss": Σ loss,
   "layer_names": [HF names of the quantized linears], ...}
where loss is the reference's `error` summed over layers (with its H normalisation, i.e. per
window: window length × PTQLab's per-token loss) and, with --eval, "perplexity" of the quantized
model over those windows (every token after the first scored).

Usage:
  python scripts/peers/torch_gptq.py MODEL.gguf --calib ids.json --bits 4 --group -1
         [--sym [--grid full|narrow]] [--act-order] [--static-groups] [--true-sequential] [--threads N]
         [--eval ids.json]
"""
import argparse, json, math, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


class HessianAccumulator:
    """gptq.py `GPTQ.add_batch` for an nn.Linear: running H = 2/n · Σ XᵀX, n counting sequences."""

    def __init__(self, columns, torch):
        self.torch = torch
        self.H = torch.zeros((columns, columns))
        self.nsamples = 0

    def add_batch(self, inp):
        if len(inp.shape) == 2:
            inp = inp.unsqueeze(0)
        tmp = inp.shape[0]
        inp = inp.reshape((-1, inp.shape[-1])).t()
        self.H *= self.nsamples / (self.nsamples + tmp)
        self.nsamples += tmp
        inp = math.sqrt(2 / self.nsamples) * inp.float()
        self.H += inp.matmul(inp.t())


def llama_sequential(model, windows, a, torch, nn):
    """Quantizes every nn.Linear of every decoder layer in place; returns stats."""
    from gptq_reference import gptq

    layers = model.model.layers
    n, seqlen = windows.shape
    inps = torch.zeros((n, seqlen, model.config.hidden_size))
    cache = {"i": 0, "kwargs": None}

    class Catcher(nn.Module):
        def __init__(self, module):
            super().__init__()
            self.module = module

        def forward(self, inp, **kwargs):
            inps[cache["i"]] = inp
            cache["i"] += 1
            cache["kwargs"] = kwargs
            raise ValueError

    forward_s = gptq_s = 0.0
    t0 = time.perf_counter()
    layers[0] = Catcher(layers[0])
    for j in range(n):
        try:
            model(windows[j:j + 1])
        except ValueError:
            pass
    layers[0] = layers[0].module
    kwargs = cache["kwargs"]
    outs = torch.zeros_like(inps)
    forward_s += time.perf_counter() - t0

    def run(layer):
        for j in range(n):
            out = layer(inps[j:j + 1], **kwargs)
            outs[j] = out[0] if isinstance(out, tuple) else out

    quantized, loss = [], 0.0
    for li, layer in enumerate(layers):
        full = {name: m for name, m in layer.named_modules() if isinstance(m, nn.Linear)}
        if a.true_sequential:
            sequential = [["self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj"], ["self_attn.o_proj"],
                          ["mlp.up_proj", "mlp.gate_proj"], ["mlp.down_proj"]]
        else:
            sequential = [list(full.keys())]
        for names in sequential:
            subset = {name: full[name] for name in names}
            acc = {name: HessianAccumulator(m.in_features, torch) for name, m in subset.items()}

            def hook(name):
                return lambda _m, inp, _out: acc[name].add_batch(inp[0].data)

            handles = [m.register_forward_hook(hook(name)) for name, m in subset.items()]
            t0 = time.perf_counter()
            run(layer)
            forward_s += time.perf_counter() - t0
            for h in handles:
                h.remove()

            t0 = time.perf_counter()
            for name, m in subset.items():
                Q, err = gptq(m.weight.data.float(), acc[name].H, a.bits, (a.grid if a.sym else False), a.group,
                              a.act_order, a.static_groups)
                m.weight.data = Q.to(m.weight.dtype)
                loss += err
                quantized.append(f"model.layers.{li}.{name}")
            del acc
            gptq_s += time.perf_counter() - t0

        t0 = time.perf_counter()
        run(layer)
        forward_s += time.perf_counter() - t0
        inps, outs = outs, inps
    return {"layers": len(quantized), "blocks": len(layers), "forward_seconds": forward_s,
            "gptq_seconds": gptq_s, "loss": loss, "layer_names": quantized}


def perplexity(model, windows, torch):
    nll, count = 0.0, 0
    for w in windows:
        x = torch.tensor([w])
        lp = torch.log_softmax(model(x).logits[0, :-1].double(), dim=-1)
        nll -= lp.gather(1, x[0, 1:, None]).sum().item()
        count += len(w) - 1
    return math.exp(nll / count)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--calib", required=True, help="JSON list of calibration windows (token ids)")
    p.add_argument("--bits", type=int, required=True)
    p.add_argument("--group", type=int, default=-1, help="group size; -1 = one group per row")
    p.add_argument("--sym", action="store_true")
    p.add_argument("--grid", choices=["full", "narrow"], default="full", help="symmetric grid (PTQLab's SymmetricGrid)")
    p.add_argument("--act-order", action="store_true")
    p.add_argument("--static-groups", action="store_true")
    p.add_argument("--true-sequential", action="store_true", help="the reference's --true-sequential (Llama module names)")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--eval", help="JSON list of windows to report the quantized model's perplexity on")
    a = p.parse_args()

    import torch
    import torch.nn as nn
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(a.threads)
    windows = torch.tensor(json.load(open(a.calib)))
    t0 = time.perf_counter()
    d, f = os.path.split(os.path.abspath(a.model))
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32).eval()
    model.config.use_cache = False
    load_s = time.perf_counter() - t0

    with torch.no_grad():
        t0 = time.perf_counter()
        stats = llama_sequential(model, windows, a, torch, nn)
        seconds = time.perf_counter() - t0
        result = {"peer": "pytorch " + torch.__version__, "seconds": seconds, **stats,
                  "threads": torch.get_num_threads(), "load_seconds": load_s,
                  "windows": windows.shape[0], "window_length": windows.shape[1]}
        if a.eval:
            result["perplexity"] = perplexity(model, json.load(open(a.eval)), torch)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
