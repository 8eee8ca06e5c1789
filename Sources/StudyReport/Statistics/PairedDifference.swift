import Foundation

/// The mean of paired differences (a − b, unit by unit: the same windows or documents on both
/// sides) with a two-sided 95% Student-t interval: mean ± t(0.975, n−1) · sd / √n.
public struct PairedDifference: Sendable, Equatable, Codable {
    /// Mean difference, and the interval's ends.
    public let mean: Double
    public let low: Double
    public let high: Double
    /// Paired units (windows, documents, or pairs when pooling across models).
    public let count: Int

    /// nil with fewer than two units, different lengths, or a non-finite value.
    public init?(_ a: [Double], minus b: [Double]) {
        guard a.count == b.count else { return nil }
        self.init(differences: zip(a, b).map { $0 - $1 })
    }

    /// From the differences themselves; nil with fewer than two or a non-finite one.
    public init?(differences d: [Double]) {
        let n = d.count
        guard n >= 2, d.allSatisfy(\.isFinite) else { return nil }
        let mean = d.reduce(0, +) / Double(n)
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let half = StudentT.quantile(0.975, df: n - 1) * (variance / Double(n)).squareRoot()
        self.mean = mean
        low = mean - half
        high = mean + half
        count = n
    }

    /// The interval lies below zero: a is measurably lower than b.
    public var isNegative: Bool { high < 0 }
    /// The interval lies above zero: a is measurably higher than b.
    public var isPositive: Bool { low > 0 }
    /// Zero lies inside the interval: no measurable difference.
    public var includesZero: Bool { !isNegative && !isPositive }

    enum CodingKeys: String, CodingKey { case mean, low, high, count }
}
