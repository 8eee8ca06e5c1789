import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// GGUFWriter → GGUFFile round trips.
struct GGUFWriterTests {
    static let allValueKinds: [(String, GGUFValue)] = [
        ("v.u8", .uint8(255)), ("v.i8", .int8(-128)), ("v.u16", .uint16(65535)), ("v.i16", .int16(-32768)),
        ("v.u32", .uint32(.max)), ("v.i32", .int32(.min)), ("v.u64", .uint64(.max)), ("v.i64", .int64(.min)),
        ("v.f32", .float32(-1.5e-7)), ("v.f64", .float64(.pi)), ("v.true", .bool(true)), ("v.false", .bool(false)),
        ("v.string", .string("naïve ☃ \u{0} end")), ("v.empty_string", .string("")),
        ("v.ints", .array(elementType: .int32, [.int32(1), .int32(-2)])),
        ("v.empty_array", .array(elementType: .float32, [])),
        ("v.strings", .array(elementType: .string, [.string("a"), .string(""), .string("ü")])),
        ("v.nested", .array(elementType: .array, [
            .array(elementType: .uint8, [.uint8(1)]),
            .array(elementType: .string, [.string("x"), .string("y")]),
            .array(elementType: .array, [.array(elementType: .float64, [.float64(0.25)])]),
        ])),
    ]

    @Test(arguments: [32, 64, 1])
    func roundTrip(alignment: Int) throws {
        let writer = GGUFWriter(alignment: alignment)
        writer["general.architecture"] = .string("test")
        for (key, value) in Self.allValueKinds { writer[key] = value }

        var rng = SeededGenerator(seed: UInt64(alignment))
        let cases: [(String, [Int], GGMLType)] = [
            ("scalar", [], .f32), ("vector", [7], .f32), ("f16", [3, 5], .f16), ("bf16", [2, 3, 4], .bf16),
            ("q4_0", [3, 64], .q4_0), ("q4_1", [2, 32], .q4_1), ("q5_0", [1, 2, 2, 32], .q5_0),
            ("q5_1", [4, 32], .q5_1), ("q8_0", [2, 96], .q8_0), ("empty", [0, 32], .q8_0),
        ]
        var inputs: [String: [Float]] = [:]
        for (name, shape, type) in cases {
            let values = (0..<shape.reduce(1, *)).map { _ in rng.gaussian() }
            inputs[name] = values
            try writer.addTensor(name, shape: shape, values: values, as: type)
        }
        let path = GGUFTestSupport.temporaryPath("roundtrip.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writer.write(to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(try writer.encoded()))

        let file = try GGUFFile(path: path)
        #expect(file.version == 3)
        #expect(file.alignment == alignment)
        #expect(file.dataOffset % alignment == 0)
        let expectedKeys = (alignment == 32 ? [] : ["general.alignment"]) + ["general.architecture"] + Self.allValueKinds.map(\.0)
        #expect(file.metadataKeys == expectedKeys)
        for (key, value) in Self.allValueKinds {
            #expect(file[key] == value, "\(key)")
        }
        #expect(file.tensorNames == cases.map(\.0))
        for (name, shape, type) in cases {
            let info = try #require(file.tensor(named: name))
            #expect(info.shape == shape && info.type == type, "\(name)")
            #expect(info.offset % alignment == 0)
            let expected = try GGMLCodec.dequantize(try GGMLCodec.quantize(inputs[name] ?? [], as: type), as: type)
            let loaded = try file.loadFloat32(name)
            #expect(loaded.shape == shape)
            #expect(firstBitDifference(loaded.array, expected) == nil, "\(name)")
        }
    }

    @Test func addsTensorFromTensorAndEncodedBytes() throws {
        let writer = GGUFWriter()
        // Every block holds 127/8, so d = 1/8 exactly and all values j/8 are exact in Q8_0.
        let tensor = Tensor(shape: [2, 32], values: (0..<64).map { Float($0 % 32 == 0 ? 127 : $0) / 8 })
        try writer.addTensor("w", tensor, as: .q8_0)
        let raw = try GGUFTestSupport.fixtureBytes("dequant_Q6_K.bin")
        try writer.addTensor("k", shape: [4, 256], type: .q6_k, encodedData: raw)
        let path = try GGUFTestSupport.writeTemporary(try writer.encoded())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        #expect(try file.loadFloat32("w").array == tensor.array)
        #expect(try Array(file.rawData(of: "k")) == raw)
        let expected = try GGUFTestSupport.fixtureFloats("dequant_Q6_K.f32")
        #expect(firstBitDifference(try file.loadFloat32("k").array, expected) == nil)
    }

    /// Tensors produced while writing give the same file as tensors given up front, each producer
    /// runs once, and a producer's error or a wrong byte count ends the write with no file left.
    @Test func producedTensorsWriteTheSameFile() throws {
        var rng = SeededGenerator(seed: 7)
        let a = Tensor(shape: [3, 64], values: (0..<192).map { _ in rng.gaussian() })
        let b = (0..<40).map { _ in rng.gaussian() }
        let raw = try GGUFTestSupport.fixtureBytes("dequant_Q6_K.bin")
        let eager = GGUFWriter(), produced = GGUFWriter()
        for w in [eager, produced] { w["general.architecture"] = .string("test") }
        try eager.addTensor("a", a, as: .q4_0)
        try eager.addTensor("b", shape: [5, 8], values: b, as: .f16)
        try eager.addTensor("k", shape: [4, 256], type: .q6_k, encodedData: raw)
        var calls = 0
        try produced.addTensor("a", shape: [3, 64], as: .q4_0) { calls += 1; return a }
        try produced.addTensor("b", shape: [5, 8], as: .f16) { calls += 1; return Tensor(shape: [40], values: b) }
        try produced.addTensor("k", shape: [4, 256], type: .q6_k) { calls += 1; return raw }
        let path = GGUFTestSupport.temporaryPath("produced.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try produced.write(to: path)
        #expect(calls == 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(try eager.encoded()))

        struct SourceBroke: Error, Equatable {}
        let failing = GGUFWriter()
        try failing.addTensor("ok", shape: [32], as: .f32) { Tensor(shape: [32], values: [Float](repeating: 1, count: 32)) }
        try failing.addTensor("bad", shape: [32], as: .f32) { throw SourceBroke() }
        let failedPath = GGUFTestSupport.temporaryPath("failed.gguf")
        #expect(throws: SourceBroke()) { try failing.write(to: failedPath) }
        #expect(!FileManager.default.fileExists(atPath: failedPath))
        #expect(!FileManager.default.fileExists(atPath: failedPath + ".partial"))

        let short = GGUFWriter()
        try short.addTensor("q", shape: [64], type: .q8_0) { [UInt8](repeating: 0, count: 34) }
        #expect(throws: GGUFWriterError.invalidTensor(name: "q", reason: "produced 34 bytes, Q8_0 needs 68")) {
            try short.write(to: failedPath)
        }
        #expect(!FileManager.default.fileExists(atPath: failedPath + ".partial"))
        let values = GGUFWriter()
        try values.addTensor("v", shape: [2, 32], as: .q8_0) { Tensor(shape: [32], values: [Float](repeating: 0, count: 32)) }
        #expect(throws: GGUFWriterError.invalidTensor(name: "v", reason: "32 values for shape [2, 32]")) { try values.encoded() }
    }

    @Test func replacingAndRemovingMetadataKeepsOrder() {
        let writer = GGUFWriter()
        writer["a"] = .uint8(1)
        writer["b"] = .uint8(2)
        writer["c"] = .uint8(3)
        writer["a"] = .string("replaced")
        writer["b"] = nil
        #expect(writer.metadataKeys == ["a", "c"])
        #expect(writer["a"] == .string("replaced"))
    }

    @Test func rejectsInvalidInput() throws {
        let writer = GGUFWriter()
        try writer.addTensor("t", shape: [32], values: [Float](repeating: 0, count: 32), as: .q4_0)
        #expect(throws: GGUFWriterError.duplicateTensor("t")) {
            try writer.addTensor("t", shape: [32], values: [Float](repeating: 0, count: 32), as: .f32)
        }
        #expect(throws: GGUFWriterError.self) {  // row length not a block multiple
            try writer.addTensor("u", shape: [2, 16], values: [Float](repeating: 0, count: 32), as: .q8_0)
        }
        #expect(throws: GGUFWriterError.self) {  // no quantizer for Q4_K
            try writer.addTensor("v", shape: [256], values: [Float](repeating: 0, count: 256), as: .q4_k)
        }
        #expect(throws: GGUFWriterError.self) {  // value count does not match the shape
            try writer.addTensor("w", shape: [3, 32], values: [Float](repeating: 0, count: 64), as: .f16)
        }
        #expect(throws: GGUFWriterError.self) {  // byte count does not match the shape
            try writer.addTensor("x", shape: [32], type: .q4_0, encodedData: [UInt8](repeating: 0, count: 17))
        }
        #expect(throws: GGUFWriterError.self) {  // five dimensions
            try writer.addTensor("y", shape: [1, 1, 1, 1, 1], values: [0], as: .f32)
        }
        writer["bad"] = .array(elementType: .int32, [.int32(1), .string("two")])
        #expect(throws: GGUFWriterError.invalidMetadata(key: "bad", reason: "element 1 is string, the array's element type is i32")) {
            try writer.encoded()
        }
        let missingDirectory = GGUFTestSupport.temporaryPath("missing") + "/x.gguf"
        writer["bad"] = nil
        #expect(throws: GGUFWriterError.self) { try writer.write(to: missingDirectory) }
    }
}
