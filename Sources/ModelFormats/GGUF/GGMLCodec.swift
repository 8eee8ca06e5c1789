import Foundation

/// A codec request that cannot be served: unsupported type, or a length that does not fit the blocks.
public enum GGMLCodecError: Error, CustomStringConvertible, Equatable, Sendable {
    case dequantizationUnsupported(GGMLType)
    case quantizationUnsupported(GGMLType)
    /// The row length (or element count) is not a multiple of the type's block size.
    case notBlockMultiple(elements: Int, type: GGMLType)
    /// A byte count that is not a whole number of blocks.
    case notWholeBlocks(bytes: Int, type: GGMLType)

    public var description: String {
        switch self {
        case .dequantizationUnsupported(let t): "type \(t.name) is not supported"
        case .quantizationUnsupported(let t): "quantization to \(t.name) is not supported"
        case .notBlockMultiple(let n, let t): "\(n) elements per row is not a multiple of the \(t.name) block size \(t.blockSize)"
        case .notWholeBlocks(let n, let t): "\(n) bytes is not a whole number of \(t.name) blocks of \(t.typeSize) bytes"
        }
    }
}

/// Whole-tensor encoding and decoding with the codecs of the traits table. Rows are contiguous,
/// so a tensor of `rows × rowLength` elements is `rows × rowLength / blockSize` consecutive blocks.
public enum GGMLCodec {
    /// Tensors with at least this many elements are decoded on several threads.
    static let parallelThreshold = 1 << 16

    /// Decodes `rows` rows of `rowLength` elements. `reference` selects the scalar reference codec
    /// instead of the SIMD one (they agree bit for bit; the flag exists for tests and benchmarks).
    public static func dequantize(_ type: GGMLType, from source: UnsafeRawPointer,
                                  to destination: UnsafeMutablePointer<Float>,
                                  rows: Int, rowLength: Int, reference: Bool = false) throws {
        let traits = type.traits
        guard let decode = reference ? traits.dequantize : traits.bestDequantize else {
            throw GGMLCodecError.dequantizationUnsupported(type)
        }
        guard rowLength >= 0, rows >= 0, rowLength % traits.blockSize == 0 else {
            throw GGMLCodecError.notBlockMultiple(elements: rowLength, type: type)
        }
        let rowBytes = rowLength / traits.blockSize * traits.typeSize
        forEachChunk(rows: rows, rowLength: rowLength,
                     source: source, sourceRowBytes: rowBytes,
                     destination: UnsafeMutableRawPointer(destination), destinationRowBytes: rowLength * 4) { src, dst, n in
            decode(src, dst.assumingMemoryBound(to: Float.self), n)
        }
    }

    /// Encodes `rows` rows of `rowLength` f32 values into `type` blocks at `destination`
    /// (`rows × rowLength / blockSize × typeSize` bytes).
    public static func quantize(_ type: GGMLType, from source: UnsafePointer<Float>,
                                to destination: UnsafeMutableRawPointer, rows: Int, rowLength: Int) throws {
        let traits = type.traits
        guard let encode = traits.quantize else { throw GGMLCodecError.quantizationUnsupported(type) }
        guard rowLength >= 0, rows >= 0, rowLength % traits.blockSize == 0 else {
            throw GGMLCodecError.notBlockMultiple(elements: rowLength, type: type)
        }
        let rowBytes = rowLength / traits.blockSize * traits.typeSize
        forEachChunk(rows: rows, rowLength: rowLength,
                     source: UnsafeRawPointer(source), sourceRowBytes: rowLength * 4,
                     destination: destination, destinationRowBytes: rowBytes) { src, dst, n in
            encode(src.assumingMemoryBound(to: Float.self), dst, n)
        }
    }

    /// Decodes whole blocks of `type` to f32.
    public static func dequantize(_ bytes: [UInt8], as type: GGMLType, reference: Bool = false) throws -> [Float] {
        let traits = type.traits
        guard bytes.count % traits.typeSize == 0 else {
            throw GGMLCodecError.notWholeBlocks(bytes: bytes.count, type: type)
        }
        let count = bytes.count / traits.typeSize * traits.blockSize
        return try [Float](unsafeUninitializedCapacity: count) { out, initialized in
            try bytes.withUnsafeBytes { raw in
                guard let src = raw.baseAddress, let dst = out.baseAddress else { return }
                try dequantize(type, from: src, to: dst, rows: 1, rowLength: count, reference: reference)
            }
            initialized = count
        }
    }

    /// Encodes f32 values (a multiple of the block size) as `type` blocks.
    public static func quantize(_ values: [Float], as type: GGMLType) throws -> [UInt8] {
        let traits = type.traits
        guard values.count % traits.blockSize == 0 else {
            throw GGMLCodecError.notBlockMultiple(elements: values.count, type: type)
        }
        let byteCount = values.count / traits.blockSize * traits.typeSize
        return try [UInt8](unsafeUninitializedCapacity: byteCount) { out, initialized in
            try values.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = out.baseAddress else { return }
                try quantize(type, from: s, to: UnsafeMutableRawPointer(d), rows: 1, rowLength: values.count)
            }
            initialized = byteCount
        }
    }

    /// Calls `body(source, destination, elements)` over all rows: once for small tensors,
    /// otherwise on several threads with a few chunks of whole rows per core.
    private static func forEachChunk(
        rows: Int, rowLength: Int,
        source: UnsafeRawPointer, sourceRowBytes: Int,
        destination: UnsafeMutableRawPointer, destinationRowBytes: Int,
        _ body: @Sendable (UnsafeRawPointer, UnsafeMutableRawPointer, Int) -> Void
    ) {
        guard rows > 1, rows * rowLength >= parallelThreshold else {
            if rows > 0 { body(source, destination, rows * rowLength) }
            return
        }
        let chunks = min(rows, ProcessInfo.processInfo.activeProcessorCount * 4)
        let pointers = ChunkPointers(source: source, destination: destination)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let first = rows * c / chunks
            let end = rows * (c + 1) / chunks
            body(pointers.source + first * sourceRowBytes, pointers.destination + first * destinationRowBytes,
                 (end - first) * rowLength)
        }
    }
}

/// Source and destination of a parallel codec run; each worker touches disjoint rows.
private struct ChunkPointers: @unchecked Sendable {
    let source: UnsafeRawPointer
    let destination: UnsafeMutableRawPointer
}
