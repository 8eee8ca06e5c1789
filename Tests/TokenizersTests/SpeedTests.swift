import Foundation
import ModelFormats
import Testing
import Tokenizers

/// Throughput on about 1 MB of English news text (the Lee corpus, repeated).
struct SpeedTests {
    @Test func oneMegabyteOfEnglishIsFast() throws {
        let tokenizer = try Tokenizer.fromGGUF(GGUFFile(path: TestPaths.smolLM2GGUF))
        let corpus = try String(contentsOfFile: TestPaths.leeCorpus, encoding: .utf8)
        var text = corpus
        while text.utf8.count < 1_000_000 { text += "\n" + corpus }

        let clock = ContinuousClock()
        var ids: [Int32] = []
        let elapsed = clock.measure { ids = tokenizer.encode(text, addSpecial: false) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let megabytes = Double(text.utf8.count) / 1e6
        print("tokenized \(String(format: "%.2f", megabytes)) MB into \(ids.count) tokens in "
              + "\(String(format: "%.3f", seconds)) s (\(String(format: "%.1f", megabytes / seconds)) MB/s)")
        #expect(seconds < 2)
        #expect(tokenizer.decode(ids) == text)
    }
}
