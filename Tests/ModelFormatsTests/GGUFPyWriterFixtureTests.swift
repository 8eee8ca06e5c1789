import Foundation
import Testing
@testable import ModelFormats

/// Fixtures/gguf/pywriter.gguf was written by gguf-py's GGUFWriter (see
/// scripts/fixtures/make_gguf_fixtures.py, `pywriter_fixture`, for the values checked here).
struct GGUFPyWriterFixtureTests {
    static var path: String { GGUFTestSupport.fixtures.appendingPathComponent("pywriter.gguf").path }

    @Test func readsMetadataOfEveryType() throws {
        let file = try GGUFFile(path: Self.path)
        #expect(file.version == 3)
        #expect(file.architecture == "testarch")
        #expect(file["t.u8"] == .uint8(200))
        #expect(file["t.i8"] == .int8(-100))
        #expect(file["t.u16"] == .uint16(60000))
        #expect(file["t.i16"] == .int16(-30000))
        #expect(file["t.u32"] == .uint32(4_000_000_000))
        #expect(file["t.i32"] == .int32(-2_000_000_000))
        #expect(file["t.u64"] == .uint64(1 << 63 + 5))
        #expect(file["t.u64"]?.asInt == nil)  // does not fit in Int
        #expect(file["t.i64"] == .int64(-(1 << 62)))
        #expect(file["t.f32"] == .float32(3.14159))
        #expect(file["t.f64"] == .float64(2.718281828459045))
        #expect(file["t.true"] == .bool(true))
        #expect(file["t.false"] == .bool(false))
        #expect(file["t.string"]?.asString == "héllo ✓")
        #expect(file["t.empty"] == nil)  // gguf-py's add_string skips empty strings
        #expect(file["t.ints"] == .array(elementType: .int32, [.int32(1), .int32(-2), .int32(3)]))
        #expect(file["t.ints"]?.asIntArray == [1, -2, 3])
        #expect(file["t.floats"]?.asFloatArray == [0.5, -1.25])
        #expect(file["t.strings"]?.asStringArray == ["a", "bc", ""])
        #expect(file["t.bools"] == .array(elementType: .bool, [.bool(true), .bool(false)]))
        #expect(file["t.nested"]?.asArray?.compactMap(\.asIntArray) == [[1, 2], [3]])
        #expect(file["t.nested_strings"]?.asArray?.compactMap(\.asStringArray) == [["x"], ["y", "z"]])
        #expect(file["t.u8s"] == .array(elementType: .uint8, [.uint8(1), .uint8(2), .uint8(255)]))
        #expect(file["t.u64s"] == .array(elementType: .uint64, [.uint64(0), .uint64(.max)]))
        #expect(file["t.f64s"]?.asFloatArray == [1.5, -0.25])
        #expect(file.metadataKeys.first == "general.architecture")
        #expect(file.metadataKeys.count == 23)
    }

    @Test func readsTensorsWrittenByGGUFPy() throws {
        let file = try GGUFFile(path: Self.path)
        let expectedInfos: [(String, [Int], GGMLType)] = [
            ("f32.vec", [5], .f32), ("f16.mat", [3, 4], .f16), ("bf16.mat", [2, 8], .bf16),
            ("q4_0.mat", [2, 64], .q4_0), ("q8_0.mat", [3, 32], .q8_0), ("q4_k.mat", [2, 256], .q4_k),
            ("q6_k.3d", [2, 1, 256], .q6_k),
        ]
        #expect(file.tensorNames == expectedInfos.map(\.0))
        var expectedValues = try GGUFTestSupport.fixtureFloats("pywriter_tensors.f32")[...]
        for (name, shape, type) in expectedInfos {
            #expect(file.shape(of: name) == shape, "\(name)")
            #expect(file.tensor(named: name)?.type == type, "\(name)")
            let values = try file.loadFloat32(name).array
            #expect(firstBitDifference(values, Array(expectedValues.prefix(values.count))) == nil, "\(name)")
            expectedValues = expectedValues.dropFirst(values.count)
        }
        #expect(expectedValues.isEmpty)
    }

    /// Re-writing the same metadata and tensor bytes with GGUFWriter gives gguf-py's file byte for byte.
    @Test func writerReproducesGGUFPyBytes() throws {
        let file = try GGUFFile(path: Self.path)
        let writer = GGUFWriter()
        for key in file.metadataKeys { writer[key] = file[key] }
        for info in file.tensors {
            try writer.addTensor(info.name, shape: info.shape, type: info.type,
                                 encodedData: Array(try file.rawData(of: info.name)))
        }
        let original = try GGUFTestSupport.fixtureBytes("pywriter.gguf")
        let written = try writer.encoded()
        #expect(written.count == original.count)
        #expect(written == original)
    }
}
