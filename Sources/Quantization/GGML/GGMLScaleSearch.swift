/// ggml's scale searches (ggml-quants.c `make_qx_quants`, `make_q3_quants`, `make_qkx2_quants`,
/// `make_qkx3_quants`, `make_qp_quants`), written again in Swift with the same operations in the
/// same order (float sums left to right, products grouped as in C: `w*x*l` is `(w·x)·l`), so the
/// chosen scales, minima and levels are bit-identical. `n` values at `x`; levels go to `levels`.
///
/// - `symmetricScale` (make_qx_quants): levels l ∈ [−nmax, nmax−1] stored as l + nmax, value
///   scale·l; tries iscale = −(nmax + 0.1·is)/max for is ∈ −9…9 and keeps the least weighted
///   squared error (weights `weights`, or x² for rmseType 1 without weights).
/// - `q3Scale` (make_q3_quants): same grid, coordinate-descent refinement weighted by x².
/// - `affineScale` (make_qkx2/qkx3_quants): levels l ∈ [0, nmax], value scale·l − min (min ≥ 0
///   returned as `theMin`), a grid search over nstep + 1 candidate scales with a least-squares
///   fit of (scale, min) for each.
/// - `positiveScale` (make_qp_quants): non-negative values (sub-block scales or mins) on
///   levels [0, nmax], for the 6-bit / 4-bit scales of a K-quant super-block.
enum GGMLScaleSearch {
    typealias Rounding = GGMLRounding

    /// The first value of largest magnitude (sign kept), or nil — with every level set to 0 —
    /// when the group counts as all zero (ggml's GROUP_MAX_EPS).
    private static func signedMaxOrZero(_ n: Int, _ x: UnsafePointer<Float>, _ levels: UnsafeMutablePointer<Int8>) -> Float? {
        var max: Float = 0, amax: Float = 0
        for i in 0..<n {
            let ax = abs(x[i])
            if ax > amax { amax = ax; max = x[i] }
        }
        if amax < Rounding.groupMaxEpsilon {
            for i in 0..<n { levels[i] = 0 }
            return nil
        }
        return max
    }

    static func symmetricScale(_ n: Int, _ nmax: Int, _ x: UnsafePointer<Float>, _ levels: UnsafeMutablePointer<Int8>,
                               rmseType: Int, weights qw: UnsafePointer<Float>?) -> Float {
        guard let max = signedMaxOrZero(n, x, levels) else { return 0 }
        let nm = Int32(nmax)
        @inline(__always) func clamp(_ l: Int32) -> Int32 { Swift.max(-nm, Swift.min(nm - 1, l)) }
        var iscale = Float(-nmax) / max
        if rmseType == 0 {
            for i in 0..<n { levels[i] = Int8(nm + clamp(Rounding.nearestInt(iscale * x[i]))) }
            return 1 / iscale
        }
        var rmse = rmseType, returnEarly = false
        if rmse < 0 { rmse = -rmse; returnEarly = true }
        @inline(__always) func weight(_ i: Int) -> Float {
            if let qw { return qw[i] }
            switch rmse {
            case 1: return x[i] * x[i]
            case 2: return 1
            case 3: return abs(x[i])
            default: return abs(x[i]).squareRoot()
            }
        }
        var sumlx: Float = 0, suml2: Float = 0
        for i in 0..<n {
            let l = clamp(Rounding.nearestInt(iscale * x[i]))
            levels[i] = Int8(l + nm)
            let w = weight(i), fl = Float(l)
            sumlx += w * x[i] * fl
            suml2 += w * fl * fl
        }
        var scale: Float = suml2 != 0 ? sumlx / suml2 : 0
        if returnEarly { return suml2 > 0 ? 0.5 * (scale + 1 / iscale) : 1 / iscale }
        var best = scale * sumlx
        for step in -9...9 where step != 0 {
            iscale = -(Float(nmax) + 0.1 * Float(step)) / max
            sumlx = 0; suml2 = 0
            for i in 0..<n {
                let l = clamp(Rounding.nearestInt(iscale * x[i]))
                let w = weight(i), fl = Float(l)
                sumlx += w * x[i] * fl
                suml2 += w * fl * fl
            }
            if suml2 > 0 && sumlx * sumlx > best * suml2 {
                for i in 0..<n { levels[i] = Int8(nm + clamp(Rounding.nearestInt(iscale * x[i]))) }
                scale = sumlx / suml2
                best = scale * sumlx
            }
        }
        return scale
    }

    static func q3Scale(_ n: Int, _ nmax: Int, _ x: UnsafePointer<Float>, _ levels: UnsafeMutablePointer<Int8>, rmse: Bool) -> Float {
        guard let max = signedMaxOrZero(n, x, levels) else { return 0 }
        let nm = Int32(nmax)
        @inline(__always) func clamp(_ l: Int32) -> Int32 { Swift.max(-nm, Swift.min(nm - 1, l)) }
        let iscale = Float(-nmax) / max
        guard rmse else {
            for i in 0..<n { levels[i] = Int8(clamp(Rounding.nearestInt(iscale * x[i])) + nm) }
            return 1 / iscale
        }
        var sumlx: Float = 0, suml2: Float = 0
        for i in 0..<n {
            let l = clamp(Rounding.nearestInt(iscale * x[i]))
            levels[i] = Int8(l)
            let w = x[i] * x[i], fl = Float(l)
            sumlx += w * x[i] * fl
            suml2 += w * fl * fl
        }
        for _ in 0..<5 {
            var changed = 0
            for i in 0..<n {
                let w = x[i] * x[i], li = Float(levels[i])
                var slx = sumlx - w * x[i] * li
                if slx > 0 {
                    var sl2 = suml2 - w * li * li
                    let newL = clamp(Rounding.nearestInt(x[i] * sl2 / slx))
                    if newL != Int32(levels[i]) {
                        let fl = Float(newL)
                        slx += w * x[i] * fl
                        sl2 += w * fl * fl
                        if sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2 {
                            levels[i] = Int8(newL); sumlx = slx; suml2 = sl2
                            changed += 1
                        }
                    }
                }
            }
            if changed == 0 { break }
        }
        for i in 0..<n { levels[i] = Int8(Int32(levels[i]) + nm) }
        return suml2 > 0 ? sumlx / suml2 : 0
    }

    /// make_qkx2_quants (`weights` given, `requireDistinct` false: `max == min` stops) and
    /// make_qkx3_quants (`weights` nil means x², and `max <= min` stops): ggml's two variants.
    static func affineScale(_ n: Int, _ nmax: Int, _ x: UnsafePointer<Float>, weights: UnsafePointer<Float>?,
                            _ levels: UnsafeMutablePointer<UInt8>, theMin: inout Float, _ aux: UnsafeMutablePointer<UInt8>,
                            rmin: Float, rdelta: Float, nstep: Int, useMAD: Bool, variant3: Bool) -> Float {
        @inline(__always) func weight(_ i: Int) -> Float { weights.map { $0[i] } ?? x[i] * x[i] }
        var min = x[0], max = x[0]
        var sumW = weight(0)
        var sumX = sumW * x[0]
        for i in 1..<n {
            if x[i] < min { min = x[i] }
            if x[i] > max { max = x[i] }
            let w = weight(i)
            sumW += w
            sumX += w * x[i]
        }
        if min > 0 { min = 0 }
        if variant3 ? max <= min : max == min {
            for i in 0..<n { levels[i] = 0 }
            theMin = -min
            return 0
        }
        let top = Int32(nmax)
        @inline(__always) func clamp(_ l: Int32) -> Int32 { Swift.max(0, Swift.min(top, l)) }
        @inline(__always) func distance(_ d: Float) -> Float { useMAD ? abs(d) : d * d }
        var iscale = Float(nmax) / (max - min)
        var scale = 1 / iscale
        var bestError: Float = 0
        for i in 0..<n {
            let l = clamp(Rounding.nearestInt(iscale * (x[i] - min)))
            levels[i] = UInt8(l)
            let diff = scale * Float(l) + min - x[i]
            bestError += weight(i) * distance(diff)
        }
        if nstep < 1 {
            theMin = -min
            return scale
        }
        for step in 0...nstep {
            iscale = (rmin + rdelta * Float(step) + Float(nmax)) / (max - min)
            var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
            for i in 0..<n {
                let l = clamp(Rounding.nearestInt(iscale * (x[i] - min)))
                aux[i] = UInt8(l)
                let w = weight(i), fl = Float(l)
                sumL += w * fl
                sumL2 += w * fl * fl
                sumXL += w * fl * x[i]
            }
            let det = sumW * sumL2 - sumL * sumL
            if det > 0 {
                var thisScale = (sumW * sumXL - sumX * sumL) / det
                var thisMin = (sumL2 * sumX - sumL * sumXL) / det
                if thisMin > 0 {
                    thisMin = 0
                    thisScale = sumXL / sumL2
                }
                var error: Float = 0
                for i in 0..<n {
                    let diff = thisScale * Float(aux[i]) + thisMin - x[i]
                    error += weight(i) * distance(diff)
                }
                if error < bestError {
                    for i in 0..<n { levels[i] = aux[i] }
                    bestError = error
                    scale = thisScale
                    min = thisMin
                }
            }
        }
        theMin = -min
        return scale
    }

    static func positiveScale(_ n: Int, _ nmax: Int, _ x: UnsafePointer<Float>, _ levels: UnsafeMutablePointer<UInt8>,
                              weights qw: UnsafePointer<Float>) -> Float {
        var max: Float = 0
        for i in 0..<n { max = Swift.max(max, x[i]) }
        if max < Rounding.groupMaxEpsilon {
            for i in 0..<n { levels[i] = 0 }
            return 0
        }
        let top = Int32(nmax)
        var iscale = Float(nmax) / max
        for i in 0..<n { levels[i] = UInt8(truncatingIfNeeded: Rounding.nearestInt(iscale * x[i])) }
        let scale = 1 / iscale
        var bestMSE: Float = 0
        for i in 0..<n {
            let diff = x[i] - scale * Float(levels[i])
            bestMSE += qw[i] * diff * diff
        }
        for step in -4...4 where step != 0 {
            let iscaleStep = (0.1 * Float(step) + Float(nmax)) / max
            let scaleStep = 1 / iscaleStep
            var mse: Float = 0
            for i in 0..<n {
                let l = Swift.min(top, Rounding.nearestInt(iscaleStep * x[i]))
                let diff = x[i] - scaleStep * Float(l)
                mse += qw[i] * diff * diff
            }
            if mse < bestMSE {
                bestMSE = mse
                iscale = iscaleStep
            }
        }
        var sumlx: Float = 0, suml2: Float = 0
        for i in 0..<n {
            let l = Swift.min(top, Rounding.nearestInt(iscale * x[i]))
            levels[i] = UInt8(truncatingIfNeeded: l)
            let w = qw[i], fl = Float(l)
            sumlx += w * x[i] * fl
            suml2 += w * fl * fl
        }
        for _ in 0..<5 {
            var changed = 0
            for i in 0..<n {
                let w = qw[i], li = Float(levels[i])
                var slx = sumlx - w * x[i] * li
                var sl2 = suml2 - w * li * li
                if slx > 0 && sl2 > 0 {
                    let newL = Swift.min(top, Rounding.nearestInt(x[i] * sl2 / slx))
                    if newL != Int32(levels[i]) {
                        let fl = Float(newL)
                        slx += w * x[i] * fl
                        sl2 += w * fl * fl
                        if slx * slx * suml2 > sumlx * sumlx * sl2 {
                            levels[i] = UInt8(truncatingIfNeeded: newL); sumlx = slx; suml2 = sl2
                            changed += 1
                        }
                    }
                }
            }
            if changed == 0 { break }
        }
        return suml2 > 0 ? sumlx / suml2 : 0
    }
}
