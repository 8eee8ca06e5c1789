/// Colours and marker shapes for series (colour-blind-safe Okabe–Ito order, then extras).
enum ChartPalette {
    static let series = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
                         "#8C564B", "#7F7F7F", "#BCBD22"]

    /// Colour of series `i` (cycles).
    static func color(_ i: Int) -> String { series[i % series.count] }

    /// Marker shapes cycle independently so colour and shape together stay distinct longer.
    enum Marker: CaseIterable { case circle, square, triangle, diamond }

    /// Marker of series `i`.
    static func marker(_ i: Int) -> Marker { Marker.allCases[(i / series.count + i) % Marker.allCases.count] }

    /// Draws a marker centred at (x, y).
    static func draw(_ marker: Marker, on canvas: inout SVGCanvas, x: Double, y: Double, size: Double, color: String,
                     title: String? = nil) {
        switch marker {
        case .circle:
            canvas.circle(x, y, r: size, fill: color, stroke: "#ffffff", strokeWidth: 0.8, title: title)
        case .square:
            canvas.path([(x - size, y - size), (x + size, y - size), (x + size, y + size), (x - size, y + size)],
                        closed: true, fill: color, stroke: "#ffffff", width: 0.8, title: title)
        case .triangle:
            canvas.path([(x, y - size * 1.2), (x + size * 1.1, y + size * 0.8), (x - size * 1.1, y + size * 0.8)],
                        closed: true, fill: color, stroke: "#ffffff", width: 0.8, title: title)
        case .diamond:
            canvas.path([(x, y - size * 1.3), (x + size * 1.1, y), (x, y + size * 1.3), (x - size * 1.1, y)],
                        closed: true, fill: color, stroke: "#ffffff", width: 0.8, title: title)
        }
    }
}
