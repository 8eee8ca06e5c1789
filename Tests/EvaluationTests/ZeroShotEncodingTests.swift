import Foundation
import Testing
@testable import Evaluation

/// The request boundary as lm-evaluation-harness draws it: token ids of context and continuation
/// for tricky cases, against the harness's `_encode_pair` run with transformers on SmolLM2's
/// tokenizer (Fixtures/reference/harness_boundary_tokens.json, scripts/reference/smollm2_zeroshot.py).
@Suite struct ZeroShotEncodingTests {
    struct Boundary: Decodable {
        struct Case: Decodable {
            let context: String
            let continuation: String
            let context_ids: [Int32]
            let continuation_ids: [Int32]
        }
        let bos_id: Int32
        let cases: [Case]
    }

    @Test func boundaryTokensMatchTheHarness() throws {
        let tokenizer = try ZeroShotFixtures.smol().tokenizer
        let url = URL(fileURLWithPath: ZeroShotFixtures.root + "/Fixtures/reference/harness_boundary_tokens.json")
        let fixture = try JSONDecoder().decode(Boundary.self, from: Data(contentsOf: url))
        #expect(tokenizer.bosTokenId == fixture.bos_id && !tokenizer.addsBos)
        let encoder = HarnessEncoder(tokenizer: tokenizer, maxLength: 8192)
        for c in fixture.cases {
            let (context, continuation) = try encoder.encodePair(context: c.context, continuation: c.continuation)
            #expect(context == c.context_ids && continuation == c.continuation_ids, "\(c.context.debugDescription) + \(c.continuation.debugDescription)")
            if c.continuation_ids.isEmpty {
                // the harness asserts; we refuse with a message
                let text = ZeroShotFixtures.errorText { _ = try encoder.encode(context: c.context, continuation: c.continuation) }
                #expect(text.contains("has no tokens of its own"), "\(text)")
            } else {
                let r = try encoder.encode(context: c.context, continuation: c.continuation)
                #expect(r.input + [r.targets.last!] == c.context_ids + c.continuation_ids && r.targets == c.continuation_ids)
            }
        }
    }

    @Test func trailingWhitespaceIsPythonsRstrip() {
        #expect(HarnessEncoder.splitTrailingWhitespace("Answer: \t\r\n") == ("Answer:", " \t\r\n"))
        #expect(HarnessEncoder.splitTrailingWhitespace("a\u{00A0}\u{3000}\u{1F}") == ("a", "\u{00A0}\u{3000}\u{1F}"))
        #expect(HarnessEncoder.splitTrailingWhitespace("no tail") == ("no tail", ""))
        #expect(HarnessEncoder.splitTrailingWhitespace("   ") == ("", "   "))
        #expect(HarnessEncoder.splitTrailingWhitespace("zero\u{200B}") == ("zero\u{200B}", ""))  // not a space in Python
    }

    @Test func longContextsLoseTheirOldestTokens() throws {
        let tokenizer = try ZeroShotFixtures.smol().tokenizer
        let encoder = HarnessEncoder(tokenizer: tokenizer, maxLength: 16)
        let context = Array(repeating: "one two three", count: 20).joined(separator: " ")
        let (ctx, cont) = try encoder.encodePair(context: context, continuation: " four five")
        let r = try encoder.encode(context: context, continuation: " four five")
        #expect(r.truncated && r.input.count == 16 && r.targets == cont)
        #expect(r.input == Array((ctx + cont).suffix(17).dropLast()))
        // a continuation longer than the window is refused, not cut
        let long = Array(repeating: " word", count: 40).joined()
        let text = ZeroShotFixtures.errorText { _ = try encoder.encode(context: "x", continuation: long) }
        #expect(text.contains("more than the model's window of 16"), "\(text)")
        // exactly the window: one context token is left
        let fits = try HarnessEncoder(tokenizer: tokenizer, maxLength: cont.count).encode(context: context, continuation: " four five")
        #expect(fits.input.count == cont.count && fits.firstScoredRow == 0)
    }
}
