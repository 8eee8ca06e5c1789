import Foundation
import Study

/// How a verdict came out.
public enum VerdictStatus: String, Sendable, Equatable, Codable {
    case holds = "holds"
    case doesNotHold = "does not hold"
    case inconclusive = "inconclusive"
}

/// How one pair came out, from the 95% interval of its paired ΔNLL (claimed − other).
public enum PairOutcome: String, Sendable, Equatable, Codable {
    /// The claimed row's NLL is measurably lower.
    case win
    /// Measurably higher.
    case loss
    /// The interval includes zero: no measurable difference.
    case tie = "within noise"
    /// Either row's perplexity is NaN or infinite: neither a win nor a loss.
    case diverged
    /// The rows carry no per-window values (written before protocol 2): no interval.
    case noInterval = "no interval"
}

/// Two recipes the question compares, differing only in the factor under test: `claimed` is the
/// one the hypothesis says is better (lower NLL).
public struct VerdictPair: Sendable, Equatable {
    /// What the two share (e.g. the spec), as the evidence table shows it.
    public let context: String
    public let claimed: RecipeRow
    public let other: RecipeRow
    /// Paired over the same perplexity windows: mean NLL (nats/token) claimed − other, 95% interval.
    public let nll: PairedDifference?
    /// Paired over the same KL windows: mean KL claimed − other.
    public let kl: PairedDifference?
    /// Paired over the same zero-shot documents: score claimed − other (acc_norm where available).
    public let zeroShot: PairedDifference?
    public let outcome: PairOutcome

    init(context: String, claimed: RecipeRow, other: RecipeRow) {
        self.context = context
        self.claimed = claimed
        self.other = other
        nll = RowValues.difference(claimed.values.windowNLL, other.values.windowNLL)
        kl = RowValues.difference(claimed.values.windowKL, other.values.windowKL)
        zeroShot = RowValues.difference(claimed.values.documentScore, other.values.documentScore)
        if claimed.diverged || other.diverged {
            outcome = .diverged
        } else if let nll {
            outcome = nll.isNegative ? .win : nll.isPositive ? .loss : .tie
        } else {
            outcome = .noInterval
        }
    }

    /// Either row lies on the base model's storage grid (its error is understated).
    public var involvesGridAligned: Bool { claimed.members.contains(where: \.gridAligned) || other.members.contains(where: \.gridAligned) }
}

/// A question answered from pairs of recipes, with the pairs as evidence, an effect size and its
/// interval, and the rule that decided it (`Verdict.rule`).
public struct Verdict: Sendable, Equatable {
    public let question: String
    /// Headers for the claimed and the other recipe in evidence tables.
    public let claimedLabel: String
    public let otherLabel: String
    public let status: VerdictStatus
    /// Pooled effect: the mean over paired units of the pairs' average ΔNLL (claimed − other), and its interval.
    public let effect: PairedDifference?
    /// Why it came out so (counts, or what evidence is missing).
    public let reason: String
    public let pairs: [VerdictPair]
    /// What a pooled unit is: "window" within one model and plan, "pair" across models.
    public let unit: String

    /// The decision rule, as the report states it.
    public static let rule = """
        Each pair differs only in the factor under test (same scheme, calibration, seeds and flags; seeds averaged). \
        Per pair, ΔNLL = mean over the same perplexity windows of (claimed − other) mean NLL per token, with a 95% \
        Student-t interval over the windows; a pair is a win when the interval lies below 0, a loss when above, \
        within noise otherwise; a pair with a diverged (NaN or infinite) perplexity is neither. The pooled effect \
        averages the pairs window by window and takes the same interval. A verdict holds when the pooled interval \
        lies below 0 and wins outnumber losses; it does not hold when the pooled interval lies above 0 and losses \
        outnumber wins; otherwise, or with fewer than 2 comparable pairs, it is inconclusive. Across models the \
        pooled unit is the pair (its ΔNLL), not the window.
        """

    /// Fewest comparable pairs a verdict is decided on.
    public static let minimumPairs = 2

    /// Decides the verdict of `pairs` from one model and plan (pooled window by window).
    init(question: String, claimedLabel: String, otherLabel: String, pairs: [VerdictPair], missing: String) {
        let comparable = pairs.filter { $0.outcome != .diverged && $0.nll != nil }
        var pooled: [String: [Double]] = [:]
        for p in comparable {
            for (k, d) in RowValues.differences(p.claimed.values.windowNLL, p.other.values.windowNLL) { pooled[k, default: []].append(d) }
        }
        // Units every comparable pair has, each the mean of the pairs' differences there.
        let units = pooled.filter { $0.value.count == comparable.count }.keys.sorted()
        let effect = comparable.isEmpty ? nil
            : PairedDifference(differences: units.map { pooled[$0]!.reduce(0, +) / Double(comparable.count) })
        self.init(question: question, claimedLabel: claimedLabel, otherLabel: otherLabel, pairs: pairs, effect: effect,
                  comparable: comparable.count, unit: "window", missing: missing)
    }

    /// Decides the verdict of pairs from several models: the unit is the pair's own ΔNLL.
    init(pooling question: String, claimedLabel: String, otherLabel: String, pairs: [VerdictPair]) {
        let comparable = pairs.filter { $0.outcome != .diverged && $0.nll != nil }
        let effect = PairedDifference(differences: comparable.compactMap { $0.nll?.mean })
        self.init(question: question, claimedLabel: claimedLabel, otherLabel: otherLabel, pairs: pairs, effect: effect,
                  comparable: comparable.count, unit: "pair", missing: "no model has a pair for this question")
    }

    private init(question: String, claimedLabel: String, otherLabel: String, pairs: [VerdictPair],
                 effect: PairedDifference?, comparable: Int, unit: String, missing: String) {
        self.question = question
        self.claimedLabel = claimedLabel
        self.otherLabel = otherLabel
        self.pairs = pairs
        self.effect = effect
        self.unit = unit
        let wins = pairs.filter { $0.outcome == .win }.count
        let losses = pairs.filter { $0.outcome == .loss }.count
        let ties = pairs.filter { $0.outcome == .tie }.count
        let diverged = pairs.filter { $0.outcome == .diverged }.count
        let noInterval = pairs.filter { $0.outcome == .noInterval }.count
        var counts = "\(wins) win\(wins == 1 ? "" : "s"), \(losses) loss\(losses == 1 ? "" : "es"), \(ties) within noise"
        if diverged > 0 { counts += ", \(diverged) diverged" }
        if noInterval > 0 { counts += ", \(noInterval) without per-window values" }
        counts += " over \(pairs.count) pair\(pairs.count == 1 ? "" : "s")"
        if pairs.isEmpty {
            status = .inconclusive
            reason = missing
        } else if comparable < Self.minimumPairs || effect == nil {
            status = .inconclusive
            reason = "\(counts); at least \(Self.minimumPairs) comparable pairs with per-window values are needed"
        } else if let effect, effect.isNegative, wins > losses {
            status = .holds
            reason = counts
        } else if let effect, effect.isPositive, losses > wins {
            status = .doesNotHold
            reason = counts
        } else {
            status = .inconclusive
            reason = counts + (effect?.includesZero == true ? "; the pooled interval includes 0" : "; wins and losses disagree with the pooled effect")
        }
    }

    /// Pairs by outcome.
    public var wins: Int { pairs.filter { $0.outcome == .win }.count }
    public var losses: Int { pairs.filter { $0.outcome == .loss }.count }
    /// Pairs involving a grid-aligned row.
    public var gridAlignedPairs: [VerdictPair] { pairs.filter(\.involvesGridAligned) }

    /// One line: `holds: PPL −9.8% [−11.2%, −8.4%] (4 wins, 0 losses, 1 within noise over 5 pairs)`.
    public var line: String {
        guard let effect else { return "\(status.rawValue) (\(reason))" }
        return "\(status.rawValue): PPL \(Self.percent(effect)) (\(reason))"
    }

    /// ΔNLL as a perplexity ratio in percent with its interval: `−9.8% [−11.2%, −8.4%]`.
    static func percent(_ d: PairedDifference) -> String {
        func p(_ x: Double) -> String { String(format: "%+.1f%%", (exp(x) - 1) * 100) }
        return "\(p(d.mean)) [\(p(d.low)), \(p(d.high))]"
    }
}
