/// Why a quantizer could not run.
public enum QuantizationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidScheme(QuantSpecError)
    case notAMatrix(shape: [Int])
    case hessianSize(expected: Int, got: Int)
    case missingHessian(method: String)
    /// Cholesky of the damped Hessian (or of its inverse) failed even at the largest damping.
    case notPositiveDefinite(lastDamping: Float)
    case lowRank(String)

    public var description: String {
        switch self {
        case .invalidScheme(let e): return "invalid weight scheme: \(e)"
        case .notAMatrix(let shape): return "weight must be a 2-D (outFeatures × inFeatures) tensor, got shape \(shape)"
        case .hessianSize(let expected, let got): return "Hessian is \(got)×\(got), the layer has \(expected) input features"
        case .missingHessian(let method): return "\(method) needs the Hessian of the layer's inputs"
        case .notPositiveDefinite(let d):
            return "Hessian is not positive definite even with damping \(d) × mean(diag H)"
        case .lowRank(let why): return "low-rank correction failed: \(why)"
        }
    }
}

extension WeightScheme {
    /// Throws `QuantizationError.invalidScheme` for bad bits or group size.
    func checked() throws(QuantizationError) {
        do { try validate() } catch { throw .invalidScheme(error) }
    }
}
