/// Little-endian field access inside quantized blocks (blocks are byte-packed, so loads are unaligned).
extension UnsafeRawPointer {
    @inline(__always) func byte(_ offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always) func signedByte(_ offset: Int) -> Int8 {
        load(fromByteOffset: offset, as: Int8.self)
    }

    @inline(__always) func uint32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// An f16 field widened to f32 (exact).
    @inline(__always) func half(_ offset: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
    }
}

extension UnsafeMutableRawPointer {
    @inline(__always) func setByte(_ value: UInt8, _ offset: Int) {
        storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    @inline(__always) func setUInt32(_ value: UInt32, _ offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// Stores f32 rounded to f16 (nearest even), like numpy's `astype(np.float16)`.
    @inline(__always) func setHalf(_ value: Float, _ offset: Int) {
        storeBytes(of: Float16(value).bitPattern.littleEndian, toByteOffset: offset, as: UInt16.self)
    }
}

/// Helpers shared by the block quantizers (which follow gguf-py's numpy code step by step).
enum QuantizerMath {
    /// The first element of largest magnitude, keeping its sign (numpy `take(argmax(abs(x)))`;
    /// a NaN wins, as in numpy).
    @inline(__always) static func signedAbsMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var best = x[0]
        var bestMagnitude = abs(best)
        if bestMagnitude.isNaN { return best }
        for j in 1..<n {
            let m = abs(x[j])
            if m.isNaN { return x[j] }
            if m > bestMagnitude { bestMagnitude = m; best = x[j] }
        }
        return best
    }

    /// `max(abs(x))`, NaN-propagating like numpy.
    @inline(__always) static func absMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var best: Float = 0
        for j in 0..<n {
            let m = abs(x[j])
            if m.isNaN { return m }
            if m > best { best = m }
        }
        return best
    }

    /// (min, max), NaN-propagating like numpy.
    @inline(__always) static func minMax(_ x: UnsafePointer<Float>, _ n: Int) -> (min: Float, max: Float) {
        var lo = x[0], hi = x[0]
        for j in 0..<n {
            let v = x[j]
            if v.isNaN { return (v, v) }
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        return (lo, hi)
    }

    /// numpy's `np.where(d == 0, 0, 1 / d)`.
    @inline(__always) static func inverse(_ d: Float) -> Float { d == 0 ? 0 : 1 / d }

    /// `trunc(v)` then numpy's `astype(uint8).clip(0, maxLevel)` for in-range values; NaN and
    /// negative values become 0 instead of undefined behaviour.
    @inline(__always) static func level(_ v: Float, max maxLevel: UInt8) -> UInt8 {
        let t = v.rounded(.towardZero)
        if t >= Float(maxLevel) { return maxLevel }
        return t >= 0 ? UInt8(t) : 0
    }
}
