/// IEEE half (f16) and bfloat16 <-> f32 conversion, bit-exact with numpy / PyTorch.
public enum HalfPrecision {
    @inline(__always)
    public static func f16ToF32(_ bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }

    @inline(__always)
    public static func f32ToF16(_ x: Float) -> UInt16 {
        Float16(x).bitPattern // round to nearest even, like numpy's astype(float16)
    }

    @inline(__always)
    public static func bf16ToF32(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Round to nearest even (PyTorch's f32 -> bf16); NaN stays a quiet NaN.
    @inline(__always)
    public static func f32ToBF16(_ x: Float) -> UInt16 {
        let u = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: (u >> 16) | 0x40) }
        let rounding = UInt32(0x7FFF) + ((u >> 16) & 1)
        return UInt16(truncatingIfNeeded: (u &+ rounding) >> 16)
    }

    /// Converts `count` f16 values at `src` to f32 at `dst` (SIMD, per instruction set).
    public static func convertF16(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        VectorKernels.active.dequantize(.f16, UnsafeRawPointer(src), dst, count)
    }
}
