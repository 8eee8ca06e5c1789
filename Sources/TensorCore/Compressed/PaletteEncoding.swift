import Foundation
import KernelCore

/// Lossless compact storage of a quantized weight (memory-lean execution): a quantized matrix
/// takes few distinct values per group, so per span of columns a palette of f32 values and an
/// index per weight hold it exactly — 4-bit indices when every span has ≤ 16 distinct values (W4
/// and narrower with groups that are spans or coarser: ~1 byte per weight), else 8-bit with ≤ 256
/// per span (W8). Exact by construction (the palette holds the very f32 bit patterns), whatever
/// method produced the values; a matrix with more distinct values (LoRC's low-rank correction, act-order groups) is not
/// encoded (nil) and stays f32.
public enum PaletteEncoding {
    /// The smallest palette layout that holds `w` (rows × columns) exactly, or nil.
    public static func encode(_ w: Tensor) -> CompressedMatrix? {
        guard w.shape.count == 2 else { return nil }
        let (n, k) = (w.shape[0], w.shape[1])
        guard n > 0, k > 0 else { return nil }
        // Larger spans first (fewer palettes per row); spans must tile the row.
        let spans4 = [k, 512, 256, 128, 64, 32].filter { $0 % 2 == 0 && k % $0 == 0 && $0 <= k }
        for span in Array(Set(spans4)).sorted(by: >) where everySpanHasAtMost(16, w, span: span) {
            return build(w, layout: .palette4(span: span))
        }
        let spans8 = [k, 4096, 2048, 1024, 512, 256].filter { k % $0 == 0 && $0 <= k }
        for span in Array(Set(spans8)).sorted(by: >) where everySpanHasAtMost(256, w, span: span) {
            return build(w, layout: .palette8(span: span))
        }
        return nil
    }

    /// Whether every span of every row holds at most `limit` distinct values (bit patterns).
    static func everySpanHasAtMost(_ limit: Int, _ w: Tensor, span: Int) -> Bool {
        let (n, k) = (w.shape[0], w.shape[1])
        let p = UncheckedSendable(UnsafePointer(w.pointer))
        let failed = StopFlag()
        Parallel.forRanges(n, minimumChunk: 16) { rows in
            var palette = Palette(capacity: limit)
            for r in rows {
                if failed.isSet { return }
                var s = 0
                while s < k {
                    palette.reset()
                    let src = p.value + r * k + s
                    for i in 0..<span where palette.index(of: src[i]) == nil {
                        failed.set()
                        return
                    }
                    s += span
                }
            }
        }
        return !failed.isSet
    }

    /// Set by the first part that finds a span too varied; the others stop at their next row.
    final class StopFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
        func set() { lock.lock(); value = true; lock.unlock() }
    }

    static func build(_ w: Tensor, layout: CompressedRows.Layout) -> CompressedMatrix {
        let (n, k) = (w.shape[0], w.shape[1])
        let rowBytes = CompressedRows.rowBytes(layout, columns: k)
        let storage = UnsafeMutableRawPointer.allocate(byteCount: n * rowBytes, alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: n * rowBytes)
        let (span, entries) = switch layout {
        case .palette4(let span): (span, 16)
        case .palette8(let span): (span, 256)
        case .blocks: preconditionFailure("not a palette layout")
        }
        let spanBytes = entries * 4 + (entries == 16 ? span / 2 : span)
        let p = UncheckedSendable(UnsafePointer(w.pointer)), out = UncheckedSendable(storage)
        Parallel.forRanges(n, minimumChunk: 16) { rows in
            var palette = Palette(capacity: entries)
            for r in rows {
                for s in 0..<(k / span) {
                    palette.reset()
                    let src = p.value + r * k + s * span
                    let dst = out.value + r * rowBytes + s * spanBytes
                    let codes = (dst + entries * 4).assumingMemoryBound(to: UInt8.self)
                    for i in 0..<span {
                        let code = palette.index(of: src[i])!
                        if entries == 16 {
                            codes[i >> 1] |= UInt8(code) << (i & 1 == 0 ? 0 : 4)
                        } else {
                            codes[i] = UInt8(code)
                        }
                    }
                    let values = dst.assumingMemoryBound(to: Float.self)
                    for (j, bits) in palette.values.enumerated() { values[j] = Float(bitPattern: bits) }
                }
            }
        }
        return CompressedMatrix(rows: n, columns: k, layout: layout, owning: storage)
    }

    /// Distinct bit patterns in order of first appearance, up to `capacity`.
    struct Palette {
        let capacity: Int
        var values: [UInt32] = []
        init(capacity: Int) {
            self.capacity = capacity
            values.reserveCapacity(capacity)
        }
        mutating func reset() { values.removeAll(keepingCapacity: true) }
        /// The index of `v`, added if new; nil when full.
        mutating func index(of v: Float) -> Int? {
            let bits = v.bitPattern
            if let i = values.firstIndex(of: bits) { return i }
            guard values.count < capacity else { return nil }
            values.append(bits)
            return values.count - 1
        }
    }
}
