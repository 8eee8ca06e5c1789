import Foundation

/// Maps data values to pixels, linearly or on a log10 axis, and proposes tick values.
struct AxisScale {
    let lower: Double
    let upper: Double
    let pixelLower: Double
    let pixelUpper: Double
    let logarithmic: Bool

    /// `lower`/`upper` must be positive when `logarithmic`; equal bounds are widened.
    init(lower: Double, upper: Double, pixelLower: Double, pixelUpper: Double, logarithmic: Bool) {
        var lo = lower, hi = upper
        if logarithmic {
            lo = max(lo, 1e-12)
            hi = max(hi, lo)
            if hi <= lo * 1.0001 { lo /= 1.5; hi *= 1.5 }
        } else if hi <= lo {
            lo -= 0.5; hi += 0.5
        }
        self.lower = lo
        self.upper = hi
        self.pixelLower = pixelLower
        self.pixelUpper = pixelUpper
        self.logarithmic = logarithmic
    }

    private func t(_ v: Double) -> Double { logarithmic ? log10(max(v, 1e-12)) : v }

    /// The pixel coordinate of a data value (clamped to the axis).
    func pixel(_ v: Double) -> Double {
        let f = (t(v) - t(lower)) / (t(upper) - t(lower))
        return pixelLower + min(max(f, 0), 1) * (pixelUpper - pixelLower)
    }

    /// Tick values inside the domain: 1-2-5 steps (linear) or 1-2-5 per decade (log), thinned to ~`target`.
    func ticks(target: Int = 6) -> [Double] {
        logarithmic ? logTicks(target: target) : Self.linearTicks(lower: lower, upper: upper, target: target)
    }

    static func linearTicks(lower: Double, upper: Double, target: Int) -> [Double] {
        let span = upper - lower
        guard span > 0, target > 0 else { return [lower] }
        let raw = span / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var v = ceil(lower / step - 1e-9) * step
        var out: [Double] = []
        while v <= upper + step * 1e-9 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }

    private func logTicks(target: Int) -> [Double] {
        let k0 = Int(floor(log10(lower))), k1 = Int(ceil(log10(upper)))
        for mantissas in [[1.0], [1.0, 3], [1.0, 2, 5], [1.0, 1.5, 2, 3, 5, 7]] {
            var ticks: [Double] = []
            for k in k0...k1 {
                let decade: Double = pow(10, Double(k))
                for m in mantissas {
                    let t: Double = m * decade
                    if t >= lower * 0.9999 && t <= upper * 1.0001 { ticks.append(t) }
                }
            }
            if ticks.count >= 3 || mantissas.count == 6 {
                if ticks.count > target * 2, mantissas.count > 1 { continue }
                return ticks.count >= 2 ? ticks : Self.linearTicks(lower: lower, upper: upper, target: 4).filter { $0 > 0 }
            }
        }
        return [lower, upper]
    }

    /// A tick label: integers without decimals, small values with up to three significant digits.
    static func label(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e7 { return String(Int(v)) }
        if abs(v) >= 10 { return String(format: "%.1f", v) }
        var s = String(format: "%.3g", v)
        if s.contains("e") { s = String(format: "%.4f", v) }
        return s
    }
}
