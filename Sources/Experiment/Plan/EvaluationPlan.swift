import Evaluation
import Foundation
import ModelFormats

/// What an experiment measures: the perplexity windows, the zero-shot tasks, and the corpora on
/// which it is compared with its base model (KL). `ptqlab eval` builds one from its options,
/// a study from its `evaluation:` section; the same plan gives the same numbers either way.
/// Every field changes a result and is part of an experiment's identity; how the work is batched
/// (`RunOptions`) is not.
public struct EvaluationPlan: Codable, Hashable, Sendable {
    /// Window length; nil = 2048 capped by the model. Zero-shot requests are truncated to it too
    /// (nil: to the model's own context, as lm-evaluation-harness does).
    public var context: Int?
    /// Perplexity inputs: built-in corpora (wiki, news, books) or `file:PATH` (eval only), and the
    /// windows per input (nil = all).
    public var corpora: [String]
    public var maxWindows: Int?
    /// How windows are cut and scored: nil = non-overlapping (GPTQ convention), `llamacpp`
    /// (llama.cpp's half-window) or `stride:N` (Hugging Face sliding window).
    public var perplexityMode: String?
    /// Zero-shot tasks, the stable-subset size per task and its seed.
    public var zeroShotTasks: [String]
    public var limit: Int?
    public var subsetSeed: UInt64
    /// Zero-shot: also score the unconditional requests (acc_uncond); nil = false.
    public var calibratedZeroShot: Bool?
    /// KL against the base model on these inputs (quantized experiments only).
    public var klCorpora: [String]
    public var klMaxWindows: Int?

    public init(context: Int? = nil, corpora: [String] = [], maxWindows: Int? = nil, perplexityMode: String? = nil,
                zeroShotTasks: [String] = [], limit: Int? = nil, subsetSeed: UInt64 = 0, calibratedZeroShot: Bool = false,
                klCorpora: [String] = [], klMaxWindows: Int? = nil) {
        self.context = context; self.corpora = corpora; self.maxWindows = maxWindows
        self.perplexityMode = perplexityMode
        self.zeroShotTasks = zeroShotTasks; self.limit = limit; self.subsetSeed = subsetSeed
        self.calibratedZeroShot = calibratedZeroShot ? true : nil
        self.klCorpora = klCorpora; self.klMaxWindows = klMaxWindows
    }

    /// The version of what a plan measures: bump when the program measures the same plan
    /// differently (so old and new rows never share a plan id, nor experiment ids).
    /// 2: per-window NLL/KL and per-document zero-shot values kept; base rows carry the whole plan.
    public static let protocolVersion = 2

    /// Canonical JSON (sorted keys) with a protocol version: what `id` hashes.
    public func canonicalJSON(protocolVersion: Int = Self.protocolVersion) -> String {
        struct Versioned: Encodable { var plan: EvaluationPlan; var protocolVersion: Int }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(Versioned(plan: self, protocolVersion: protocolVersion))) ?? Data(),
                      as: UTF8.self)
    }

    /// The plan's identity: 12 hex digits of SHA-256 of its canonical JSON with the protocol
    /// version it was measured under. Rows are only compared with rows (and the base row) of the
    /// same plan id.
    public func id(protocolVersion: Int = Self.protocolVersion) -> String {
        String(SHA256.hex(canonicalJSON(protocolVersion: protocolVersion)).prefix(12))
    }
    /// The plan's identity under the current protocol.
    public var id: String { id() }

    /// The perplexity mode this plan names: nil → non-overlapping; `llamacpp`; `stride:N`.
    public func mode() throws -> PerplexityMode {
        switch perplexityMode {
        case nil, "standard"?: return .nonOverlapping
        case "llamacpp"?: return .llamaCppHalfWindow
        case let t? where t.hasPrefix("stride:"):
            guard let n = Int(t.dropFirst(7)), n >= 1 else {
                throw PlanError("perplexity mode '\(t)': the stride must be a positive integer")
            }
            return .sliding(stride: n)
        case let t?:
            throw PlanError("perplexity mode '\(t)': expected standard, llamacpp or stride:N")
        }
    }

    /// The name a perplexity input is reported under: the corpus, or a file's last path component.
    public static func label(of input: String) -> String {
        input.hasPrefix("file:") ? (String(input.dropFirst(5)) as NSString).lastPathComponent : input
    }

    /// One line for reports: `context 512; wiki, news, books × 8 windows; KL on wiki; piqa, arc_easy (100 docs)`.
    public var summary: String {
        var parts = ["context \(context.map(String.init) ?? "2048 (capped by the model)")"]
        if !corpora.isEmpty {
            parts.append(corpora.map(Self.label).joined(separator: ", ") + (maxWindows.map { " × \($0) windows" } ?? " (all windows)")
                         + (perplexityMode.map { ", \($0)" } ?? ""))
        }
        if !klCorpora.isEmpty {
            parts.append("KL on " + klCorpora.map(Self.label).joined(separator: ", ")
                         + (klMaxWindows.map { $0 == maxWindows ? "" : " × \($0) windows" } ?? ""))
        }
        if !zeroShotTasks.isEmpty {
            parts.append(zeroShotTasks.joined(separator: ", ") + (limit.map { " (\($0) docs, subset seed \(subsetSeed))" } ?? " (all docs)")
                         + (calibratedZeroShot == true ? ", calibrated" : ""))
        }
        return parts.joined(separator: "; ") + "; protocol \(Self.protocolVersion)"
    }
}

/// A plan or recipe that cannot run on a model (a context longer than the model's, an unknown input).
public struct PlanError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
