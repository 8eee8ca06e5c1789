#!/usr/bin/env python3
"""Run the original mit-han-lab/llm-awq AWQ search (github.com/mit-han-lab/llm-awq) on CPU on PTQLab's
tiny Hugging Face fixtures and write per-layer reference numbers (scales, the activation statistic
they came from, the chosen ratio, clip thresholds, end-to-end losses) so PTQLab's AWQ can be checked
scale-for-scale.

The reference code is NOT part of this repository: this script imports, unmodified, from the llm-awq
tree given as --llm-awq (the repository root, the directory that contains `awq/`), e.g.

    mkdir -p /tmp/llm-awq
    git -C /work/.mirror/mit-han-lab+llm-awq/repo archive HEAD awq/quantize awq/utils | tar -x -C /tmp/llm-awq

  awq.quantize.auto_scale   auto_scale_block, apply_scale, get_act_scale
  awq.quantize.auto_clip    auto_clip_block, apply_clip
  awq.quantize.quantizer    pseudo_quantize_tensor, pseudo_quantize_model_weight
  awq.quantize.pre_quant    get_blocks, get_named_linears

What this file contains is only a driver, written here, that follows awq/quantize/pre_quant.py
`run_awq` step by step (w_bit, q_config={"zero_point": True, "q_group_size": G}):
  1. capture the input of decoder layer 0 and the keyword arguments transformers passes to a decoder
     layer (attention mask, position ids, rotary position embeddings, cache=None, use_cache=False)
     with run_awq's Catcher (records, raises ValueError), running the whole calibration batch
     (8 windows x 64 tokens, numpy.random.default_rng(0).integers(0, vocab, (8, 64))) at once as
     run_awq does;
  2. for each decoder layer: forward hooks on every nn.Linear collect its input (run_awq's
     cache_input_hook, concatenated over calls), the next layer's input is the output of the
     UNMODIFIED layer, then auto_scale_block -> apply_scale(input_feat_dict=input_feat) ->
     auto_clip_block -> apply_clip, exactly as run_awq (auto_scale=True, mse_range=True);
  3. after all layers, pseudo_quantize_model_weight (llm-awq's RTN fake quantization of every
     nn.Linear in the decoder layers; embeddings / lm_head untouched).
For every scale group it records the activation statistic llm-awq searched with,
x_mean_abs = get_act_scale(input_feat[first layer of the group]) = mean_tokens |x| (before
apply_scale), the scales llm-awq returned, the grid ratio they came from (the index r/20 whose
recomputed x_mean_abs^ratio.clamp(1e-4) / sqrt(max*min) equals the returned scales bit for bit,
cross-checked against the least-squares slope of log(scales) on log(x_mean_abs), stored as
ratio_fit, over the channels with x_mean_abs >= 1e-4^(20/19), which the reference's clamp(min=1e-4)
leaves alone for every grid ratio — OPT's fc2 input has dead ReLU channels with x_mean_abs = 0),
and for every clipped linear max_val [out, n_group] (auto_clip_layer's [out, n_group, 1] squeezed)
and shrink_steps [out, n_group], the grid index i_s with max_val == amax|w_group| * (1 - i_s/20) (w after
apply_scale; checked to hold exactly for every entry). Losses: mean next-token cross
entropy over all 8 x 63 shifted positions of the original model (loss_fp), plain RTN of a fresh copy
(loss_rtn), and AWQ + RTN (loss_awq_rtn).

Environment patches (llm-awq's files are never modified; all patches are applied before import):
  * sys.modules["awq_inference_engine"] = an empty module: awq/quantize/qmodule.py and
    w8a8_linear.py import this compiled CUDA extension at module level (awq/quantize/__init__.py
    imports w8a8_linear); none of the functions used here call it.
  * torch.nn.Module.cuda and torch.Tensor.cuda return self: run_awq / apply_scale / auto_clip_block /
    pseudo_quantize_model_weight move modules to the GPU with .cuda(); on a machine without CUDA
    that raises. torch.cuda.empty_cache() is a no-op without CUDA and is left as is.
  * The model is called with use_cache=False for the Catcher capture and the loss evaluations. With
    use_cache=True (run_awq's default via the config) transformers 5 creates a DynamicCache that the
    Catcher captures as the layer kwarg `cache`; auto_scale_block pops only `use_cache`, so every
    attention forward of its ratio search appends its keys/values to that cache, and the second
    forward already fails (eager: key length 128 vs the 64x64 causal mask). With use_cache=False the
    captured cache is None and every forward of the search is the same cache-free attention.
  * transformers 5 decoder layers return a tensor, not a tuple: run_awq's `layer(inps, **kw)[0]`
    would take batch element 0, so the driver takes [0] only when the output is a tuple.
  * auto_clip_layer asserts `w.shape[0] % 64 == 0` (its output-channel batch is 256 or 64 rows,
    "prevent OOM"). The tiny Llama / Qwen2 layers have v_proj with 32 / 16 rows and gate/up_proj
    with 96 rows. For a layer with such a linear the driver passes auto_clip_block a deep copy of the
    layer whose offending weights are padded with zero rows to the next multiple of 64, and keeps
    max_val[:out] of the result. Every output row's search is independent (error and best threshold
    are per [row, group]), so the real rows' thresholds are unchanged; the driver self-checks this by
    running auto_clip_layer on a 64-row weight with and without 64 zero rows appended and requiring
    bit-identical max_val. Layers whose linears all have a multiple of 64 rows (tiny-opt) go
    through auto_clip_block as is.

Numerical sensitivity (measured with --attn sdpa against the default eager attention): the chosen
ratios are identical and the scales agree to ~1e-7 (OPT 8e-6), but auto_clip_layer's per-[row, group]
choice is a near-tie in a few cells: 3-6 of ~1500 max_val entries per configuration move by one
grid step (up to 0.05 x amax), and loss_awq_rtn moves by up to ~1e-3. A port should expect the
same order of disagreement in clip thresholds from float32 reduction-order differences alone.

Usage:
    python scripts/reference/awq_llm_awq_reference.py --llm-awq /tmp/llm-awq \
        --reference-commit $(git -C /work/.mirror/mit-han-lab+llm-awq/repo rev-parse HEAD) \
        --out Fixtures/reference/awq-llm-awq-tiny.json [--only tiny-llama-w4-g32 ...] [--threads 1]
(scripts/reference/awq_llm_awq_reference.sh does the extraction and this call.) Takes well under a
minute per configuration on one core. Prints a short summary on stdout.
"""
import argparse
import copy
import functools
import json
import math
import os
import sys
import time
import types
from collections import defaultdict

import numpy as np
import torch
import torch.nn as nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

N_WINDOWS, WINDOW_LEN, SEED = 8, 64, 0
N_GRID = 20  # auto_scale_block's ratio grid (ratio = k / 20, k = 0..19)

# name, model directory (relative to the repository root), w_bit, q_group_size
CONFIGURATIONS = [
    ("tiny-llama-w4-g32", "Fixtures/models/tiny-llama", 4, 32),
    ("tiny-opt-w4-g32", "Fixtures/models/tiny-opt", 4, 32),
    ("tiny-qwen2-w4-g32", "Fixtures/models/tiny-qwen2", 4, 32),
    ("tiny-llama-w3-g32", "Fixtures/models/tiny-llama", 3, 32),
]


def patch_environment():
    """The environment patches described in the module docstring (before importing llm-awq)."""
    sys.modules.setdefault("awq_inference_engine", types.ModuleType("awq_inference_engine"))
    if not torch.cuda.is_available():
        torch.nn.Module.cuda = lambda self, *args, **kwargs: self
        torch.Tensor.cuda = lambda self, *args, **kwargs: self


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def calibration_windows(vocab_size):
    rng = np.random.default_rng(SEED)
    return rng.integers(0, vocab_size, size=(N_WINDOWS, WINDOW_LEN))


@torch.no_grad()
def next_token_loss(model, ids):
    """Mean cross entropy of token t+1 given tokens <= t, over every window and position."""
    logits = model(ids, use_cache=False).logits
    logits = logits[:, :-1].reshape(-1, logits.shape[-1]).double()
    target = ids[:, 1:].reshape(-1)
    return torch.nn.functional.cross_entropy(logits, target, reduction="mean").item()


def load_model(path, attn):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation=attn)
    model.eval()
    return model


def grid_ratio(x_max, scales):
    """auto_scale_block's candidate scales for each grid ratio; the index whose scales equal `scales`."""
    exact, closest, closest_err = None, None, float("inf")
    for k in range(N_GRID):
        ratio = k * 1 / N_GRID
        s = x_max.pow(ratio).clamp(min=1e-4).view(-1)  # the reference's formula, verbatim
        s = s / (s.max() * s.min()).sqrt()
        err = (s - scales).abs().max().item()
        if torch.equal(s, scales) and exact is None:
            exact = k
        if err < closest_err:
            closest, closest_err = k, err
    return exact, closest, closest_err


# x_mean_abs below this is clamped by the reference's x_max.pow(ratio).clamp(min=1e-4) for some grid ratio
# (ratio 0.95 clamps x < 1e-4 ** (1 / 0.95)); dead ReLU channels of OPT's fc2 input have x = 0 exactly.
FIT_MIN_X = 1e-4 ** (N_GRID / (N_GRID - 1))


def ratio_fit(x_max, scales):
    """Least-squares slope of log(scales) on log(x_max) over the channels no grid ratio's clamp can touch."""
    keep = x_max.double() >= FIT_MIN_X
    if keep.sum().item() < 2:
        return float("nan")
    lx = torch.log(x_max.double()[keep])
    ls = torch.log(scales.double()[keep])
    lx_c, ls_c = lx - lx.mean(), ls - ls.mean()
    denom = (lx_c * lx_c).sum().item()
    return (lx_c * ls_c).sum().item() / denom if denom > 0 else float("nan")


def shrink_steps(org_max, max_val, n_grid=20, max_shrink=0.5):
    """auto_clip_layer's chosen grid index i_s per [row, group]: max_val = org_max * (1 - i_s / n_grid)."""
    steps = torch.zeros(max_val.shape, dtype=torch.long)
    for i_s in reversed(range(int(max_shrink * n_grid))):
        steps[org_max * (1 - i_s / n_grid) == max_val] = i_s
    candidates = [org_max * (1 - i_s / n_grid) for i_s in range(int(max_shrink * n_grid))]
    hit = torch.zeros(max_val.shape, dtype=torch.bool)
    for c in candidates:
        hit |= c == max_val
    assert bool(hit.all()), "a clip threshold is not on auto_clip_layer's grid"
    return steps


@torch.no_grad()
def check_clip_padding(auto_clip_layer, w_bit, q_config):
    """Zero rows appended to a weight leave auto_clip_layer's thresholds of the real rows unchanged."""
    g = torch.Generator().manual_seed(1)
    w = torch.randn(64, 64, generator=g)
    x = torch.randn(512, 64, generator=g)
    a = auto_clip_layer(w, x, n_bit=w_bit, q_config=q_config)
    b = auto_clip_layer(torch.cat([w, torch.zeros(64, 64)]), x, n_bit=w_bit, q_config=q_config)[:64]
    assert torch.equal(a, b), "zero-row padding changes auto_clip_layer's thresholds"


@torch.no_grad()
def clip_block(awq, layer, w_bit, q_config, input_feat):
    """auto_clip_block, on a zero-row-padded copy when a clipped linear has rows % 64 != 0."""
    linears = awq.get_named_linears(layer)
    if all(m.weight.shape[0] % 64 == 0 for m in linears.values()):
        return awq.auto_clip_block(layer, w_bit=w_bit, q_config=q_config, input_feat=input_feat), False
    padded = copy.deepcopy(layer)
    rows = {}
    for name, m in awq.get_named_linears(padded).items():
        out, inp = m.weight.shape
        rows[name] = out
        if out % 64:
            extra = 64 - out % 64
            m.weight.data = torch.cat([m.weight.data, m.weight.data.new_zeros(extra, inp)])
    clip_list = awq.auto_clip_block(padded, w_bit=w_bit, q_config=q_config, input_feat=input_feat)
    return [(name, max_val[: rows[name]].contiguous()) for name, max_val in clip_list], True


@torch.no_grad()
def run_configuration(awq, name, model_dir, w_bit, group, attn):
    t0 = time.time()
    path = os.path.join(REPO, model_dir)
    q_config = {"zero_point": True, "q_group_size": group}

    model = load_model(path, attn)
    vocab = model.config.vocab_size
    windows = calibration_windows(vocab)
    samples = torch.tensor(windows, dtype=torch.long)

    loss_fp = next_token_loss(model, samples)
    rtn = load_model(path, attn)
    awq.pseudo_quantize_model_weight(rtn, w_bit=w_bit, q_config=q_config)
    loss_rtn = next_token_loss(rtn, samples)
    del rtn

    # ---- run_awq ----
    layers = awq.get_blocks(model)
    inps = []
    layer_kwargs = {}

    class Catcher(nn.Module):
        def __init__(self, module):
            super().__init__()
            self.module = module

        def forward(self, inp, **kwargs):
            inps.append(inp)
            layer_kwargs.update(kwargs)
            raise ValueError  # early exit to break later inference

    layers[0] = Catcher(layers[0])
    try:
        model(samples, use_cache=False)
    except ValueError:
        pass
    layers[0] = layers[0].module
    inps = inps[0]
    log(f"{name}: layer kwargs {sorted(layer_kwargs)}")

    out_layers = []
    padded_any = False
    for i in range(len(layers)):
        layer = layers[i]
        named_linears = awq.get_named_linears(layer)

        def cache_input_hook(m, x, y, name, feat_dict):
            x = x[0]
            x = x.detach().cpu()
            feat_dict[name].append(x)

        input_feat = defaultdict(list)
        handles = []
        for lname in named_linears:
            handles.append(
                named_linears[lname].register_forward_hook(
                    functools.partial(cache_input_hook, name=lname, feat_dict=input_feat)
                )
            )
        out = layer(inps, **layer_kwargs)
        inps = out[0] if isinstance(out, tuple) else out
        for h in handles:
            h.remove()
        input_feat = {k: torch.cat(v, dim=0) for k, v in input_feat.items()}

        # llm-awq's activation statistic, before apply_scale divides input_feat in place
        act = {k: awq.get_act_scale(v).clone() for k, v in input_feat.items()}

        scales_list = awq.auto_scale_block(layer, layer_kwargs, w_bit=w_bit, q_config=q_config, input_feat=input_feat)
        awq.apply_scale(layers[i], scales_list, input_feat_dict=input_feat)

        # per-[row, group] |w| max of the scaled weights, the base of auto_clip_layer's shrink grid
        org_max = {n: m.weight.detach().reshape(m.weight.shape[0], -1, group).abs().amax(dim=-1)
                   for n, m in named_linears.items()}
        clip_list, padded = clip_block(awq, layer, w_bit, q_config, input_feat)
        padded_any |= padded
        awq.apply_clip(layer, clip_list)

        groups = []
        for prev_op, lnames, scales in scales_list:
            x_max = act[lnames[0]]
            exact, closest, closest_err = grid_ratio(x_max, scales)
            fit = ratio_fit(x_max, scales)
            rounded = round(fit / 0.05) * 0.05 if math.isfinite(fit) else float("nan")
            if exact is None:
                log(f"  warning: layer {i} {prev_op}: no grid ratio reproduces the scales bit for bit "
                    f"(closest {closest / N_GRID}, max |diff| {closest_err:.3g})")
            k = exact if exact is not None else closest
            if not (math.isfinite(fit) and abs(rounded - k / N_GRID) < 1e-9):
                log(f"  warning: layer {i} {prev_op}: rounded fit {rounded} != grid ratio {k / N_GRID}")
            groups.append({
                "prev_op": prev_op,
                "layers": list(lnames),
                "x_mean_abs": x_max.tolist(),
                "scales": scales.tolist(),
                "ratio": round(k / N_GRID, 2),
                "ratio_fit": fit,
                "ratio_exact_match": exact is not None,
            })
        clips = []
        for lname, mv in clip_list:
            mv = mv.reshape(mv.shape[0], mv.shape[1])  # auto_clip_layer returns [out, n_group, 1]
            steps = shrink_steps(org_max[lname], mv)
            clips.append({"layer": lname, "max_val": mv.tolist(), "shrink_steps": steps.tolist()})
        out_layers.append({"index": i, "scales": groups, "clip": clips})
        log(f"{name}: layer {i}: ratios " + ", ".join(f"{g['prev_op']}->{g['ratio']}" for g in groups))
        del input_feat

    awq.pseudo_quantize_model_weight(model, w_bit=w_bit, q_config=q_config)
    loss_awq = next_token_loss(model, samples)
    seconds = time.time() - t0
    return {
        "name": name,
        "model": model_dir,
        "architecture": model.config.architectures[0] if model.config.architectures else type(model).__name__,
        "w_bit": w_bit,
        "q_group_size": group,
        "zero_point": True,
        "windows": windows.tolist(),
        "layers": out_layers,
        "clip_rows_padded": padded_any,
        "loss_fp": loss_fp,
        "loss_rtn": loss_rtn,
        "loss_awq_rtn": loss_awq,
        "seconds": round(seconds, 2),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--llm-awq", required=True, help="llm-awq tree (the directory containing awq/)")
    ap.add_argument("--reference-commit", default=None, help="llm-awq commit the tree was extracted from")
    ap.add_argument("--out", default=os.path.join(REPO, "Fixtures/reference/awq-llm-awq-tiny.json"))
    ap.add_argument("--only", nargs="*", default=None, help="configuration names to run (default: all)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--attn", default="eager", help="transformers attn_implementation [eager]")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    patch_environment()
    sys.path.insert(0, os.path.abspath(args.llm_awq))
    import transformers
    from awq.quantize import auto_clip, auto_scale, pre_quant, quantizer

    awq = types.SimpleNamespace(
        auto_scale_block=auto_scale.auto_scale_block,
        apply_scale=auto_scale.apply_scale,
        get_act_scale=auto_scale.get_act_scale,
        auto_clip_block=auto_clip.auto_clip_block,
        auto_clip_layer=auto_clip.auto_clip_layer,
        apply_clip=auto_clip.apply_clip,
        pseudo_quantize_tensor=quantizer.pseudo_quantize_tensor,
        pseudo_quantize_model_weight=quantizer.pseudo_quantize_model_weight,
        get_blocks=pre_quant.get_blocks,
        get_named_linears=pre_quant.get_named_linears,
    )
    for name in ("auto_scale", "auto_clip", "quantizer", "pre_quant"):
        mod = sys.modules[f"awq.quantize.{name}"]
        assert os.path.abspath(mod.__file__).startswith(os.path.abspath(args.llm_awq)), mod.__file__

    configs = [c for c in CONFIGURATIONS if args.only is None or c[0] in args.only]
    results = []
    for name, model_dir, w_bit, group in configs:
        check_clip_padding(awq.auto_clip_layer, w_bit, {"zero_point": True, "q_group_size": group})
        log(f"{name}: running")
        results.append(run_configuration(awq, name, model_dir, w_bit, group, args.attn))

    # Configurations not re-run here stay in the fixture.
    if args.only is not None and os.path.exists(args.out):
        with open(args.out) as f:
            previous = {c["name"]: c for c in json.load(f).get("configurations", [])}
        done = {r["name"] for r in results}
        order = [c[0] for c in CONFIGURATIONS]
        results += [c for n, c in previous.items() if n not in done]
        results.sort(key=lambda c: order.index(c["name"]) if c["name"] in order else len(order))

    fixture = {
        "description": (
            "Reference numbers from the original mit-han-lab/llm-awq AWQ (awq/quantize auto_scale_block, "
            "apply_scale, auto_clip_block, apply_clip, pseudo_quantize_tensor / pseudo_quantize_model_weight "
            "imported unmodified) run on CPU by scripts/reference/awq_llm_awq_reference.py, a driver following "
            "pre_quant.py run_awq layer by layer, on PTQLab's tiny transformers fixtures in float32. Calibration: "
            "8 windows x 64 token ids from numpy.random.default_rng(0).integers(0, vocab, (8, 64)), one batch. "
            "Per decoder layer and scale group: prev_op and layer names relative to the decoder layer, "
            "x_mean_abs = get_act_scale(input of the group's first linear) = mean over tokens of |x| before "
            "scaling, the returned scales, ratio = the grid point k/20 whose scales x_mean_abs^ratio.clamp(1e-4)"
            "/sqrt(max*min) equal them bit for bit (ratio_exact_match), ratio_fit = least-squares slope of "
            "log(scales) on log(x_mean_abs) over channels with x_mean_abs >= 1e-4^(20/19) (never clamped). clip: auto_clip_block's max_val [out, n_group] per clipped linear and shrink_steps, its grid index "
            "i_s (max_val = amax|w group| * (1 - i_s/20), w after apply_scale) "
            "(after apply_scale; q_/k_ projections are skipped by llm-awq). Losses: mean next-token cross "
            "entropy over all 8 x 63 positions of the windows: float model, plain RTN (pseudo_quantize_model_weight "
            "on a fresh copy), AWQ then RTN. Environment patches (no llm-awq file modified): empty "
            "awq_inference_engine module, .cuda() is the identity, use_cache=False, tuple-or-tensor decoder "
            "layer outputs, and zero-row padding of linears with rows % 64 != 0 for auto_clip_layer's "
            "batching assert (clip_rows_padded; per-row results unchanged, self-checked). "
            "Sensitivity: with sdpa instead of eager attention the ratios are identical and scales agree to "
            "~1e-7, but 3-6 of ~1500 clip entries per configuration move by one grid step and loss_awq_rtn "
            "by up to ~1e-3 (near-ties in the clip search). "
            "Written by scripts/reference/awq_llm_awq_reference.sh."
        ),
        "reference": "mit-han-lab/llm-awq",
        "reference_commit": args.reference_commit,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "numpy": np.__version__,
        "attn_implementation": args.attn,
        "torch_threads": args.threads,
        "configurations": results,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".tmp", "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    os.replace(args.out + ".tmp", args.out)

    for c in results:
        print(f"{c['name']}: loss_fp {c['loss_fp']:.6f}  loss_rtn {c['loss_rtn']:.6f}  "
              f"loss_awq_rtn {c['loss_awq_rtn']:.6f}  ({c['seconds']} s)")
        for l in c["layers"]:
            print(f"  layer {l['index']}: " + ", ".join(
                f"{g['prev_op']}->{'+'.join(g['layers'])}: {g['ratio']} (fit {g['ratio_fit']:.4f})"
                for g in l["scales"]))


if __name__ == "__main__":
    main()
