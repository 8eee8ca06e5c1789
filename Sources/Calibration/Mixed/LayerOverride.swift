import Quantization

/// One per-layer override of a recipe (mixed precision): the block linears whose Hugging Face names
/// match `pattern` (`LayerPattern`) are quantized with `spec`, and with `method` when given,
/// instead of the recipe's own; the first matching override wins. `w16a16` leaves the matched
/// layers in full precision. As GPTQModel's per-module `dynamic` overrides, llm-compressor's
/// targets and MLX-LM's per-layer predicates: `"*.down_proj": w8a16-row-asym`, `"*.{last}.*": …`.
public struct LayerOverride: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Methods an override may name: the per-layer quantizers.
    public static let methods = ["rtn", "gptq", "zq-local", "imatrix"]

    public var pattern: String
    /// Canonical spec text (`QuantSpec.description`).
    public var spec: String
    /// rtn, gptq or zq-local; nil: the recipe's method (rtn when the recipe's is awq or smoothquant).
    public var method: String?

    public init(pattern: String, spec: String, method: String? = nil) {
        self.pattern = pattern
        self.spec = (try? QuantSpec.parse(spec).description) ?? spec
        self.method = method
    }

    /// `*.down_proj=w8a16-row-asym` (`:gptq` when the override names a method).
    public var description: String { "\(pattern)=\(spec)" + (method.map { ":\($0)" } ?? "") }

    /// Parses `PATTERN=SPEC[:METHOD]` (the CLI's `--override`).
    public static func parse(_ text: String) throws -> LayerOverride {
        guard let eq = text.lastIndex(of: "=") else {
            throw QuantSpecError.missingPart("'=' in override '\(text)' (PATTERN=SPEC[:METHOD], e.g. '*.down_proj=w8a16-row-asym')")
        }
        let pattern = String(text[..<eq]), rest = text[text.index(after: eq)...]
        let parts = rest.split(separator: ":", maxSplits: 1).map(String.init)
        let spec = try QuantSpec.parse(parts.first ?? "")
        return LayerOverride(pattern: pattern, spec: spec.description, method: parts.count > 1 ? parts[1] : nil)
    }

    /// Why the override cannot run, or nil.
    public var problem: String? {
        if let problem = LayerPattern(pattern).problem { return problem }
        do { _ = try QuantSpec.parse(spec) } catch { return "override \(pattern): \(spec): \(error)" }
        if let method, !Self.methods.contains(method) {
            return "override \(pattern): method '\(method)' is not a per-layer method (\(Self.methods.joined(separator: ", ")))"
        }
        return nil
    }
}
