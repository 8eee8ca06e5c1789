import Models
import Quantization
import TensorCore

/// The optional quantization of the token embedding and the LM head (weight-only, round to
/// nearest, in place): `QuantRecipe.embedding` / `QuantRecipe.head`. A tied head is the embedding
/// itself, so one spec quantizes both (two different specs for one tensor are an error). Bits are
/// accounted apart from the block linears' (the paper's effective bits count block linears only);
/// the model's bytes count them (`QuantizationSummary.tokenTables`).
extension QuantRecipe {
    /// Why a token-table spec cannot be used, or nil.
    static func tokenTableProblem(_ spec: String?, role: String) -> String? {
        guard let spec else { return nil }
        let parsed: QuantSpec
        do { parsed = try QuantSpec.parse(spec) } catch { return "\(role) spec \(spec): \(error)" }
        if parsed.activation.isQuantized { return "\(role) spec \(spec): only the weights of the \(role) are quantized (a16)" }
        if !parsed.weight.isQuantized { return "\(role) spec \(spec): w16 is the default (the \(role) is kept in full precision); leave it out" }
        return nil
    }

    /// The tables `quantizeTokenTables` will change (a study's snapshot keeps copies of exactly these).
    public func tokenTablesToPreserve(in model: any BlockwiseLanguageModel) -> [WeightMatrix] {
        guard embedding != nil || head != nil, let tables = model as? any TokenTableModel else { return [] }
        var out: [WeightMatrix] = []
        if embedding != nil || tables.headIsTied { out.append(tables.embeddingTable.table) }
        if self.head != nil && !tables.headIsTied { out.append(tables.headTable.head.table) }
        return out
    }

    /// Quantizes the embedding and/or head the recipe names, in place.
    func quantizeTokenTables(on model: any BlockwiseLanguageModel, storedBlocks: StoredWeightBlocks? = nil) throws -> [QuantizationSummary.Layer] {
        guard embedding != nil || head != nil else { return [] }
        guard let tables = model as? any TokenTableModel else {
            throw CalibrationSet.Failure(message: "\(model.architecture): PTQLab does not know where its token embedding and LM head are")
        }
        func quantize(_ table: WeightMatrix, name: String, spec: String) throws -> QuantizationSummary.Layer {
            let scheme = try QuantSpec.parse(spec).weight
            let tensor = table.tensor
            let q: QuantizedWeight
            let (rows, columns) = (tensor.shape[0], tensor.count / max(tensor.shape[0], 1))
            if let kept = storedBlocks?.kept(name, scheme: scheme, rows: rows, columns: columns) {
                q = kept
            } else {
                do { q = try RTNQuantizer().quantize(weight: tensor, hessian: nil, scheme: scheme) } catch {
                    throw CalibrationSet.Failure(message: "\(name): \(error)")
                }
            }
            tensor.pointer.update(from: q.dequantized.pointer, count: tensor.count)
            table.invalidatePacked()
            return .init(name: name, result: q)
        }
        let (embeddingName, table) = tables.embeddingTable
        if tables.headIsTied {
            // a llama.cpp mix quantizes a tied embedding with the output's type
            if mix != nil, let h = head { return [try quantize(table, name: embeddingName, spec: h)] }
            if let e = embedding, let h = head, e != h {
                throw CalibrationSet.Failure(message: "\(model.architecture)'s LM head is its token embedding (tied): one spec quantizes both, got \(e) and \(h)")
            }
            return [try quantize(table, name: embeddingName, spec: (embedding ?? head)!)]
        }
        var layers: [QuantizationSummary.Layer] = []
        if let embedding { layers.append(try quantize(table, name: embeddingName, spec: embedding)) }
        if let head { layers.append(try quantize(tables.headTable.head.table, name: tables.headTable.name, spec: head)) }
        return layers
    }
}
