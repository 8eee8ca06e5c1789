import Study

/// How a verdict came out.
public enum VerdictOutcome: String, Sendable, Equatable {
    case holds = "holds"
    case doesNotHold = "does not hold"
    case mixed = "mixed"
    case notEnoughEvidence = "not enough evidence"
}

/// Two rows the hypothesis compares: `claimed` is the one it says should have the lower mean PPL.
public struct VerdictPair: Sendable, Equatable {
    /// What the two rows share (e.g. the spec), as the evidence table shows it.
    public let context: String
    /// The row the hypothesis says should have the lower mean PPL.
    public let claimed: ExperimentRecord
    /// The row it is compared with.
    public let other: ExperimentRecord

    /// True when `claimed` has the lower mean PPL, false when higher, nil on a tie.
    public var supports: Bool? {
        let a = claimed.meanPerplexity ?? .infinity, b = other.meanPerplexity ?? .infinity
        return a == b ? nil : a < b
    }

    /// Either row lies on the base model's storage grid (its error is understated).
    public var involvesGridAligned: Bool { claimed.gridAligned || other.gridAligned }
}

/// A yes/no question answered from pairs of rows, with the pairs as evidence.
public struct Verdict: Sendable, Equatable {
    /// The question, e.g. "Does fine-grained GPTQ/ZQ-local beat RTN?".
    public let question: String
    /// Headers for the claimed and the other row in evidence tables.
    public let claimedLabel: String
    /// Header for the other row.
    public let otherLabel: String
    /// Holds, does not hold, mixed, or not enough evidence.
    public let outcome: VerdictOutcome
    /// Why (counts, or what evidence is missing).
    public let reason: String
    /// The pairs the outcome was decided on.
    public let pairs: [VerdictPair]

    /// Pairs where the claimed row had the lower mean PPL.
    public var wins: Int { pairs.filter { $0.supports == true }.count }
    /// Pairs where it had the higher mean PPL.
    public var losses: Int { pairs.filter { $0.supports == false }.count }
    /// Pairs with equal mean PPL.
    public var ties: Int { pairs.filter { $0.supports == nil }.count }
    /// Pairs involving a grid-aligned row.
    public var gridAlignedPairs: [VerdictPair] { pairs.filter(\.involvesGridAligned) }

    /// Decides the outcome from the pairs' majority; `missing` explains an empty pair list.
    init(question: String, claimedLabel: String, otherLabel: String, pairs: [VerdictPair], missing: String) {
        self.question = question
        self.claimedLabel = claimedLabel
        self.otherLabel = otherLabel
        self.pairs = pairs
        let wins = pairs.filter { $0.supports == true }.count
        let losses = pairs.filter { $0.supports == false }.count
        let counts = "\(wins) win\(wins == 1 ? "" : "s") / \(losses) loss\(losses == 1 ? "" : "es") over \(pairs.count) pair\(pairs.count == 1 ? "" : "s")"
        if pairs.isEmpty {
            outcome = .notEnoughEvidence
            reason = missing
        } else if pairs.count < Verdict.minimumPairs {
            outcome = .notEnoughEvidence
            reason = "only one pair (\(counts)); at least \(Verdict.minimumPairs) are needed"
        } else if 2 * wins > pairs.count {
            outcome = .holds
            reason = counts
        } else if 2 * losses > pairs.count {
            outcome = .doesNotHold
            reason = counts
        } else {
            outcome = .mixed
            reason = counts
        }
    }

    /// Fewest pairs a verdict is decided on.
    public static let minimumPairs = 2

    /// One line: `holds (3 wins / 1 loss over 4 pairs)`.
    public var line: String { "\(outcome.rawValue) (\(reason))" }
}
