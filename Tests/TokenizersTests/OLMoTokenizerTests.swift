import Testing
import Tokenizers

/// OLMo's GPT-NeoX tokenizer.json (an ai2-olmo-eval asset): NFC normalizer, "a b" merges and
/// whitespace runs as non-special added tokens, against ids from HF tokenizers.
struct OLMoTokenizerTests {
    @Test func idsMatchHuggingFace() throws {
        let tokenizer = try Tokenizer.fromTokenizerJSON(path: TestPaths.olmoTokenizerJSON)
        #expect(tokenizer.kind == "byte-level BPE, pre=gpt2, 50280 tokens")
        #expect(!tokenizer.addsBos && !tokenizer.addsEos)
        let fixture = try Fixtures.load(IdCases.self, "olmo_cases.json")
        #expect(fixture.cases.count >= 30)
        for (index, testCase) in fixture.cases.enumerated() {
            #expect(tokenizer.encode(testCase.text, parseSpecial: true) == testCase.ids,
                    "case \(index) (specials parsed): \(testCase.text.debugDescription)")
            let plain = tokenizer.encode(testCase.text, parseSpecial: false)
            #expect(plain == testCase.ids_plain, "case \(index) (specials as text): \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(plain) == testCase.text, "case \(index) round trip")
        }
    }
}
