/// Whole stored rows of a tensor's bytes in another order (llama.cpp's Q/K row permutation applied
/// or undone on ggml blocks, which never straddle rows).
public enum GGUFRowOrder {
    /// Row i of the result is row `order[i]` of `bytes` (rows of `rowBytes` bytes).
    public static func reordered(_ bytes: UnsafeRawBufferPointer, rowBytes: Int, order: [Int]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: bytes.count)
        out.withUnsafeMutableBytes { dst in
            for (i, r) in order.enumerated() {
                (dst.baseAddress! + i * rowBytes).copyMemory(from: bytes.baseAddress! + r * rowBytes, byteCount: rowBytes)
            }
        }
        return out
    }
}
