import Testing
@testable import Evaluation

/// The R unserializer on hand-built XDR serializations.
@Suite struct CorpusRSerializationTests {
    /// Writes R's XDR serialization format.
    struct XDRWriter {
        var bytes: [UInt8] = []

        static func header(version: Int32 = 3) -> XDRWriter {
            var writer = XDRWriter(bytes: Array("X\n".utf8))
            writer.int(version)
            writer.int(0x0004_0201)
            writer.int(0x0003_0500)
            if version == 3 {
                writer.int(5)
                writer.bytes += Array("UTF-8".utf8)
            }
            return writer
        }

        mutating func int(_ value: Int32) {
            let bits = UInt32(bitPattern: value)
            bytes += [UInt8(bits >> 24), UInt8((bits >> 16) & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8(bits & 0xFF)]
        }

        mutating func double(_ value: Double) {
            let bits = value.bitPattern
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((bits >> UInt64(shift)) & 0xFF)) }
        }

        /// A CHARSXP; `levels` holds the encoding bits (UTF-8 = 8, Latin-1 = 4, ASCII = 64).
        mutating func char(_ raw: [UInt8]?, levels: Int32 = 64) {
            int(9 | levels << 12)
            guard let raw else { return int(-1) }
            int(Int32(raw.count))
            bytes += raw
        }

        mutating func strings(_ values: [String?]) {
            int(16)
            int(Int32(values.count))
            for value in values { char(value.map { Array($0.utf8) }) }
        }

        mutating func symbol(_ name: String) {
            int(1)
            char(Array(name.utf8))
        }
    }

    /// list(n = c(1L, NA), s = c("a", NA, "é"), d = 2.5) with a names attribute.
    static func namedList(version: Int32 = 3) -> [UInt8] {
        var w = XDRWriter.header(version: version)
        w.int(19 | 1 << 9)  // VECSXP with attributes
        w.int(3)
        w.int(13); w.int(2); w.int(1); w.int(Int32.min)
        w.int(16); w.int(3); w.char(Array("a".utf8)); w.char(nil); w.char([0xC3, 0xA9], levels: 8)
        w.int(14); w.int(1); w.double(2.5)
        w.int(2 | 1 << 10)  // attribute pairlist cell with a tag
        w.symbol("names")
        w.strings(["n", "s", "d"])
        w.int(254)
        return w.bytes
    }

    @Test(arguments: [Int32(2), 3]) func namedListOfVectors(version: Int32) throws {
        let object = try RUnserializer.unserialize(Self.namedList(version: version), file: "t")
        #expect(object.names == ["n", "s", "d"])
        guard case .integer(let ints)? = object.element("n")?.payload else { Issue.record("n"); return }
        #expect(ints == [1, Int32.min])
        #expect(object.element("n")?.numbers == [1, nil])
        guard case .string(let strings)? = object.element("s")?.payload else { Issue.record("s"); return }
        #expect(strings == ["a", nil, "é"])
        #expect(object.element("d")?.numbers == [2.5])
    }

    @Test func symbolsAreSharedThroughReferences() throws {
        var w = XDRWriter.header()
        w.int(2 | 1 << 10); w.symbol("x"); w.int(10); w.int(1); w.int(1)
        w.int(2 | 1 << 10); w.int(255 | 1 << 8); w.int(10); w.int(1); w.int(0)  // tag: reference 1
        w.int(254)
        let object = try RUnserializer.unserialize(w.bytes, file: "t")
        guard case .pairlist(let cells) = object.payload else { Issue.record("not a pairlist"); return }
        #expect(cells.map(\.tag) == ["x", "x"])
        #expect(cells.map { $0.value.numbers } == [[1], [0]])
    }

    @Test func latin1AndLongLengths() throws {
        var w = XDRWriter.header()
        w.int(16)
        w.int(-1); w.int(0); w.int(2)  // long-vector length form: 2
        w.char([0x63, 0x61, 0x66, 0xE9], levels: 4)  // "café" in Latin-1
        w.char(Array("ok".utf8))
        let object = try RUnserializer.unserialize(w.bytes, file: "t")
        guard case .string(let strings) = object.payload else { Issue.record("not strings"); return }
        #expect(strings == ["café", "ok"])
    }

    @Test func compactSequence() throws {
        // ALTREP compact_intseq 5:7 as R 3.5+ writes `5:7`.
        var w = XDRWriter.header()
        w.int(238)
        w.int(2); w.symbol("compact_intseq"); w.int(2); w.symbol("base"); w.int(2); w.int(13); w.int(1); w.int(13); w.int(254)
        w.int(14); w.int(3); w.double(3); w.double(5); w.double(1)
        w.int(254)
        let object = try RUnserializer.unserialize(w.bytes, file: "t")
        #expect(object.numbers == [5, 6, 7])
    }

    @Test func errorsNameTheProblem() {
        func error(_ bytes: [UInt8]) -> String {
            CorpusFixtures.errorText { _ = try RUnserializer.unserialize(bytes, file: "f.rdb") }
        }
        #expect(error(Array("A\n1\n".utf8)).contains("XDR"))
        #expect(error([]).contains("f.rdb"))
        var w = XDRWriter.header(version: 4)
        #expect(error(w.bytes).contains("version 4"))
        w = XDRWriter.header(); w.int(255 | 9 << 8)
        #expect(error(w.bytes).contains("reference 9"))
        w = XDRWriter.header(); w.int(21)
        #expect(error(w.bytes).contains("byte code"))
        w = XDRWriter.header(); w.int(16); w.int(1); w.char([0xFF, 0xFE], levels: 8)
        #expect(error(w.bytes).contains("UTF-8"))
        w = XDRWriter.header(); w.int(13); w.int(1_000_000); w.int(1)
        #expect(error(w.bytes).contains("runs past the end"))
        w = XDRWriter.header(); w.int(16); w.int(1); w.int(13); w.int(0); w.int(0)
        #expect(error(w.bytes).contains("expected 9"))
        w = XDRWriter.header(); for _ in 0..<5000 { w.int(19); w.int(1) }
        #expect(error(w.bytes).contains("nested deeper"))
    }

    @Test func everyPrefixAndEveryByteChangeIsHandled() {
        let bytes = Self.namedList()
        for length in 0..<bytes.count {
            #expect(throws: CorpusError.self) { try RUnserializer.unserialize(Array(bytes.prefix(length)), file: "t") }
        }
        for position in bytes.indices {
            for value: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF] {
                var mutated = bytes
                mutated[position] = value
                _ = try? RUnserializer.unserialize(mutated, file: "t")  // must not crash
            }
        }
    }
}
