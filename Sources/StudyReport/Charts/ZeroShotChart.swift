import Foundation

/// Zero-shot accuracy per task: grouped bars (one bar per recipe, base first) with ±1 stderr whiskers.
enum ZeroShotChart {
    static let width = 800.0, height = 420.0
    static let left = 70.0, right = 210.0, top = 44.0, bottom = 56.0

    /// The chart for one model, or nil when no row has zero-shot scores.
    static func render(_ model: ModelAnalysis) -> String? {
        let recipes = model.rows.filter { !$0.record.zeroShot.isEmpty }
        let tasks = model.zeroShotTasks
        guard !recipes.isEmpty, !tasks.isEmpty else { return nil }
        let title = "\(model.model): zero-shot accuracy per task"
        var c = SVGCanvas(width: width, height: height)
        c.text(title, width / 2, 24, size: 16, anchor: "middle", weight: "bold")
        let y = AxisScale(lower: 0, upper: 1, pixelLower: height - bottom, pixelUpper: top, logarithmic: false)
        let plotWidth = width - left - right
        let groupWidth = plotWidth / Double(tasks.count)
        let barWidth = min(28, groupWidth * 0.8 / Double(recipes.count))

        for t in y.ticks(target: 5) {
            let py = y.pixel(t)
            c.line(left, py, width - right, py, stroke: "#e4e4e4")
            c.line(left - 5, py, left, py, stroke: "#333333")
            c.text(String(format: "%.1f", t), left - 8, py + 4, size: 11, anchor: "end")
        }
        for (k, task) in tasks.enumerated() {
            let gx = left + groupWidth * Double(k)
            let start = gx + (groupWidth - barWidth * Double(recipes.count)) / 2
            for (i, row) in recipes.enumerated() {
                guard let s = row.record.zeroShot[task] else { continue }
                let x = start + barWidth * Double(i), py = y.pixel(s.score)
                let tip = "\(row.recipe) · \(task): \(NumberFormatting.score(s.score)) ± \(NumberFormatting.score(s.accNormStderr ?? s.accStderr)) (n=\(s.n))"
                c.rect(x + 1, py, barWidth - 2, y.pixelLower - py, fill: ChartPalette.color(i), cssClass: "bar", title: tip)
                let err = s.accNorm != nil ? (s.accNormStderr ?? 0) : s.accStderr
                if err > 0 {
                    let cx = x + barWidth / 2
                    c.line(cx, y.pixel(s.score + err), cx, y.pixel(s.score - err), stroke: "#222222")
                }
                if barWidth >= 22 {
                    let labelY = min(py, y.pixel(s.score + err)) - 5  // above the whisker
                    c.text(String(format: "%.2f", s.score), x + barWidth / 2, labelY, size: 9, anchor: "middle")
                }
            }
            c.text(task, gx + groupWidth / 2, y.pixelLower + 18, size: 12, anchor: "middle")
        }
        c.line(left, y.pixelLower, width - right, y.pixelLower, stroke: "#333333", width: 1.2)
        c.line(left, y.pixelLower, left, top, stroke: "#333333", width: 1.2)
        c.text("task", left + plotWidth / 2, y.pixelLower + 40, size: 12, anchor: "middle")
        c.text("score (acc_norm, else acc)", left - 48, (y.pixelLower + top) / 2, size: 12, anchor: "middle", rotate: -90)

        var legend = ChartLegend(x: width - right + 16, y: top + 4)
        legend.title("recipe", on: &c)
        for (i, row) in recipes.enumerated() {
            legend.swatch(color: ChartPalette.color(i), label: row.recipe + (row.record.gridAligned ? " †" : ""), on: &c)
        }
        legend.gap()
        legend.symbol("I", color: "#222222", label: "±1 standard error", on: &c)
        return c.render(title: title)
    }
}
