import Foundation
import Study

/// Mean perplexity (log scale) against effective bits, one series per method label, the base as a
/// dashed line, Pareto-frontier points ringed and joined, grid-aligned points marked †.
enum QualityBitsChart {
    static let width = 800.0, height = 480.0
    static let left = 70.0, right = 200.0, top = 44.0, bottom = 56.0

    /// The chart for one model, or nil when no quantized row has a perplexity.
    static func render(_ model: ModelAnalysis) -> String? {
        let points = model.rows.filter { !$0.record.isBase && $0.record.meanPerplexity?.isFinite == true }
        guard !points.isEmpty else { return nil }
        let basePPL = model.basePerplexity
        let bits = points.map(\.record.effectiveBits)
        let ppls = points.compactMap(\.record.meanPerplexity) + (basePPL.map { [$0] } ?? [])
        // Half-integer bounds with room for markers; log y with ~10% headroom so edge markers are not clipped.
        let x = AxisScale(lower: floor(((bits.min() ?? 0) - 0.2) * 2) / 2, upper: ceil(((bits.max() ?? 1) + 0.2) * 2) / 2,
                          pixelLower: left, pixelUpper: width - right, logarithmic: false)
        let y = AxisScale(lower: (ppls.min() ?? 1) / 1.12, upper: (ppls.max() ?? 10) * 1.25,
                          pixelLower: height - bottom, pixelUpper: top, logarithmic: true)
        let title = "\(model.model): mean perplexity vs effective bits"
        var c = SVGCanvas(width: width, height: height)
        c.text(title, width / 2, 24, size: 16, anchor: "middle", weight: "bold")
        ChartAxes.draw(on: &c, x: x, y: y, xTitle: "effective bits per weight", yTitle: "mean perplexity (log scale)")

        if let basePPL {
            let py = y.pixel(basePPL)
            c.line(left, py, width - right, py, stroke: "#444444", width: 1.2, dash: "6 4")
            // Label at the left end, where the cheapest (worst) rows rarely sit near the base line.
            c.text("base \(NumberFormatting.perplexity(basePPL))", left + 6, py - 5, size: 11, fill: "#444444")
        }

        let frontier = points.filter(\.onBitsFrontier).sorted { $0.record.effectiveBits < $1.record.effectiveBits }
        if frontier.count > 1 {
            c.path(frontier.map { (x.pixel($0.record.effectiveBits), y.pixel($0.record.meanPerplexity ?? 1)) },
                   closed: false, fill: "none", stroke: "#999999", width: 1, dash: "2 3")
        }

        let labels = Array(Set(points.map(\.record.methodLabel))).sorted()
        for (i, label) in labels.enumerated() {
            for p in points where p.record.methodLabel == label {
                let px = x.pixel(p.record.effectiveBits), py = y.pixel(p.record.meanPerplexity ?? 1)
                if p.onBitsFrontier { c.circle(px, py, r: 8.5, fill: "none", stroke: "#000000", strokeWidth: 1.3) }
                let tip = "\(p.recipe): \(NumberFormatting.bits(p.record.effectiveBits)) bits, PPL \(NumberFormatting.perplexity(p.record.meanPerplexity))"
                ChartPalette.draw(ChartPalette.marker(i), on: &c, x: px, y: py, size: 5, color: ChartPalette.color(i), title: tip)
                if p.record.gridAligned { c.text("†", px + 7, py - 6, size: 13, fill: "#b35900", weight: "bold") }
            }
        }

        var legend = ChartLegend(x: width - right + 16, y: top + 4)
        legend.title("method", on: &c)
        for (i, label) in labels.enumerated() {
            legend.marker(ChartPalette.marker(i), color: ChartPalette.color(i), label: label, on: &c)
        }
        legend.gap()
        legend.ring(label: "Pareto frontier", on: &c)
        if basePPL != nil { legend.dashed(label: "base (as stored)", on: &c) }
        if points.contains(where: \.record.gridAligned) { legend.symbol("†", color: "#b35900", label: "grid-aligned (optimistic)", on: &c) }
        return c.render(title: title)
    }
}
