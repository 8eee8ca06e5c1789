/// A ggml tensor storage type, numbered as in ggml's `enum ggml_type`. Numbers that ggml has
/// retired (4, 5, 31–33, 36–38) are not cases: a file using them reports "unknown ggml type".
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0, f16 = 1
    case q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_k = 10, q3_k = 11, q4_k = 12, q5_k = 13, q6_k = 14, q8_k = 15
    case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22, iq4_xs = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35, mxfp4 = 39, nvfp4 = 40, q1_0 = 41

    /// ggml's name: "F32", "Q4_K", "IQ2_XXS", …
    public var name: String { traits.name }
    /// Elements per block (1 for plain types).
    public var blockSize: Int { traits.blockSize }
    /// Bytes per block.
    public var typeSize: Int { traits.typeSize }
    public var description: String { name }

    /// Looks a type up by its ggml name (case-insensitive), e.g. "q4_k".
    public init?(name: String) {
        let upper = name.uppercased()
        guard let match = GGMLType.allCases.first(where: { $0.name == upper }) else { return nil }
        self = match
    }

    /// Bytes taken by `elements` values (a multiple of `blockSize`), or nil if it is not a
    /// multiple of the block size or the byte count overflows.
    public func byteCount(elements: Int) -> Int? {
        guard elements >= 0, elements % blockSize == 0 else { return nil }
        let (bytes, overflow) = (elements / blockSize).multipliedReportingOverflow(by: typeSize)
        return overflow ? nil : bytes
    }
}
