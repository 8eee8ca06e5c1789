import Foundation

/// Writes config.json objects the way transformers writes them: sorted keys, two-space indent, and
/// Swift `Double`s always with a fraction or exponent (`2.0`, `1e-06`), since transformers 5
/// validates float fields strictly and rejects `2` where a float is declared (JSONSerialization
/// writes 2.0 as `2`). Values: String, Int, Double, Float, Bool, NSNull, arrays, string-keyed dictionaries.
public enum ConfigJSONText {
    public static func text(_ object: [String: Any]) -> String { write(object, indent: "") + "\n" }

    static func write(_ value: Any, indent: String) -> String {
        let inner = indent + "  "
        switch value {
        case let s as String: return JSONText.quoted(s)
        case let b as Bool where type(of: value) == Bool.self: return b ? "true" : "false"
        case let i as Int where type(of: value) == Int.self: return String(i)
        case let d as Double where type(of: value) == Double.self: return float(d)
        case let f as Float where type(of: value) == Float.self: return float(Double("\(f)") ?? Double(f))
        case is NSNull: return "null"
        case let array as [Any]:
            if array.isEmpty { return "[]" }
            return "[\n" + array.map { inner + write($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case let dict as [String: Any]:
            if dict.isEmpty { return "{}" }
            let keys = dict.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return "{\n" + keys.map { inner + JSONText.quoted($0) + ": " + write(dict[$0]!, indent: inner) }.joined(separator: ",\n")
                + "\n" + indent + "}"
        default:
            // parsed numbers (NSNumber) and anything else: as JSONSerialization writes them
            let data = (try? JSONSerialization.data(withJSONObject: [value], options: [.fragmentsAllowed])) ?? Data("[null]".utf8)
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
    }

    /// `description` of a Double is the shortest text that reads back exactly: "2.0", "1e-06".
    static func float(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        return d.description
    }
}
