import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct SafetensorsReaderTests {
    @Test func readsFilesWrittenByPythonSafetensorsBitExactly() throws {
        let file = try SafetensorsFile(path: TestFiles.fixture("safetensors/python_float.safetensors"))
        let reference = try TestFiles.readJSON([String: ReferenceTensor].self, "safetensors/python_float.json")
        #expect(file.metadata == ["format": "pt"])
        #expect(Set(file.tensorNames) == Set(reference.keys))
        for (name, expected) in reference {
            #expect(file.shape(of: name) == expected.shape, "\(name)")
            #expect(file.storageType(of: name) == expected.dtype, "\(name)")
            let tensor = try file.loadFloat32(name)
            #expect(tensor.shape == expected.shape, "\(name)")
            #expect(TestFiles.sameBits(tensor.array, expected.f32Bits), "\(name)")
        }
    }

    @Test func tensorNamesFollowFileOrder() throws {
        let file = try SafetensorsFile(path: TestFiles.fixture("safetensors/python_float.safetensors"))
        let offsets = file.tensorNames.compactMap { file.info(of: $0)?.byteRange.lowerBound }
        #expect(offsets == offsets.sorted())
        // The reference writer puts F32 first, then BF16, then F16, each by name.
        let dtypes = file.tensorNames.compactMap { file.storageType(of: $0) }
        #expect(dtypes == ["F32", "F32", "F32", "BF16", "BF16", "BF16", "F16", "F16", "F16"])
    }

    @Test func decodesF64AndRejectsIntegerTypesClearly() throws {
        let path = TestFiles.fixture("safetensors/python_other.safetensors")
        let file = try SafetensorsFile(path: path)
        struct Reference: Decodable { struct F64: Decodable { let f32_bits: [UInt32] }; let f64: F64 }
        let reference = try TestFiles.readJSON(Reference.self, "safetensors/python_other.json")
        #expect(TestFiles.bits(try file.loadFloat32("f64")) == reference.f64.f32_bits)
        #expect(file.metadata == ["note": "not float"])
        for (name, dtype) in [("i32", "I32"), ("u8", "U8"), ("mask", "BOOL"), ("i64", "I64")] {
            #expect(file.storageType(of: name) == dtype)
            let error = TestFiles.formatError { _ = try file.loadFloat32(name) }
            #expect(error?.file == path)
            #expect(error?.field == name)
            #expect(error?.message.contains("unsupported dtype \(dtype)") == true)
        }
    }

    @Test func missingTensorNamesFileAndTensor() throws {
        let path = TestFiles.fixture("safetensors/python_float.safetensors")
        let file = try SafetensorsFile(path: path)
        #expect(file.shape(of: "nope") == nil)
        #expect(file.storageType(of: "nope") == nil)
        #expect(!file.contains("nope"))
        let error = TestFiles.formatError { _ = try file.loadFloat32("nope") }
        #expect(error == FormatError(file: path, field: "nope", "no tensor with this name"))
        let shapeError = TestFiles.formatError { _ = try file.loadFloat32("scalar", expectedShape: [2]) }
        #expect(shapeError?.field == "scalar")
    }

    @Test func missingFileIsAFormatError() {
        let error = TestFiles.formatError { _ = try SafetensorsFile(path: "/nonexistent/model.safetensors") }
        #expect(error?.file == "/nonexistent/model.safetensors")
        #expect(error?.field == "file")
    }

    /// The reference writer pads the header so data starts 8-aligned; other writers may not. Odd
    /// offsets must decode the same (unaligned loads).
    @Test func decodesUnalignedData() throws {
        let f32: [Float] = [1.5, -2, 3.25]
        let f16: [Float] = (0 ..< 21).map { Float($0) * 0.5 - 3 }
        let bf16: [Float] = (0 ..< 37).map { Float($0) * 0.25 + 1 }
        var data: [UInt8] = [0] // one byte of gap: everything after sits at an odd offset
        let f32Start = data.count
        for value in f32 { data += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
        let f16Start = data.count
        for value in f16 { data += withUnsafeBytes(of: HalfPrecision.f32ToF16(value).littleEndian, Array.init) }
        let bf16Start = data.count
        for value in bf16 { data += withUnsafeBytes(of: HalfPrecision.f32ToBF16(value).littleEndian, Array.init) }
        let header = """
            {"a":{"dtype":"F32","shape":[3],"data_offsets":[\(f32Start),\(f16Start)]},\
            "b":{"dtype":"F16","shape":[3,7],"data_offsets":[\(f16Start),\(bf16Start)]},\
            "c":{"dtype":"BF16","shape":[37],"data_offsets":[\(bf16Start),\(data.count)]}}
            """
        let url = try TestFiles.scratchDirectory().appendingPathComponent("odd.safetensors")
        try TestFiles.write(TestFiles.safetensorsBytes(header: header + "  ", data: data), to: url)
        let file = try SafetensorsFile(path: url.path)
        #expect(try file.loadFloat32("a").array == f32)
        #expect(try file.loadFloat32("b").array == f16)
        #expect(try file.loadFloat32("b").shape == [3, 7])
        #expect(try file.loadFloat32("c").array == bf16)
    }

    /// The SIMD paths agree with the scalar conversions on every lane position, random bits included.
    @Test func vectorDecodingMatchesScalarConversion() {
        var generator = SystemRandomNumberGenerator()
        let count = 1000 + 13
        let halves = (0 ..< count).map { _ in UInt16.random(in: 0 ... .max, using: &generator) }
        var output = [Float](repeating: 0, count: count)
        halves.withUnsafeBytes { raw in
            output.withUnsafeMutableBufferPointer { out in
                FloatDecoding.decodeBF16(raw.baseAddress!, out.baseAddress!, count: count)
            }
        }
        #expect(output.map(\.bitPattern) == halves.map { HalfPrecision.bf16ToF32($0).bitPattern })
        halves.withUnsafeBytes { raw in
            output.withUnsafeMutableBufferPointer { out in
                FloatDecoding.decodeF16(raw.baseAddress! + 0, out.baseAddress!, count: count)
            }
        }
        for (value, half) in zip(output, halves) where !value.isNaN {
            #expect(value.bitPattern == HalfPrecision.f16ToF32(half).bitPattern)
        }
    }

    @Test func zeroSizeAndScalarTensors() throws {
        let file = try SafetensorsFile(path: TestFiles.fixture("safetensors/python_float.safetensors"))
        let empty = try file.loadFloat32("empty")
        #expect(empty.shape == [0, 3])
        #expect(empty.count == 0)
        let scalar = try file.loadFloat32("scalar")
        #expect(scalar.shape == [])
        #expect(scalar.array == [0.75])
    }
}
