import CBZip2

/// Decompresses bzip2 data with the system libbz2, streaming in 256 KiB chunks.
enum Bzip2 {
    /// Decompresses `input`: one bzip2 stream or several concatenated ones (as `bzcat` accepts).
    /// Truncated or corrupt data, or trailing bytes that are not a bzip2 stream, throw an error
    /// naming `file`.
    static func decompress(_ input: [UInt8], file: String) throws(CorpusError) -> [UInt8] {
        guard !input.isEmpty else { throw CorpusError(file: file, "bzip2: file is empty") }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var consumed = 0
        var streamIndex = 0
        while consumed < input.count {
            let used = try decompressStream(input, from: consumed, into: &output, chunk: &chunk, file: file,
                                            streamIndex: streamIndex)
            consumed += used
            streamIndex += 1
        }
        return output
    }

    /// Decompresses the stream starting at `start`, appending to `output`; returns the bytes consumed.
    private static func decompressStream(_ input: [UInt8], from start: Int, into output: inout [UInt8],
                                         chunk: inout [UInt8], file: String,
                                         streamIndex: Int) throws(CorpusError) -> Int {
        let remaining = input.count - start
        guard remaining < Int(UInt32.max) else {
            throw CorpusError(file: file, "bzip2: compressed data too large (\(input.count) bytes)")
        }
        var stream = bz_stream()
        let initStatus = BZ2_bzDecompressInit(&stream, 0, 0)
        guard initStatus == BZ_OK else {
            throw CorpusError(file: file, "bzip2: initialisation failed (status \(initStatus))")
        }
        defer { BZ2_bzDecompressEnd(&stream) }

        var status = BZ_OK
        input.withUnsafeBufferPointer { source in
            source.baseAddress.map { base in
                stream.next_in = UnsafeMutableRawPointer(mutating: base + start).assumingMemoryBound(to: CChar.self)
            }
            stream.avail_in = UInt32(remaining)
            while status == BZ_OK {
                chunk.withUnsafeMutableBufferPointer { buffer in
                    buffer.baseAddress.map { base in
                        stream.next_out = UnsafeMutableRawPointer(base).assumingMemoryBound(to: CChar.self)
                    }
                    stream.avail_out = UInt32(buffer.count)
                    status = BZ2_bzDecompress(&stream)
                    output.append(contentsOf: buffer[0..<(buffer.count - Int(stream.avail_out))])
                }
                // All input used, output space left, and no end of stream: the data stops early.
                if status == BZ_OK && stream.avail_in == 0 && stream.avail_out > 0 { status = BZ_UNEXPECTED_EOF }
            }
            stream.next_in = nil
            stream.next_out = nil
        }
        let offset = start + (remaining - Int(stream.avail_in))
        switch status {
        case BZ_STREAM_END:
            return remaining - Int(stream.avail_in)
        case BZ_UNEXPECTED_EOF:
            throw CorpusError(file: file, "bzip2: compressed data is truncated (ends after \(output.count) decompressed bytes)")
        case BZ_DATA_ERROR_MAGIC:
            let which = streamIndex == 0 ? "not bzip2 data (bad magic bytes)"
                : "trailing bytes after bzip2 stream at byte offset \(start) are not bzip2 data"
            throw CorpusError(file: file, "bzip2: \(which)")
        case BZ_DATA_ERROR:
            throw CorpusError(file: file, "bzip2: corrupt compressed data near byte offset \(offset)")
        case BZ_MEM_ERROR:
            throw CorpusError(file: file, "bzip2: out of memory")
        default:
            throw CorpusError(file: file, "bzip2: decompression failed (status \(status))")
        }
    }
}
