import Calibration
import ModelFormats
import Models
import Quantization
import TensorCore

/// Writes a quantized model of a family whose `ModelFamilies` row has a GGUF tensor layout (the
/// Llama family) as a GGUF llama.cpp loads: a copy of the source GGUF in which every quantized
/// linear is replaced by real ggml blocks built from our codes (`GGUFBlockEncoder`, type from
/// `GGUFBlockType`). Everything that was not quantized (token
/// embedding, norms, LM head, biases) keeps its original type and bytes; the metadata is copied in
/// order with `general.file_type` set to the block type's llama_ftype, plus
/// `ptqlab.quantization.scheme` / `ptqlab.quantization.method`. Where the source stores Q/K rows
/// permuted (llama.cpp's converter, `llama` / `mistral`), the permutation (undone by our loader)
/// is re-applied to q_proj / k_proj.
///
/// Not representable, hence rejected: LoRC corrections, schemes without a ggml block type, and HF
/// directory sources (there is no GGUF to copy metadata and tokenizer from; write GPTQ instead).
public enum GGUFExporter {
    /// Fails early (before quantizing) when the result could not be written.
    public static func check(scheme: WeightScheme, lowRank: Bool) throws(ExportError) {
        if lowRank {
            throw ExportError("LoRC low-rank corrections cannot be stored in GGUF (llama.cpp has no tensor for them); "
                              + "drop --lorc, or evaluate LoRC in memory with `ptqlab eval --lorc`")
        }
        _ = try GGUFBlockType.type(for: scheme)
    }

    @discardableResult
    public static func export(_ summary: QuantizationSummary, source: GGUFFile, to path: String) throws -> ExportReport {
        try check(scheme: summary.scheme, lowRank: summary.layers.contains { $0.result.lowRank != nil })
        let type = try GGUFBlockType.type(for: summary.scheme)
        let arch = source.architecture ?? "?"
        guard let layout = ModelFamilies.lookup(ggufArchitecture: arch)?.family.gguf?.tensorLayout else {
            throw ExportError("\(source.path): GGUF export supports \(ModelFamilies.ggufExportArchitectures.joined(separator: ", ")), not '\(arch)'")
        }
        let permutedHeads = try layout.permutedRows(source)

        var byGGUFName: [String: QuantizedCodes] = [:]
        for layer in summary.layers {
            guard let name = layout.tensorName(layer.name + ".weight"), let info = source.tensor(named: name) else {
                throw ExportError("\(layer.name): no tensor in \(source.path) corresponds to this layer")
            }
            let codes = layer.result.codes
            guard info.shape == [codes.rows, codes.columns] else {
                throw ExportError("\(name): source shape \(info.shape), quantized \([codes.rows, codes.columns])")
            }
            byGGUFName[name] = codes
        }
        // Tensors the method changed besides the quantized weights (AWQ's folded norms): written as
        // F32 from the model, not copied from the source.
        var changed: [String: Tensor] = [:]
        for (hfName, tensor) in summary.changedTensors {
            guard let name = layout.tensorName(hfName), let info = source.tensor(named: name) else {
                throw ExportError("\(hfName): no tensor in \(source.path) corresponds to this changed tensor")
            }
            guard info.shape.reduce(1, *) == tensor.count else {
                throw ExportError("\(name): source shape \(info.shape), changed tensor has \(tensor.count) values")
            }
            changed[name] = tensor
        }

        let writer = GGUFWriter(alignment: source.alignment)
        for key in source.metadataKeys {
            writer[key] = key == "general.file_type" ? .uint32(GGUFBlockType.fileType(type)) : source.metadata[key]
        }
        if writer["general.file_type"] == nil { writer["general.file_type"] = .uint32(GGUFBlockType.fileType(type)) }
        writer["ptqlab.quantization.scheme"] = .string(QuantSpec(weight: summary.scheme).description)
        writer["ptqlab.quantization.method"] = .string(summary.method)

        var bytes = 0
        for info in source.tensors {
            let data: [UInt8], tensorType: GGMLType
            if let codes = byGGUFName[info.name] {
                // rows back in llama.cpp's order where the source stores them permuted
                let order = permutedHeads[info.name].map { GGUFBlockEncoder.llamaCppPermutation(rows: codes.rows, heads: $0) }
                do {
                    data = try GGUFBlockEncoder.encode(codes, as: type, rowOrder: order)
                } catch {
                    throw ExportError("\(info.name): \(error.message)")
                }
                tensorType = type
            } else if let tensor = changed[info.name] {
                data = tensor.array.withUnsafeBytes { Array($0) }
                tensorType = .f32
            } else {
                data = Array(try source.rawData(of: info.name))
                tensorType = info.type
            }
            try writer.addTensor(info.name, shape: info.shape, type: tensorType, encodedData: data)
            bytes += data.count
        }
        try writer.write(to: path)
        let exact = [GGMLType.q4_0, .q5_0, .q8_0].contains(type)
        return ExportReport(
            format: "gguf", path: path, quantizedStorage: type.name, quantizedLayers: byGGUFName.count,
            tensors: source.tensors.count, bytes: bytes,
            notes: [exact ? "\(type.name) blocks reproduce the fake-quantized weights exactly (d = scale)"
                        : "\(type.name) blocks: d = scale, m = −scale·zero rounded to f16 (deviation ≤ half an f16 ulp of scale·zero)",
                    changed.isEmpty ? "non-quantized tensors keep their source types and bytes"
                        : "non-quantized tensors keep their source types and bytes, except \(changed.count) the method changed (written as F32)"]
                + (permutedHeads.isEmpty ? [] : ["llama.cpp Q/K row permutation re-applied"]))
    }
}
