import Foundation
import ModelFormats
import Testing
import Tokenizers

/// The tokenizer.json loader on small hand-built documents: formats, special tokens, errors.
struct TokenizerJSONTests {
    static func load(_ document: [String: Any]) throws -> Tokenizer {
        try withTemporaryFile("tokenizer.json", TinyTokenizerJSON.text(document)) { path in
            try Tokenizer.fromTokenizerJSON(path: path)
        }
    }

    @Test(arguments: [false, true])
    func mergesInBothFormats(_ stringMerges: Bool) throws {
        let tokenizer = try Self.load(TinyTokenizerJSON.document(stringMerges: stringMerges))
        let ids = tokenizer.encode("hello world", addSpecial: false)
        #expect(ids == [TinyTokenizerJSON.hello, TinyTokenizerJSON.spaceW] + "orld".utf8.map { Int32($0) })
        #expect(tokenizer.decode(ids) == "hello world")
        #expect(tokenizer.kind == "byte-level BPE, pre=gpt2, 264 tokens")
    }

    @Test func longWordsMergeTheSameWayAsShortOnes() throws {
        let tokenizer = try Self.load(TinyTokenizerJSON.document())
        let long = String(repeating: "hello", count: 40)  // 200 bytes: the heap merge path
        #expect(tokenizer.encode(long, addSpecial: false) == Array(repeating: TinyTokenizerJSON.hello, count: 40))
        let mixed = String(repeating: "hellhelloellh", count: 10)
        let short = tokenizer.encode("hellhelloellh", addSpecial: false)
        #expect(tokenizer.encode(mixed, addSpecial: false) == Array((0..<10).map { _ in short }.joined()))
    }

    @Test func templateAddsBosAndEos() throws {
        let tokenizer = try Self.load(TinyTokenizerJSON.document())
        #expect(tokenizer.addsBos && tokenizer.addsEos)
        #expect(tokenizer.bosTokenId == TinyTokenizerJSON.bos && tokenizer.eosTokenId == TinyTokenizerJSON.eos)
        #expect(tokenizer.encode("hello") == [TinyTokenizerJSON.bos, TinyTokenizerJSON.hello, TinyTokenizerJSON.eos])
        #expect(tokenizer.decode(tokenizer.encode("hello"), skipSpecial: true) == "hello")
    }

    @Test func addedTokensAreMatchedBeforePreTokenization() throws {
        let tokenizer = try Self.load(TinyTokenizerJSON.document())
        let (bos, user) = (TinyTokenizerJSON.bos, TinyTokenizerJSON.user)
        // Special tokens only with parseSpecial; user-defined ones always (here with rstrip).
        #expect(tokenizer.encode("<s>hello", addSpecial: false, parseSpecial: true) == [bos, TinyTokenizerJSON.hello])
        #expect(tokenizer.encode("<s>", addSpecial: false, parseSpecial: false) == "<s>".utf8.map { Int32($0) })
        #expect(tokenizer.encode("hello[USER]   hello", addSpecial: false) == [TinyTokenizerJSON.hello, user, TinyTokenizerJSON.hello])
    }

    @Test func knownSplitRegexesSelectTheirSplitter() throws {
        let expectations: [(String, PreTokenizerKind)] = [
            (#"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#, .gpt2),
            (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, .llama3),
            (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, .qwen2),
        ]
        for (regex, kind) in expectations {
            var document = TinyTokenizerJSON.document()
            document["pre_tokenizer"] = TinyTokenizerJSON.splitPreTokenizer(regex)
            #expect(try Self.load(document).preTokenizerKind == kind)
        }
        var document = TinyTokenizerJSON.document()
        document["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [
            ["type": "Digits", "individual_digits": true], TinyTokenizerJSON.byteLevel,
        ]] as [String: Any]
        #expect(try Self.load(document).preTokenizerKind == .smollm)
    }

    // MARK: Malformed files

    /// Loads `contents` and expects a FormatError naming that file and `field`.
    static func expectFormatError(_ contents: String, field: String, _ comment: Comment,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        try withTemporaryFile("tokenizer.json", contents) { path in
            #expect(sourceLocation: sourceLocation) {
                try Tokenizer.fromTokenizerJSON(path: path)
            } throws: { error in
                guard let error = error as? FormatError else { return false }
                print("expected error: \(error)")
                return error.file == path && error.field == field
            }
        }
    }

    @Test func badJSON() throws {
        try Self.expectFormatError(#"{"model": {"vocab": {"a": 0}, "merges": [}"#, field: "JSON", "truncated JSON")
        try Self.expectFormatError("[1, 2]", field: "JSON", "top level not an object")
    }

    @Test func missingFile() {
        let path = "/nonexistent/tokenizer.json"
        #expect {
            try Tokenizer.fromTokenizerJSON(path: path)
        } throws: { error in
            (error as? FormatError)?.file == path && (error as? FormatError)?.field == "file"
        }
    }

    @Test func missingVocabulary() throws {
        var document = TinyTokenizerJSON.document()
        document["model"] = ["type": "BPE", "merges": [] as [Any]] as [String: Any]
        try Self.expectFormatError(TinyTokenizerJSON.text(document), field: "model.vocab", "no vocab")
        document.removeValue(forKey: "model")
        try Self.expectFormatError(TinyTokenizerJSON.text(document), field: "model", "no model")
    }

    @Test func mergeNamingAnUnknownToken() throws {
        for stringMerges in [false, true] {
            var document = TinyTokenizerJSON.document(stringMerges: stringMerges)
            var model = try #require(document["model"] as? [String: Any])
            var merges = try #require(model["merges"] as? [Any])
            merges.append(stringMerges ? "x nonexistent" : ["x", "nonexistent"])
            model["merges"] = merges
            document["model"] = model
            try Self.expectFormatError(TinyTokenizerJSON.text(document), field: "model.merges[5]", "unknown token")
        }
    }

    @Test func malformedMergeEntry() throws {
        var document = TinyTokenizerJSON.document(stringMerges: true)
        var model = try #require(document["model"] as? [String: Any])
        model["merges"] = ["h e", "hel"]
        document["model"] = model
        try Self.expectFormatError(TinyTokenizerJSON.text(document), field: "model.merges[1]", "no space")
    }

    @Test func unsupportedConfigurations() throws {
        var document = TinyTokenizerJSON.document()
        document["pre_tokenizer"] = TinyTokenizerJSON.splitPreTokenizer(#"\p{L}+|\p{N}+"#)
        try Self.expectFormatError(TinyTokenizerJSON.text(document), field: "pre_tokenizer.pretokenizers[0].pattern.Regex",
                                   "unknown regex")

        document = TinyTokenizerJSON.document()
        document["pre_tokenizer"] = ["type": "Whitespace"]
        try Self.expectFormatError(TinyTokenizerJSON.text(document), field: "pre_tokenizer", "not byte-level")

        document = TinyTokenizerJSON.document()
        var model = try #require(document["model"] as? [String: Any])
        model["type"] = "WordPiece"
        document["model"] = model
        try Self.expectFormatError(TinyTokenizerJSON.text(document), field: "model.type", "WordPiece")

        document = TinyTokenizerJSON.document()
        document["decoder"] = ["type": "Metaspace"]
        try Self.expectFormatError(TinyTokenizerJSON.text(document), field: "decoder", "Metaspace decoder")
    }
}
