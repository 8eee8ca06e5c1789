/// A glob over Hugging Face module names (`model.layers.3.mlp.down_proj`): `*` matches any run of
/// characters (dots included), `?` one character, everything else itself; the whole name must
/// match. `{first}` and `{last}` stand for the first and last block's index, so `*.{last}.*`
/// names every linear of the last block in any family (`model.layers.29.…`, `transformer.h.11.…`).
public struct LayerPattern: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    public init(_ text: String) { self.text = text }

    public var description: String { text }

    /// Why the text is not a usable pattern, or nil.
    public var problem: String? {
        if text.isEmpty { return "an empty layer pattern matches nothing" }
        let stripped = text.replacingOccurrences(of: "{first}", with: "").replacingOccurrences(of: "{last}", with: "")
        if stripped.contains("{") || stripped.contains("}") { return "layer pattern '\(text)': only {first} and {last} may appear in braces" }
        return nil
    }

    /// Whether `name` matches, in a model of `blocks` blocks.
    public func matches(_ name: String, blocks: Int) -> Bool {
        let resolved = text.replacingOccurrences(of: "{first}", with: "0")
            .replacingOccurrences(of: "{last}", with: String(max(blocks - 1, 0)))
        return Self.glob(Array(resolved.utf8), Array(name.utf8))
    }

    /// Iterative glob with backtracking to the last `*` (linear in practice).
    static func glob(_ p: [UInt8], _ s: [UInt8]) -> Bool {
        let star = UInt8(ascii: "*"), any = UInt8(ascii: "?")
        var i = 0, j = 0, starAt = -1, matchedTo = 0
        while j < s.count {
            if i < p.count && (p[i] == any || p[i] == s[j]) {
                i += 1; j += 1
            } else if i < p.count && p[i] == star {
                starAt = i; matchedTo = j; i += 1
            } else if starAt >= 0 {
                i = starAt + 1; matchedTo += 1; j = matchedTo
            } else {
                return false
            }
        }
        while i < p.count && p[i] == star { i += 1 }
        return i == p.count
    }
}
