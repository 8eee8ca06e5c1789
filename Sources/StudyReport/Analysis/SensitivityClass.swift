/// ZeroQuant-V2 sensitivity class of a quantized row, from ΔPPL of its mean perplexity.
public enum SensitivityClass: Int, Sendable, Comparable, CustomStringConvertible {
    case class1 = 1, class2 = 2, class3 = 3

    /// The paper's absolute thresholds: Class-1 ΔPPL ≤ 0.1, Class-2 ≤ 0.5, Class-3 > 0.5.
    public init(deltaPerplexity: Double) {
        // A tolerance far below the printed precision keeps 27.337 − 27.237 (= 0.1000000000000014) in Class-1.
        let epsilon = 1e-9
        if deltaPerplexity <= 0.1 + epsilon {
            self = .class1
        } else if deltaPerplexity <= 0.5 + epsilon {
            self = .class2
        } else {
            self = .class3
        }
    }

    /// `Class-1`, `Class-2`, `Class-3`.
    public var description: String { "Class-\(rawValue)" }

    /// Orders by severity.
    public static func < (lhs: SensitivityClass, rhs: SensitivityClass) -> Bool { lhs.rawValue < rhs.rawValue }
}
