/// A minimal SVG writer: elements appended in drawing order, rendered as one `<svg>` string.
struct SVGCanvas {
    let width: Double
    let height: Double
    private(set) var defs: [String] = []
    private(set) var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    private static func n(_ v: Double) -> String { SVGNumber.format(v) }

    /// Extra attributes (already escaped values) as ` key="value"`.
    private static func attrs(_ extra: [(String, String)]) -> String {
        extra.map { " \($0.0)=\"\(XMLEscaping.escape($0.1))\"" }.joined()
    }

    /// An optional hover tooltip as a `<title>` child.
    private static func tooltip(_ title: String?) -> String {
        title.map { "<title>\(XMLEscaping.escape($0))</title>" } ?? ""
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                       width: Double = 1, dash: String? = nil) {
        var extra: [(String, String)] = [("stroke", stroke), ("stroke-width", Self.n(width))]
        if let dash { extra.append(("stroke-dasharray", dash)) }
        elements.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\"\(Self.attrs(extra))/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil,
                       cssClass: String? = nil, title: String? = nil) {
        var extra: [(String, String)] = [("fill", fill)]
        if let stroke { extra.append(("stroke", stroke)) }
        if let cssClass { extra.append(("class", cssClass)) }
        let head = "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\"\(Self.attrs(extra))"
        elements.append(title == nil ? head + "/>" : head + ">" + Self.tooltip(title) + "</rect>")
    }

    mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String, stroke: String? = nil,
                         strokeWidth: Double = 1, title: String? = nil) {
        var extra: [(String, String)] = [("fill", fill)]
        if let stroke { extra += [("stroke", stroke), ("stroke-width", Self.n(strokeWidth))] }
        let head = "<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\"\(Self.attrs(extra))"
        elements.append(title == nil ? head + "/>" : head + ">" + Self.tooltip(title) + "</circle>")
    }

    /// A closed polygon or open polyline through the points.
    mutating func path(_ points: [(Double, Double)], closed: Bool, fill: String, stroke: String? = nil,
                       width: Double = 1, dash: String? = nil, title: String? = nil) {
        guard let first = points.first else { return }
        var d = "M\(Self.n(first.0)) \(Self.n(first.1))"
        for p in points.dropFirst() { d += " L\(Self.n(p.0)) \(Self.n(p.1))" }
        if closed { d += " Z" }
        var extra: [(String, String)] = [("d", d), ("fill", fill)]
        if let stroke { extra += [("stroke", stroke), ("stroke-width", Self.n(width))] }
        if let dash { extra.append(("stroke-dasharray", dash)) }
        let head = "<path\(Self.attrs(extra))"
        elements.append(title == nil ? head + "/>" : head + ">" + Self.tooltip(title) + "</path>")
    }

    /// Text; `anchor` is start, middle or end; `rotate` turns it about its anchor point.
    mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: String = "start",
                       fill: String = "#222", weight: String? = nil, rotate: Double? = nil) {
        var extra: [(String, String)] = [("font-size", Self.n(size)), ("text-anchor", anchor), ("fill", fill)]
        if let weight { extra.append(("font-weight", weight)) }
        if let rotate { extra.append(("transform", "rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))")) }
        elements.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\"\(Self.attrs(extra))>\(XMLEscaping.escape(s))</text>")
    }

    /// A vertical linear gradient (top colour first) usable as `url(#id)`.
    mutating func verticalGradient(id: String, stops: [(offset: Double, color: String)]) {
        let s = stops.map { "<stop offset=\"\(Self.n($0.offset * 100))%\" stop-color=\"\($0.color)\"/>" }.joined()
        defs.append("<linearGradient id=\"\(XMLEscaping.escape(id))\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">\(s)</linearGradient>")
    }

    /// The whole document, `role="img"` with an accessible title.
    func render(title: String) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" "
        out += "viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" role=\"img\" "
        out += "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        out += "<title>\(XMLEscaping.escape(title))</title>\n"
        if !defs.isEmpty { out += "<defs>\(defs.joined())</defs>\n" }
        out += "<rect x=\"0\" y=\"0\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"#ffffff\"/>\n"
        for e in elements { out += e + "\n" }
        out += "</svg>\n"
        return out
    }
}
