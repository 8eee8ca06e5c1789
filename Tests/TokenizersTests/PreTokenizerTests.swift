import Testing
import Tokenizers

/// The hand-written splitters against HF tokenizers' regex pre-tokenizers (fixture from
/// scripts/fixtures/make_tokenizer_fixtures.py, cross-checked there with Python's `regex`).
struct PreTokenizerTests {
    @Test(arguments: PreTokenizerKind.allCases)
    func splitsMatchTheRegex(_ kind: PreTokenizerKind) throws {
        let fixture = try Fixtures.load(SplitFixture.self, "pretokenizer_splits.json")
        let cases = try #require(fixture[kind.rawValue])
        #expect(cases.count >= 30)
        for testCase in cases {
            #expect(kind.split(testCase.text) == testCase.pieces, "\(kind): \(testCase.text.debugDescription)")
        }
    }

    @Test func trickyCases() {
        // \s+(?!\S): the last space of a run joins the next word; a run at the end stays whole.
        #expect(PreTokenizerKind.gpt2.split("a   b  ") == ["a", "  ", " b", "  "])
        #expect(PreTokenizerKind.gpt2.split("\n\nx") == ["\n", "\n", "x"])
        // Llama 3: case-insensitive contractions, line breaks end punctuation, digit groups of three.
        #expect(PreTokenizerKind.llama3.split("I'M don'T") == ["I", "'M", " don", "'T"])
        #expect(PreTokenizerKind.gpt2.split("I'M") == ["I", "'", "M"])
        #expect(PreTokenizerKind.llama3.split("ok.\r\n\r\n  x") == ["ok", ".\r\n\r\n", " ", " x"])
        #expect(PreTokenizerKind.llama3.split("1234567") == ["123", "456", "7"])
        #expect(PreTokenizerKind.qwen2.split("1234") == ["1", "2", "3", "4"])
        #expect(PreTokenizerKind.llama3.split(" \n \n  y") == [" \n \n", " ", " y"])
        // smollm: digits isolated before the GPT-2 regex, which then sees each stretch separately.
        #expect(PreTokenizerKind.smollm.split("abc   123 x") == ["abc", "   ", "1", "2", "3", " x"])
        #expect(PreTokenizerKind.gpt2.split("abc   123 x") == ["abc", "  ", " 123", " x"])
    }
}
