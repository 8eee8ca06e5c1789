extension GGUFFile {
    /// Writes a copy of this file with every tensor stored as `type` (F32, F16 or BF16): the same
    /// metadata (with `general.file_type` updated) and tensor names, so llama.cpp runs it at that
    /// precision. Used to compare against llama.cpp at full precision.
    public func writeFullPrecisionCopy(to path: String, as type: GGMLType = .f32) throws {
        let fileTypes: [GGMLType: UInt32] = [.f32: 0, .f16: 1, .bf16: 32]
        guard let fileType = fileTypes[type] else {
            throw FormatError(file: path, field: "type", "full-precision copies are F32, F16 or BF16, not \(type.name)")
        }
        let writer = GGUFWriter(alignment: alignment)
        for key in metadataKeys {
            writer[key] = key == "general.file_type" ? .uint32(fileType) : metadata[key]
        }
        for info in tensors {
            // 1-D tensors (norms, biases) stay F32 as llama.cpp's converter keeps them; each tensor
            // is decoded when the writer reaches it (one f32 tensor in memory at a time)
            try writer.addTensor(info.name, shape: info.shape, as: info.shape.count == 1 ? .f32 : type) {
                try self.loadFloat32(info.name)
            }
        }
        try writer.write(to: path)
    }
}
