import Foundation
import Testing
@testable import ModelFormats

/// Hand-built GGUF bytes, valid or deliberately broken, for the malformed-input tests.
struct RawGGUF {
    struct TensorEntry {
        var name: String
        var dimensions: [UInt64]
        var type: UInt32
        var offset: UInt64
        var nDims: UInt32?
    }

    var magic: UInt32 = GGUFFile.magic
    var version: UInt32 = 3
    var tensorCount: UInt64?
    var metadataCount: UInt64?
    var metadata: [(String, GGUFValue)] = [("general.architecture", .string("test"))]
    var tensors: [TensorEntry] = []
    var data: [UInt8] = []
    var alignment = 32

    /// Two F32 tensors of 8 values (32 bytes each, so no trailing padding).
    static func valid() -> RawGGUF {
        var raw = RawGGUF()
        raw.tensors = [
            TensorEntry(name: "a", dimensions: [8], type: GGMLType.f32.rawValue, offset: 0),
            TensorEntry(name: "b", dimensions: [4, 2], type: GGMLType.f32.rawValue, offset: 32),
        ]
        raw.data = (0..<16).flatMap { i in withUnsafeBytes(of: Float(i).bitPattern.littleEndian, Array.init) }
        return raw
    }

    func bytes() throws -> [UInt8] {
        var w = GGUFByteWriter()
        w.append(magic)
        w.append(version)
        w.append(tensorCount ?? UInt64(tensors.count))
        w.append(metadataCount ?? UInt64(metadata.count))
        for (key, value) in metadata {
            w.append(key)
            w.append(value.type.rawValue)
            try w.append(value, key: key)
        }
        for t in tensors {
            w.append(t.name)
            w.append(t.nDims ?? UInt32(t.dimensions.count))
            for d in t.dimensions { w.append(d) }
            w.append(t.type)
            w.append(t.offset)
        }
        w.appendZeros((alignment - w.bytes.count % alignment) % alignment)
        return w.bytes + data
    }
}

/// Every kind of broken input gives a FormatError naming the file and the field, never a crash.
struct GGUFMalformedInputTests {
    /// Parses `bytes` and returns the FormatError it must throw.
    func parseError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> FormatError {
        let path = try GGUFTestSupport.writeTemporary(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try GGUFFile(path: path)
        } catch let error as FormatError {
            #expect(error.file == path, sourceLocation: sourceLocation)
            return error
        }
        Issue.record("expected a FormatError", sourceLocation: sourceLocation)
        return FormatError(file: path, field: "", "no error")
    }

    func parseError(_ raw: RawGGUF, sourceLocation: SourceLocation = #_sourceLocation) throws -> FormatError {
        try parseError(try raw.bytes(), sourceLocation: sourceLocation)
    }

    @Test func validBaseFileParses() throws {
        let path = try GGUFTestSupport.writeTemporary(try RawGGUF.valid().bytes())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        #expect(try file.loadFloat32("b").array == (8..<16).map(Float.init))
        #expect(file.shape(of: "b") == [2, 4])
    }

    @Test func wrongMagic() throws {
        var raw = RawGGUF.valid()
        raw.magic = 0x5855_4747  // "GGUX"
        let e = try parseError(raw)
        #expect(e.field == "header magic")
        #expect(e.message.contains("not a GGUF file"))
        #expect(try parseError(Array("PK\u{3}\u{4} zip file, not gguf".utf8)).field == "header magic")
    }

    @Test(arguments: [UInt32(1), 0, 4, 0x0300_0000])
    func unsupportedVersion(_ version: UInt32) throws {
        var raw = RawGGUF.valid()
        raw.version = version
        let e = try parseError(raw)
        #expect(e.field == "header version")
        #expect(e.message.contains("GGUF version \(version) is not supported"))
        if version == 0x0300_0000 { #expect(e.message.contains("byte-swapped")) }
    }

    @Test func truncatedHeader() throws {
        #expect(try parseError([]).field == "header magic")
        let e = try parseError(Array(try RawGGUF.valid().bytes().prefix(12)))
        #expect(e.field == "header tensor_count")
        #expect(e.message.contains("truncated"))
    }

    @Test func truncatedMetadata() throws {
        var raw = RawGGUF.valid()
        raw.metadata.append(("some.key", .string("value")))
        raw.tensors = []
        raw.data = []
        let bytes = try raw.bytes()
        // Cut inside the string value of "some.key" (drop its last 2 bytes and the padding).
        let valueEnd = try #require(bytes.indices.last { bytes[$0] == UInt8(ascii: "e") && bytes[$0 - 4] == UInt8(ascii: "v") })
        let e = try parseError(Array(bytes.prefix(valueEnd - 1)))
        #expect(e.field == "some.key")
        #expect(e.message.contains("truncated") || e.message.contains("past the end"))
    }

    @Test func truncatedTensorInfos() throws {
        let full = try RawGGUF.valid().bytes()
        var headerOnly = RawGGUF.valid()
        (headerOnly.tensors, headerOnly.data, headerOnly.alignment) = ([], [], 1)
        let infoStart = try headerOnly.bytes().count
        // Tensor "a" takes bytes 0..<33 of the table, "b" 33..<74 (name 33..<42, n_dims, ne[0] 46..<54, ne[1]).
        #expect(try parseError(Array(full.prefix(infoStart + 50))).field == "tensor b ne[0]")
        #expect(try parseError(Array(full.prefix(infoStart + 60))).field == "tensor b ne[1]")
        // Too short to hold two tensor infos at all.
        let e = try parseError(Array(full.prefix(infoStart + 20)))
        #expect(e.field == "header tensor_count" && e.message.contains("truncated file"))
    }

    @Test func tensorDataBeyondEndOfFile() throws {
        let full = try RawGGUF.valid().bytes()
        let e = try parseError(Array(full.dropLast(1)))
        #expect(e.field == "tensor b")
        #expect(e.message.contains("beyond the end of the file"))
    }

    @Test func tensorOffsetOutOfBounds() throws {
        var raw = RawGGUF.valid()
        raw.tensors[1].offset = 1 << 40
        #expect(try parseError(raw).field == "tensor b")
        raw.tensors[1].offset = UInt64.max - 31
        #expect(try parseError(raw).message.contains("too large"))
    }

    @Test func misalignedTensorOffset() throws {
        var raw = RawGGUF.valid()
        raw.tensors[1].offset = 4
        let e = try parseError(raw)
        #expect(e.field == "tensor b" && e.message.contains("not a multiple of the alignment 32"))
    }

    @Test func unknownTensorType() throws {
        var raw = RawGGUF.valid()
        raw.tensors[0].type = 123
        let e = try parseError(raw)
        #expect(e.field == "tensor a")
        #expect(e.message == "unknown ggml type 123")
        raw.tensors[0].type = 4  // retired Q4_2
        #expect(try parseError(raw).message == "unknown ggml type 4")
    }

    @Test func knownButUnsupportedTensorType() throws {
        var raw = RawGGUF.valid()
        raw.tensors = [RawGGUF.TensorEntry(name: "iq", dimensions: [256], type: GGMLType.iq2_xxs.rawValue, offset: 0)]
        raw.data = [UInt8](repeating: 0, count: GGMLType.iq2_xxs.typeSize)
        let path = try GGUFTestSupport.writeTemporary(try raw.bytes())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        #expect(file.storageType(of: "iq") == "IQ2_XXS")
        #expect(throws: FormatError(file: path, field: "tensor iq", "type IQ2_XXS is not supported")) {
            try file.loadFloat32("iq")
        }
    }

    @Test func nonsenseDimensions() throws {
        var raw = RawGGUF.valid()
        raw.tensors[0].nDims = 1000
        var e = try parseError(raw)
        #expect(e.field == "tensor a" && e.message.contains("n_dims is 1000"))

        raw = RawGGUF.valid()
        raw.tensors[0].dimensions = [1 << 40, 1 << 40]
        e = try parseError(raw)
        #expect(e.message.contains("overflows"))

        raw.tensors[0].dimensions = [UInt64.max]
        e = try parseError(raw)
        #expect(e.message.contains("too large"))

        raw.tensors[0].dimensions = [1 << 62, 0, 1 << 62]  // zero elements, but absurd
        e = try parseError(raw)
        #expect(e.message.contains("overflows"))

        raw = RawGGUF.valid()
        raw.tensors[0].type = GGMLType.q8_0.rawValue
        raw.tensors[0].dimensions = [8]
        e = try parseError(raw)
        #expect(e.message.contains("not a multiple of the Q8_0 block size 32"))
    }

    @Test func absurdCounts() throws {
        var raw = RawGGUF.valid()
        raw.tensorCount = 1 << 60
        #expect(try parseError(raw).field == "header tensor_count")
        raw = RawGGUF.valid()
        raw.metadataCount = UInt64.max
        #expect(try parseError(raw).field == "header metadata_kv_count")
        raw = RawGGUF.valid()
        raw.metadataCount = 5  // more pairs than present: runs into the tensor infos
        _ = try parseError(raw)
    }

    @Test func stringLengthBeyondEndOfFile() throws {
        var w = GGUFByteWriter()
        w.append(GGUFFile.magic)
        w.append(UInt32(3))
        w.append(UInt64(0))
        w.append(UInt64(1))
        w.append(UInt64(1) << 40)  // key length
        w.append("abc")
        var e = try parseError(w.bytes)
        #expect(e.field == "metadata[0] key" && e.message.contains("past the end"))

        var v = GGUFByteWriter()
        v.append(GGUFFile.magic)
        v.append(UInt32(3))
        v.append(UInt64(0))
        v.append(UInt64(1))
        v.append("k")
        v.append(GGUFValueType.string.rawValue)
        v.append(UInt64(100))  // value length
        v.append("short")
        e = try parseError(v.bytes)
        #expect(e.field == "k" && e.message.contains("past the end"))
    }

    @Test func badArrays() throws {
        func file(_ body: (inout GGUFByteWriter) -> Void) -> [UInt8] {
            var w = GGUFByteWriter()
            w.append(GGUFFile.magic)
            w.append(UInt32(3))
            w.append(UInt64(0))
            w.append(UInt64(1))
            w.append("arr")
            w.append(GGUFValueType.array.rawValue)
            body(&w)
            return w.bytes
        }
        // Huge element count.
        var e = try parseError(file { w in w.append(GGUFValueType.uint32.rawValue); w.append(UInt64(1) << 50) })
        #expect(e.field == "arr" && e.message.contains("past the end"))
        // Unknown element type.
        e = try parseError(file { w in w.append(UInt32(99)); w.append(UInt64(1)) })
        #expect(e.message.contains("unknown metadata value type 99"))
        // Arrays nested 100 deep.
        e = try parseError(file { w in
            for _ in 0..<100 { w.append(GGUFValueType.array.rawValue); w.append(UInt64(1)) }
            w.append(GGUFValueType.uint8.rawValue); w.append(UInt64(0))
        })
        #expect(e.message.contains("nested deeper"))
    }

    @Test func unknownMetadataValueType() throws {
        var w = GGUFByteWriter()
        w.append(GGUFFile.magic)
        w.append(UInt32(3))
        w.append(UInt64(0))
        w.append(UInt64(1))
        w.append("k")
        w.append(UInt32(13))
        w.append(UInt64(0))
        let e = try parseError(w.bytes)
        #expect(e.field == "k" && e.message.contains("unknown metadata value type 13"))
    }

    @Test func duplicates() throws {
        var raw = RawGGUF.valid()
        raw.tensors[1].name = "a"
        let e = try parseError(raw)
        #expect(e.field == "tensor a" && e.message.contains("duplicate tensor name"))

        raw = RawGGUF.valid()
        raw.metadata.append(("general.architecture", .string("again")))
        #expect(try parseError(raw).message == "duplicate metadata key")
    }

    @Test func badAlignment() throws {
        for value in [GGUFValue.uint32(0), .uint32(48), .string("32"), .int64(-32)] {
            var raw = RawGGUF.valid()
            raw.metadata.append(("general.alignment", value))
            #expect(try parseError(raw).field == "general.alignment", "\(value)")
        }
    }

    @Test func missingTensor() throws {
        let path = try GGUFTestSupport.writeTemporary(try RawGGUF.valid().bytes())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        #expect(throws: FormatError(file: path, field: "tensor nope", "missing tensor")) { try file.loadFloat32("nope") }
        #expect(throws: FormatError(file: path, field: "tensor nope", "missing tensor")) { try file.rawData(of: "nope") }
        #expect(throws: FormatError.self) { try file.loadFloat32("a", expectedShape: [9]) }
        #expect(file.shape(of: "nope") == nil && file.storageType(of: "nope") == nil)
    }

    @Test func missingFileAndDirectory() throws {
        let missing = GGUFTestSupport.temporaryPath("absent.gguf")
        #expect(throws: FormatError.self) { try GGUFFile(path: missing) }
        do {
            _ = try GGUFFile(path: FileManager.default.temporaryDirectory.path)
            Issue.record("a directory parsed as GGUF")
        } catch let error as FormatError {
            #expect(error.field == "file" && error.message.contains("directory"))
        }
    }

    /// Every proper prefix of a valid file must be rejected with a FormatError.
    @Test func everyTruncationThrows() throws {
        var raw = RawGGUF.valid()
        raw.metadata += [("n", .array(elementType: .array, [.array(elementType: .int16, [.int16(1), .int16(2)])])),
                         ("s", .array(elementType: .string, [.string("ab"), .string("")])),
                         ("f", .float64(1.5))]
        let full = try raw.bytes()
        let path = GGUFTestSupport.temporaryPath("truncated.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var failures: [Int] = []
        for length in 0..<full.count {
            try Data(full.prefix(length)).write(to: URL(fileURLWithPath: path))
            do {
                _ = try GGUFFile(path: path)
                failures.append(length)
            } catch is FormatError {
            }
        }
        #expect(failures.isEmpty, "prefixes that parsed: \(failures)")
        try Data(full).write(to: URL(fileURLWithPath: path))
        #expect(try GGUFFile(path: path).tensors.count == 2)
    }

    /// Random byte corruption: parsing and decoding either work or throw FormatError.
    @Test func randomCorruptionNeverCrashes() throws {
        var raw = RawGGUF.valid()
        raw.tensors.append(RawGGUF.TensorEntry(name: "q", dimensions: [32, 2], type: GGMLType.q4_k.rawValue, offset: 64))
        raw.tensors[2].dimensions = [256, 1]
        raw.data += [UInt8](repeating: 0x11, count: GGMLType.q4_k.typeSize)
        let full = try raw.bytes()
        let path = GGUFTestSupport.temporaryPath("corrupt.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rng = SeededGenerator(seed: 1234)
        var parsed = 0
        for _ in 0..<400 {
            var bytes = full
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : bytes[i] ^ 0x80
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let file = try GGUFFile(path: path)
                parsed += 1
                for name in file.tensorNames {
                    do { _ = try file.loadFloat32(name) } catch is FormatError {}
                }
            } catch is FormatError {
            }
        }
        #expect(parsed > 0)
    }
}

struct GGUFVersionTests {
    @Test func readsVersion2() throws {
        var raw = RawGGUF.valid()
        raw.version = 2
        let path = try GGUFTestSupport.writeTemporary(try raw.bytes())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        #expect(file.version == 2)
        #expect(try file.loadFloat32("a").array == (0..<8).map(Float.init))
    }

    @Test func readsVocabOnlyFileWithoutDataSection() throws {
        var raw = RawGGUF()
        raw.metadata.append(("tokenizer.ggml.tokens", .array(elementType: .string, [.string("<s>")])))
        raw.alignment = 1  // no padding after the metadata, like llama.cpp's vocab-only files
        let path = try GGUFTestSupport.writeTemporary(try raw.bytes())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        #expect(file.tensors.isEmpty)
        #expect(file["tokenizer.ggml.tokens"]?.asStringArray == ["<s>"])
    }
}
