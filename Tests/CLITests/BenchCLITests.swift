import Foundation
import Testing

/// `ptqlab bench --zero-shot` without peers (CI has no lm-eval): the JSON contract of our side and
/// the refusal of tasks that are not multiple choice. The peer comparison itself runs where
/// scripts/setup-peers.sh has installed lm-evaluation-harness (numbers in the README).
@Suite(.serialized) struct BenchCLITests {
    @Test func zeroShotJSONWithoutPeers() throws {
        let r = try CLI.run(["bench", "--zero-shot", "piqa", "--limit", "3", "--reps", "1", "--no-peers", "--format", "json"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((o["cpu"] as? String)?.isEmpty == false && (o["gemm"] as? String)?.isEmpty == false)
        #expect(o["limit"] as? Int == 3 && o["peer"] == nil)
        let tasks = try #require(o["tasks"] as? [[String: Any]])
        let piqa = try #require(tasks.first)
        #expect(tasks.count == 1 && piqa["name"] as? String == "piqa")
        #expect(piqa["documents"] as? Int == 3 && piqa["requests"] as? Int == 6)
        let ours = try #require(piqa["ours"] as? [String: Any])
        let accuracy = try #require(ours["accuracy"] as? Double)
        #expect([0, 1.0 / 3, 2.0 / 3, 1].contains { abs($0 - accuracy) < 1e-12 }, "accuracy \(accuracy) of 3 documents")
        #expect((piqa["ours_requests_per_second"] as? Double ?? 0) > 0)
        #expect(piqa["ratio"] == nil && piqa["peer"] == nil)
    }

    @Test func zeroShotRefusesContinuationTasks() throws {
        let r = try CLI.run(["bench", "--zero-shot", "lambada", "--limit", "2", "--reps", "1", "--no-peers"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("lambada") && r.stderr.contains("not a multiple-choice task"), "stderr: \(r.stderr)")
    }
}
