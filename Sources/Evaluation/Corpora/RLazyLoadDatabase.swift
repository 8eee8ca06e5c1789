import ModelFormats

/// An R lazy-load database, the way an R package stores its data sets: `<name>.rdx` is an `.rds`
/// file (gzip-compressed or plain R serialization) holding `list(variables = list(<name> =
/// c(offset, length), …), references = …, compressed = TRUE)`; `<name>.rdb` holds, at each
/// offset, a block made of a 4-byte big-endian uncompressed length followed by zlib data (or, when
/// `compressed` is FALSE, the serialization itself), which is the R serialization of the variable.
struct RLazyLoadDatabase {
    let indexPath: String
    let dataPath: String
    /// Variable name → (offset, length) of its block in the .rdb file, in index order.
    let variables: [(name: String, offset: Int, length: Int)]
    private let compressed: Bool
    private let data: [UInt8]

    /// Opens `<directory>/<name>.rdx` and `<directory>/<name>.rdb`.
    init(directory: String, name: String = "Rdata") throws(CorpusError) {
        indexPath = directory + "/" + name + ".rdx"
        dataPath = directory + "/" + name + ".rdb"
        let index = try RUnserializer.unserialize(try Self.rdsBytes(FileBytes.read(indexPath), file: indexPath),
                                                  file: indexPath)
        guard let variableList = index.element("variables"), case .list(let entries) = variableList.payload,
              let names = variableList.names, names.count == entries.count else {
            throw CorpusError(file: indexPath, "lazy-load index has no named list `variables`")
        }
        data = try FileBytes.read(dataPath)
        var variables: [(name: String, offset: Int, length: Int)] = []
        for (name, entry) in zip(names, entries) {
            guard let name else { throw CorpusError(file: indexPath, "lazy-load index has a variable named NA") }
            guard let position = entry.numbers, position.count == 2,
                  let offset = position[0], let length = position[1],
                  offset >= 0, length >= 4, offset + length <= Double(data.count) else {
                throw CorpusError(file: indexPath,
                                  "variable `\(MessageExcerpt.of(name))`: no valid (offset, length) inside \(dataPath) (\(data.count) bytes)")
            }
            variables.append((name, Int(offset), Int(length)))
        }
        self.variables = variables
        switch index.element("compressed")?.numbers?.first {
        case 1?: compressed = true
        case 0?: compressed = false
        case let other?:
            throw CorpusError(file: indexPath, "compression type \(other.map { String(Int($0)) } ?? "NA") is not supported (only zlib)")
        case nil:
            throw CorpusError(file: indexPath, "lazy-load index has no `compressed` flag")
        }
    }

    /// The R object stored under `name`.
    func object(named name: String) throws(CorpusError) -> RObject {
        let (bytes, what) = try serialization(named: name)
        return try RUnserializer.unserialize(bytes, file: dataPath + " (" + what + ")")
    }

    /// The R serialization stored under `name` (decompressed), and a description of its block.
    func serialization(named name: String) throws(CorpusError) -> (bytes: [UInt8], block: String) {
        guard let entry = variables.first(where: { $0.name == name }) else {
            throw CorpusError(file: indexPath, "no variable `\(MessageExcerpt.of(name))` (has: \(MessageExcerpt.of(variables.map(\.name).joined(separator: ", "))))")
        }
        let block = data[entry.offset..<(entry.offset + entry.length)]
        let what = "block of `\(MessageExcerpt.of(name))` at byte offset \(entry.offset)"
        guard compressed else { return (Array(block), what) }
        let b = block.startIndex
        let size = Int(block[b]) << 24 | Int(block[b + 1]) << 16 | Int(block[b + 2]) << 8 | Int(block[b + 3])
        return (try Zlib.inflate(block.dropFirst(4), expectedSize: size, file: dataPath, what: what), what)
    }

    /// The serialization inside an .rds file: gzip/zlib-compressed or stored as is.
    private static func rdsBytes(_ bytes: [UInt8], file: String) throws(CorpusError) -> [UInt8] {
        if bytes.starts(with: [0x1F, 0x8B]) || (bytes.count >= 2 && bytes[0] == 0x78) {
            return try Zlib.inflate(bytes[...], file: file, what: "rds index")
        }
        if bytes.starts(with: Array("BZh".utf8)) { return try Bzip2.decompress(bytes, file: file) }
        if bytes.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A]) {
            throw CorpusError(file: file, "xz-compressed .rds files are not supported")
        }
        return bytes
    }
}
