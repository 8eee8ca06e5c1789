/// A bounds-checked little-endian cursor over the bytes of a GGUF file. Every read that would run
/// past the end throws a `FormatError` naming the file and the field being read.
struct GGUFByteReader {
    let base: UnsafeRawPointer
    let count: Int
    let file: String
    private(set) var offset: Int = 0

    init(base: UnsafeRawPointer, count: Int, file: String) {
        self.base = base
        self.count = count
        self.file = file
    }

    var remaining: Int { count - offset }

    func error(_ field: String, _ message: String) -> FormatError {
        FormatError(file: file, field: field, message)
    }

    /// Consumes `length` bytes and returns a pointer to the first.
    mutating func take(_ length: Int, _ field: @autoclosure () -> String) throws -> UnsafeRawPointer {
        guard length >= 0, length <= remaining else {
            throw error(field(), "truncated file: needs \(length) bytes at offset \(offset), file has \(count) bytes")
        }
        defer { offset += length }
        return base + offset
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: @autoclosure () -> String) throws -> T {
        T(littleEndian: try take(MemoryLayout<T>.size, field()).loadUnaligned(as: T.self))
    }

    mutating func readFloat(_ field: @autoclosure () -> String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, field()))
    }

    mutating func readDouble(_ field: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, field()))
    }

    /// A u64 length or count that must fit in `Int`.
    mutating func readCount(_ field: @autoclosure () -> String) throws -> Int {
        let start = offset
        let raw = try read(UInt64.self, field())
        guard let n = Int(exactly: raw), n <= count else {
            throw error(field(), "count \(raw) at offset \(start) runs past the end of the file (\(count) bytes)")
        }
        return n
    }

    /// A GGUF string: u64 byte length, then UTF-8 bytes (invalid sequences become U+FFFD).
    mutating func readString(_ field: @autoclosure () -> String) throws -> String {
        let start = offset
        let length = try readCount(field())
        guard length <= remaining else {
            throw error(field(), "string of \(length) bytes at offset \(start) runs past the end of the file (\(count) bytes)")
        }
        let bytes = UnsafeRawBufferPointer(start: try take(length, field()), count: length)
        return String(decoding: bytes, as: UTF8.self)
    }
}
