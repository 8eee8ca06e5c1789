// The vector code outside the GEMM (norms, softmax rows, activations, block dequantization) is
// written once here, @inlinable and generic over an instruction-set marker, and specialized by each
// kernel module (KernelsAVX512, KernelsAVX2, KernelsPortable) under its own -target-cpu, like the
// GEMM and the fused attention. The marker only carries what the shared code must know about the
// instruction set it is compiled for.

/// An instruction set a kernel module compiles the shared vector code for.
public protocol VectorISA: SendableMetatype {
    /// Whether `acc + a·b` may be one fused multiply-add: true where the module's target has FMA
    /// (AVX2 + FMA, AVX-512, arm64), false for the portable module on x86-64, where a fused SIMD
    /// operation would become a library call per lane.
    static var fusedMultiplyAdd: Bool { get }
}

/// Loads, stores and lane-wise helpers of the shared vector code (16 floats, unaligned).
///
/// Everything the kernel modules call from here is either generic over the `VectorISA` marker
/// (its specializations are emitted in, and named after, the kernel module) or `@_transparent`
/// (always inlined). A plain non-generic `@inlinable` function the optimizer leaves out of line
/// resolves to KernelCore's own copy, compiled for no particular CPU: that made SwiGLU and
/// log-sum-exp run at SSE2 speed inside the AVX-512 module (perf showed KernelCore symbols).
public enum VectorLanes {
    @_transparent
    public static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @_transparent
    public static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// The `count` (< 16) values at p in the first lanes, `fill` in the others; reads nothing past
    /// p + count. One copy through memory (per-lane inserts cost a store-forwarding stall each).
    @_transparent
    public static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float) -> SIMD16<Float> {
        var v = SIMD16<Float>(repeating: fill)
        withUnsafeMutableBytes(of: &v) { $0.baseAddress!.copyMemory(from: p, byteCount: count * MemoryLayout<Float>.size) }
        return v
    }

    /// Writes the first `count` (< 16) lanes of v to p, nothing past p + count.
    @_transparent
    public static func storePartial(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        withUnsafeBytes(of: v) { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: count * MemoryLayout<Float>.size) }
    }

    /// acc + a·b, fused when the instruction set has FMA (see `VectorISA.fusedMultiplyAdd`).
    @_transparent
    public static func multiplyAdd<I: VectorISA>(_: I.Type, _ acc: SIMD16<Float>, _ a: SIMD16<Float>,
                                                 _ b: SIMD16<Float>) -> SIMD16<Float> {
        I.fusedMultiplyAdd ? acc.addingProduct(a, b) : acc + a * b
    }

    /// Lane-wise max as a compare + blend (a NaN in b is ignored, one in a kept; the standard
    /// library's IEEE `pointwiseMax` goes lane by lane through memory).
    @_transparent
    public static func max(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a.replacing(with: b, where: b .> a) }

    /// Lane-wise min as a compare + blend (see `max`).
    @_transparent
    public static func min(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a.replacing(with: b, where: b .< a) }

    /// The largest of n values (−∞ for none), 16 lanes at a time.
    @_transparent
    public static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { m = max(m, load(x + i)); i += 16 }
        var s = m.max()
        while i < n { s = Swift.max(s, x[i]); i += 1 }
        return s
    }
}
