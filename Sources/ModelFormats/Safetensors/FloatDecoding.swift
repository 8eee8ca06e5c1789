import TensorCore

/// Decodes little-endian F32 / F16 / BF16 / F64 bytes to f32. Sources may sit at any byte offset
/// of a mapped file, so every load is unaligned-safe.
enum FloatDecoding {
    static func decode(_ dtype: SafetensorsDType, from source: UnsafeRawPointer,
                       into destination: UnsafeMutablePointer<Float>, count: Int) {
        switch dtype {
        case .f32:
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .f16:
            decodeF16(source, destination, count: count)
        case .bf16:
            decodeBF16(source, destination, count: count)
        case .f64:
            for i in 0 ..< count {
                destination[i] = Float(source.loadUnaligned(fromByteOffset: 8 * i, as: Double.self))
            }
        default:
            preconditionFailure("\(dtype.rawValue) is not a float type; callers check decodesToFloat32")
        }
    }

    /// Unaligned-safe SIMD widening, compiled per instruction set (`VectorKernels`).
    static func decodeF16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        VectorKernels.active.dequantize(.f16, source, destination, count)
    }

    /// bf16 is the top half of an f32: widened 16 lanes at a time (per instruction set).
    static func decodeBF16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        VectorKernels.active.dequantize(.bf16, source, destination, count)
    }
}
