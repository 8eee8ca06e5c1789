import Foundation

/// A ΔPPL heat map: weight bits × granularity, log colour scale with a legend, values in the cells.
enum DeltaHeatMap {
    static let width = 800.0
    static let left = 90.0, top = 76.0, legendWidth = 150.0, rowHeight = 46.0, bottom = 40.0

    /// Renders one grid; `id` must be unique in the page (it names the legend gradient).
    static func render(_ grid: HeatMapGrid, model: String, id: String) -> String {
        let cellWidth = min(110, (width - left - legendWidth) / Double(max(grid.columns.count, 1)))
        let height = top + rowHeight * Double(grid.weightBits.count) + bottom + 20
        let maxDelta = grid.cells.values.compactMap(\.deltaPerplexity).max() ?? 1
        let scale = HeatColorScale(maxDelta: maxDelta)
        let title = "\(model): ΔPPL heat map, \(grid.label)"
        var c = SVGCanvas(width: width, height: max(height, 250))
        c.text(title, width / 2, 24, size: 16, anchor: "middle", weight: "bold")
        c.text("granularity", left + cellWidth * Double(grid.columns.count) / 2, top - 30, size: 12, anchor: "middle")
        c.text("weight bits", 24, top + rowHeight * Double(grid.weightBits.count) / 2, size: 12, anchor: "middle", rotate: -90)

        for (j, column) in grid.columns.enumerated() {
            c.text(column, left + cellWidth * (Double(j) + 0.5), top - 8, size: 11, anchor: "middle")
        }
        for (i, bits) in grid.weightBits.enumerated() {
            let y = top + rowHeight * Double(i)
            c.text("w\(bits)", left - 10, y + rowHeight / 2 + 4, size: 12, anchor: "end")
            for (j, column) in grid.columns.enumerated() {
                let x = left + cellWidth * Double(j)
                guard let row = grid.cells[HeatMapGrid.Key(bits: bits, column: column)], let delta = row.deltaPerplexity else {
                    c.rect(x, y, cellWidth, rowHeight, fill: "#f2f2f2", stroke: "#ffffff", cssClass: "cell empty",
                           title: "w\(bits) \(column): not run")
                    c.text("–", x + cellWidth / 2, y + rowHeight / 2 + 4, size: 11, anchor: "middle", fill: "#999999")
                    continue
                }
                let f = scale.fraction(delta)
                let tip = "\(row.recipe): ΔPPL \(NumberFormatting.delta(delta)) (\(NumberFormatting.relative(row.relativeDeltaPerplexity)))"
                c.rect(x, y, cellWidth, rowHeight, fill: HeatColorScale.color(atFraction: f), stroke: "#ffffff",
                       cssClass: "cell", title: tip)
                let mark = row.record.gridAligned ? " †" : ""
                c.text(NumberFormatting.compactDelta(delta) + mark, x + cellWidth / 2, y + rowHeight / 2 + 4, size: 12,
                       anchor: "middle", fill: HeatColorScale.textColor(onFraction: f), weight: "bold")
            }
        }
        drawLegend(on: &c, scale: scale, id: id, x: left + cellWidth * Double(grid.columns.count) + 40,
                   top: top, height: max(rowHeight * Double(grid.weightBits.count), 140))
        if grid.cells.values.contains(where: \.record.gridAligned) {
            c.text("† grid-aligned (optimistic)", left, top + rowHeight * Double(grid.weightBits.count) + 22, size: 11, fill: "#b35900")
        }
        return c.render(title: title)
    }

    /// A vertical gradient bar, worst at the top, with decade ticks and the class thresholds.
    private static func drawLegend(on c: inout SVGCanvas, scale: HeatColorScale, id: String, x: Double, top: Double,
                                   height: Double) {
        let gradientID = "heat-\(id)"
        let stops = stride(from: 0, through: 10, by: 1).map { k -> (offset: Double, color: String) in
            let f = 1 - Double(k) / 10
            return (Double(k) / 10, HeatColorScale.color(atFraction: f))
        }
        c.verticalGradient(id: gradientID, stops: stops)
        c.text("ΔPPL (log)", x, top - 8, size: 11, weight: "bold")
        c.rect(x, top, 16, height, fill: "url(#\(gradientID))", stroke: "#666666")
        var ticks: [(Double, String)] = []
        var v = scale.lower
        while v <= scale.upper * 1.0001 {
            ticks.append((v, AxisScale.label(v)))
            v *= 10
        }
        // The class limits are labelled; decade labels too close to them (in pixels) are dropped.
        let limits: [(Double, String)] = [(0.1, "0.1 Class-1 limit"), (0.5, "0.5 Class-2 limit")]
        let span = log10(scale.upper) - log10(scale.lower)
        ticks = ticks.filter { t in limits.allSatisfy { abs(log10(t.0) - log10($0.0)) * height / span >= 11 } } + limits
        for (value, label) in ticks.sorted(by: { $0.0 < $1.0 }) {
            let py = top + height * (1 - scale.fraction(value))
            c.line(x + 16, py, x + 21, py, stroke: "#333333")
            c.text(label, x + 24, py + 4, size: 10)
        }
    }
}
