/// The scale and zero-point of one parameter group. A code q ∈ [0, 2^b − 1] stands for the value
/// scale · (q − zero).
public struct GroupParameters: Hashable, Sendable {
    public var scale: Float
    public var zero: Float

    public init(scale: Float, zero: Float) {
        self.scale = scale
        self.zero = zero
    }
}

/// The integer grid of a weight scheme and the formulas that map ranges to parameters and values to
/// codes. Codes are always stored unsigned, q ∈ [0, maxq] with maxq = 2^b − 1, and decode to
/// scale · (q − zero).
///
/// Range: every group's range includes 0, as in GPTQ's quantizer: lo = min(min w, 0),
/// hi = max(max w, 0). So 0 is always (up to the zero-point rounding of the asymmetric grid) a
/// grid point, and an all-equal group [c, c] quantizes over [min(c,0), max(c,0)].
///
/// - Asymmetric: scale = (hi − lo) / (2^b − 1), zero = round(−lo / scale) ∈ [0, maxq].
/// - Symmetric: zero = 2^(b−1) (not stored), signed values q − zero ∈ [−2^(b−1), 2^(b−1) − 1], and
///   m = max(|lo|, hi): `full` grid (default, the GPTQ reference's) scale = 2m / (2^b − 1);
///   `narrow` grid scale = m / (2^(b−1) − 1) (see `SymmetricGrid`). The reference's one quirk is
///   not copied: for a group with no negative value it keeps lo = 0 and so halves the usable range;
///   here such a group gets the same symmetric range as any other.
/// - All-zero group (hi = lo = 0): the range is taken as [−1, 1], as in the reference, so the
///   scale is never 0; zeros still decode exactly to 0.
/// - The scale is rounded to the storage precision (f16 by default) before use; a scale that
///   would round to 0 or overflow is clamped to the smallest / largest positive f16.
///
/// q = clamp(round(w / scale) + zero, 0, maxq), rounding half to even (as torch.round).
public struct QuantGrid: Hashable, Sendable {
    public let bits: Int
    public let symmetric: Bool
    public let storage: ParameterStorage
    /// The symmetric grid's levels (unused when asymmetric).
    public let symmetricGrid: SymmetricGrid
    /// 2^b − 1, the largest code.
    public let maxq: Float

    /// `symmetricGrid` defaults to `narrow` here, the grid of activations and LoRC factors; weight
    /// schemes name theirs (`init(_:)`).
    public init(bits: Int, symmetric: Bool, storage: ParameterStorage = .f16, symmetricGrid: SymmetricGrid = .narrow) {
        self.bits = bits
        self.symmetric = symmetric
        self.storage = storage
        self.symmetricGrid = symmetricGrid
        maxq = Float((1 << bits) - 1)
    }

    public init(_ scheme: WeightScheme) {
        self.init(bits: scheme.bits, symmetric: scheme.symmetric, storage: scheme.storage, symmetricGrid: scheme.symmetricGrid)
    }

    /// The fixed zero-point of the symmetric grid, 2^(b−1).
    public var symmetricZero: Float { Float(1 << (bits - 1)) }

    /// Parameters for a group whose values lie in [min, max], optionally shrunk by `shrink` ∈ (0, 1]
    /// (the clipping search scales lo and hi by it).
    @inline(__always)
    public func parameters(min: Float, max: Float, shrink: Float = 1) -> GroupParameters {
        var lo = Swift.min(min, 0), hi = Swift.max(max, 0)
        if symmetric {
            var m = Swift.max(-lo, hi)
            if m == 0 { m = 1 }
            let scale = storedScale(shrink * symmetricGrid.scale(maxAbs: m, bits: bits))
            return GroupParameters(scale: scale, zero: symmetricZero)
        }
        if lo == 0 && hi == 0 { lo = -1; hi = 1 }
        lo *= shrink; hi *= shrink
        let scale = storedScale((hi - lo) / maxq)
        let zero = Swift.min(Swift.max((-lo / scale).rounded(.toNearestOrEven), 0), maxq)
        return GroupParameters(scale: scale, zero: zero)
    }

    /// Parameters from the min and max of `count` values at `values`.
    @inline(__always)
    public func parameters(of values: UnsafePointer<Float>, count: Int) -> GroupParameters {
        let (lo, hi) = QuantKernels.minMax(values, count)
        return parameters(min: lo, max: hi)
    }

    @inline(__always)
    private func storedScale(_ s: Float) -> Float {
        let r = storage.round(s)
        if r > 0 && r.isFinite { return r }
        if storage == .f16 {
            return r > 0 ? Float(Float16.greatestFiniteMagnitude) : Float(Float16.leastNonzeroMagnitude)
        }
        return r > 0 ? Float.greatestFiniteMagnitude : Float.leastNonzeroMagnitude
    }

    /// The code of `w`: clamp(round(w / scale) + zero, 0, maxq).
    @inline(__always)
    public func code(_ w: Float, _ p: GroupParameters) -> Float {
        Swift.min(Swift.max((w / p.scale).rounded(.toNearestOrEven) + p.zero, 0), maxq)
    }

    /// The value a code stands for: scale · (q − zero).
    @inline(__always)
    public func value(_ q: Float, _ p: GroupParameters) -> Float { p.scale * (q - p.zero) }

    /// Quantize then dequantize one value.
    @inline(__always)
    public func fakeQuantize(_ w: Float, _ p: GroupParameters) -> Float { value(code(w, p), p) }
}
