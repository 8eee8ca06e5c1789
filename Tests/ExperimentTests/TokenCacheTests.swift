import Foundation
import Testing
@testable import Experiment

/// The on-disk token cache: a second lookup of the same model and text reads the file instead of
/// tokenizing; another text, another model or a damaged file is tokenized again.
@Suite struct TokenCacheTests {
    static func directory() -> String {
        NSTemporaryDirectory() + "ptqlab-token-cache-\(UInt32.random(in: 0...UInt32.max))"
    }

    @Test func reusesOnlyTheSameModelAndText() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var calls = 0
        func encode(_ text: String) -> [Int32] { calls += 1; return text.unicodeScalars.map { Int32($0.value) } + [-7] }
        let cache = TokenCache(directory: dir, modelIdentity: "model-a")
        let first = cache.tokens(of: "héllo wörld", encode: encode)
        #expect(calls == 1 && first.last == -7)
        #expect(cache.tokens(of: "héllo wörld", encode: encode) == first && calls == 1)
        _ = cache.tokens(of: "héllo world", encode: encode)
        #expect(calls == 2)
        _ = TokenCache(directory: dir, modelIdentity: "model-b").tokens(of: "héllo wörld", encode: encode)
        #expect(calls == 3)
        // damage every file: each is recomputed (and rewritten), never misread
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
            let path = dir + "/" + name
            let data = try #require(FileManager.default.contents(atPath: path))
            try data.prefix(data.count - 2).write(to: URL(fileURLWithPath: path))
        }
        #expect(cache.tokens(of: "héllo wörld", encode: encode) == first && calls == 4)
        #expect(cache.tokens(of: "héllo wörld", encode: encode) == first && calls == 4)
    }
}
