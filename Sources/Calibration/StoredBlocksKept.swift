import Models
import Quantization

extension StoredWeightBlocks {
    /// Layer `name` quantized to `scheme` by keeping the checkpoint's own blocks, when it already
    /// stores the layer as the ggml type `scheme` gives it (after the fallback for narrow rows):
    /// llama-quantize's "nothing to do". Nil otherwise (the method quantizes it).
    func kept(_ name: String, scheme: WeightScheme, rows: Int, columns: Int) -> QuantizedWeight? {
        guard let grid = scheme.blockGrid?.fitting(columns: columns),
              let stored = blocks(of: name, type: grid.name, rows: rows, columns: columns) else { return nil }
        return GGMLLayerQuantizer.keeping(stored, scheme: scheme, rows: rows, columns: columns)
    }
}
