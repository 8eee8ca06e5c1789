@testable import Evaluation

/// `rds`: the books corpus reader. An input is an R lazy-load database in one piece: a 4-byte
/// little-endian length n, then n bytes of `Rdata.rdx` (an .rds: plain, gzip/zlib or bzip2 R
/// serialization of the index), then `Rdata.rdb` (the blocks). Every variable the index lists is
/// read (inflated and unserialized), and a character vector is cut into chapters as the corpus does.
enum RDSTarget {
    static let target = FuzzTarget(
        name: "rds", summary: "R lazy-load database (.rdx/.rdb): decompression, R unserialization, chapters"
    ) { input in
        let bytes = input.bytes
        let declared = bytes.count >= 4 ? Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24 : 0
        let indexEnd = min(bytes.count, 4 + declared)
        let directory = Scratch.subdirectory("rdata")
        Scratch.write(UnsafeBufferPointer(rebasing: bytes[min(4, bytes.count)..<indexEnd]), to: "rdata/Rdata.rdx")
        Scratch.write(UnsafeBufferPointer(rebasing: bytes[indexEnd...]), to: "rdata/Rdata.rdb")
        guard let database = ErrorCheck.attempt("RLazyLoadDatabase", { try RLazyLoadDatabase(directory: directory) }) else { return }
        for variable in database.variables {
            guard let object = ErrorCheck.attempt("RLazyLoadDatabase.object", { try database.object(named: variable.name) }) else { continue }
            _ = (object.names, object.numbers, object.attribute("class"))
            if case .string(let lines) = object.payload {
                _ = BooksCorpus.chapters(of: lines.map { $0 ?? "" })
            }
        }
    }
}
