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

    static func decodeF16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        if Int(bitPattern: source) % MemoryLayout<UInt16>.alignment == 0 {
            HalfPrecision.convertF16(source.assumingMemoryBound(to: UInt16.self), destination, count: count)
            return
        }
        for i in 0 ..< count {
            destination[i] = HalfPrecision.f16ToF32(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
        }
    }

    /// bf16 is the top half of an f32: widen 16 lanes at a time and shift.
    static func decodeBF16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        let output = UnsafeMutableRawPointer(destination)
        var i = 0
        while i + 16 <= count {
            let halves = source.loadUnaligned(fromByteOffset: 2 * i, as: SIMD16<UInt16>.self)
            let words = SIMD16<UInt32>(truncatingIfNeeded: halves) &<< 16
            output.storeBytes(of: words, toByteOffset: 4 * i, as: SIMD16<UInt32>.self)
            i += 16
        }
        while i < count {
            destination[i] = HalfPrecision.bf16ToF32(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            i += 1
        }
    }
}
