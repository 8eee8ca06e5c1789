import TensorCore

/// The element types a safetensors header may name. Every name the reference implementation knows
/// is listed, so a file holding integer or 8-bit float tensors still opens (and says clearly which
/// tensors cannot be decoded); names outside this list are rejected when the file is opened.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case f4 = "F4"
    case f6E2M3 = "F6_E2M3", f6E3M2 = "F6_E3M2"
    case u8 = "U8", i8 = "I8"
    case f8E5M2 = "F8_E5M2", f8E4M3 = "F8_E4M3", f8E8M0 = "F8_E8M0"
    case i16 = "I16", u16 = "U16"
    case f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32"
    case f32 = "F32"
    case c64 = "C64"
    case f64 = "F64"
    case i64 = "I64", u64 = "U64"

    /// Bits per element (sub-byte for F4 / F6 types).
    public var bitsPerElement: Int {
        switch self {
        case .f4: 4
        case .f6E2M3, .f6E3M2: 6
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .c64, .f64, .i64, .u64: 64
        }
    }

    /// Whether `loadFloat32` can decode this type.
    public var decodesToFloat32: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64: true
        default: false
        }
    }

    /// The types `loadFloat32` decodes, for error messages.
    static let decodableNames = allCases.filter(\.decodesToFloat32).map(\.rawValue).joined(separator: ", ")

    public init(_ dtype: FloatDType) {
        switch dtype {
        case .f32: self = .f32
        case .f16: self = .f16
        case .bf16: self = .bf16
        }
    }
}
