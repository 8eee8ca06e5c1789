#!/usr/bin/env python3
"""Run the original mit-han-lab/smoothquant (github.com/mit-han-lab/smoothquant) on CPU on PTQLab's tiny
Hugging Face fixtures and write per-group reference numbers (activation statistics, weight statistics,
smoothing scales, smoothed norm parameters) and end-to-end losses (float, smoothed float, W8A8 fake
quantization with and without smoothing), so PTQLab's SmoothQuant can be checked scale for scale.

The reference code is NOT part of this repository: this script imports, unmodified, from the smoothquant
tree given as --smoothquant (the repository root, the directory that contains `smoothquant/`), e.g.

    mkdir -p /tmp/smoothquant
    git -C /work/.mirror/mit-han-lab+smoothquant/repo archive HEAD smoothquant | tar -x -C /tmp/smoothquant

  smoothquant.calibration   get_act_scales
  smoothquant.smooth        smooth_lm (-> smooth_ln_fcs / smooth_ln_fcs_llama_like)
  smoothquant.fake_quant    W8A8Linear, quantize_opt, quantize_llama_like

What this file contains is only a driver, written here. Per model (tiny-llama, tiny-opt, tiny-bloom, float32,
eager attention, one torch thread):
  1. Calibration tokens: 8 windows x 64 token ids, numpy.random.default_rng(0).integers(0, vocab, (8, 64))
     (the same windows as Fixtures/reference/awq-llm-awq-tiny.json), stored as "windows".
  2. Activation statistics: smoothquant.calibration.get_act_scales itself, called with a stand-in dataset and
     tokenizer (see the patches below) that hand it the 8 windows, num_samples=8, seq_len=64. It hooks every
     nn.Linear of the model (lm_head included) and keeps, per linear, the per-input-channel max over all
     tokens of |input| (x.view(-1, hidden).abs().max(dim=0), accumulated across the 8 calls with torch.max),
     running each window as its own forward model(input_ids) (batch 1). get_act_scales calls the model with
     the config's use_cache (True; one cache-producing forward per window, discarded; numerically irrelevant).
     The driver also replicates the measurement independently (its own hooks, torch.no_grad, use_cache=False)
     and asserts torch.equal with what get_act_scales returned. Stored as "act_scales" (linear name -> list).
  3. Smoothing, per alpha in [0.5, 0.85]: smooth_lm(model, act_scales, alpha) on a freshly loaded model. The
     driver enumerates the groups smooth_lm smooths (mirroring its isinstance branches: OPTDecoderLayer ->
     self_attn_layer_norm -> q/k/v_proj with q_proj's scales, final_layer_norm -> fc1; BloomBlock ->
     input_layernorm -> query_key_value, post_attention_layernorm -> mlp.dense_h_to_4h; LlamaDecoderLayer ->
     input_layernorm -> q/k/v_proj with q_proj's scales, post_attention_layernorm -> gate_proj + up_proj with
     gate_proj's scales) and recomputes from the ORIGINAL weights, with smooth_ln_fcs's formula verbatim,
       weight_scales = max over the group's linears of (column max |W|), clamp(min=1e-5)
       scales        = (act_scales^alpha / weight_scales^(1-alpha)).clamp(min=1e-5)
     and asserts, bit for bit, norm.weight_after == norm.weight_before / scales (and the bias likewise for
     LayerNorm), linear.weight_after == linear.weight_before * scales[None, :], and that smooth_lm changed no
     other tensor and changed every listed norm (i.e. its isinstance test matched every decoder layer of the
     family). Stored per alpha and group: norm name (HF module name), linear names, act_scales_key (whose
     act_scales were used), act_scales, weight_scales, scales, norm_weight (after), norm_bias (after, LayerNorm
     only). loss_fp_smoothed and max_abs_logit_diff (vs the float model) record that smoothing preserves the
     function.
  4. Losses: mean next-token cross entropy (in float64 from the float32 logits) over all 8 x 63 shifted
     positions, each window evaluated as its own batch-1 forward (use_cache=False) as smoothquant's
     ppl_eval.py Evaluator does (one sequence per forward; this matters for per-tensor activation quantization,
     whose scale is the max over the whole tensor of one call). Computed for: the float model; the smoothed
     float model (each alpha); and smoothquant's W8A8 fake quantization (weight_quant="per_channel",
     act_quant in {"per_token", "per_tensor"}, quantize_bmm_input=False) of the unsmoothed model and of the
     smoothed model for each alpha, each on a freshly loaded (and, if smoothed, freshly smoothed) model.
     quantize_opt (OPT) and quantize_llama_like (Llama) are smoothquant's own. smoothquant has NO Bloom fake
     quantization (fake_quant.quantize_model raises ValueError for Bloom): for tiny-bloom the driver's
     quantize_bloom_driver replaces, like quantize_opt does for OPT, every nn.Linear of every BloomBlock
     (self_attention.query_key_value, self_attention.dense, mlp.dense_h_to_4h, mlp.dense_4h_to_h; lm_head
     untouched) with smoothquant's own W8A8Linear.from_float. The number of W8A8Linear modules is checked
     against the number of nn.Linear in the decoder layers for every family. Each W8A8 entry also records
     logit_rmse and max_abs_logit_diff of its logits against the float model's (all 8 x 64 positions).

Caveat for sanity checks: the tiny fixtures are random-initialised and have no activation outlier channels
(per-channel act_scales max / median <= ~2.5), and their losses are near uniform, so W8A8 moves the loss by
~1e-5 (OPT, Bloom) to ~1e-2 (Llama), in either direction: the loss does not show whether smoothing helps.
logit_rmse does, modestly: at the recorded commit it drops with alpha for per_tensor in all three families
(e.g. tiny-llama 0.118 -> 0.114 -> 0.112 for alpha none / 0.5 / 0.85). The fixture checks the arithmetic
(statistics, scales, quantization) more than the benefit of smoothing.

smoothquant's fake quantization semantics (fake_quant.py at the recorded commit), which the Swift side must match:
  * q_max = 2^(8-1) - 1 = 127; symmetric absmax; scale = absmax.clamp(min=1e-5) / 127; x_q = round(x / scale)
    * scale, computed in place as x.div_(scale).round_().mul_(scale) (division by the scale, not
    multiplication by 127/absmax); torch.round = round half to even; NO clamp to [-128, 127] (|x/scale| <= 127
    up to float rounding, so round gives at most 127).
  * weight "per_channel": absmax per output row (w.abs().max(dim=-1)); done once in from_float, in place on
    the original weight. Bias is kept in float.
  * activation "per_token": absmax over the last dimension (one scale per token; the t.view(-1, h) in the
    reference is a discarded no-op); "per_tensor": one absmax over the whole input tensor of the call (here
    one 64-token window). Dynamic (recomputed every forward), applied to the linear's input only
    (quantize_output=False since quantize_bmm_input=False; with True it would also quantize q/k/v outputs).
  * The activation quantization is IN PLACE on the linear's input tensor: linears sharing one input
    (q/k/v_proj; gate/up_proj) quantize it once, then re-quantize the already-quantized tensor (idempotent up
    to float rounding). No residual stream is aliased to those inputs in these pre-LN models.
  * quantize_opt / quantize_llama_like walk model.model (decoder layers only): embeddings, final norm and
    lm_head stay float.

Environment patches (smoothquant's files are never modified; all patches are applied before import):
  * sys.modules["datasets"] = a stand-in module whose load_dataset returns the 8 calibration windows as a
    dataset ({"text": window}, .shuffle(seed) returns it unchanged), used together with a stand-in tokenizer
    that returns the window as input_ids (truncated to max_length). smoothquant/calibration.py imports
    `from datasets import load_dataset` at module level (the venv has no `datasets`), and get_act_scales
    tokenizes its own dataset; this lets get_act_scales run on exactly our token windows. Skipping the
    shuffle is harmless: the statistic is an elementwise max, exact and order independent.
  * No other patch is needed: smooth.py's module-level imports (OPTDecoderLayer, BloomBlock, LlamaDecoderLayer,
    LlamaRMSNorm, Mistral*, MixtralDecoderLayer, MixtralRMSNorm, FalconDecoderLayer) and fake_quant.py's
    (LlamaAttention, LlamaMLP, MistralAttention, MistralMLP, OPTAttention, OPTDecoderLayer) all exist in the
    installed transformers 5, and none of the used functions call .cuda().
  * Driver-side (not a patch of smoothquant): the Bloom fake quantization described in step 4.

Usage:
    python scripts/reference/smoothquant_reference.py --smoothquant /tmp/smoothquant \
        --reference-commit $(git -C /work/.mirror/mit-han-lab+smoothquant/repo rev-parse HEAD) \
        --out Fixtures/reference/smoothquant-tiny.json [--only tiny-llama ...] [--threads 1]
(scripts/reference/smoothquant_reference.sh does the extraction and this call.) Takes a few seconds in all.
Prints a loss table on stdout.
"""
import argparse
import json
import math
import os
import sys
import time
import types

import numpy as np
import torch
import torch.nn as nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

N_WINDOWS, WINDOW_LEN, SEED = 8, 64, 0
ALPHAS = [0.5, 0.85]
ACT_QUANTS = ["per_token", "per_tensor"]
WEIGHT_QUANT = "per_channel"
QUANTIZE_BMM_INPUT = False
DATASET_SENTINEL = "ptqlab:calibration-windows"
SIG_DIGITS = 9  # float32 round-trips through 9 significant digits

# name, model directory (relative to the repository root)
CONFIGURATIONS = [
    ("tiny-llama", "Fixtures/models/tiny-llama"),
    ("tiny-opt", "Fixtures/models/tiny-opt"),
    ("tiny-bloom", "Fixtures/models/tiny-bloom"),
]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- environment patches


class _WindowDataset:
    """What get_act_scales needs of a datasets.Dataset: .shuffle(seed=...) and [i]["text"]."""

    def __init__(self, windows):
        self.windows = windows

    def shuffle(self, seed=None):
        return self  # the statistic is an elementwise max: order independent

    def __len__(self):
        return len(self.windows)

    def __getitem__(self, i):
        return {"text": self.windows[i]}


_CURRENT_WINDOWS = {"windows": None}


def _load_dataset(kind, data_files=None, split=None, **kwargs):
    assert data_files == DATASET_SENTINEL, f"stand-in datasets.load_dataset called for {data_files!r}"
    return _WindowDataset(_CURRENT_WINDOWS["windows"])


class WindowTokenizer:
    """Stand-in tokenizer: the 'text' is already a list of token ids."""

    def __call__(self, text, return_tensors=None, max_length=None, truncation=False):
        assert return_tensors == "pt"
        ids = list(text)
        if truncation and max_length is not None:
            ids = ids[:max_length]
        return types.SimpleNamespace(input_ids=torch.tensor([ids], dtype=torch.long))


def patch_environment():
    mod = types.ModuleType("datasets")
    mod.load_dataset = _load_dataset
    sys.modules["datasets"] = mod


# ---------------------------------------------------------------- helpers


def r(x):
    """Round floats (recursively) to SIG_DIGITS significant digits."""
    if isinstance(x, float):
        return float(f"{x:.{SIG_DIGITS}g}") if math.isfinite(x) else x
    if isinstance(x, list):
        return [r(v) for v in x]
    if isinstance(x, dict):
        return {k: r(v) for k, v in x.items()}
    return x


def tl(t):
    return r(t.detach().double().tolist())


def calibration_windows(vocab_size):
    rng = np.random.default_rng(SEED)
    return rng.integers(0, vocab_size, size=(N_WINDOWS, WINDOW_LEN))


def load_model(path, attn):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation=attn)
    model.eval()
    return model


@torch.no_grad()
def window_losses(model, samples):
    """Per-window mean next-token cross entropy (batch-1 forwards) and the stacked logits."""
    losses, logits_all = [], []
    for ids in samples:
        ids = ids.unsqueeze(0)
        logits = model(ids, use_cache=False).logits
        logits_all.append(logits[0])
        lg = logits[:, :-1].reshape(-1, logits.shape[-1]).double()
        losses.append(torch.nn.functional.cross_entropy(lg, ids[:, 1:].reshape(-1), reduction="mean").item())
    return losses, torch.stack(logits_all)


def mean(xs):
    return sum(xs) / len(xs)  # every window has the same 63 positions


@torch.no_grad()
def replicate_act_scales(model, samples):
    """get_act_scales's statistic, measured independently (no_grad, use_cache=False)."""
    scales = {}

    def hook(m, x, y, name):
        x = x[0] if isinstance(x, tuple) else x
        cur = x.reshape(-1, x.shape[-1]).abs().max(dim=0)[0].float()
        scales[name] = torch.max(scales[name], cur) if name in scales else cur

    handles = [m.register_forward_hook(lambda m, x, y, name=name: hook(m, x, y, name))
               for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    for ids in samples:
        model(ids.unsqueeze(0), use_cache=False)
    for h in handles:
        h.remove()
    return scales


def smooth_groups(model):
    """The (layer class, norm name, linear names, act_scales key) groups smooth_lm smooths, mirroring its branches."""
    from transformers.models.bloom.modeling_bloom import BloomBlock
    from transformers.models.llama.modeling_llama import LlamaDecoderLayer
    from transformers.models.opt.modeling_opt import OPTDecoderLayer

    groups = []
    for name, module in model.named_modules():
        if isinstance(module, OPTDecoderLayer):
            qkv = [f"{name}.self_attn.{p}" for p in ("q_proj", "k_proj", "v_proj")]
            groups.append(("OPTDecoderLayer", f"{name}.self_attn_layer_norm", qkv, qkv[0]))
            groups.append(("OPTDecoderLayer", f"{name}.final_layer_norm", [f"{name}.fc1"], f"{name}.fc1"))
        elif isinstance(module, BloomBlock):
            qkv = f"{name}.self_attention.query_key_value"
            fc1 = f"{name}.mlp.dense_h_to_4h"
            groups.append(("BloomBlock", f"{name}.input_layernorm", [qkv], qkv))
            groups.append(("BloomBlock", f"{name}.post_attention_layernorm", [fc1], fc1))
        elif isinstance(module, LlamaDecoderLayer):
            qkv = [f"{name}.self_attn.{p}" for p in ("q_proj", "k_proj", "v_proj")]
            groups.append(("LlamaDecoderLayer", f"{name}.input_layernorm", qkv, qkv[0]))
            fcs = [f"{name}.mlp.gate_proj", f"{name}.mlp.up_proj"]
            groups.append(("LlamaDecoderLayer", f"{name}.post_attention_layernorm", fcs, fcs[0]))
    return groups


@torch.no_grad()
def smooth_and_check(sq, path, attn, act_scales, alpha, num_layers):
    """smooth_lm on a fresh model; recompute and verify every group's scales bit for bit."""
    model = load_model(path, attn)
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    modules = dict(model.named_modules())
    groups = smooth_groups(model)
    assert len(groups) == 2 * num_layers, f"{len(groups)} smoothing groups for {num_layers} decoder layers"

    recomputed = []
    for layer_cls, norm, linears, key in groups:
        a = act_scales[key].to(dtype=torch.float32)
        w0 = [before[f"{l}.weight"] for l in linears]
        # smooth_ln_fcs's formula, verbatim
        weight_scales = torch.cat([w.abs().max(dim=0, keepdim=True)[0] for w in w0], dim=0)
        weight_scales = weight_scales.max(dim=0)[0].clamp(min=1e-5)
        scales = (a.pow(alpha) / weight_scales.pow(1 - alpha)).clamp(min=1e-5).to(torch.float32)
        recomputed.append((layer_cls, norm, linears, key, a, weight_scales, scales))

    sq.smooth_lm(model, act_scales, alpha)

    after = model.state_dict()
    touched = set()
    out = []
    for layer_cls, norm, linears, key, a, weight_scales, scales in recomputed:
        nw0, nw1 = before[f"{norm}.weight"], after[f"{norm}.weight"]
        assert not torch.equal(nw0, nw1), f"smooth_lm left {norm} unchanged ({layer_cls} not matched?)"
        assert torch.equal(nw1, nw0 / scales), f"{norm}.weight != before / scales"
        touched.add(f"{norm}.weight")
        entry = {
            "norm": norm,
            "norm_class": type(modules[norm]).__name__,
            "layer_class": layer_cls,
            "linears": linears,
            "act_scales_key": key,
            "act_scales": tl(a),
            "weight_scales": tl(weight_scales),
            "scales": tl(scales),
            "norm_weight": tl(nw1),
        }
        if f"{norm}.bias" in before:
            nb0, nb1 = before[f"{norm}.bias"], after[f"{norm}.bias"]
            assert torch.equal(nb1, nb0 / scales), f"{norm}.bias != before / scales"
            touched.add(f"{norm}.bias")
            entry["norm_bias"] = tl(nb1)
        for l in linears:
            assert torch.equal(after[f"{l}.weight"], before[f"{l}.weight"] * scales.view(1, -1)), \
                f"{l}.weight != before * scales"
            touched.add(f"{l}.weight")
        out.append(entry)
    for k in before:
        if k not in touched:
            assert torch.equal(before[k], after[k]), f"smooth_lm changed {k}, which is in no group"
    return model, out


def quantize_bloom_driver(sq, model, weight_quant, act_quant, quantize_bmm_input):
    """Driver-written (smoothquant has no Bloom fake quantization): W8A8Linear.from_float on every nn.Linear
    of every BloomBlock, following quantize_opt (q/k/v outputs quantized only if quantize_bmm_input)."""
    from transformers.models.bloom.modeling_bloom import BloomAttention, BloomMLP

    for name, m in model.transformer.named_modules():
        if isinstance(m, BloomMLP):
            m.dense_h_to_4h = sq.W8A8Linear.from_float(m.dense_h_to_4h, weight_quant=weight_quant, act_quant=act_quant)
            m.dense_4h_to_h = sq.W8A8Linear.from_float(m.dense_4h_to_h, weight_quant=weight_quant, act_quant=act_quant)
        elif isinstance(m, BloomAttention):
            m.query_key_value = sq.W8A8Linear.from_float(
                m.query_key_value, weight_quant=weight_quant, act_quant=act_quant, quantize_output=quantize_bmm_input)
            m.dense = sq.W8A8Linear.from_float(m.dense, weight_quant=weight_quant, act_quant=act_quant)
    return model


def fake_quant_function(sq, model_type):
    if model_type == "opt":
        return "smoothquant.fake_quant.quantize_opt", sq.quantize_opt
    if model_type == "llama":
        return "smoothquant.fake_quant.quantize_llama_like", sq.quantize_llama_like
    if model_type == "bloom":
        return "driver:quantize_bloom_driver (W8A8Linear.from_float per BloomBlock linear)", \
            lambda model, **kw: quantize_bloom_driver(sq, model, **kw)
    raise ValueError(model_type)


def decoder_linear_count(model):
    body = model.transformer if hasattr(model, "transformer") else model.model
    return sum(1 for n, m in body.named_modules() if isinstance(m, nn.Linear))


@torch.no_grad()
def run_configuration(sq, name, model_dir, attn):
    t0 = time.time()
    path = os.path.join(REPO, model_dir)
    model = load_model(path, attn)
    cfg = model.config
    windows = calibration_windows(cfg.vocab_size)
    samples = torch.tensor(windows, dtype=torch.long)
    num_layers = cfg.num_hidden_layers

    fp_windows, fp_logits = window_losses(model, samples)

    # ---- activation statistics: get_act_scales itself, then an independent replication ----
    _CURRENT_WINDOWS["windows"] = windows.tolist()
    with torch.enable_grad():  # get_act_scales is not no_grad-decorated; call it as the reference would
        act_scales = sq.get_act_scales(model, WindowTokenizer(), DATASET_SENTINEL,
                                       num_samples=N_WINDOWS, seq_len=WINDOW_LEN)
    replica = replicate_act_scales(model, samples)
    n_linear = sum(1 for m in model.modules() if isinstance(m, nn.Linear))
    assert set(act_scales) == set(replica) and len(act_scales) == n_linear, (sorted(act_scales), sorted(replica))
    for k in act_scales:
        assert torch.equal(act_scales[k], replica[k]), f"get_act_scales != replication for {k}"
    del model

    # ---- smoothing ----
    smoothing, smoothed_models = [], {}
    for alpha in ALPHAS:
        sm, groups = smooth_and_check(sq, path, attn, act_scales, alpha, num_layers)
        sw, sl = window_losses(sm, samples)
        smoothing.append({
            "alpha": alpha,
            "groups": groups,
            "loss_fp_smoothed": mean(sw),
            "max_abs_logit_diff": (sl - fp_logits).abs().max().item(),
        })
        log(f"{name}: alpha {alpha}: {len(groups)} groups smoothed, loss {mean(sw):.6f} (fp {mean(fp_windows):.6f})")
        del sm

    # ---- W8A8 fake quantization ----
    fq_name, fq = fake_quant_function(sq, cfg.model_type)
    w8a8 = []
    for alpha in [None] + ALPHAS:
        for act_quant in ACT_QUANTS:
            if alpha is None:
                m = load_model(path, attn)
            else:
                m, _ = smooth_and_check(sq, path, attn, act_scales, alpha, num_layers)
            expected = decoder_linear_count(m)
            m = fq(m, weight_quant=WEIGHT_QUANT, act_quant=act_quant, quantize_bmm_input=QUANTIZE_BMM_INPUT)
            nq = sum(1 for x in m.modules() if isinstance(x, sq.W8A8Linear))
            assert nq == expected and decoder_linear_count(m) == 0, (nq, expected)
            qw, ql = window_losses(m, samples)
            dl = ql - fp_logits
            w8a8.append({
                "smoothed_alpha": alpha,
                "weight_quant": WEIGHT_QUANT,
                "act_quant": act_quant,
                "quantize_bmm_input": QUANTIZE_BMM_INPUT,
                "quantized_linears": nq,
                "loss": mean(qw),
                "window_losses": qw,
                "logit_rmse": dl.double().pow(2).mean().sqrt().item(),
                "max_abs_logit_diff": dl.abs().max().item(),
            })
            log(f"{name}: W8A8 {act_quant} alpha {alpha}: loss {mean(qw):.6f}")
            del m

    return {
        "name": name,
        "model": model_dir,
        "architecture": cfg.architectures[0] if cfg.architectures else cfg.model_type,
        "model_type": cfg.model_type,
        "num_layers": num_layers,
        "hidden_size": cfg.hidden_size,
        "alphas": ALPHAS,
        "windows": windows.tolist(),
        "act_scales": {k: tl(v) for k, v in act_scales.items()},
        "smoothing": smoothing,
        "fake_quant_function": fq_name,
        "loss_fp": mean(fp_windows),
        "loss_fp_windows": fp_windows,
        "w8a8": w8a8,
        "seconds": round(time.time() - t0, 2),
    }


def dump_compact(obj, indent=1, level=0):
    """JSON with nested objects indented, but every list of scalars (or of such lists) on one line."""
    pad, pad1 = " " * (indent * level), " " * (indent * (level + 1))

    def flat(x):
        return not isinstance(x, (dict, list)) or (isinstance(x, list) and all(flat(v) for v in x))

    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad1}{json.dumps(k)}: {dump_compact(v, indent, level + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and not flat(obj):
        items = [f"{pad1}{dump_compact(v, indent, level + 1)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smoothquant", required=True, help="smoothquant tree (the directory containing smoothquant/)")
    ap.add_argument("--reference-commit", default=None, help="smoothquant commit the tree was extracted from")
    ap.add_argument("--out", default=os.path.join(REPO, "Fixtures/reference/smoothquant-tiny.json"))
    ap.add_argument("--only", nargs="*", default=None, help="configuration names to run (default: all)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--attn", default="eager", help="transformers attn_implementation [eager]")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    patch_environment()
    sys.path.insert(0, os.path.abspath(args.smoothquant))
    import transformers
    from smoothquant import calibration, fake_quant, smooth

    for mod in (calibration, fake_quant, smooth):
        assert os.path.abspath(mod.__file__).startswith(os.path.abspath(args.smoothquant)), mod.__file__
    sq = types.SimpleNamespace(
        get_act_scales=calibration.get_act_scales,
        smooth_lm=smooth.smooth_lm,
        W8A8Linear=fake_quant.W8A8Linear,
        quantize_opt=fake_quant.quantize_opt,
        quantize_llama_like=fake_quant.quantize_llama_like,
    )

    configs = [c for c in CONFIGURATIONS if args.only is None or c[0] in args.only]
    results = []
    for name, model_dir in configs:
        log(f"{name}: running")
        results.append(run_configuration(sq, name, model_dir, args.attn))

    if args.only is not None and os.path.exists(args.out):
        with open(args.out) as f:
            previous = {c["name"]: c for c in json.load(f).get("configurations", [])}
        done = {c["name"] for c in results}
        order = [c[0] for c in CONFIGURATIONS]
        results += [c for n, c in previous.items() if n not in done]
        results.sort(key=lambda c: order.index(c["name"]) if c["name"] in order else len(order))

    fixture = {
        "description": (
            "Reference numbers from the original mit-han-lab/smoothquant (smoothquant.calibration.get_act_scales, "
            "smoothquant.smooth.smooth_lm, smoothquant.fake_quant W8A8Linear / quantize_opt / quantize_llama_like, "
            "imported unmodified) run on CPU by scripts/reference/smoothquant_reference.py on PTQLab's tiny "
            "transformers fixtures in float32, eager attention. Calibration: 8 windows x 64 token ids from "
            "numpy.random.default_rng(0).integers(0, vocab, (8, 64)) (windows), each window its own batch-1 "
            "forward. act_scales: per nn.Linear (lm_head included) the per-input-channel max over all 512 tokens "
            "of |input|, from get_act_scales itself (stand-in datasets/tokenizer feeding it the windows; checked "
            "equal to an independent replication). smoothing, per alpha: one entry per group smooth_lm smoothed "
            "(norm = HF module name, linears, act_scales_key = the linear whose act_scales were used: q_proj for "
            "q/k/v, gate_proj for gate/up), weight_scales = max over the group's linears of column max |W| of the "
            "ORIGINAL weights, clamp(min=1e-5), scales = (act_scales^alpha / weight_scales^(1-alpha))"
            ".clamp(min=1e-5), norm_weight / norm_bias after smoothing (= before / scales, bit-exact; linears' "
            "weights become W * scales[None, :]; checked bit for bit, and that nothing else changed). "
            "loss_fp_smoothed / max_abs_logit_diff: the smoothed float model (function preserving). "
            "Losses: mean next-token cross entropy (float64 from float32 logits) over all 8 x 63 positions, one "
            "window per forward (as ppl_eval.py), use_cache=False. w8a8: smoothquant fake quantization, "
            "weight_quant=per_channel, act_quant per_token or per_tensor, quantize_bmm_input=False, of the "
            "unsmoothed (smoothed_alpha null) or smoothed model. Semantics: q_max = 127, symmetric absmax, "
            "scale = absmax.clamp(min=1e-5) / 127, x_q = round(x / scale) * scale computed as "
            "x.div_(scale).round_().mul_(scale), torch.round = round half to even, no clamp to [-128, 127]; "
            "weights per output row (once, at conversion), activations dynamic on every linear's input: "
            "per_token = absmax over the last dim per token, per_tensor = absmax over the whole input tensor of "
            "the call (one 64-token window); bias float; in place on the input, so linears sharing an input "
            "(q/k/v, gate/up) re-quantize the already quantized tensor (idempotent up to float rounding); only "
            "decoder-layer linears are quantized (embeddings, norms, lm_head float); logit_rmse / max_abs_logit_diff "
            "compare each W8A8 model's logits with the float model's. The random-init fixtures have no activation "
            "outlier channels and near-uniform losses: W8A8 moves the loss by 1e-5..1e-2 in either direction, so "
            "compare logit_rmse (which smoothing lowers modestly for per_tensor) rather than the loss. smoothquant has no Bloom "
            "fake quantization: for tiny-bloom the driver applies smoothquant's W8A8Linear.from_float to "
            "query_key_value, dense, dense_h_to_4h, dense_4h_to_h of every BloomBlock (fake_quant_function). "
            "Environment patches (no smoothquant file modified): a stand-in `datasets` module (calibration.py "
            "imports it at module level; not installed) serving the windows to get_act_scales with a stand-in "
            "tokenizer; nothing else needed with transformers 5. Floats rounded to 9 significant digits "
            "(float32 round trip). Written by scripts/reference/smoothquant_reference.sh."
        ),
        "reference": "mit-han-lab/smoothquant",
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
        f.write(dump_compact(fixture))
        f.write("\n")
    os.replace(args.out + ".tmp", args.out)

    print(f"{'model':<12} {'variant':<22} {'loss':>10}")
    for c in results:
        print(f"{c['name']:<12} {'float':<22} {c['loss_fp']:>10.6f}")
        for s in c["smoothing"]:
            print(f"{c['name']:<12} {'float smoothed a=' + str(s['alpha']):<22} {s['loss_fp_smoothed']:>10.6f}"
                  f"   (max |dlogit| {s['max_abs_logit_diff']:.2e})")
        for q in c["w8a8"]:
            v = f"W8A8 {q['act_quant']}" + (f" a={q['smoothed_alpha']}" if q["smoothed_alpha"] is not None else "")
            print(f"{c['name']:<12} {v:<22} {q['loss']:>10.6f}   (logit rmse {q['logit_rmse']:.2e}, "
                  f"max |dlogit| {q['max_abs_logit_diff']:.2e})")
        print(f"{c['name']:<12} ({c['seconds']} s)")


if __name__ == "__main__":
    main()
