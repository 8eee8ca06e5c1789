import Foundation

/// One chart of the report: its file name under `charts/`, caption, owning model and SVG text.
public struct ReportChart: Sendable, Equatable {
    /// What kind of chart it is.
    public enum Kind: String, Sendable { case qualityBits = "quality-bits", heatMap = "heatmap", zeroShot = "zero-shot" }
    /// Quality vs bits, heat map or zero-shot.
    public let kind: Kind
    /// The model and evaluation plan the chart belongs to.
    public let model: String
    public let planID: String
    /// File name, e.g. `quality-bits-smollm2-135m.svg`.
    public let fileName: String
    /// One sentence shown under the chart.
    public let caption: String
    /// The `<svg>` element (no XML prolog).
    public let svg: String
}

/// Every chart for an analysis, in report order, with unique file names and gradient ids.
enum ChartSet {
    static func charts(for analysis: StudyAnalysis) -> [ReportChart] {
        var used = Set<String>()
        func unique(_ base: String) -> String {
            var name = base, k = 2
            while used.contains(name) { name = "\(base)-\(k)"; k += 1 }
            used.insert(name)
            return name
        }
        var out: [ReportChart] = []
        for model in analysis.models {
            let slug = slugify(model.model) + (analysis.models.filter { $0.model == model.model }.count > 1 ? "-" + model.planID : "")
            if let svg = QualityBitsChart.render(model) {
                let name = unique("quality-bits-\(slug)")
                out.append(ReportChart(kind: .qualityBits, model: model.model, planID: model.planID, fileName: name + ".svg",
                                       caption: "Mean perplexity (log scale) vs effective bits; ringed points are on the Pareto frontier.",
                                       svg: svg))
            }
            for grid in HeatMapGrid.grids(for: model) {
                let name = unique("heatmap-\(slug)-\(slugify(grid.method))-a\(grid.activationBits)-\(grid.symmetric ? "sym" : "asym")")
                out.append(ReportChart(kind: .heatMap, model: model.model, planID: model.planID, fileName: name + ".svg",
                                       caption: "ΔPPL vs base for \(grid.label): weight bits × granularity (grey: not run).",
                                       svg: DeltaHeatMap.render(grid, model: model.model, id: name)))
            }
            if let svg = ZeroShotChart.render(model) {
                let name = unique("zero-shot-\(slug)")
                out.append(ReportChart(kind: .zeroShot, model: model.model, planID: model.planID, fileName: name + ".svg",
                                       caption: "Zero-shot score per task (acc_norm where the task has it) with ±1 standard error.",
                                       svg: svg))
            }
        }
        return out
    }

    /// Lowercase ASCII letters, digits, dots and dashes; anything else becomes a dash.
    static func slugify(_ s: String) -> String {
        var out = ""
        for ch in s.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber || ch == ".") { out.append(ch) } else if !out.hasSuffix("-") { out.append("-") }
        }
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "model" : out
    }
}
