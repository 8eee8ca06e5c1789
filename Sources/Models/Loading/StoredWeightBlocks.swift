import ModelFormats

/// The ggml blocks a GGUF checkpoint stores for its weight matrices, under Hugging Face layer
/// names and in HF row order (llama.cpp's Q/K row permutation undone, as the loader does).
///
/// What it is for: llama-quantize copies a tensor whose stored type already is the type it would
/// quantize it to ("nothing to do", llama-quant.cpp) instead of re-quantizing the decoded weights,
/// because ggml's K-quant searches are not idempotent. PTQLab keeps those blocks the same way
/// (`SequentialQuantization`, `SizeBudget`, the token tables), so its files equal llama-quantize's
/// and such a layer costs no error at all. The file stays mapped; blocks are read on demand.
public final class StoredWeightBlocks: @unchecked Sendable {
    let file: GGUFFile
    let tensorName: @Sendable (String) -> String?
    /// GGUF name → heads of the Q/K permutation, for tensors stored permuted.
    let permutedRows: [String: Int]

    /// The blocks of the GGUF at `path`, or nil when it is not a GGUF of a family whose GGUF tensor
    /// names PTQLab knows.
    public init?(path: String) throws {
        guard !path.hasSuffix("/"), let file = try? GGUFFile(path: path),
              let arch = file.architecture,
              let layout = ModelFamilies.lookup(ggufArchitecture: arch)?.family.gguf?.tensorLayout else { return nil }
        self.file = file
        tensorName = layout.tensorName
        permutedRows = try layout.permutedRows(file)
    }

    /// The ggml type (ggml's name, "Q4_K") that layer `name` (an HF module name, or a token
    /// table's) is stored in, or nil when the file has no tensor for it.
    public func storedType(of name: String) -> String? {
        guard let gguf = tensorName(name + ".weight"), let info = file.tensor(named: gguf) else { return nil }
        return info.type.name
    }

    /// The bytes of layer `name` (an HF module name such as `model.layers.0.mlp.down_proj`, or a
    /// token table's) when it is stored as ggml blocks of `type` (ggml's name, "Q4_K") holding
    /// (rows × columns); nil when it is stored otherwise or not at all.
    public func blocks(of name: String, type: String, rows: Int, columns: Int) -> [UInt8]? {
        guard let gguf = tensorName(name + ".weight"), let info = file.tensor(named: gguf),
              info.type.name == type, info.rowCount == rows, info.rowLength == columns,
              info.type.blockSize > 1, columns % info.type.blockSize == 0,
              let raw = try? file.rawData(of: gguf) else { return nil }
        let rowBytes = columns / info.type.blockSize * info.type.typeSize
        guard raw.count == rows * rowBytes else { return nil }
        // HF row i is stored as GGUF row order[i]
        guard let heads = permutedRows[gguf] else { return Array(raw) }
        return GGUFRowOrder.reordered(raw, rowBytes: rowBytes, order: GGUFLlamaWeights.unpermutedOrder(rows: rows, heads: heads))
    }
}
