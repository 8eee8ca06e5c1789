/// One entry of a GGUF file's tensor-info table.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml's `ne`: the innermost (contiguous) dimension first. A linear weight is [in, out].
    public let dimensions: [Int]
    public let type: GGMLType
    /// Offset of the tensor's data from the start of the data section.
    public let offset: Int
    /// Absolute offset of the tensor's data in the file.
    public let fileOffset: Int
    /// Number of elements (product of `dimensions`).
    public let elementCount: Int
    /// Bytes of tensor data.
    public let byteCount: Int

    /// The shape in PyTorch order (outermost first): the reverse of `dimensions`.
    public var shape: [Int] { dimensions.reversed() }
    /// Elements per row (`dimensions[0]`; 1 for a scalar).
    public var rowLength: Int { dimensions.first ?? 1 }
    /// Number of rows (`elementCount / rowLength`).
    public var rowCount: Int { rowLength == 0 ? 0 : elementCount / rowLength }
}

/// ggml's `GGML_MAX_DIMS`.
let ggmlMaximumDimensions = 4

/// A tensor info as read, before the data section's position is known.
struct GGUFRawTensorInfo {
    let name: String
    let dimensions: [Int]
    let type: GGMLType
    let offset: Int
    let elementCount: Int
    let byteCount: Int
}

extension GGUFByteReader {
    /// Reads `count` tensor infos, rejecting duplicate names; also returns each name's index.
    mutating func readTensorInfos(count: Int) throws -> (infos: [GGUFRawTensorInfo], index: [String: Int]) {
        // The smallest info is an empty name (8), n_dims (4), type (4) and offset (8).
        guard count <= remaining / 24 else {
            throw error("header tensor_count", "\(count) tensor infos cannot fit in the "
                + "\(remaining) bytes after the metadata (truncated file or corrupt count)")
        }
        var infos: [GGUFRawTensorInfo] = []
        var index: [String: Int] = [:]
        infos.reserveCapacity(count)
        for i in 0..<count {
            let info = try readTensorInfo(index: i)
            if let first = index[info.name] {
                throw error("tensor \(MessageExcerpt.of(info.name))", "duplicate tensor name (tensor infos \(first) and \(i))")
            }
            index[info.name] = i
            infos.append(info)
        }
        return (infos, index)
    }

    /// Reads and validates the `index`-th tensor info: name, n_dims, ne[], type, offset.
    mutating func readTensorInfo(index: Int) throws -> GGUFRawTensorInfo {
        let name = try readString("tensor_infos[\(index)].name")
        let field = "tensor \(MessageExcerpt.of(name))"
        let nDims = try read(UInt32.self, "\(field) n_dims")
        guard nDims <= ggmlMaximumDimensions else {
            throw error(field, "n_dims is \(nDims), at most \(ggmlMaximumDimensions) are allowed")
        }
        var dimensions: [Int] = []
        // The product of the non-zero dimensions must not overflow either, so that no ordering of
        // the dimensions overflows when multiplied.
        var nonZeroProduct = 1
        for d in 0..<Int(nDims) {
            let raw = try read(UInt64.self, "\(field) ne[\(d)]")
            guard let n = Int(exactly: raw) else {
                throw error(field, "ne[\(d)] = \(raw) is too large")
            }
            let (product, overflow) = nonZeroProduct.multipliedReportingOverflow(by: max(n, 1))
            guard !overflow else {
                throw error(field, "element count overflows (ne = \(dimensions + [n]))")
            }
            dimensions.append(n)
            nonZeroProduct = product
        }
        let elementCount = dimensions.contains(0) ? 0 : nonZeroProduct
        let rawType = try read(UInt32.self, "\(field) type")
        guard let type = GGMLType(rawValue: rawType) else {
            throw error(field, "unknown ggml type \(rawType)")
        }
        let rowLength = dimensions.first ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw error(field, "row length \(rowLength) is not a multiple of the \(type.name) block size \(type.blockSize)")
        }
        guard let byteCount = type.byteCount(elements: elementCount) else {
            throw error(field, "byte size of \(elementCount) \(type.name) elements overflows")
        }
        let rawOffset = try read(UInt64.self, "\(field) offset")
        guard let offset = Int(exactly: rawOffset) else {
            throw error(field, "data offset \(rawOffset) is too large")
        }
        return GGUFRawTensorInfo(name: name, dimensions: dimensions, type: type, offset: offset,
                                 elementCount: elementCount, byteCount: byteCount)
    }
}
