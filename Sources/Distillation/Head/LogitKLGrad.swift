#if canImport(Glibc)
import Glibc
#endif
import TensorCore

/// The logit-distillation loss at a model's output and its gradient with respect to the last
/// block's output:
///
///     h (N, d) → n = norm(h) → z = n·Hᵀ (N, V) [→ cap·tanh(z/cap)] → log q = log_softmax(z)
///     L = scale · Σ_rows KL(p ‖ q) = scale · Σ_rows Σ_v p_v (log p_v − log q_v)
///     ∂L/∂z = scale · (q − p)  [· (1 − tanh²) through the cap]  →  ∂L/∂n = ∂L/∂z · H  →  ∂L/∂h
///
/// p, the teacher's distribution, comes from the teacher's *normalized* final hidden states (see
/// `normalize`), so no teacher logits are ever stored: both sides' logits are made `chunkRows`
/// rows at a time (bounding memory to 2 · chunkRows · V scalars).
public final class LogitKLGrad<T: GradScalar> {
    public let d: Int, vocab: Int
    let head: GradBuffer<T>
    let norm: OutputHeadWeights.Norm?
    let normWeight: [T], normBias: [T], normOffset: T, eps: T
    let softCap: T?
    public let chunkRows: Int

    public init(_ weights: OutputHeadWeights, chunkRows: Int = 64) {
        d = weights.hiddenSize; vocab = weights.vocabularySize
        head = GradBuffer(converting: weights.head.pointer, count: vocab * d)
        norm = weights.norm
        switch weights.norm {
        case let .rms(w, offset, e)?: normWeight = w.map { T($0) }; normBias = []; normOffset = T(offset); eps = T(e)
        case let .layer(w, b, e)?: normWeight = w.map { T($0) }; normBias = b.map { T($0) }; normOffset = 0; eps = T(e)
        case nil: normWeight = []; normBias = []; normOffset = 0; eps = 0
        }
        softCap = weights.softCap.map { T($0) }
        self.chunkRows = chunkRows
    }

    /// Buffers of one call over up to `rows` rows.
    public final class Scratch {
        let rows: Int
        let normed, statA, statB, dNormed: GradBuffer<T>
        let teacherLogits, studentLogits: GradBuffer<T>
        init(rows: Int, d: Int, vocab: Int, chunkRows: Int) {
            self.rows = rows
            normed = .init(count: rows * d); dNormed = .init(count: rows * d)
            statA = .init(count: rows); statB = .init(count: rows)
            teacherLogits = .init(count: min(rows, chunkRows) * vocab)
            studentLogits = .init(count: min(rows, chunkRows) * vocab)
        }
    }

    public func makeScratch(rows: Int) -> Scratch { Scratch(rows: rows, d: d, vocab: vocab, chunkRows: chunkRows) }

    /// out (rows, d) = norm(x): the head's input (the teacher side is normalized once, up front).
    public func normalize(_ x: UnsafePointer<T>, rows: Int, into out: UnsafeMutablePointer<T>, scratch s: Scratch) {
        switch norm {
        case .rms?:
            normWeight.withUnsafeBufferPointer { w in
                RMSNormGrad.forward(x, rows: rows, n: d, weight: w.baseAddress!, offset: normOffset, eps: eps, into: out,
                                    inverseRMS: s.statA.pointer)
            }
        case .layer?:
            normWeight.withUnsafeBufferPointer { w in
                normBias.withUnsafeBufferPointer { b in
                    LayerNormGrad.forward(x, rows: rows, n: d, weight: w.baseAddress!, bias: b.baseAddress!, eps: eps, into: out,
                                          mean: s.statA.pointer, inverseStd: s.statB.pointer)
                }
            }
        case nil:
            out.update(from: x, count: rows * d)
        }
    }

    /// L = scale · Σ_rows KL(p_teacher ‖ q_student) over the student's last-block output x (rows, d)
    /// and the teacher's normalized final states `teacher` (rows, d); with `dx`, ∂L/∂x (rows, d).
    @_specialize(where T == Float)
    public func loss(student x: UnsafePointer<T>, teacher: UnsafePointer<T>, rows: Int, scale: T,
                     scratch s: Scratch, dx: UnsafeMutablePointer<T>?) -> Double {
        precondition(rows <= s.rows)
        normalize(x, rows: rows, into: s.normed.pointer, scratch: s)
        var total = 0.0
        var row = 0
        while row < rows {
            let count = min(chunkRows, rows - row)
            let zt = s.teacherLogits.pointer, zs = s.studentLogits.pointer
            // z (count, V) = n (count, d) · Hᵀ
            LinearGrad.forward(teacher + row * d, rows: count, weight: head.pointer, bias: nil, inFeatures: d, outFeatures: vocab, into: zt)
            LinearGrad.forward(s.normed.pointer + row * d, rows: count, weight: head.pointer, bias: nil, inFeatures: d,
                               outFeatures: vocab, into: zs)
            let kls = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
            Parallel.forEach(count) { r in
                kls[r] = self.rowKL(teacher: zt + r * self.vocab, student: zs + r * self.vocab, scale: scale, gradient: dx != nil)
            }
            total += kls.reduce(0, +)
            kls.deallocate()
            if dx != nil {
                // ∂L/∂n (count, d) = ∂L/∂z (count, V) · H (V, d)
                LinearGrad.inputGradient(zs, rows: count, weight: head.pointer, inFeatures: d, outFeatures: vocab,
                                         into: s.dNormed.pointer + row * d)
            }
            row += count
        }
        guard let dx else { return total * Double(scale) }
        switch norm {
        case .rms?:
            normWeight.withUnsafeBufferPointer { w in
                RMSNormGrad.backward(s.dNormed.pointer, x: x, inverseRMS: s.statA.pointer, rows: rows, n: d,
                                     weight: w.baseAddress!, offset: normOffset, into: dx, accumulate: false)
            }
        case .layer?:
            normWeight.withUnsafeBufferPointer { w in
                LayerNormGrad.backward(s.dNormed.pointer, x: x, mean: s.statA.pointer, inverseStd: s.statB.pointer, rows: rows,
                                       n: d, weight: w.baseAddress!, into: dx, accumulate: false)
            }
        case nil:
            dx.update(from: s.dNormed.pointer, count: rows * d)
        }
        return total * Double(scale)
    }

    /// KL(p ‖ q) of one row from raw logits (teacher `zt`, student `zs`, V each); with `gradient`,
    /// `zs` is overwritten by scale · ∂KL/∂zs (through the soft-cap when there is one).
    private func rowKL(teacher zt: UnsafeMutablePointer<T>, student zs: UnsafeMutablePointer<T>, scale: T,
                       gradient: Bool) -> Double {
        if let cap = softCap {
            for v in 0..<vocab {
                zt[v] = cap * T.tanh(zt[v] / cap)
                zs[v] = cap * T.tanh(zs[v] / cap)
            }
        }
        // log-sum-exp of both rows; p and q are formed in place of the logits afterwards.
        var maxT = zt[0], maxS = zs[0]
        for v in 1..<vocab { maxT = max(maxT, zt[v]); maxS = max(maxS, zs[v]) }
        var sumT: T = 0, sumS: T = 0
        for v in 0..<vocab { sumT += T.exp(zt[v] - maxT); sumS += T.exp(zs[v] - maxS) }
        let lseT = maxT + T(log(Double(sumT))), lseS = maxS + T(log(Double(sumS)))
        var kl = 0.0
        for v in 0..<vocab {
            let logP = zt[v] - lseT, logQ = zs[v] - lseS
            let p = T.exp(logP)
            kl += Double(p) * Double(logP - logQ)
            if gradient {
                var g = scale * (T.exp(logQ) - p)
                if let cap = softCap {
                    let t = zs[v] / cap     // zs holds the capped value: tanh(z/cap) = capped / cap
                    g *= 1 - t * t
                }
                zs[v] = g
            }
        }
        return kl
    }
}
