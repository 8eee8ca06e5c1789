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
}
