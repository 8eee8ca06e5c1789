import Foundation
import ModelFormats
import TensorCore

/// A weight matrix as a loader hands it to a model: f32, or kept in its stored form
/// (`CompressedMatrix`: GGUF blocks, f16/bf16) for memory-lean execution.
public enum LinearWeight: Sendable {
    case dense(Tensor)
    case compressed(CompressedMatrix)

    /// (rows, columns).
    public var shape: [Int] {
        switch self {
        case .dense(let t): t.shape
        case .compressed(let c): [c.rows, c.columns]
        }
    }
}

/// How a model's weight matrices stay resident: f32 (fastest: packed once for the GEMM), or
/// `lean` — in the checkpoint's own storage (GGUF blocks, f16/bf16), widened piece by piece inside
/// the GEMM (`DecodingGEMM`; bit-identical results), with quantized results kept as lossless
/// palettes (`PaletteEncoding`). `auto` picks lean when the f32 copy would take more than 40% of
/// physical memory. Set by `--weights` or `PTQLAB_WEIGHTS`.
public enum WeightResidency: String, Sendable, CaseIterable {
    case f32
    case lean
    case automatic = "auto"

    /// The process-wide choice (`--weights`, else `PTQLAB_WEIGHTS`, else auto).
    nonisolated(unsafe) public static var requested: WeightResidency = {
        guard let env = ProcessInfo.processInfo.environment["PTQLAB_WEIGHTS"] else { return .automatic }
        return WeightResidency(rawValue: env.lowercased()) ?? .automatic
    }()

    /// What the loaders of the model being built do (set by `ModelLoader` around a build).
    @TaskLocal public static var loading: WeightResidency = .f32

    /// Share of physical memory above which `auto` keeps weights lean.
    public static let automaticThreshold = 0.4

    /// f32 or lean for a model whose weights take `f32Bytes` as f32.
    public func resolved(f32Bytes: Int, physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) -> WeightResidency {
        switch self {
        case .f32, .lean: self
        case .automatic: Double(f32Bytes) > Self.automaticThreshold * Double(physicalMemory) ? .lean : .f32
        }
    }
}

extension CanonicalWeights {
    /// `linearWeight` for sources without a compressed form: always f32.
    public func denseLinearWeight(_ name: String, shape: [Int]) throws -> LinearWeight {
        .dense(try tensor(name, shape: shape))
    }

    public func linearWeight(_ name: String, shape: [Int]) throws -> LinearWeight {
        try denseLinearWeight(name, shape: shape)
    }
}

extension WeightCheck {
    /// `finite` for a compressed matrix (decoded in slices).
    public static func finite(_ c: CompressedMatrix, name: String, file: String) throws {
        if let bad = c.firstNonFinite() {
            var row = [Float](repeating: 0, count: c.columns)
            row.withUnsafeMutableBufferPointer { c.decodeRows((bad / c.columns)..<(bad / c.columns + 1), into: $0.baseAddress!) }
            throw FormatError(file: file, field: name, "non-finite value \(row[bad % c.columns]) at flat index \(bad)")
        }
    }
}
