/// Bit packing of GPTQ checkpoints (AutoGPTQ / GPTQModel `pack`, `checkpoint_format: gptq`).
///
/// A run of n codes of b bits is one little-endian bit stream cut into ⌈n·b/32⌉ int32 words:
/// code k occupies stream bits [b·k, b·k + b), i.e. bits (b·k mod 32)… of word ⌊b·k/32⌋, spilling
/// into the next word when it straddles a boundary. For b ∈ {2, 4, 8} that is AutoGPTQ's
/// "32/b codes per word, code j of a word at bit b·j"; for b = 3 it is exactly AutoGPTQ's
/// cross-boundary layout (32 codes in 3 words: codes 0…9 in bits 0…29 of word 0, code 10 split
/// over bits 30–31 of word 0 and bit 0 of word 1, …).
///
/// - `qweight` (int32, (in·b/32, out)): for each output channel r, the codes of row r of W (one per
///   input column) packed along the input dimension: word (w, r) holds input columns
///   32w/b… of output r.
/// - `qzeros` (int32, (groups, out·b/32)): for each group, the zero-points of all output channels
///   packed along the output dimension.
public enum GPTQPacking {
    /// Bit widths the GPTQ kernels (and this codec) handle.
    public static let supportedBits: Set<Int> = [2, 3, 4, 8]

    /// Words holding `count` codes of `bits` bits; `count · bits` must be a multiple of 32.
    public static func wordCount(codes count: Int, bits: Int) -> Int { count * bits / 32 }

    /// Whether `count` codes of `bits` bits fill whole words.
    public static func fillsWords(codes count: Int, bits: Int) -> Bool { (count * bits) % 32 == 0 }

    /// Packs the rows of `codes` (rows × length, row-major, each < 2^bits) along the row, so that
    /// row r becomes column r of the result: (length·bits/32 × rows) words. This is `qweight`
    /// from our (out × in) codes.
    public static func packColumns(_ codes: UnsafeBufferPointer<UInt8>, rows: Int, length: Int, bits: Int) -> [Int32] {
        precondition(codes.count == rows * length && fillsWords(codes: length, bits: bits))
        let words = wordCount(codes: length, bits: bits)
        var out = [UInt32](repeating: 0, count: words * rows)
        out.withUnsafeMutableBufferPointer { dst in
            for r in 0..<rows {
                packStream(length, bits: bits, read: { UInt32(codes[r * length + $0]) },
                           write: { dst[$0 * rows + r] |= $1 })
            }
        }
        return out.map { Int32(bitPattern: $0) }
    }

    /// Inverse of `packColumns`: (rows × length) codes from (length·bits/32 × rows) words.
    public static func unpackColumns(_ words: UnsafeBufferPointer<Int32>, rows: Int, length: Int, bits: Int) -> [UInt8] {
        precondition(fillsWords(codes: length, bits: bits) && words.count == wordCount(codes: length, bits: bits) * rows)
        var out = [UInt8](repeating: 0, count: rows * length)
        out.withUnsafeMutableBufferPointer { dst in
            for r in 0..<rows {
                unpackStream(length, bits: bits, read: { UInt32(bitPattern: words[$0 * rows + r]) },
                             write: { dst[r * length + $0] = UInt8(truncatingIfNeeded: $1) })
            }
        }
        return out
    }

    /// Packs each row of `values` (rows × length, each < 2^bits) into length·bits/32 consecutive
    /// words: (rows × length·bits/32). This is `qzeros` from (groups × out) stored zero-points.
    public static func packRows(_ values: [UInt32], rows: Int, length: Int, bits: Int) -> [Int32] {
        precondition(values.count == rows * length && fillsWords(codes: length, bits: bits))
        let words = wordCount(codes: length, bits: bits)
        var out = [UInt32](repeating: 0, count: rows * words)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    packStream(length, bits: bits, read: { src[r * length + $0] }, write: { dst[r * words + $0] |= $1 })
                }
            }
        }
        return out.map { Int32(bitPattern: $0) }
    }

    /// Inverse of `packRows`.
    public static func unpackRows(_ words: [Int32], rows: Int, length: Int, bits: Int) -> [UInt32] {
        let perRow = wordCount(codes: length, bits: bits)
        precondition(fillsWords(codes: length, bits: bits) && words.count == rows * perRow)
        var out = [UInt32](repeating: 0, count: rows * length)
        words.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    unpackStream(length, bits: bits, read: { UInt32(bitPattern: src[r * perRow + $0]) },
                                 write: { dst[r * length + $0] = $1 })
                }
            }
        }
        return out
    }

    /// Writes code k of a stream of `count` codes at stream bits [bits·k, bits·k + bits):
    /// `write(word, bitsToOr)` is called once or twice per code.
    @inline(__always)
    static func packStream(_ count: Int, bits: Int, read: (Int) -> UInt32, write: (Int, UInt32) -> Void) {
        let mask = UInt32((1 << bits) - 1)
        for k in 0..<count {
            let value = read(k) & mask
            let bit = k * bits, word = bit >> 5, shift = UInt32(bit & 31)
            write(word, value << shift)
            if Int(shift) + bits > 32 { write(word + 1, value >> (32 - shift)) }
        }
    }

    /// Reads the codes back: `write(k, code)`.
    @inline(__always)
    static func unpackStream(_ count: Int, bits: Int, read: (Int) -> UInt32, write: (Int, UInt32) -> Void) {
        let mask = UInt32((1 << bits) - 1)
        for k in 0..<count {
            let bit = k * bits, word = bit >> 5, shift = UInt32(bit & 31)
            var value = read(word) >> shift
            if Int(shift) + bits > 32 { value |= read(word + 1) << (32 - shift) }
            write(k, value & mask)
        }
    }
}
