import KernelCore
import TensorCore

extension GGUFFile: TensorSource {
    public var sourcePath: String { path }

    public var tensorNames: [String] { tensorNameList }

    public func shape(of name: String) -> [Int]? { tensor(named: name)?.shape }

    public func storageType(of name: String) -> String? { tensor(named: name)?.type.name }

    /// Decodes a tensor to f32 in PyTorch shape order (SIMD codecs, rows in parallel for big tensors).
    public func loadFloat32(_ name: String) throws -> Tensor {
        guard let info = tensor(named: name) else {
            throw FormatError(file: path, field: "tensor \(name)", "missing tensor")
        }
        let output = FloatBuffer(count: info.elementCount, zeroed: false)
        do {
            try GGMLCodec.dequantize(info.type, from: dataPointer(of: info), to: output.pointer,
                                     rows: info.rowCount, rowLength: info.rowLength)
        } catch let error as GGMLCodecError {
            throw FormatError(file: path, field: "tensor \(name)", error.description)
        }
        releasePages(of: info)
        return Tensor(shape: info.shape, storage: output)
    }

    /// The tensor's blocks as stored (a copy; the mapped pages are dropped), when they are 2-D
    /// with a SIMD decoder (F16, BF16, Q4_0 … Q8_0, Q2_K … Q6_K); nil for F32 and other types.
    public func loadCompressed(_ name: String) throws -> CompressedMatrix? {
        guard let info = tensor(named: name) else {
            throw FormatError(file: path, field: "tensor \(name)", "missing tensor")
        }
        guard info.shape.count == 2, let format = BlockFormat(rawValue: info.type.name.lowercased()) else { return nil }
        guard let matrix = CompressedMatrix(rows: info.rowCount, columns: info.rowLength, layout: .blocks(format),
                                            copying: rawData(of: info)) else {
            throw FormatError(file: path, field: "tensor \(name)",
                              "\(info.byteCount) bytes do not hold \(info.rowCount) rows of \(info.rowLength) \(info.type.name) values")
        }
        releasePages(of: info)
        return matrix
    }
}
