/// Why a quantization spec string (or scheme) is invalid; the message names the offending part.
public enum QuantSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case badBitsToken(String)
    case weightBits(String)
    case activationBits(String)
    case groupSize(String)
    case missingPart(String)
    case unknownToken(String)
    case misplacedToken(String, reason: String)

    public var description: String {
        switch self {
        case .empty:
            return "empty quantization spec; expected e.g. w4a16-g128-asym"
        case .badBitsToken(let t):
            return "'\(t)': the spec must start with w<bits>a<bits>, e.g. w4a16 or w8a8, or be a ggml block type (q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k)"
        case .weightBits(let t):
            return "'\(t)': weight bits must be 2…8"
        case .activationBits(let t):
            return "'\(t)': activation bits must be 4…8, or 16 for unquantized activations"
        case .groupSize(let t):
            return "'\(t)': group size must be a positive integer, e.g. g128"
        case .missingPart(let what):
            return "missing \(what)"
        case .unknownToken(let t):
            return "unknown part '\(t)' (expected row, tensor, g<k>, sym, asym, tok, static, f32scale)"
        case .misplacedToken(let t, let reason):
            return "'\(t)': \(reason)"
        }
    }
}
