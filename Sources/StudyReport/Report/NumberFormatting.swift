import Foundation

/// How the report prints numbers (POSIX decimal point, fixed precision so output is deterministic).
enum NumberFormatting {
    /// Perplexity: three decimals.
    static func perplexity(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
    /// Signed ΔPPL with three decimals: `+8.104`.
    static func delta(_ v: Double?) -> String { v.map { String(format: "%+.3f", $0) } ?? "–" }
    /// Relative ΔPPL as a signed percentage: `+29.8%`.
    static func relative(_ v: Double?) -> String { v.map { String(format: "%+.1f%%", $0 * 100) } ?? "–" }
    /// Effective bits: three decimals.
    static func bits(_ v: Double) -> String { String(format: "%.3f", v) }
    /// Bytes as MiB: one decimal, three below 1 MiB (tiny models).
    static func mebibytes(_ bytes: Int) -> String {
        let mib = Double(bytes) / 1_048_576
        return String(format: mib < 1 ? "%.3f" : "%.1f", mib)
    }
    /// KL divergence: four decimals.
    static func kl(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "–" }
    /// A fraction as a percentage with one decimal: `55.1%`.
    static func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
    /// Zero-shot score: three decimals.
    static func score(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
    /// Signed zero-shot difference: `-0.012`.
    static func signedScore(_ v: Double?) -> String { v.map { String(format: "%+.3f", $0) } ?? "–" }
    /// A paired difference with its interval: `+0.0123 [+0.0100, +0.0146]`.
    static func interval(_ d: PairedDifference, digits: Int) -> String {
        let f = "%+.\(digits)f"
        return String(format: f, d.mean) + " [" + String(format: f, d.low) + ", " + String(format: f, d.high) + "]"
    }
    /// A parameter count: `134.5M`, `1.54B`.
    static func count(_ n: Int) -> String {
        n >= 1_000_000_000 ? String(format: "%.2fB", Double(n) / 1e9) : String(format: "%.1fM", Double(n) / 1e6)
    }
    /// A budget: `3`, `4.5`.
    static func budget(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.2f", v) }
    /// A compact ΔPPL for heat-map cells: `+0.02`, `+8.1`, `+574`.
    static func compactDelta(_ v: Double) -> String {
        let a = abs(v)
        if a < 10 { return String(format: "%+.2f", v) }
        if a < 100 { return String(format: "%+.1f", v) }
        return String(format: "%+.0f", v)
    }
}
