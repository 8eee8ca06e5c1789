import Calibration
import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore

/// Writes a quantized Llama-family model as a Hugging Face GPTQ checkpoint directory
/// (transformers/optimum, AutoGPTQ, GPTQModel):
///
/// - `model.safetensors`: for each quantized linear `<name>.qweight` (I32), `.qzeros` (I32),
///   `.scales` (F16), `.g_idx` (I32) — layouts in `GPTQPackedLinear` — its bias if any, and every
///   other tensor (embedding, norms, untied LM head) under its HF name as `floatType` (F32 by
///   default, which keeps them bit-exact: the source's dequantized values need not fit f16).
/// - `config.json`: the source's config (HF directory) or one derived from the GGUF metadata
///   (`HFConfigFromGGUF`), plus `quantization_config` {quant_method gptq, bits, group_size (−1 per
///   row), desc_act, sym, checkpoint_format}. Zero-points use the v1 convention AutoGPTQ writes
///   (stored zero − 1, `checkpoint_format: "gptq"`); when some group has zero-point 0, which v1
///   cannot hold, the whole checkpoint is written as `gptq_v2` (zero-points as is) with a note.
/// - `tokenizer.json` (and tokenizer_config.json, special_tokens_map.json, generation_config.json)
///   copied from an HF source directory; a GGUF source yields none (noted in the report).
public enum GPTQExporter {
    public static let copiedFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"]

    @discardableResult
    public static func export(_ summary: QuantizationSummary, model: LlamaModel, config: LlamaConfig,
                              sourceDirectory: String?, sourceGGUF: GGUFFile? = nil, to directory: String,
                              floatType: FloatDType = .f32) throws -> ExportReport {
        try GPTQLayerPacking.check(scheme: summary.scheme, lowRank: summary.layers.contains { $0.result.lowRank != nil })
        // Layers with another scheme (per-layer overrides) get GPTQModel `dynamic` entries: `+:` with
        // their bits / group_size / sym, `-:` for layers left in full precision (a float weight).
        var dynamic: [String: GPTQQuantizationConfig.DynamicOverride] = [:]
        for layer in summary.layers {
            guard let codes = layer.result.codes else {
                dynamic[GPTQQuantizationConfig.exactPattern(layer.name, excluded: true)] = .init()
                continue
            }
            guard codes.scheme != summary.scheme else { continue }
            do { try GPTQLayerPacking.check(scheme: codes.scheme, lowRank: false) } catch { throw ExportError("\(layer.name): \(error.message)") }
            dynamic[GPTQQuantizationConfig.exactPattern(layer.name, excluded: false)] =
                .init(bits: codes.scheme.bits, groupSize: GPTQLayerPacking.groupSize(codes.scheme), sym: codes.scheme.symmetric)
        }
        if let table = summary.tokenTables.first {
            throw ExportError("\(table.name): GPTQ checkpoints keep the token embedding and LM head in float; "
                              + "write GGUF instead, or quantize without --quant-embedding / --quant-head")
        }
        let codesOf = summary.layers.compactMap { $0.result.codes }
        let convention: GPTQZeroConvention = codesOf.contains { GPTQLayerPacking.needsV2($0) } ? .v2 : .v1
        var notes = convention == .v1
            ? ["qzeros store zero − 1 (AutoGPTQ v1, checkpoint_format gptq)"]
            : ["some group has zero-point 0, which v1 (zero − 1) cannot store: written as checkpoint_format gptq_v2 (GPTQModel)"]

        var writer = RawSafetensorsWriter()
        func addFloat(_ name: String, _ t: Tensor) {
            writer.add(name, float: t.array, shape: t.shape, as: floatType)
        }
        let quantized = Dictionary(summary.layers.compactMap { l in l.result.codes.map { (l.name, $0) } }, uniquingKeysWith: { a, _ in a })
        let lowRank = Dictionary(summary.layers.compactMap { l in l.result.lowRank.map { (l.name, $0) } }, uniquingKeysWith: { a, _ in a })
        addFloat("model.embed_tokens.weight", model.embedding)
        addFloat("model.norm.weight", model.finalNorm)
        if !model.hyper.tiedEmbeddings { addFloat("lm_head.weight", model.lmHead) }
        var packedCount = 0
        for block in model.blocks {
            let p = "model.layers.\(block.index)."
            addFloat(p + "input_layernorm.weight", block.inputNorm)
            addFloat(p + "post_attention_layernorm.weight", block.postAttentionNorm)
            for linear in block.linears {
                if let bias = linear.bias { addFloat(linear.name + ".bias", bias) }
                guard let codes = quantized[linear.name] else {
                    addFloat(linear.name + ".weight", linear.weight)
                    continue
                }
                let packed: GPTQPackedLinear
                do { packed = try GPTQLayerPacking.pack(codes, convention: convention) } catch {
                    throw ExportError("\(linear.name): \(error.message)")
                }
                writer.add(linear.name + ".qweight", int32: packed.qweight, shape: packed.qweightShape)
                writer.add(linear.name + ".qzeros", int32: packed.qzeros, shape: packed.qzerosShape)
                writer.add(linear.name + ".scales", float: packed.scales, shape: packed.scalesShape, as: .f16)
                writer.add(linear.name + ".g_idx", int32: packed.gIdx, shape: [packed.inFeatures])
                if let lorc = lowRank[linear.name] {
                    // Û (out × r) and V̂ (r × in) as used (their dequantized values), f32 so they are exact.
                    writer.add(linear.name + GPTQTensorSource.lowRankSuffixes[0], float: lorc.u.array, shape: lorc.u.shape, as: .f32)
                    writer.add(linear.name + GPTQTensorSource.lowRankSuffixes[1], float: lorc.v.array, shape: lorc.v.shape, as: .f32)
                }
                packedCount += 1
            }
        }
        guard packedCount == quantized.count else {
            throw ExportError("\(quantized.count - packedCount) quantized layers are not linears of the model")
        }

        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ExportError("\(directory): cannot create directory: \(error.localizedDescription)")
        }
        let url = URL(fileURLWithPath: directory)
        try writer.write(to: url.appendingPathComponent("model.safetensors").path)

        var gptq = GPTQQuantizationConfig(bits: summary.scheme.bits, groupSize: GPTQLayerPacking.groupSize(summary.scheme),
                                          descAct: codesOf.contains { $0.groupIndex != nil },
                                          sym: summary.scheme.symmetric, convention: convention)
        if !dynamic.isEmpty {
            gptq.dynamic = dynamic
            notes.append("per-layer overrides as GPTQModel `dynamic` entries (\(dynamic.count) modules; `-:` ones keep float weights)")
        }
        if let first = lowRank.values.first {
            gptq.lowRankRank = first.rank
            notes.append("LoRC rank \(first.rank): factors Û (out × r) and V̂ (r × in) of \(lowRank.count) layers stored as f32 tensors "
                         + "<layer>\(GPTQTensorSource.lowRankSuffixes[0]) / \(GPTQTensorSource.lowRankSuffixes[1]); the layer computes with "
                         + "dequant(qweight) + Û·V̂ (ptqlab_lorc_rank in quantization_config). PTQLab loads them; other GPTQ loaders "
                         + "ignore the extra tensors and so compute without the correction")
        }
        var config = config
        config.torchDtype = floatType == .f32 ? "float32" : "float16"
        try writeConfig(config, quantization: gptq, to: url.appendingPathComponent("config.json").path)

        var copied: [String] = []
        if let sourceDirectory {
            for name in copiedFiles {
                let from = URL(fileURLWithPath: sourceDirectory).appendingPathComponent(name).path
                let to = url.appendingPathComponent(name).path
                guard fm.fileExists(atPath: from) else { continue }
                try? fm.removeItem(atPath: to)
                try fm.copyItem(atPath: from, toPath: to)
                copied.append(name)
            }
        }
        if copied.contains("tokenizer.json") {
            notes.append("copied \(copied.joined(separator: ", ")) from the source directory")
        } else if let sourceGGUF {
            notes += try TokenizerFiles.write(fromGGUF: sourceGGUF, into: url).notes
        } else {
            notes.append("no tokenizer.json written (no source directory or GGUF to take it from): add one to evaluate this directory on text")
        }
        let bytes = writer.entries.reduce(0) { $0 + $1.bytes.count }
        return ExportReport(format: "gptq", path: directory,
                            quantizedStorage: "GPTQ int\(gptq.bits) group_size \(gptq.groupSize)\(gptq.sym ? " sym" : "")",
                            quantizedLayers: packedCount, tensors: writer.entries.count, bytes: bytes, notes: notes)
    }

    /// config.json = the LlamaConfig encoding plus `quantization_config`, keys sorted.
    static func writeConfig(_ config: LlamaConfig, quantization: GPTQQuantizationConfig, to path: String) throws {
        let encoder = JSONEncoder()
        guard var json = try JSONSerialization.jsonObject(with: encoder.encode(config)) as? [String: Any],
              let q = try JSONSerialization.jsonObject(with: encoder.encode(quantization)) as? [String: Any] else {
            throw ExportError("cannot encode config.json")
        }
        json["quantization_config"] = q
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw ExportError("\(path): cannot write: \(error.localizedDescription)")
        }
    }
}
