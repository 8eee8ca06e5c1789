#!/usr/bin/env python3
"""Compares two GGUF files tensor by tensor (standard library only): type, shape and whether the
stored bytes are identical. Used to check that PTQLab's RTN/imatrix exports equal llama-quantize's.

    python3 scripts/bench/gguf_tensor_diff.py A.gguf B.gguf
Exit status 0 when every tensor has the same name, type, shape and bytes; 1 otherwise.
"""
import struct, sys

SIZES = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
         10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 30: (1, 2)}
NAMES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 10: "Q2_K",
         11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 30: "BF16"}

def read(path):
    data = open(path, "rb").read()
    off = 0
    def u(fmt):
        nonlocal off
        v = struct.unpack_from("<" + fmt, data, off); off += struct.calcsize("<" + fmt); return v[0]
    def string():
        nonlocal off
        n = u("Q"); s = data[off:off + n].decode("utf-8", "replace"); off += n; return s
    scalar = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
    def value(t):
        if t == 8: return string()
        if t == 9:
            et = u("I"); n = u("Q"); return [value(et) for _ in range(n)]
        return u(scalar[t])
    assert data[:4] == b"GGUF", path
    off = 4; u("I"); nt = u("Q"); nkv = u("Q")
    meta = {}
    for _ in range(nkv):
        k = string(); meta[k] = value(u("I"))
    infos = []
    for _ in range(nt):
        name = string(); nd = u("I"); shape = [u("Q") for _ in range(nd)]; t = u("I"); o = u("Q")
        infos.append((name, shape, t, o))
    align = meta.get("general.alignment", 32)
    base = (off + align - 1) // align * align
    out = {}
    for name, shape, t, o in infos:
        n = 1
        for s in shape: n *= s
        bs, ts = SIZES[t]
        out[name] = (t, shape, data[base + o: base + o + n // bs * ts])
    return out

a, b = read(sys.argv[1]), read(sys.argv[2])
same = 0; bad = 0
for name in sorted(set(a) | set(b)):
    if name not in a or name not in b:
        print(f"{name}: only in {'first' if name in a else 'second'}"); bad += 1; continue
    (ta, sa, da), (tb, sb, db) = a[name], b[name]
    if ta != tb or sa != sb or da != db:
        diff = sum(x != y for x, y in zip(da, db)) if len(da) == len(db) else -1
        print(f"{name}: {NAMES.get(ta, ta)} {sa} vs {NAMES.get(tb, tb)} {sb}, bytes differ: {diff} of {len(da)}"); bad += 1
    else:
        same += 1
print(f"{same} tensors identical, {bad} differ")
sys.exit(1 if bad else 0)
