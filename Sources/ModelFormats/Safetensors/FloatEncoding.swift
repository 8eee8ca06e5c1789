import TensorCore

/// f32 -> F16 / BF16 bit patterns, round to nearest even (numpy `astype(float16)`, PyTorch
/// `.to(torch.bfloat16)`); bit-exact with `HalfPrecision.f32ToF16` / `f32ToBF16`, 8 lanes at a time.
enum FloatEncoding {
    static func encodeF16(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<UInt16>, count: Int) {
        let input = UnsafeRawPointer(source), output = UnsafeMutableRawPointer(destination)
        var i = 0
        while i + 8 <= count {
            let values = input.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            output.storeBytes(of: SIMD8<Float16>(values), toByteOffset: 2 * i, as: SIMD8<Float16>.self)
            i += 8
        }
        while i < count {
            destination[i] = HalfPrecision.f32ToF16(source[i])
            i += 1
        }
    }

    static func encodeBF16(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<UInt16>, count: Int) {
        let input = UnsafeRawPointer(source), output = UnsafeMutableRawPointer(destination)
        var i = 0
        while i + 8 <= count {
            let bits = input.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<UInt32>.self)
            let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
            let quietNaN = (bits &>> 16) | 0x40
            let isNaN = (bits & 0x7FFF_FFFF) .> 0x7F80_0000
            let halves = SIMD8<UInt16>(truncatingIfNeeded: rounded.replacing(with: quietNaN, where: isNaN))
            output.storeBytes(of: halves, toByteOffset: 2 * i, as: SIMD8<UInt16>.self)
            i += 8
        }
        while i < count {
            destination[i] = HalfPrecision.f32ToBF16(source[i])
            i += 1
        }
    }
}
