"""A PyTorch re-implementation of the IST-DASLab GPTQ reference layer algorithm (gptq.py
`GPTQ.fasterquant`, quant.py `Quantizer.find_params` / `quantize`), shared by
scripts/fixtures/make_gptq_fixture.py (the GPTQ test fixture) and scripts/peers/torch_gptq.py
(the `ptqlab bench --gptq` peer).

Deliberate differences from the reference, matching PTQLab's documented conventions
(Sources/Quantization/Math/QuantGrid.swift):
  * scales are rounded to f16 before use (PTQLab's default storage);
  * symmetric grids by name (`sym`: False, "full" or "narrow"; True means "narrow"): "full" is the
    reference's, scale = 2 max|w| / (2^b - 1), zero = (maxq + 1) / 2 (without its quirk of halving
    the range of a row with no negative value); "narrow" is scale = max|w| / (2^(b-1) - 1),
    zero = 2^(b-1), PTQLab's earlier default (QuantGrid.swift, SymmetricGrid.swift).
Everything else (ranges including 0, the all-zero guard, dead columns, damping, Cholesky of H^-1,
blocks with lazy updates, act-order, static groups, group parameters from W at the group's first
column, the loss) is the reference's. Like the reference there are no damping retries: a failed
Cholesky factorisation raises.
"""

import torch


def find_params(x, bits, sym):
    """Per row of x: (scale, zero) as quant.py find_params(perchannel=True), see the notes above."""
    maxq = 2 ** bits - 1
    zeros = torch.zeros(x.shape[0])
    xmin = torch.minimum(x.min(1)[0], zeros)
    xmax = torch.maximum(x.max(1)[0], zeros)
    if sym:
        m = torch.maximum(-xmin, xmax)
        m[m == 0] = 1
        scale = (2 * m / maxq if sym == "full" else m / (2 ** (bits - 1) - 1)).half().float()
        zero = torch.full_like(scale, 2 ** (bits - 1))
    else:
        both = (xmin == 0) & (xmax == 0)
        xmin[both] = -1
        xmax[both] = 1
        scale = ((xmax - xmin) / maxq).half().float()
        zero = torch.clamp(torch.round(-xmin / scale), 0, maxq)
    return scale.unsqueeze(1), zero.unsqueeze(1)


def quantize(x, scale, zero, maxq):
    q = torch.clamp(torch.round(x / scale) + zero, 0, maxq)
    return scale * (q - zero)


def gptq(W, H, bits, sym, groupsize, actorder, static_groups, per_tensor=False, blocksize=128, percdamp=0.01):
    """GPTQ of weight W (rows x columns) with Hessian H (columns x columns); groupsize -1 = one
    group per row. Returns (dequantized Q, loss). W and H are not modified."""
    W = W.clone()
    H = H.clone()
    columns = W.shape[1]
    maxq = 2 ** bits - 1

    def params(x):
        if per_tensor:
            s, z = find_params(x.flatten().unsqueeze(0), bits, sym)
            return s.repeat(x.shape[0], 1), z.repeat(x.shape[0], 1)
        return find_params(x, bits, sym)

    scale, zero = params(W)  # on W before dead columns are zeroed, as the reference
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    if static_groups:
        groups = [params(W[:, i:i + groupsize]) for i in range(0, columns, groupsize)]
    if actorder:
        perm = torch.argsort(torch.diag(H), descending=True, stable=True)
        W = W[:, perm]
        H = H[perm][:, perm]
        invperm = torch.argsort(perm)

    Losses = torch.zeros_like(W)
    Q = torch.zeros_like(W)
    damp = percdamp * torch.mean(torch.diag(H))
    idx = torch.arange(columns)
    H[idx, idx] += damp
    H = torch.linalg.cholesky(H)
    H = torch.cholesky_inverse(H)
    Hinv = torch.linalg.cholesky(H, upper=True)

    for i1 in range(0, columns, blocksize):
        i2 = min(i1 + blocksize, columns)
        count = i2 - i1
        W1 = W[:, i1:i2].clone()
        Q1 = torch.zeros_like(W1)
        Err1 = torch.zeros_like(W1)
        Losses1 = torch.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]
        for i in range(count):
            w = W1[:, i]
            d = Hinv1[i, i]
            if groupsize != -1:
                if not static_groups:
                    if (i1 + i) % groupsize == 0:
                        scale, zero = params(W[:, (i1 + i):(i1 + i + groupsize)])
                else:
                    j = i1 + i
                    if actorder:
                        j = perm[j].item()
                    scale, zero = groups[j // groupsize]
            q = quantize(w.unsqueeze(1), scale, zero, maxq).flatten()
            Q1[:, i] = q
            Losses1[:, i] = (w - q) ** 2 / d ** 2
            err1 = (w - q) / d
            W1[:, i:] -= err1.unsqueeze(1).matmul(Hinv1[i, i:].unsqueeze(0))
            Err1[:, i] = err1
        Q[:, i1:i2] = Q1
        Losses[:, i1:i2] = Losses1 / 2
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])

    if actorder:
        Q = Q[:, invperm]
    return Q, torch.sum(Losses).item()
