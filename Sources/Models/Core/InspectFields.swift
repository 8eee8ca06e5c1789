/// The hyperparameter map `ptqlab inspect` shows, in the keys every family shares.
enum InspectFields {
    /// layers, hidden_size, intermediate_size, heads, head_dim (hidden / heads), vocab_size,
    /// tied_embeddings, context (when the family has one), then `extra`, which wins on a clash.
    static func decoder(layers: Int, hidden: Int, ffn: Int, heads: Int, vocab: Int, context: Int?, tied: Bool,
                        extra: [String: String]) -> [String: String] {
        var s = ["layers": "\(layers)", "hidden_size": "\(hidden)", "intermediate_size": "\(ffn)", "heads": "\(heads)",
                 "head_dim": "\(hidden / heads)", "vocab_size": "\(vocab)", "tied_embeddings": "\(tied)"]
        if let context { s["context"] = "\(context)" }
        return s.merging(extra) { $1 }
    }
}
