import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Fixture paths, scratch directories and small file builders shared by the safetensors and
/// HF config tests.
enum TestFiles {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ relativePath: String) -> String {
        repositoryRoot.appendingPathComponent("Fixtures").appendingPathComponent(relativePath).path
    }

    /// One directory per test process, removed when the process exits.
    static let scratchRoot: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ptqlab-modelformats-tests-\(ProcessInfo.processInfo.processIdentifier)")
        atexit { try? FileManager.default.removeItem(at: TestFiles.scratchRoot) }
        return url
    }()

    /// A fresh, empty directory under `scratchRoot`.
    static func scratchDirectory(_ label: String = #function) throws -> URL {
        let safeLabel = label.filter { $0.isLetter || $0.isNumber }
        let url = scratchRoot.appendingPathComponent("\(safeLabel)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    /// A safetensors file from a literal header (not padded unless the caller pads it) and data bytes.
    static func safetensorsBytes(header: String, data: [UInt8]) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + data
    }

    static func readJSON<T: Decodable>(_ type: T.Type, _ relativePath: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: fixture(relativePath))))
    }

    static func bits(_ tensor: Tensor) -> [UInt32] { tensor.array.map(\.bitPattern) }

    static func floats(_ bits: [UInt32]) -> [Float] { bits.map(Float.init(bitPattern:)) }

    /// Bit-exact, except that any NaN matches any NaN: PyTorch widens the f16 NaN 0x7E00 to
    /// 0x7FFFFFFF where numpy (and we) give the canonical quiet NaN 0x7FC00000.
    static func sameBits(_ values: [Float], _ expected: [UInt32]) -> Bool {
        values.count == expected.count && zip(values, expected).allSatisfy { value, bits in
            let reference = Float(bitPattern: bits)
            return reference.isNaN ? value.isNaN : value.bitPattern == bits
        }
    }

    /// Runs `body` and returns the `FormatError` it throws; records an issue if it throws nothing
    /// or something else.
    @discardableResult
    static func formatError(sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () throws -> Void) -> FormatError? {
        do {
            try body()
            Issue.record("expected a FormatError, nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as FormatError {
            return error
        } catch {
            Issue.record("expected a FormatError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }
}

/// One tensor of a `*.json` reference written by scripts/fixtures/make_safetensors_fixtures.py.
struct ReferenceTensor: Decodable {
    let dtype: String
    let shape: [Int]
    let sourceBits: [UInt32]
    let f32Bits: [UInt32]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case sourceBits = "source_bits", f32Bits = "f32_bits"
    }

    var floatDType: FloatDType? { FloatDType(rawValue: dtype) }
}
