/// A reader for R's serialization format ("X\n" XDR, versions 2 and 3), the format of `.rds` files
/// and of the blocks of a lazy-load database (`Rdata.rdb`). It covers data, not code: NULL,
/// logical/integer/double/complex/character/raw vectors, lists and expression vectors, pairlists
/// (also language objects and closures, read as pairlists), symbols, references to earlier symbols
/// and environments, environments, namespaces/packages by name, S4 objects, external pointers,
/// and the ALTREP compact sequences and wrappers. Byte code and other ALTREP classes are reported
/// as unsupported. Every length is checked against the bytes that remain before anything is
/// allocated, and nesting is limited, so corrupt input gives a `CorpusError` (with the byte
/// offset), never a crash. Reads one serialized R object; `file` only goes into error messages.
struct RUnserializer {
    private let bytes: [UInt8]
    private let file: String
    private var offset = 0
    private var references: [RObject] = []
    private var nativeEncoding = "UTF-8"
    private var depth = 0
    private static let maximumDepth = 1000
    /// Compact sequences are expanded; longer ones than this are refused rather than allocated.
    private static let maximumExpandedLength = 1 << 24

    /// Unserializes `bytes`, which must start with the "X\n" header.
    static func unserialize(_ bytes: [UInt8], file: String) throws(CorpusError) -> RObject {
        var reader = RUnserializer(bytes: bytes, file: file)
        try reader.readHeader()
        return try reader.readItem()
    }

    private init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    // MARK: - SEXP type codes (R's Rinternals.h and serialize.c)

    private enum Code {
        static let nilsxp = 0, symsxp = 1, listsxp = 2, closxp = 3, envsxp = 4, promsxp = 5, langsxp = 6
        static let specialsxp = 7, builtinsxp = 8, charsxp = 9, lglsxp = 10, intsxp = 13, realsxp = 14
        static let cplxsxp = 15, strsxp = 16, dotsxp = 17, vecsxp = 19, exprsxp = 20, bcodesxp = 21
        static let extptrsxp = 22, weakrefsxp = 23, rawsxp = 24, s4sxp = 25
        static let altrep = 238, emptyEnv = 242, baseEnv = 241, persist = 247, package = 248
        static let namespace = 249, baseNamespace = 250, missingArg = 251, unboundValue = 252
        static let globalEnv = 253, nilValue = 254, reference = 255
        static let pairlistTypes: Set<Int> = [listsxp, closxp, promsxp, langsxp, dotsxp]
    }

    // CHARSXP encoding bits in the "levels" part of the flags.
    private static let latin1Mask = 1 << 2, utf8Mask = 1 << 3, asciiMask = 1 << 6

    // MARK: - Primitives

    private func error(_ message: String, at position: Int? = nil) -> CorpusError {
        CorpusError(file: file, "R serialization: byte offset \(position ?? offset): \(message)")
    }

    private mutating func readInt() throws(CorpusError) -> Int32 {
        guard offset + 4 <= bytes.count else { throw error("unexpected end of data (need 4 bytes)") }
        let value = UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        offset += 4
        return Int32(bitPattern: value)
    }

    private mutating func readDouble() -> Double {
        var bits: UInt64 = 0
        for k in 0..<8 { bits = bits << 8 | UInt64(bytes[offset + k]) }
        offset += 8
        return Double(bitPattern: bits)
    }

    /// A vector length: an Int32, or -1 followed by two Int32 halves for long vectors.
    private mutating func readLength() throws(CorpusError) -> Int {
        let start = offset
        let short = try readInt()
        if short >= 0 { return Int(short) }
        guard short == -1 else { throw error("negative length \(short)", at: start) }
        let upper = Int(UInt32(bitPattern: try readInt())), lower = Int(UInt32(bitPattern: try readInt()))
        guard upper < 1 << 20 else { throw error("long-vector length out of range", at: start) }
        return upper << 32 | lower
    }

    /// Throws unless `count` elements of `size` bytes each fit in the remaining data.
    private func requireBytes(_ count: Int, size: Int, for what: String) throws(CorpusError) {
        let (total, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, total <= bytes.count - offset else {
            throw error("\(what) of length \(count) runs past the end of the data")
        }
    }

    // MARK: - Header

    private mutating func readHeader() throws(CorpusError) {
        guard bytes.count >= 2 else { throw error("data too short for a serialization header", at: 0) }
        switch (bytes[0], bytes[1]) {
        case (UInt8(ascii: "X"), UInt8(ascii: "\n")):
            offset = 2
        case (UInt8(ascii: "A"), _), (UInt8(ascii: "B"), _):
            throw error("only the XDR format (\"X\\n\") is supported, found \"\(Character(UnicodeScalar(bytes[0])))\"", at: 0)
        default:
            throw error("not an R serialization (no \"X\\n\" header)", at: 0)
        }
        let version = try readInt()
        _ = try readInt()  // R version that wrote it
        _ = try readInt()  // minimal R version to read it
        switch version {
        case 2:
            break
        case 3:
            let length = try readLength()
            try requireBytes(length, size: 1, for: "native encoding name")
            nativeEncoding = String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
            offset += length
        default:
            throw error("unsupported serialization version \(version) (2 and 3 are supported)", at: 2)
        }
    }

    // MARK: - Items

    private mutating func readItem() throws(CorpusError) -> RObject {
        let flags = Int(try readInt())
        return try readItem(flags: flags)
    }

    private mutating func readItem(flags: Int) throws(CorpusError) -> RObject {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw error("objects nested deeper than \(Self.maximumDepth) levels") }

        let type = flags & 0xFF
        let hasAttributes = flags & (1 << 9) != 0
        let hasTag = flags & (1 << 10) != 0
        let start = offset - 4

        switch type {
        case Code.nilValue: return RObject(type: Code.nilsxp, payload: .null)
        case Code.emptyEnv: return RObject(type: Code.envsxp, payload: .special("empty environment"))
        case Code.baseEnv: return RObject(type: Code.envsxp, payload: .special("base environment"))
        case Code.globalEnv: return RObject(type: Code.envsxp, payload: .special("global environment"))
        case Code.unboundValue: return RObject(type: Code.symsxp, payload: .special("unbound value"))
        case Code.missingArg: return RObject(type: Code.symsxp, payload: .special("missing argument"))
        case Code.baseNamespace: return RObject(type: Code.envsxp, payload: .special("namespace:base"))
        case Code.reference:
            var index = flags >> 8
            if index == 0 { index = Int(try readInt()) }
            guard index >= 1 && index <= references.count else {
                throw error("reference \(index) to an object not read yet (\(references.count) known)", at: start)
            }
            return references[index - 1]
        case Code.persist, Code.package, Code.namespace:
            let names = try readStringVector()
            let kind = type == Code.namespace ? "namespace" : type == Code.package ? "package" : "persistent"
            let object = RObject(type: Code.envsxp,
                                 payload: .special("\(kind):" + names.map { $0 ?? "NA" }.joined(separator: ",")))
            references.append(object)
            return object
        case Code.symsxp:
            let name = try readItem()
            guard case .string(let chars) = name.payload, chars.count == 1 else {
                throw error("symbol name is not a string", at: start)
            }
            let object = RObject(type: Code.symsxp, payload: .symbol(chars[0] ?? "NA"))
            references.append(object)
            return object
        case Code.envsxp:
            references.append(RObject(type: Code.envsxp, payload: .environment))
            _ = try readInt()   // locked
            _ = try readItem()  // enclosing environment
            _ = try readItem()  // frame
            _ = try readItem()  // hash table
            _ = try readItem()  // attributes
            return RObject(type: Code.envsxp, payload: .environment)
        case _ where Code.pairlistTypes.contains(type):
            return try readPairlist(type: type, hasAttributes: hasAttributes, hasTag: hasTag)
        case Code.extptrsxp:
            references.append(RObject(type: type, payload: .special("external pointer")))
            _ = try readItem()  // protected value
            _ = try readItem()  // tag
            return try withAttributes(RObject(type: type, payload: .special("external pointer")), hasAttributes)
        case Code.weakrefsxp:
            references.append(RObject(type: type, payload: .special("weak reference")))
            return try withAttributes(RObject(type: type, payload: .special("weak reference")), hasAttributes)
        case Code.specialsxp, Code.builtinsxp:
            let length = try readLength()
            try requireBytes(length, size: 1, for: "primitive name")
            let name = String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
            offset += length
            return RObject(type: type, payload: .special("primitive:\(name)"))
        case Code.s4sxp:
            return try withAttributes(RObject(type: type, payload: .null), hasAttributes)
        case Code.charsxp:
            let value = try readCharacter(flags: flags)
            if hasAttributes { _ = try readItem() }  // old files: ignored, as R does
            return RObject(type: Code.charsxp, payload: .string([value]))
        case Code.altrep:
            return try readAltrep(at: start)
        case Code.bcodesxp:
            throw error("byte code (SEXP type 21) is not supported", at: start)
        default:
            let payload = try readVector(type: type, at: start)
            return try withAttributes(RObject(type: type, payload: payload), hasAttributes)
        }
    }

    private mutating func withAttributes(_ object: RObject, _ hasAttributes: Bool) throws(CorpusError) -> RObject {
        guard hasAttributes else { return object }
        var object = object
        object.attributes = try readAttributes()
        return object
    }

    /// An attribute list: a pairlist whose tags are the attribute names.
    private mutating func readAttributes() throws(CorpusError) -> [RTaggedValue] {
        let start = offset
        let list = try readItem()
        switch list.payload {
        case .pairlist(let cells): return cells
        case .null: return []
        default: throw error("attributes are not a pairlist", at: start)
        }
    }

    /// A pairlist, read cell by cell along the CDR chain (iteratively, so long lists are fine).
    private mutating func readPairlist(type: Int, hasAttributes: Bool, hasTag: Bool) throws(CorpusError) -> RObject {
        var cells: [RTaggedValue] = []
        var attributes: [RTaggedValue] = []
        var cellHasAttributes = hasAttributes, cellHasTag = hasTag
        while true {
            let cellAttributes = cellHasAttributes ? try readAttributes() : []
            if cells.isEmpty { attributes = cellAttributes }
            var tag: String?
            if cellHasTag {
                if case .symbol(let name) = try readItem().payload { tag = name }
            }
            cells.append(RTaggedValue(tag: tag, value: try readItem()))
            let nextFlags = Int(try readInt())
            let nextType = nextFlags & 0xFF
            if nextType == Code.nilValue { break }
            if Code.pairlistTypes.contains(nextType) {
                cellHasAttributes = nextFlags & (1 << 9) != 0
                cellHasTag = nextFlags & (1 << 10) != 0
                continue
            }
            // A dotted pair: the CDR is not a pairlist. Keep it as a final untagged cell.
            cells.append(RTaggedValue(tag: nil, value: try readItem(flags: nextFlags)))
            break
        }
        return RObject(type: type, payload: .pairlist(cells), attributes: attributes)
    }

    /// A CHARSXP's contents: nil for NA_character_.
    private mutating func readCharacter(flags: Int) throws(CorpusError) -> String? {
        let start = offset
        let length = Int(try readInt())
        if length == -1 { return nil }
        guard length >= 0 else { throw error("negative string length \(length)", at: start) }
        try requireBytes(length, size: 1, for: "string")
        let range = offset..<(offset + length)
        offset += length
        let levels = flags >> 12
        let nativeIsLatin1 = ["latin1", "iso-8859-1", "iso8859-1"].contains(nativeEncoding.lowercased())
        if levels & Self.latin1Mask != 0
            || (nativeIsLatin1 && levels & (Self.utf8Mask | Self.asciiMask) == 0) {
            return String(String.UnicodeScalarView(bytes[range].map { Unicode.Scalar($0) }))
        }
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            throw error("string is not valid UTF-8", at: start)
        }
        return text
    }

    /// A STRSXP-like sequence used by namespace/package references: 0, length, then CHARSXPs.
    private mutating func readStringVector() throws(CorpusError) -> [String?] {
        let start = offset
        guard try readInt() == 0 else { throw error("unsupported persistent string vector", at: start) }
        let length = try readLength()
        try requireBytes(length, size: 8, for: "string vector")
        var strings: [String?] = []
        for _ in 0..<length {
            guard case .string(let chars) = try readItem().payload, chars.count == 1 else {
                throw error("string vector element is not a string", at: start)
            }
            strings.append(chars[0])
        }
        return strings
    }

    private mutating func readVector(type: Int, at start: Int) throws(CorpusError) -> RObject.Payload {
        switch type {
        case Code.nilsxp:
            return .null
        case Code.lglsxp, Code.intsxp:
            let length = try readLength()
            try requireBytes(length, size: 4, for: "integer vector")
            var values = [Int32](repeating: 0, count: length)
            for i in 0..<length { values[i] = try readInt() }
            return type == Code.lglsxp ? .logical(values) : .integer(values)
        case Code.realsxp, Code.cplxsxp:
            let length = try readLength()
            let perElement = type == Code.realsxp ? 1 : 2
            try requireBytes(length, size: 8 * perElement, for: "double vector")
            var values = [Double](repeating: 0, count: length * perElement)
            for i in 0..<values.count { values[i] = readDouble() }
            return type == Code.realsxp ? .real(values) : .complex(values)
        case Code.strsxp:
            let length = try readLength()
            try requireBytes(length, size: 8, for: "character vector")  // each CHARSXP ≥ 8 bytes
            var strings: [String?] = []
            strings.reserveCapacity(length)
            for _ in 0..<length {
                let elementStart = offset
                let flags = Int(try readInt())
                guard flags & 0xFF == Code.charsxp else {
                    throw error("character vector element has SEXP type \(flags & 0xFF), expected 9", at: elementStart)
                }
                strings.append(try readCharacter(flags: flags))
                if flags & (1 << 9) != 0 { _ = try readItem() }
            }
            return .string(strings)
        case Code.vecsxp, Code.exprsxp:
            let length = try readLength()
            try requireBytes(length, size: 4, for: "list")
            var items: [RObject] = []
            items.reserveCapacity(length)
            for _ in 0..<length { items.append(try readItem()) }
            return .list(items)
        case Code.rawsxp:
            let length = try readLength()
            try requireBytes(length, size: 1, for: "raw vector")
            defer { offset += length }
            return .raw(Array(bytes[offset..<(offset + length)]))
        default:
            throw error("unsupported or invalid SEXP type \(type)", at: start)
        }
    }

    /// ALTREP objects: (class info, state, attributes). Only the classes R writes for plain data are
    /// expanded: compact integer/double sequences and the wrapper classes.
    private mutating func readAltrep(at start: Int) throws(CorpusError) -> RObject {
        let info = try readItem()
        let state = try readItem()
        let attributes = try readItem()
        guard case .pairlist(let infoCells) = info.payload, case .symbol(let className)? = infoCells.first?.value.payload else {
            throw error("ALTREP object without a class name", at: start)
        }
        var object: RObject
        switch className {
        case "compact_intseq", "compact_realseq":
            guard let numbers = state.numbers, numbers.count == 3,
                  let lengthValue = numbers[0], let first = numbers[1], let step = numbers[2], lengthValue >= 0 else {
                throw error("ALTREP \(className) with an invalid state", at: start)
            }
            guard lengthValue <= Double(Self.maximumExpandedLength) else {
                throw error("ALTREP \(className) of length \(lengthValue) is too long to expand", at: start)
            }
            let length = Int(lengthValue)
            if className == "compact_intseq" {
                guard abs(first) < 2_147_483_647, abs(first + step * Double(max(0, length - 1))) < 2_147_483_647 else {
                    throw error("ALTREP \(className) outside the integer range", at: start)
                }
                object = RObject(type: Code.intsxp, payload: .integer((0..<length).map { Int32(first + step * Double($0)) }))
            } else {
                object = RObject(type: Code.realsxp, payload: .real((0..<length).map { first + step * Double($0) }))
            }
        case _ where className.hasPrefix("wrap_"):
            guard case .list(let parts) = state.payload, let wrapped = parts.first else {
                throw error("ALTREP \(className) with an invalid state", at: start)
            }
            object = wrapped
        default:
            throw error("ALTREP class \(className) is not supported", at: start)
        }
        if case .pairlist(let cells) = attributes.payload { object.attributes = cells }
        return object
    }
}
