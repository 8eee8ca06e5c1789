import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct SafetensorsWriterTests {
    @Test func roundTripsF32F16AndBF16() throws {
        let values: [Float] = [0, -0.0, 1, -2.5, 1 + 1.0 / 2048, 1 + 1.0 / 256, 65520, 1e-7, .infinity, 3.14159]
        var writer = SafetensorsWriter(metadata: ["format": "pt", "quantization": "none"])
        writer.add("w.f32", Tensor(shape: [2, 5], values: values))
        writer.add("w.f16", Tensor(shape: [5, 2], values: values), as: .f16)
        writer.add("w.bf16", Tensor(shape: [10], values: values), as: .bf16)
        let url = try TestFiles.scratchDirectory().appendingPathComponent("round.safetensors")
        try writer.write(to: url.path)

        let file = try SafetensorsFile(path: url.path)
        #expect(file.metadata == ["format": "pt", "quantization": "none"])
        #expect(file.tensorNames == ["w.f32", "w.bf16", "w.f16"])
        #expect(file.storageType(of: "w.f16") == "F16")
        #expect(try file.loadFloat32("w.f32").array.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(try file.loadFloat32("w.f16").shape == [5, 2])
        #expect(try file.loadFloat32("w.f16").array == values.map { HalfPrecision.f16ToF32(HalfPrecision.f32ToF16($0)) })
        #expect(try file.loadFloat32("w.bf16").array == values.map { HalfPrecision.bf16ToF32(HalfPrecision.f32ToBF16($0)) })
    }

    /// Same tensors and metadata as the Python fixture: our file must be byte-for-byte the one PyPI
    /// safetensors wrote (order, header layout, padding, F16/BF16 rounding), except for NaN payloads:
    /// PyTorch turns an f32 NaN into the bf16 0xFFFF, we (like `HalfPrecision`) into 0x7FC0.
    @Test func writesTheSameBytesAsPythonSafetensors() throws {
        let reference = try TestFiles.readJSON([String: ReferenceTensor].self, "safetensors/python_float.json")
        var writer = SafetensorsWriter()
        for (name, tensor) in reference.sorted(by: { $0.key > $1.key }) { // insertion order must not matter
            let dtype = try #require(tensor.floatDType)
            writer.add(name, Tensor(shape: tensor.shape, values: TestFiles.floats(tensor.sourceBits)), as: dtype)
        }
        let url = try TestFiles.scratchDirectory().appendingPathComponent("ours.safetensors")
        try writer.write(to: url.path)
        let theirsPath = TestFiles.fixture("safetensors/python_float.safetensors")
        let ours = [UInt8](try Data(contentsOf: url))
        let theirs = [UInt8](try Data(contentsOf: URL(fileURLWithPath: theirsPath)))
        #expect(ours.count == theirs.count)

        let file = try SafetensorsFile(path: theirsPath)
        let dataStart = try #require(file.tensors.first?.byteRange.lowerBound)
        #expect(ours.prefix(dataStart) == theirs.prefix(dataStart))
        for tensor in file.tensors {
            let a = ours[tensor.byteRange], b = theirs[tensor.byteRange]
            if tensor.dtype == .bf16 {
                let isNaN = { (lo: UInt8, hi: UInt8) in HalfPrecision.bf16ToF32(UInt16(hi) << 8 | UInt16(lo)).isNaN }
                for i in stride(from: 0, to: a.count, by: 2) {
                    let (x, y) = ((a[a.startIndex + i], a[a.startIndex + i + 1]), (b[b.startIndex + i], b[b.startIndex + i + 1]))
                    #expect(x == y || (isNaN(x.0, x.1) && isNaN(y.0, y.1)), "\(tensor.name)[\(i / 2)]")
                }
            } else {
                #expect(a == b, "\(tensor.name)")
            }
        }
    }

    @Test func encodersMatchScalarConversionsOnEveryLane() {
        var generator = SystemRandomNumberGenerator()
        var values = (0 ..< 4099).map { _ in Float(bitPattern: UInt32.random(in: 0 ... .max, using: &generator)) }
        values += [.nan, -.nan, .infinity, 65519, 65520, 1e-8, -0.0, Float(bitPattern: 0x7F80_0001)]
        var halves = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { input in
            halves.withUnsafeMutableBufferPointer { FloatEncoding.encodeBF16(input.baseAddress!, $0.baseAddress!, count: values.count) }
        }
        #expect(halves == values.map(HalfPrecision.f32ToBF16))
        values.withUnsafeBufferPointer { input in
            halves.withUnsafeMutableBufferPointer { FloatEncoding.encodeF16(input.baseAddress!, $0.baseAddress!, count: values.count) }
        }
        for (half, value) in zip(halves, values) where !value.isNaN {
            #expect(half == HalfPrecision.f32ToF16(value))
        }
    }

    @Test func headerIsPaddedWithSpacesToEightBytes() throws {
        for nameLength in 1 ... 9 {
            var writer = SafetensorsWriter(metadata: [:])
            writer.add(String(repeating: "x", count: nameLength), Tensor(shape: [1], values: [1]))
            let url = try TestFiles.scratchDirectory().appendingPathComponent("pad.safetensors")
            try writer.write(to: url.path)
            let bytes = [UInt8](try Data(contentsOf: url))
            let length = bytes[0 ..< 8].reversed().reduce(0) { $0 << 8 | Int($1) }
            #expect(length % 8 == 0)
            let header = String(decoding: bytes[8 ..< 8 + length], as: UTF8.self)
            #expect(header.hasPrefix("{\"x"))
            #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
            #expect(bytes.count == 8 + length + 4)
        }
    }

    @Test func unusualNamesAndMetadataSurviveEscaping() throws {
        let names = ["quote\"d", "back\\slash", "new\nline", "tab\t", "ctl\u{01}", "ünïcødé", "emoji 🦙", ""]
        var writer = SafetensorsWriter(metadata: ["k\"ey": "v\u{e9}\n\t\u{1}"])
        for (i, name) in names.enumerated() { writer.add(name, Tensor(shape: [1], values: [Float(i)])) }
        let url = try TestFiles.scratchDirectory().appendingPathComponent("names.safetensors")
        try writer.write(to: url.path)
        let file = try SafetensorsFile(path: url.path)
        #expect(file.metadata == ["k\"ey": "v\u{e9}\n\t\u{1}"])
        for (i, name) in names.enumerated() {
            #expect(try file.loadFloat32(name).array == [Float(i)], "\(name)")
        }
        // Name order is UTF-8 byte order, as in Rust.
        #expect(file.tensorNames == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test func rejectsDuplicateAndReservedNames() throws {
        let directory = try TestFiles.scratchDirectory()
        var writer = SafetensorsWriter()
        writer.add("a", Tensor(shape: [1], values: [1]))
        writer.add("a", Tensor(shape: [1], values: [2]), as: .f16)
        let path = directory.appendingPathComponent("dup.safetensors").path
        #expect(TestFiles.formatError { try writer.write(to: path) }?.field == "a")
        #expect(!FileManager.default.fileExists(atPath: path))

        var reserved = SafetensorsWriter()
        reserved.add("__metadata__", Tensor(shape: [1], values: [1]))
        #expect(TestFiles.formatError { try reserved.write(to: path) }?.field == "__metadata__")
    }

    @Test func unwritablePathIsAFormatError() {
        var writer = SafetensorsWriter()
        writer.add("a", Tensor(shape: [1], values: [1]))
        let error = TestFiles.formatError { try writer.write(to: "/nonexistent-dir/x.safetensors") }
        #expect(error?.file == "/nonexistent-dir/x.safetensors")
    }

    @Test func largeTensorsAreConvertedInChunks() throws {
        let count = (1 << 20) * 2 + 77
        let tensor = Tensor(shape: [count], storage: FloatBuffer(count: count, zeroed: false))
        for i in 0 ..< count { tensor.pointer[i] = Float(i % 4093) * 0.001 - 2 }
        var writer = SafetensorsWriter()
        writer.add("big.f16", tensor, as: .f16)
        writer.add("big.bf16", tensor, as: .bf16)
        let url = try TestFiles.scratchDirectory().appendingPathComponent("big.safetensors")
        try writer.write(to: url.path)
        let file = try SafetensorsFile(path: url.path)
        let f16 = try file.loadFloat32("big.f16"), bf16 = try file.loadFloat32("big.bf16")
        for i in stride(from: 0, to: count, by: 9973) + [count - 1] {
            #expect(f16.pointer[i] == HalfPrecision.f16ToF32(HalfPrecision.f32ToF16(tensor.pointer[i])))
            #expect(bf16.pointer[i] == HalfPrecision.bf16ToF32(HalfPrecision.f32ToBF16(tensor.pointer[i])))
        }
    }
}
