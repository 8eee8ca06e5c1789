import Foundation
import Study
import Testing
@testable import StudyReport

@Suite struct ChartTests {
    static func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    static func both() throws -> StudyAnalysis { StudyAnalysis(records: try StudyFixtures.real() + StudyFixtures.synthetic()) }

    @Test func heatMapGridsAndCellCounts() throws {
        let m = ModelAnalysis(model: StudyFixtures.smol, records: try StudyFixtures.real())
        let grids = HeatMapGrid.grids(for: m)
        // Single-cell groups (w8a8 sym, w4a8 asym) get no heat map.
        #expect(grids.map(\.label) == ["gptq · a16 · asym", "gptq+lorc8 · a16 · asym", "rtn · a16 · asym"])
        let rtn = try #require(grids.last)
        #expect(rtn.weightBits == [8, 4, 3] && rtn.columns == ["row", "g128"])
        #expect(rtn.cellCount == 6 && rtn.cells.count == 5)
        let svg = DeltaHeatMap.render(rtn, model: m.model, id: "t")
        #expect(Self.occurrences("class=\"cell", in: svg) == rtn.cellCount)
        #expect(Self.occurrences("class=\"cell empty\"", in: svg) == 1)
        #expect(svg.contains(">+8.10<"))     // w4 g128 rtn ΔPPL 8.104
        #expect(svg.contains(">+574<"))      // w3 row rtn ΔPPL 573.898
        #expect(svg.contains("linearGradient id=\"heat-t\""))
    }

    @Test func heatMapColumnsRunFromRowThroughGroupsToTensor() throws {
        let a = try Self.both()
        let rtn = try #require(HeatMapGrid.grids(for: a.models[0]).first { $0.label == "rtn · a16 · asym" })
        #expect(rtn.columns == ["row", "g256", "g128", "g32", "g16"])
        #expect(rtn.weightBits == [8, 4, 3, 2])
        let svg = DeltaHeatMap.render(rtn, model: a.models[0].model, id: "x")
        #expect(Self.occurrences("class=\"cell", in: svg) == 20)
    }

    @Test func heatColoursRunGreenToRed() {
        let s = HeatColorScale(maxDelta: 600)
        #expect(s.upper == 1000)
        #expect(s.color(0.001) == "#1a9850" && s.color(-5) == "#1a9850")
        #expect(s.color(5000) == "#67001f")
    }

    @Test func qualityChartHasOneMarkerPerRowAndTheBaseLine() throws {
        let m = ModelAnalysis(model: StudyFixtures.smol, records: try StudyFixtures.real())
        let svg = try #require(QualityBitsChart.render(m))
        #expect(svg.hasPrefix("<svg"))
        // Every quantized row has a tooltip; the base is a dashed line with its PPL.
        #expect(Self.occurrences("PPL ", in: svg.replacingOccurrences(of: "mean perplexity", with: "")) >= 16)
        #expect(svg.contains("base 27.237"))
        #expect(svg.contains("stroke-dasharray=\"6 4\""))
        // 7 Pareto points below the base are ringed (r=8.5), plus the legend ring.
        #expect(Self.occurrences("r=\"8.5\"", in: svg) == 7)
        for label in ["gptq", "gptq+lorc8", "rtn"] { #expect(svg.contains(">\(label)</text>")) }
        #expect(svg.contains("mean perplexity (log scale)") && svg.contains("effective bits per weight"))
    }

    @Test func logTicksCoverWideAndNarrowRanges() {
        let wide = AxisScale(lower: 25, upper: 650, pixelLower: 400, pixelUpper: 40, logarithmic: true).ticks()
        #expect(wide.count >= 3 && wide.allSatisfy { $0 >= 25 && $0 <= 650 })
        let narrow = AxisScale(lower: 27, upper: 28.5, pixelLower: 400, pixelUpper: 40, logarithmic: true).ticks()
        #expect(narrow.count >= 2 && narrow.allSatisfy { $0 >= 27 && $0 <= 28.5 })
        #expect(AxisScale.label(100) == "100" && AxisScale.label(0.01) == "0.01" && AxisScale.label(27.5) == "27.5")
    }

    @Test func zeroShotChartOnlyWithZeroShotData() throws {
        let m = ModelAnalysis(model: StudyFixtures.smol, records: try StudyFixtures.real())
        let svg = try #require(ZeroShotChart.render(m))
        #expect(Self.occurrences("class=\"bar\"", in: svg) == 3)  // base × piqa, hellaswag, arc_easy
        let noZeroShot = try StudyFixtures.real().map { r -> ExperimentRecord in
            var r = r; r.zeroShot = [:]; return r
        }
        #expect(ZeroShotChart.render(ModelAnalysis(model: StudyFixtures.smol, records: noZeroShot)) == nil)
    }

    @Test func chartTextIsEscaped() throws {
        let a = try Self.both()
        for chart in ChartSet.charts(for: a) where chart.model == StudyFixtures.tiny {
            #expect(!chart.svg.contains("<&>"))
            #expect(chart.svg.contains("tiny-llama &lt;&amp;&gt; test"))
            #expect(chart.fileName.hasPrefix("") && !chart.fileName.contains("<") && !chart.fileName.contains("&"))
        }
        #expect(XMLEscaping.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
    }

    @Test func chartFileNamesAreUnique() throws {
        let charts = ChartSet.charts(for: try Self.both())
        #expect(charts.count == 8)
        #expect(Set(charts.map(\.fileName)).count == charts.count)
        #expect(charts.filter { $0.model == StudyFixtures.tiny }.map(\.kind) == [.qualityBits, .heatMap, .zeroShot])
    }
}
