/// A weight scheme plus an activation scheme, with a compact text form.
///
/// Grammar (lower case; parts separated by `-`):
///
///     spec     := "w" WBITS "a" ABITS "-" wgran "-" wsym [ "-" agran [ "-" asym ] ] flag*
///               | "w16a" ABITS [ "-" agran [ "-" asym ] ] [ "-static" ]
///     WBITS    := 2 … 8                     (16: weights left in full precision, see below)
///     ABITS    := 4 … 8 | 16                 16 = activations not quantized
///     wgran    := "row" | "tensor" | "g" K   per output channel | whole matrix | K input columns
///     wsym     := "sym" | "asym"             weight symmetry
///     agran    := "tok" | "tensor"           activation ranges per token (default) | per tensor
///     asym     := "sym" | "asym"             activation symmetry (default sym); only after agran
///     flag     := "-static"                  activation ranges from calibration (default dynamic)
///               | "-f32scale"                scales/zero-points stored in f32 (default f16)
///               | "-narrow"                  symmetric weights on the narrow grid ±(2^(b−1) − 1)
///                                            (default: the full grid of GPTQ's reference; `SymmetricGrid`)
///
/// `w16` keeps the weights in full precision (f16): `w16a8-tok`, `w16a4-tok-asym`,
/// `w16a8-tensor-static` measure activation quantization alone; `w16a16` quantizes nothing (a
/// per-layer override's way to leave layers alone).
/// `agran`, `asym` and `static` require ABITS < 16. Examples: `w4a16-row-asym`,
/// `w3a16-g128-asym`, `w8a8-row-sym-tok`, `w8a8-row-sym-tensor`, `w4a8-g128-asym-tok`.
/// `description` is the canonical form: it always names the activation granularity when
/// activations are quantized, and omits defaults otherwise (`-sym` activations, dynamic, f16).
public struct QuantSpec: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    public var weight: WeightScheme
    public var activation: ActivationScheme

    public init(weight: WeightScheme, activation: ActivationScheme = .none) {
        self.weight = weight
        self.activation = activation
    }

    /// Parses the text form; `nil` on error (use `parse` for the reason).
    public init?(_ description: String) {
        guard let spec = try? Self.parse(description) else { return nil }
        self = spec
    }

    public var description: String {
        if let grid = weight.blockGrid, !activation.isQuantized { return grid.rawValue }
        var parts = ["w\(weight.bits)a\(activation.bits ?? 16)"]
        guard weight.isQuantized else {
            if activation.isQuantized {
                parts.append(activation.granularity.rawValue)
                if !activation.symmetric { parts.append("asym") }
                if activation.isStatic { parts.append("static") }
            }
            return parts.joined(separator: "-")
        }
        switch weight.granularity {
        case .perRow: parts.append("row")
        case .perTensor: parts.append("tensor")
        case .group(let k): parts.append("g\(k)")
        }
        parts.append(weight.symmetric ? "sym" : "asym")
        if activation.isQuantized {
            parts.append(activation.granularity.rawValue)
            if !activation.symmetric { parts.append("asym") }
            if activation.isStatic { parts.append("static") }
        }
        if weight.storage == .f32 { parts.append("f32scale") }
        if weight.symmetric && weight.symmetricGrid == .narrow { parts.append("narrow") }
        return parts.joined(separator: "-")
    }

    /// Parses the text form, or throws an error naming the bad part.
    public static func parse(_ text: String) throws(QuantSpecError) -> QuantSpec {
        let tokens = text.lowercased().split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let head = tokens.first, !head.isEmpty else { throw .empty }
        if let grid = GGMLBlockGrid(name: head) {
            guard tokens.count == 1 else {
                throw .misplacedToken(tokens[1], reason: "a ggml block type (\(head)) names the whole weight scheme and keeps activations in full precision")
            }
            return QuantSpec(weight: WeightScheme(ggml: grid))
        }
        let (wBits, aBits) = try parseBits(head)
        if wBits == WeightScheme.fullPrecisionBits { return try parseFullPrecisionWeights(tokens, activationBits: aBits) }

        guard tokens.count > 1 else { throw .missingPart("weight granularity after '\(head)' (row, tensor or g<k>)") }
        let granularity = try parseGranularity(tokens[1])
        guard tokens.count > 2 else { throw .missingPart("weight symmetry after '\(tokens[1])' (sym or asym)") }
        guard let symmetric = parseSymmetry(tokens[2]) else {
            throw .misplacedToken(tokens[2], reason: "expected weight symmetry (sym or asym)")
        }
        var weight = WeightScheme(bits: wBits, symmetric: symmetric, granularity: granularity)
        var activation = ActivationScheme(bits: aBits == 16 ? nil : aBits)

        var index = try parseActivationParts(tokens, from: 3, into: &activation)
        var seen = Set<String>()
        while index < tokens.count {
            let token = tokens[index]
            guard seen.insert(token).inserted else { throw .misplacedToken(token, reason: "given twice") }
            switch token {
            case "static":
                guard activation.isQuantized else {
                    throw .misplacedToken(token, reason: "static activation ranges need quantized activations (a4…a8), not a16")
                }
                activation.isStatic = true
            case "f32scale":
                weight.storage = .f32
            case "narrow":
                guard weight.symmetric else {
                    throw .misplacedToken(token, reason: "the narrow grid is a symmetric grid; the weights here are asym")
                }
                weight.symmetricGrid = .narrow
            case "sym", "asym":
                throw .misplacedToken(token, reason: "activation symmetry must follow the activation granularity (tok or tensor)")
            case "tok", "tensor", "row":
                throw .misplacedToken(token, reason: "granularity out of place")
            case "":
                throw .misplacedToken(token, reason: "empty part (double or trailing '-')")
            default:
                if token.first == "g", Int(token.dropFirst()) != nil {
                    throw .misplacedToken(token, reason: "granularity out of place")
                }
                throw .unknownToken(token)
            }
            index += 1
        }
        let spec = QuantSpec(weight: weight, activation: activation)
        try spec.weight.validate()
        try spec.activation.validate()
        return spec
    }

    private static func parseBits(_ head: String) throws(QuantSpecError) -> (Int, Int) {
        guard head.first == "w", let a = head.firstIndex(of: "a") else { throw .badBitsToken(head) }
        let wText = head[head.index(after: head.startIndex)..<a]
        let aText = head[head.index(after: a)...]
        guard let w = Int(wText), let ab = Int(aText) else { throw .badBitsToken(head) }
        guard WeightScheme.bitRange.contains(w) || w == WeightScheme.fullPrecisionBits else { throw .weightBits("w\(wText)") }
        guard ab == 16 || ActivationScheme.bitRange.contains(ab) else { throw .activationBits("a\(aText)") }
        return (w, ab)
    }

    /// The optional activation granularity at `tokens[index]`, optionally followed by the activation
    /// symmetry; returns the index after them.
    private static func parseActivationParts(_ tokens: [String], from index: Int,
                                             into activation: inout ActivationScheme) throws(QuantSpecError) -> Int {
        var index = index
        guard index < tokens.count, let g = ActivationScheme.Granularity(rawValue: tokens[index]) else { return index }
        guard activation.isQuantized else {
            throw .misplacedToken(tokens[index], reason: "activation granularity needs quantized activations (a4…a8), not a16")
        }
        activation.granularity = g
        index += 1
        if index < tokens.count, let s = parseSymmetry(tokens[index]) {
            activation.symmetric = s
            index += 1
        }
        return index
    }

    /// `w16aB[-tok|-tensor[-sym|-asym]][-static]`: weights in full precision, so no weight parts.
    private static func parseFullPrecisionWeights(_ tokens: [String], activationBits: Int) throws(QuantSpecError) -> QuantSpec {
        var activation = ActivationScheme(bits: activationBits == 16 ? nil : activationBits)
        var index = try parseActivationParts(tokens, from: 1, into: &activation)
        if index < tokens.count && tokens[index] == "static" {
            guard activation.isQuantized else {
                throw .misplacedToken("static", reason: "static activation ranges need quantized activations (a4…a8), not a16")
            }
            activation.isStatic = true
            index += 1
        }
        if index < tokens.count {
            let token = tokens[index]
            if token == "row" || token.first == "g" || ["sym", "asym", "f32scale", "narrow"].contains(token) {
                throw .misplacedToken(token, reason: "w16 keeps the weights in full precision: no weight granularity, symmetry or scale storage")
            }
            throw token.isEmpty ? .misplacedToken(token, reason: "empty part (double or trailing '-')") : .unknownToken(token)
        }
        let spec = QuantSpec(weight: .fullPrecision, activation: activation)
        try spec.activation.validate()
        return spec
    }

    private static func parseGranularity(_ token: String) throws(QuantSpecError) -> WeightGranularity {
        switch token {
        case "row": return .perRow
        case "tensor": return .perTensor
        default:
            guard token.first == "g" else {
                if token.isEmpty { throw .missingPart("weight granularity (row, tensor or g<k>)") }
                throw .misplacedToken(token, reason: "expected weight granularity (row, tensor or g<k>)")
            }
            guard let k = Int(token.dropFirst()), k >= 1 else { throw .groupSize(token) }
            return .group(k)
        }
    }

    private static func parseSymmetry(_ token: String) -> Bool? {
        switch token {
        case "sym": return true
        case "asym": return false
        default: return nil
        }
    }
}
