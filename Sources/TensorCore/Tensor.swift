/// Owned, 64-byte-aligned f32 storage. A class so large buffers are never copied by accident.
public final class FloatBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int, zeroed: Bool = true) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: count) }
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count, zeroed: false)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// A dense row-major f32 tensor: `shape` outermost first; a linear layer's weight is
/// (outFeatures, inFeatures), as in PyTorch.
public struct Tensor: Sendable {
    public var shape: [Int]
    public let storage: FloatBuffer

    public init(shape: [Int], storage: FloatBuffer) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match \(storage.count) values")
        self.shape = shape
        self.storage = storage
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, storage: FloatBuffer(count: shape.reduce(1, *)))
    }

    public init(shape: [Int], values: [Float]) {
        self.init(shape: shape, storage: FloatBuffer(values))
    }

    public var count: Int { storage.count }
    public var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    public var rows: Int { shape.count >= 2 ? shape[0] : 1 }
    public var columns: Int { shape.last ?? 1 }
    public var array: [Float] { storage.array }

    /// A copy with its own storage.
    public func copied() -> Tensor {
        let out = Tensor(shape: shape, storage: FloatBuffer(count: count, zeroed: false))
        out.pointer.update(from: pointer, count: count)
        return out
    }
}

/// Storage element types of full-precision tensors.
public enum FloatDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"

    public var byteSize: Int { self == .f32 ? 4 : 2 }
}

extension Tensor {
    /// The tensor with its rows reordered: row i of the result is row `order[i]` of this one (rows
    /// along the first axis; a vector's rows are its elements). `order` has one entry per row.
    public func reorderingRows(_ order: [Int]) -> Tensor {
        let rowsCount = shape.first ?? 1, width = count / Swift.max(rowsCount, 1)
        precondition(order.count == rowsCount, "a row order names every row")
        let out = Tensor(zeros: shape)
        for (i, r) in order.enumerated() { (out.pointer + i * width).update(from: pointer + r * width, count: width) }
        return out
    }
}
