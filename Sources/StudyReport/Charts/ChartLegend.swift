/// A legend column: entries stacked downwards from (x, y).
struct ChartLegend {
    let x: Double
    private(set) var y: Double
    let step = 20.0

    init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    mutating func title(_ s: String, on c: inout SVGCanvas) {
        c.text(s, x, y + 4, size: 12, weight: "bold")
        y += step
    }

    mutating func marker(_ m: ChartPalette.Marker, color: String, label: String, on c: inout SVGCanvas) {
        ChartPalette.draw(m, on: &c, x: x + 6, y: y, size: 5, color: color)
        c.text(label, x + 18, y + 4, size: 11)
        y += step
    }

    mutating func swatch(color: String, label: String, on c: inout SVGCanvas) {
        c.rect(x, y - 6, 12, 12, fill: color)
        c.text(label, x + 18, y + 4, size: 11)
        y += step
    }

    mutating func ring(label: String, on c: inout SVGCanvas) {
        c.circle(x + 6, y, r: 7, fill: "none", stroke: "#000000", strokeWidth: 1.3)
        c.text(label, x + 18, y + 4, size: 11)
        y += step
    }

    mutating func dashed(label: String, on c: inout SVGCanvas) {
        c.line(x - 2, y, x + 14, y, stroke: "#444444", width: 1.2, dash: "6 4")
        c.text(label, x + 18, y + 4, size: 11)
        y += step
    }

    mutating func symbol(_ s: String, color: String, label: String, on c: inout SVGCanvas) {
        c.text(s, x + 6, y + 5, size: 13, anchor: "middle", fill: color, weight: "bold")
        c.text(label, x + 18, y + 4, size: 11)
        y += step
    }

    mutating func gap() { y += step / 2 }
}
