import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// Every malformed input is a `FormatError` naming the file and what is wrong; nothing crashes.
@Suite struct SafetensorsMalformedTests {
    /// A valid two-tensor file (F32 [2] at 0..<8, F16 [3] at 8..<14) the cases below break.
    static let goodHeader = """
        {"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
        "b":{"dtype":"F16","shape":[3],"data_offsets":[8,14]}}
        """
    static let goodData: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 64, 0, 60, 0, 64, 0, 66]

    private func open(_ bytes: [UInt8]) throws -> (path: String, error: FormatError?) {
        let url = try TestFiles.scratchDirectory().appendingPathComponent("bad.safetensors")
        try TestFiles.write(bytes, to: url)
        return (url.path, TestFiles.formatError { _ = try SafetensorsFile(path: url.path) })
    }

    private func open(header: String, data: [UInt8] = goodData) throws -> (path: String, error: FormatError?) {
        try open(TestFiles.safetensorsBytes(header: header, data: data))
    }

    @Test func goodFileOpens() throws {
        let url = try TestFiles.scratchDirectory().appendingPathComponent("good.safetensors")
        try TestFiles.write(TestFiles.safetensorsBytes(header: Self.goodHeader, data: Self.goodData), to: url)
        let file = try SafetensorsFile(path: url.path)
        #expect(try file.loadFloat32("a").array == [1, 2])
        #expect(try file.loadFloat32("b").array == [1, 2, 3])
    }

    @Test func headerLengthLargerThanFile() throws {
        var bytes = TestFiles.safetensorsBytes(header: Self.goodHeader, data: Self.goodData)
        bytes.replaceSubrange(0 ..< 8, with: withUnsafeBytes(of: UInt64(bytes.count).littleEndian, Array.init))
        let (path, error) = try open(bytes)
        #expect(error?.file == path)
        #expect(error?.field == "header length")
    }

    @Test func absurdHeaderLengths() throws {
        for length in [UInt64(100_000_001), UInt64(Int64.max), UInt64.max, UInt64(1) << 63] {
            let bytes = withUnsafeBytes(of: length.littleEndian, Array.init) + Array("{}".utf8)
            #expect(try open(bytes).error?.field == "header length")
        }
    }

    @Test func fileShorterThanTheLengthField() throws {
        for count in 0 ..< 8 {
            #expect(try open([UInt8](repeating: 2, count: count)).error?.field == "header length")
        }
    }

    @Test func truncatedData() throws {
        let (path, error) = try open(header: Self.goodHeader, data: Array(Self.goodData.dropLast(3)))
        #expect(error?.file == path)
        #expect(error?.field == "b.data_offsets")
        #expect(error?.message.contains("past the end") == true)
    }

    @Test func dataOffsetsOutOfBounds() throws {
        let header = Self.goodHeader.replacingOccurrences(of: "[8,14]", with: "[1000,1006]")
        #expect(try open(header: header).error?.field == "b.data_offsets")
        let huge = Self.goodHeader.replacingOccurrences(of: "[8,14]", with: "[9223372036854775800,9223372036854775806]")
        #expect(try open(header: huge).error?.field == "b.data_offsets")
    }

    @Test func overlappingOffsets() throws {
        let header = """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[3],"data_offsets":[6,12]}}
            """
        let error = try open(header: header).error
        #expect(error?.field == "b.data_offsets")
        #expect(error?.message.contains("overlaps 'a'") == true)
    }

    @Test func shapeAndSizeMismatch() throws {
        let header = Self.goodHeader.replacingOccurrences(of: "\"shape\":[3]", with: "\"shape\":[2,2]")
        let error = try open(header: header).error
        #expect(error?.field == "b.data_offsets")
        #expect(error?.message.contains("needs 8") == true)
    }

    @Test func shapesThatOverflowOrAreNegative() throws {
        for shape in ["[-1]", "[4294967296,4294967296]", "[9223372036854775807,2]", "[1.5]", "[\"3\"]", "3"] {
            let header = Self.goodHeader.replacingOccurrences(of: "\"shape\":[3]", with: "\"shape\":\(shape)")
            let error = try open(header: header).error
            #expect(error?.field.hasPrefix("b.") == true, "\(shape): \(String(describing: error))")
        }
    }

    @Test func unknownDType() throws {
        let header = Self.goodHeader.replacingOccurrences(of: "\"F16\"", with: "\"F12\"")
        let error = try open(header: header).error
        #expect(error?.field == "b.dtype")
        #expect(error?.message == "unknown dtype 'F12'")
    }

    @Test func invalidJSONHeader() throws {
        for header in ["{\"a\":{", "not json", "{\"a\":{\"dtype\":\"F32\",}}", "[1,2]", "\"text\"", "{}}", "  "] {
            let padded = header + String(repeating: " ", count: 8)
            let (path, error) = try open(header: padded)
            #expect(error?.file == path, "\(header)")
            #expect(error != nil, "\(header)")
        }
        let invalidUTF8 = withUnsafeBytes(of: UInt64(4).littleEndian, Array.init) + [0x7B, 0xFF, 0xFE, 0x7D]
        #expect(try open(invalidUTF8).error != nil)
    }

    @Test func malformedEntries() throws {
        let cases: [(String, String)] = [
            ("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "a.dtype"),
            ("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", "a.shape"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", "a.data_offsets"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", "a.data_offsets"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "a.data_offsets"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", "a.data_offsets"),
            ("{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", "a.dtype"),
            ("{\"a\":[1]}", "a"),
            ("{\"__metadata__\":{\"n\":1}}", "__metadata__.n"),
            ("{\"__metadata__\":[]}", "__metadata__"),
        ]
        for (header, field) in cases {
            #expect(try open(header: header + "        ").error?.field == field, "\(header)")
        }
    }

    @Test func subByteTypesMustFillWholeBytes() throws {
        let odd = "{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}"
        #expect(try open(header: odd).error?.field == "a.shape")
        let even = "{\"a\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]}}"
        let url = try TestFiles.scratchDirectory().appendingPathComponent("f4.safetensors")
        try TestFiles.write(TestFiles.safetensorsBytes(header: even, data: [1, 2]), to: url)
        let file = try SafetensorsFile(path: url.path)
        #expect(file.storageType(of: "a") == "F4")
        #expect(TestFiles.formatError { _ = try file.loadFloat32("a") }?.message.contains("unsupported dtype F4") == true)
    }

    /// Cut a valid file at every length: each prefix must be refused with a FormatError.
    @Test func truncationAtEveryOffsetThrows() throws {
        let bytes = TestFiles.safetensorsBytes(header: Self.goodHeader, data: Self.goodData)
        for length in 0 ..< bytes.count {
            let (path, error) = try open(Array(bytes.prefix(length)))
            #expect(error?.file == path, "length \(length)")
        }
    }

    /// Random single-byte corruptions anywhere: the file opens or throws a FormatError, and any
    /// tensor that opens can be loaded or refused cleanly. Never a crash.
    @Test func randomCorruptionNeverCrashes() throws {
        let bytes = TestFiles.safetensorsBytes(header: Self.goodHeader, data: Self.goodData)
        let url = try TestFiles.scratchDirectory().appendingPathComponent("fuzz.safetensors")
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 400 {
            var corrupted = bytes
            for _ in 0 ..< Int.random(in: 1 ... 3, using: &generator) {
                corrupted[Int.random(in: 0 ..< corrupted.count, using: &generator)] = UInt8.random(in: 0 ... 255, using: &generator)
            }
            try TestFiles.write(corrupted, to: url)
            do {
                let file = try SafetensorsFile(path: url.path)
                for name in file.tensorNames {
                    do { _ = try file.loadFloat32(name) } catch is FormatError {}
                }
            } catch is FormatError {}
        }
    }
}
