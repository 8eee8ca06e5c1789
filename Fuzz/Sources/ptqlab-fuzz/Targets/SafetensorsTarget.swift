import ModelFormats

/// `safetensors`: a safetensors file as `SafetensorsFile` opens it (header length, header JSON,
/// dtypes, shapes, offsets, overlaps), then every small tensor decoded and its raw bytes read.
enum SafetensorsTarget {
    static let target = FuzzTarget(
        name: "safetensors", summary: "SafetensorsFile header (JSON, dtypes, shapes, offsets), tensor decoding"
    ) { input in
        let path = Scratch.write(input.bytes, to: "model.safetensors")
        guard let file = ErrorCheck.attempt("SafetensorsFile", { try SafetensorsFile(path: path) }) else { return }
        exercise(file)
    }

    static func exercise(_ file: SafetensorsFile) {
        _ = file.metadata
        for info in file.tensors {
            _ = (file.shape(of: info.name), file.storageType(of: info.name))
            if info.elementCount <= GGUFTarget.maximumDecodedElements {
                ErrorCheck.attempt("SafetensorsFile.loadFloat32") { try file.loadFloat32(info.name) }
            }
            ErrorCheck.attempt("withRawBytes") { try file.withRawBytes(of: info.name) { $0.count } }
        }
    }
}
