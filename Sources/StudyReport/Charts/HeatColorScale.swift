import Foundation

/// Colour of a ΔPPL on a log scale from green (≈ no loss) through yellow to dark red.
struct HeatColorScale {
    /// ΔPPL at or below which the colour is the first stop, and at or above which it is the last.
    let lower: Double
    let upper: Double

    static let stops: [(Double, (Double, Double, Double))] = [
        (0.0, (26, 152, 80)), (0.35, (166, 217, 106)), (0.55, (254, 224, 139)),
        (0.8, (244, 109, 67)), (1.0, (103, 0, 31)),
    ]

    /// A scale spanning `maxDelta` (at least one decade above 0.01).
    init(maxDelta: Double) {
        lower = 0.01
        let top = max(maxDelta, 1)
        upper = pow(10, ceil(log10(top)))
    }

    /// Position of a value on the scale, 0…1.
    func fraction(_ delta: Double) -> Double {
        let v = min(max(delta, lower), upper)
        return (log10(v) - log10(lower)) / (log10(upper) - log10(lower))
    }

    /// `#rrggbb` for a ΔPPL.
    func color(_ delta: Double) -> String { Self.color(atFraction: fraction(delta)) }

    static func color(atFraction f: Double) -> String {
        let stops = Self.stops
        var k = 0
        while k < stops.count - 2 && f > stops[k + 1].0 { k += 1 }
        let (f0, c0) = stops[k], (f1, c1) = stops[k + 1]
        let u = min(max((f - f0) / (f1 - f0), 0), 1)
        func mix(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * u).rounded()) }
        return String(format: "#%02x%02x%02x", mix(c0.0, c1.0), mix(c0.1, c1.1), mix(c0.2, c1.2))
    }

    /// Dark text on light cells, white on dark ones.
    static func textColor(onFraction f: Double) -> String { (f < 0.25 || f > 0.75) ? "#ffffff" : "#111111" }
}
