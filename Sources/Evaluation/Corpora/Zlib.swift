import CZlib

/// Inflates zlib or gzip data with the system zlib (the format is detected from the header).
enum Zlib {
    /// Most bytes reserved up front; a block's declared size is a claim, not a promise.
    static let maximumReservation = 1 << 24

    /// Inflates one complete zlib or gzip stream from `input`; bytes after the end of the stream are
    /// ignored. When `expectedSize` is given the output must have exactly that many bytes.
    /// `file` and `what` only go into error messages.
    static func inflate(_ input: ArraySlice<UInt8>, expectedSize: Int? = nil, file: String,
                        what: String) throws(CorpusError) -> [UInt8] {
        guard input.count < Int(UInt32.max) else {
            throw CorpusError(file: file, "\(what): compressed data too large (\(input.count) bytes)")
        }
        var stream = z_stream()
        // windowBits 15 + 32: 32 KiB window, zlib or gzip header detected automatically.
        let initStatus = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw CorpusError(file: file, "\(what): zlib initialisation failed (status \(initStatus))")
        }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        output.reserveCapacity(min(expectedSize ?? input.count * 4, maximumReservation))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status = Z_OK
        var pastExpectedSize = false
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: buffer[0..<(buffer.count - Int(stream.avail_out))])
                }
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out > 0 { status = Z_BUF_ERROR }
                // Stop at the first byte past the declared size instead of inflating a bomb to the end.
                if let expectedSize, output.count > expectedSize {
                    pastExpectedSize = true
                    break
                }
            }
            stream.next_in = nil
        }
        if pastExpectedSize, let expectedSize {
            throw CorpusError(file: file, "\(what): inflates to more than the expected \(expectedSize) bytes")
        }
        switch status {
        case Z_STREAM_END:
            break
        case Z_BUF_ERROR:
            throw CorpusError(file: file, "\(what): compressed data is truncated (stream ends early after \(output.count) bytes)")
        default:
            let detail = stream.msg.map { String(cString: $0) } ?? "status \(status)"
            throw CorpusError(file: file, "\(what): corrupt compressed data (\(detail))")
        }
        if let expectedSize, output.count != expectedSize {
            throw CorpusError(file: file, "\(what): inflated to \(output.count) bytes, expected \(expectedSize)")
        }
        return output
    }
}
