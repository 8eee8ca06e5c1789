import Calibration
import ModelFormats
import Models
import Quantization
import TensorCore

/// Writes a quantized model of a family whose `ModelFamilies` row has a GGUF tensor layout (Llama,
/// Qwen2, Mistral, Gemma 3) as a GGUF llama.cpp loads: a copy of the source GGUF in which every quantized
/// linear is replaced by real ggml blocks built from our codes (`GGUFBlockEncoder`, type from
/// `GGUFBlockType`). Everything that was not quantized (token
/// embedding, norms, LM head, biases) keeps its original type and bytes; the metadata is copied in
/// order with `general.file_type` set to the block type's llama_ftype, plus
/// `ptqlab.quantization.scheme` / `ptqlab.quantization.method`. Where the source stores Q/K rows
/// permuted (llama.cpp's converter, `llama` / `mistral`), the permutation (undone by our loader)
/// is re-applied to q_proj / k_proj.
///
/// Not representable, hence rejected: LoRC corrections and schemes without a ggml block type. An HF
/// directory source is first written as a GGUF (`HFToGGUFConverter`), which is then the source.
public enum GGUFExporter {
    /// Fails early (before quantizing) when the result could not be written.
    public static func check(scheme: WeightScheme, lowRank: Bool) throws(ExportError) {
        if lowRank {
            throw ExportError("LoRC low-rank corrections cannot be stored in GGUF (llama.cpp has no tensor for them); "
                              + "drop --lorc, or evaluate LoRC in memory with `ptqlab eval --lorc`")
        }
        if scheme.isQuantized { _ = try GGUFBlockType.type(for: scheme) }
    }

    /// The ggml type of one quantized layer: its scheme's block type, or F16 for a layer kept in
    /// full precision (w16; llama.cpp mixes types per tensor, as its own Q4_K_M mixes do).
    static func type(of result: QuantizedWeight) throws(ExportError) -> GGMLType {
        guard let codes = result.codes else { return .f16 }
        return try GGUFBlockType.type(for: codes.scheme)
    }

    /// A (rows × columns) float weight as F16, rows stored in `rowOrder` (identity when nil).
    static func f16Data(_ weight: Tensor, rowOrder: [Int]?) -> [UInt8] {
        let rows = weight.shape[0], columns = weight.count / max(rows, 1), w = weight.pointer
        var halves = [UInt16](repeating: 0, count: weight.count)
        for stored in 0..<rows {
            let r = rowOrder?[stored] ?? stored
            for c in 0..<columns { halves[stored * columns + c] = Float16(w[r * columns + c]).bitPattern.littleEndian }
        }
        return halves.withUnsafeBytes { Array($0) }
    }

    @discardableResult
    public static func export(_ summary: QuantizationSummary, source: GGUFFile, to path: String) throws -> ExportReport {
        try check(scheme: summary.scheme, lowRank: summary.layers.contains { $0.result.lowRank != nil })
        // Block linears, then the token embedding / LM head when the recipe quantized them.
        let written = summary.layers + summary.tokenTables
        var types: [String: GGMLType] = [:]
        for layer in written {
            do { types[layer.name] = try type(of: layer.result) } catch { throw ExportError("\(layer.name): \(error.message)") }
        }
        // The file type names the recipe's own scheme (F16 when its weights stay in full precision).
        let type = summary.scheme.isQuantized ? try GGUFBlockType.type(for: summary.scheme) : .f16
        let arch = source.architecture ?? "?"
        guard let layout = ModelFamilies.lookup(ggufArchitecture: arch)?.family.gguf?.tensorLayout else {
            throw ExportError("\(source.path): GGUF export supports \(ModelFamilies.ggufExportArchitectures.joined(separator: ", ")), not '\(arch)'")
        }
        let permutedHeads = try layout.permutedRows(source)

        var byGGUFName: [String: (result: QuantizedWeight, type: GGMLType)] = [:]
        for layer in written {
            guard let name = layout.tensorName(layer.name + ".weight"), let info = source.tensor(named: name) else {
                throw ExportError("\(layer.name): no tensor in \(source.path) corresponds to this layer")
            }
            let shape = layer.result.codes.map { [$0.rows, $0.columns] } ?? layer.result.dequantized.shape
            guard info.shape == shape else {
                throw ExportError("\(name): source shape \(info.shape), quantized \(shape)")
            }
            byGGUFName[name] = (layer.result, types[layer.name]!)
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
            changed[name] = layout.storedForm(hfName, tensor)
        }

        let writer = GGUFWriter(alignment: source.alignment)
        for key in source.metadataKeys {
            writer[key] = key == "general.file_type" ? .uint32(GGUFBlockType.fileType(type)) : source.metadata[key]
        }
        if writer["general.file_type"] == nil { writer["general.file_type"] = .uint32(GGUFBlockType.fileType(type)) }
        writer["ptqlab.quantization.scheme"] = .string(QuantSpec(weight: summary.scheme).description)
        writer["ptqlab.quantization.method"] = .string(summary.method)

        // each tensor's bytes are made when the writer reaches it, so the file is never held in
        // memory beside the quantized model
        for info in source.tensors {
            let produce: () throws -> [UInt8], tensorType: GGMLType
            if let (result, layerType) = byGGUFName[info.name] {
                // rows back in llama.cpp's order where the source stores them permuted
                let rows = result.codes?.rows ?? result.dequantized.shape[0]
                let order = permutedHeads[info.name].map { GGUFBlockEncoder.llamaCppPermutation(rows: rows, heads: $0) }
                if let codes = result.codes {
                    produce = {
                        do throws(ExportError) { return try GGUFBlockEncoder.encode(codes, as: layerType, rowOrder: order) } catch {
                            throw ExportError("\(info.name): \(error.message)")
                        }
                    }
                } else {
                    produce = { f16Data(result.dequantized, rowOrder: order) }
                }
                tensorType = layerType
            } else if let tensor = changed[info.name] {
                produce = { tensor.array.withUnsafeBytes { Array($0) } }
                tensorType = .f32
            } else {
                produce = { Array(try source.rawData(of: info.name)) }
                tensorType = info.type
            }
            try writer.addTensor(info.name, shape: info.shape, type: tensorType, encodedBy: produce)
        }
        try writer.write(to: path)
        let used = Set(byGGUFName.values.map(\.type)).sorted { $0.name < $1.name }
        let mixed = used.count > 1 ? ["per-layer types: " + used.map { t in "\(t.name) × \(byGGUFName.values.filter { $0.type == t }.count)" }.joined(separator: ", ")] : []
        let onBlockGrids = written.contains { $0.result.codes?.blocks != nil }
        let exact = onBlockGrids || used.allSatisfy { [GGMLType.q4_0, .q5_0, .q8_0, .f16].contains($0) }
        return ExportReport(
            format: "gguf", path: path, quantizedStorage: used.map(\.name).joined(separator: "+"), quantizedLayers: byGGUFName.count,
            tensors: source.tensors.count, bytes: writer.tensorDataBytes,
            notes: mixed + [onBlockGrids ? "quantized on ggml's own block grids: the file holds exactly the weights the method chose and PTQLab evaluated"
                        : exact ? "\(used.map(\.name).joined(separator: ", ")) blocks reproduce the fake-quantized weights exactly (d = scale)"
                        : "asymmetric blocks: d = scale, m = −scale·zero rounded to f16 (deviation ≤ half an f16 ulp of scale·zero)",
                    changed.isEmpty ? "non-quantized tensors keep their source types and bytes"
                        : "non-quantized tensors keep their source types and bytes, except \(changed.count) the method changed (written as F32)"]
                + (permutedHeads.isEmpty ? [] : ["llama.cpp Q/K row permutation re-applied"]))
    }
}
