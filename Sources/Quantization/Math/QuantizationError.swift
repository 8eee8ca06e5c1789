/// Why a quantizer could not run.
public enum QuantizationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidScheme(QuantSpecError)
    case notAMatrix(shape: [Int])
    case hessianSize(expected: Int, got: Int)
    case missingHessian(method: String)
    /// Cholesky of the damped Hessian (or of its inverse) failed even at the largest damping.
    case notPositiveDefinite(lastDamping: Float)
    case lowRank(String)
    /// The method has no version for a ggml block type's grid, or the layer does not fit it.
    case blockGrid(String)

    public var description: String {
        switch self {
        case .invalidScheme(let e): return "invalid weight scheme: \(e)"
        case .notAMatrix(let shape): return "weight must be a 2-D (outFeatures × inFeatures) tensor, got shape \(shape)"
        case .hessianSize(let expected, let got): return "Hessian is \(got)×\(got), the layer has \(expected) input features"
        case .missingHessian(let method): return "\(method) needs the Hessian of the layer's inputs"
        case .notPositiveDefinite(let d):
            return "Hessian is not positive definite even with damping \(d) × mean(diag H)"
        case .lowRank(let why): return "low-rank correction failed: \(why)"
        case .blockGrid(let why): return why
        }
    }
}

extension WeightScheme {
    /// Throws `QuantizationError.invalidScheme` for bad bits or group size.
    func checked() throws(QuantizationError) {
        do { try validate() } catch { throw .invalidScheme(error) }
    }

    /// Throws for a ggml block grid: `method` works on the integer scale/zero-point grid only.
    public func requireIntegerGrid(method: String) throws(QuantizationError) {
        if let blockGrid {
            throw .blockGrid("\(method) has no version for ggml's \(blockGrid.name) grid; use rtn, imatrix, gptq, zq-local or awq with \(blockGrid.rawValue), or an integer scheme such as w4a16-g32-asym")
        }
    }

    /// The ggml grid a layer of `columns` input columns is stored on: this scheme's, or
    /// llama-quantize's fallback type when its blocks do not fit (`GGMLBlockGrid.fitting`).
    func layerBlockGrid(columns: Int) throws(QuantizationError) -> (grid: GGMLBlockGrid, scheme: WeightScheme) {
        guard let blockGrid else { preconditionFailure("not a ggml grid") }
        guard let grid = blockGrid.fitting(columns: columns) else {
            throw .blockGrid("\(columns) input columns is not a whole number of \(blockGrid.name)'s \(blockGrid.blockSize)-weight blocks, nor of its fallback type's 32-weight blocks")
        }
        return (grid, WeightScheme(ggml: grid))
    }
}
