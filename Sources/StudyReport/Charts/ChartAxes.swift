/// Axes with grid lines, ticks, tick labels and titles for a plot area given by two scales.
enum ChartAxes {
    /// Draws both axes; `x` spans the plot horizontally, `y` vertically (pixelLower at the bottom).
    static func draw(on c: inout SVGCanvas, x: AxisScale, y: AxisScale, xTitle: String, yTitle: String,
                     yLabel: (Double) -> String = AxisScale.label) {
        let x0 = x.pixelLower, x1 = x.pixelUpper, y0 = y.pixelLower, y1 = y.pixelUpper
        for t in y.ticks() {
            let py = y.pixel(t)
            c.line(x0, py, x1, py, stroke: "#e4e4e4")
            c.line(x0 - 5, py, x0, py, stroke: "#333333")
            c.text(yLabel(t), x0 - 8, py + 4, size: 11, anchor: "end")
        }
        for t in x.ticks(target: 8) {
            let px = x.pixel(t)
            c.line(px, y0, px, y1, stroke: "#eeeeee")
            c.line(px, y0, px, y0 + 5, stroke: "#333333")
            c.text(AxisScale.label(t), px, y0 + 18, size: 11, anchor: "middle")
        }
        c.line(x0, y0, x1, y0, stroke: "#333333", width: 1.2)
        c.line(x0, y0, x0, y1, stroke: "#333333", width: 1.2)
        c.text(xTitle, (x0 + x1) / 2, y0 + 40, size: 12, anchor: "middle")
        c.text(yTitle, x0 - 52, (y0 + y1) / 2, size: 12, anchor: "middle", rotate: -90)
    }
}
