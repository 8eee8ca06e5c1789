import Foundation

/// Coordinates as SVG writes them: at most two decimals, no trailing zeros, never `-0`.
enum SVGNumber {
    /// `12.5`, `3`, `0.25`.
    static func format(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let rounded = (v * 100).rounded() / 100
        if rounded == 0 { return "0" }
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var s = String(format: "%.2f", rounded)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
