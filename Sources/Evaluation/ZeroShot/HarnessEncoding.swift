import Tokenizers

/// A request as token ids, ready to score.
public struct EncodedRequest: Sendable, Equatable {
    /// Model input: context tokens + continuation tokens, left-truncated to the last
    /// maxLength + 1, with the last token dropped (it is only ever a target).
    public var input: [Int32]
    /// Continuation tokens: the targets of the last `targets.count` input rows.
    public var targets: [Int32]
    /// Whether context tokens were cut off the left to fit the window.
    public var truncated: Bool

    /// First input row whose logits are scored (it predicts targets[0]).
    public var firstScoredRow: Int { input.count - targets.count }
}

/// Encodes (context, continuation) as lm-evaluation-harness does (`TemplateLM.loglikelihood`,
/// `_encode_pair`, `HFLM._loglikelihood_tokens`):
///
/// 1. trailing whitespace of the context (Python's `str.rstrip()`) moves to the front of the
///    continuation;
/// 2. context and context + continuation are tokenized whole (no special tokens; BOS first only
///    when the tokenizer adds BOS) and the continuation tokens are whole[len(context tokens):] —
///    so a token spanning the boundary is scored as part of the continuation;
/// 3. an empty context becomes the single token BOS (EOS when there is no BOS) and the
///    continuation is tokenized alone;
/// 4. the model input is (context + continuation tokens)[-(maxLength + 1):][:-1]: long contexts
///    lose their oldest tokens, as in the harness.
///
/// A continuation with no tokens is refused, as the harness refuses it (`assert
/// len(continuation_enc) > 0`), and so is one longer than the window.
public struct HarnessEncoder: Sendable {
    public let tokenizer: Tokenizer
    /// Longest model input (the model's window).
    public let maxLength: Int

    public init(tokenizer: Tokenizer, maxLength: Int) {
        self.tokenizer = tokenizer
        self.maxLength = maxLength
    }

    /// Context and continuation tokens before truncation (the harness's `context_enc`,
    /// `continuation_enc`).
    public func encodePair(context: String, continuation: String) throws(ZeroShotError) -> (context: [Int32], continuation: [Int32]) {
        try encodePairs(context: context, continuations: [continuation])[0]
    }

    /// `encodePair` for several continuations of one context, tokenizing the context once.
    public func encodePairs(context: String, continuations: [String]) throws(ZeroShotError)
        -> [(context: [Int32], continuation: [Int32])] {
        if context.isEmpty {
            guard let prefix = tokenizer.bosTokenId ?? tokenizer.eosTokenId else {
                throw ZeroShotError("empty context and the tokenizer has neither BOS nor EOS to stand for it")
            }
            return continuations.map { ([prefix], tokenizer.encode($0, addSpecial: false, parseSpecial: true)) }
        }
        let bos: [Int32] = tokenizer.addsBos ? tokenizer.bosTokenId.map { [$0] } ?? [] : []
        let (head, tail) = Self.splitTrailingWhitespace(context)
        let contextTokens = bos + tokenizer.encode(head, addSpecial: false, parseSpecial: true)
        return continuations.map { continuation in
            let whole = bos + tokenizer.encode(head + tail + continuation, addSpecial: false, parseSpecial: true)
            return (contextTokens, Array(whole.dropFirst(contextTokens.count)))
        }
    }

    public func encode(context: String, continuation: String) throws(ZeroShotError) -> EncodedRequest {
        try encode(context: context, continuations: [continuation])[0]
    }

    /// Encoded requests for several continuations of one context.
    public func encode(context: String, continuations: [String]) throws(ZeroShotError) -> [EncodedRequest] {
        var encoded: [EncodedRequest] = []
        for (i, pair) in try encodePairs(context: context, continuations: continuations).enumerated() {
            guard !pair.continuation.isEmpty else {
                throw ZeroShotError("the continuation \(Self.quoted(continuations[i])) has no tokens of its own after "
                                    + "the context (lm-evaluation-harness refuses such requests too)")
            }
            guard pair.continuation.count <= maxLength else {
                throw ZeroShotError("the continuation has \(pair.continuation.count) tokens, more than the model's window of \(maxLength)")
            }
            let full = pair.context + pair.continuation
            let kept = full.suffix(maxLength + 1)
            encoded.append(EncodedRequest(input: Array(kept.dropLast()), targets: pair.continuation,
                                          truncated: kept.count < full.count))
        }
        return encoded
    }

    /// (context without its trailing whitespace, that whitespace), whitespace as Python's
    /// `str.isspace` (Unicode scalars, so "\r\n" counts as two).
    static func splitTrailingWhitespace(_ s: String) -> (String, String) {
        let scalars = s.unicodeScalars
        var cut = scalars.endIndex
        while cut > scalars.startIndex {
            let before = scalars.index(before: cut)
            guard isPythonSpace(scalars[before]) else { break }
            cut = before
        }
        return (String(scalars[..<cut]), String(scalars[cut...]))
    }

    /// Python's `str.isspace()` for one code point: bidirectional class WS, B or S, or category Zs.
    static func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    static func quoted(_ s: String) -> String {
        let short = s.unicodeScalars.count > 40 ? String(String.UnicodeScalarView(s.unicodeScalars.prefix(40))) + "…" : s
        return "\"" + short.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
    }
}
