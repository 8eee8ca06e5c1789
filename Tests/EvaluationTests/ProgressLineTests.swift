import Testing
@testable import Evaluation

/// Progress rates read right at every speed: whole numbers when fast, one decimal between 1 and
/// 10 per second, seconds per unit when slower than one per second (a 7B model's GPTQ printed
/// "0 block/s" for half an hour before).
@Suite struct ProgressLineTests {
    @Test func ratesAtEverySpeed() {
        #expect(ProgressLine.rate(655.4, unit: "tokens") == "655 tokens/s")
        #expect(ProgressLine.rate(3.24, unit: "req") == "3.2 req/s")
        #expect(ProgressLine.rate(1.0 / 53.2, unit: "block") == "53 s/block")
        #expect(ProgressLine.rate(0, unit: "block") == "0 block/s")
    }
}
