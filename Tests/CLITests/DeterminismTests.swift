import Foundation
import Testing

/// The same experiment gives the same numbers across runs, and nearly the same across batch sizes and thread counts
/// (README "Determinism"). Runs the real SmolLM2-135M through `ptqlab eval`.
@Suite(.serialized) struct DeterminismTests {
    /// Perplexity of news from `eval --format json`.
    func perplexity(_ extra: [String], environment: [String: String] = [:]) throws -> Double {
        let r = try CLI.run(["eval", "--tasks", "news", "--context", "256", "--max-windows", "4", "--format", "json", "--quiet"] + extra,
                            environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let news = try #require((object["tasks"] as? [String: Any])?["news"] as? [String: Any])
        return try #require(news["perplexity"] as? Double)
    }

    /// Thread count and batch size change only the f32 summation order inside the matrix
    /// products (OpenBLAS's kernels for a column slice of another width): weight-only RTN moves by
    /// at most 1e-6 relative (measured 5e-7 with 1 vs 2 threads).
    @Test func threadCountAndBatchChangeOnlySummationOrder() throws {
        let quant = ["--quant", "w4a16-g64-asym", "--method", "rtn"]
        let one = try perplexity(quant + ["--batch", "1"], environment: ["PTQLAB_THREADS": "1"])
        let two = try perplexity(quant + ["--batch", "4"], environment: ["PTQLAB_THREADS": "2"])
        #expect(abs(one - two) / one <= 1e-6, "1 thread, batch 1: \(one); 2 threads, batch 4: \(two)")
    }

    /// Two runs of the same command: bit-identical.
    @Test func repeatedRunsAreIdentical() throws {
        let quant = ["--quant", "w8a8-row-sym-tensor", "--method", "rtn"]
        #expect(try perplexity(quant) == (try perplexity(quant)))
    }
}
