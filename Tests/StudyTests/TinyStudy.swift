import Foundation
import Models
@testable import Study

/// A small real study on the two tiny fixture models (a Gemma 3 GGUF and an OPT safetensors
/// directory): per model the base, RTN W8/W4 per-row, RTN and GPTQ W4 g16: ten experiments of a
/// second or so each.
enum TinyStudy {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var yaml: String {
        """
        name: tiny
        models: [\(packageRoot)/Fixtures/models/tiny-gemma3/model.gguf, \(packageRoot)/Fixtures/models/tiny-opt]
        methods: [rtn]
        schemes:
          - {bits: [8, 4], granularity: row}
          - {bits: 4, granularity: g16, methods: [rtn, gptq]}
        calibration: {corpus: wiki, samples: 4, length: 32}
        evaluation: {context: 32, perplexity: {corpora: [wiki], max_windows: 4}, kl: {corpora: [wiki], max_windows: 2}}
        """
    }

    static func grid() throws -> StudyGrid {
        let file = try StudyFile.parse(yaml, source: "tiny.yaml")
        var shapes: [String: ModelShape] = [:]
        for model in file.models.values { shapes[model] = ModelShape(try ModelLoader.load(path: model)) }
        return try StudyGrid.expand(file, source: "tiny.yaml", shape: { shapes[$0] })
    }
}
