import Foundation
import TensorCore

/// A 2-D weight (rows, columns) held once: row-major until a GEMM packs it, then, with
/// `keepsOnlyPacked` (the default), only as the packed copy (kernel paths; OpenBLAS computes
/// from the row-major tensor, which is then kept). What a `Linear` and a `LogitHead` (and the token
/// embedding it may be tied to) compute with.
///
/// Reading `tensor` while only the packed copy is held unpacks it, keeps the row-major copy and
/// drops the packed one, so code that reads W, writes into it and calls `invalidatePacked()` works
/// as before; the next forward pass packs it again. A `Tensor` read before a forward pass is no
/// longer this weight after it: read `tensor` again (or use `gatherRows(_:into:)`) instead of keeping it.
public final class WeightMatrix: @unchecked Sendable {
    /// For messages: the module path.
    public let name: String
    /// Let go of the row-major copy once a packed copy exists.
    public var keepsOnlyPacked = true
    public private(set) var rows: Int
    public private(set) var columns: Int

    private let state = NSLock()
    /// Row-major W; nil while the packed copy, or the compressed one, is the only one.
    private var rowMajor: Tensor?
    private let packed = PackedLinearWeightCache()
    /// W kept compressed (memory-lean execution), and the product's handle on it.
    private var compressed: (matrix: CompressedMatrix, prepared: PackedLinearWeight)?

    public init(name: String, _ weight: Tensor) {
        precondition(weight.shape.count == 2, "\(name): weight must be 2-D")
        self.name = name
        rowMajor = weight
        rows = weight.shape[0]
        columns = weight.shape[1]
    }

    /// W held compressed (its checkpoint blocks, f16/bf16, or a palette): products decode it as
    /// they pack it; reading `tensor` widens it to f32 for good (see `tensor`).
    public init(name: String, compressed: CompressedMatrix) {
        self.name = name
        rows = compressed.rows
        columns = compressed.columns
        self.compressed = (compressed, PackedLinearWeight(compressed: compressed))
    }

    /// A weight from a checkpoint: compressed when the loader kept it so, else f32.
    public convenience init(name: String, _ weight: LinearWeight) {
        switch weight {
        case .dense(let t): self.init(name: name, t)
        case .compressed(let c): self.init(name: name, compressed: c)
        }
    }

    /// W's compressed form when that is how it is held (immutable: a snapshot may keep it).
    public var compressedMatrix: CompressedMatrix? {
        state.lock(); defer { state.unlock() }
        return compressed?.matrix
    }

    /// Holds W as `matrix` from now on (e.g. the base weights restored after a quantization).
    public func setCompressed(_ matrix: CompressedMatrix) {
        state.lock(); defer { state.unlock() }
        rowMajor = nil
        packed.invalidate()
        rows = matrix.rows
        columns = matrix.columns
        compressed = (matrix, PackedLinearWeight(compressed: matrix))
    }

    /// Whether W is held compressed now.
    public var isCompressed: Bool {
        state.lock(); defer { state.unlock() }
        return compressed != nil
    }

    /// Sets W to `weight` kept compressed when a lossless palette holds it (a quantized result:
    /// `PaletteEncoding`), else as f32 like `tensor = weight`. Returns whether it compressed.
    @discardableResult
    public func storeCompressing(_ weight: Tensor) -> Bool {
        precondition(weight.shape.count == 2, "\(name): weight must be 2-D")
        guard let palette = PaletteEncoding.encode(weight) else {
            tensor = weight
            return false
        }
        setCompressed(palette)
        return true
    }

    /// A token embedding or LM head, packed at once (GEMM kernel paths): the embedding is the first
    /// tensor a model loads, so the moment both copies exist is the one when least else is held.
    public static func tokenTable(name: String, _ weight: Tensor) -> WeightMatrix {
        let table = WeightMatrix(name: name, weight)
        _ = table.prepared()
        return table
    }

    /// A token table as loaded: packed at once when f32, kept as stored when compressed.
    public static func tokenTable(name: String, _ weight: LinearWeight) -> WeightMatrix {
        switch weight {
        case .dense(let t): tokenTable(name: name, t)
        case .compressed(let c): WeightMatrix(name: name, compressed: c)
        }
    }

    /// W (rows, columns), row-major (see the type's note). Assigning drops the packed copy.
    public var tensor: Tensor {
        get {
            state.lock(); defer { state.unlock() }
            if let rowMajor { return rowMajor }
            if let held = compressed {
                // Callers may write into what they read: from now on W is this f32 tensor.
                let w = held.matrix.decoded()
                rowMajor = w
                compressed = nil
                return w
            }
            guard let current = packed.current else { preconditionFailure("\(name): no weight") }
            let w = current.unpacked()
            rowMajor = w
            packed.invalidate()
            return w
        }
        set {
            precondition(newValue.shape.count == 2, "\(name): weight must be 2-D")
            state.lock(); defer { state.unlock() }
            rowMajor = newValue
            rows = newValue.shape[0]
            columns = newValue.shape[1]
            packed.invalidate()
            compressed = nil
        }
    }

    /// W in f32 for reading only: the row-major tensor when held; for a compressed W a decoded
    /// copy, W itself staying compressed (writes into the copy are lost); otherwise as `tensor`.
    public var valuesForReading: Tensor {
        state.lock()
        if let rowMajor { state.unlock(); return rowMajor }
        if let held = compressed { state.unlock(); return held.matrix.decoded() }
        state.unlock()
        return tensor
    }

    /// After W's values were changed in place (through `tensor.pointer`).
    public func invalidatePacked() {
        state.lock(); defer { state.unlock() }
        // Without a row-major copy, the packed one is W: nothing was written behind its back.
        if rowMajor != nil { packed.invalidate() }
    }

    /// W prepared for `BLAS.linear` (packed on first use; the row-major copy let go when asked).
    public func prepared() -> PackedLinearWeight {
        state.lock(); defer { state.unlock() }
        guard let w = rowMajor else {
            if let held = compressed { return held.prepared }
            guard let current = packed.current else { preconditionFailure("\(name): no weight") }
            return current
        }
        let p = packed.get(w)
        if keepsOnlyPacked && p.releaseSource() {
            rowMajor = nil
            ReleasedMemory.note(bytes: w.count * MemoryLayout<Float>.size)
        }
        return p
    }

    /// x (ids.count, columns) = rows `ids` of W, from whichever copy is held (an embedding lookup;
    /// ids already checked against `rows`).
    public func gatherRows(_ ids: [Int32], into x: UnsafeMutablePointer<Float>) {
        state.lock(); defer { state.unlock() }
        let d = columns
        if let rowMajor {
            for (i, id) in ids.enumerated() { (x + i * d).update(from: rowMajor.pointer + Int(id) * d, count: d) }
        } else if let held = compressed {
            for (i, id) in ids.enumerated() { held.matrix.decodeRows(Int(id)..<(Int(id) + 1), into: x + i * d) }
        } else if let current = packed.current {
            for (i, id) in ids.enumerated() { current.copyRow(Int(id), into: x + i * d) }
        } else {
            preconditionFailure("\(name): no weight")
        }
    }

    /// Bytes held by a packed copy beyond W itself (0 before the first forward pass, with OpenBLAS,
    /// and once the packed copy is the only one).
    public var extraPackedBytes: Int { packed.current?.extraBytes ?? 0 }

    /// Bytes of every copy held now.
    public var heldBytes: Int {
        state.lock(); defer { state.unlock() }
        let packedFloats = packed.current?.packedFloatCount ?? 0
        return ((rowMajor?.count ?? 0) + packedFloats) * MemoryLayout<Float>.size + (compressed?.matrix.byteCount ?? 0)
    }
}
