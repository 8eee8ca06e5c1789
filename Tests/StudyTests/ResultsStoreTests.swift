import Calibration
import Experiment
import Foundation
import GRDB
import Testing
@testable import Study

/// One directory per test process, removed when it exits.
enum Scratch {
    static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-study-tests-\(ProcessInfo.processInfo.processIdentifier)")
        atexit { try? FileManager.default.removeItem(at: Scratch.root) }
        return url
    }()

    static func directory() throws -> URL {
        let url = root.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

@Suite("Results database")
struct ResultsStoreTests {
    static func record(_ id: String, method: String = "rtn", ppl: Double = 30.5, study: String = "s") -> ExperimentRecord {
        ExperimentRecord(
            id: id, study: study, model: "smollm2-135m", architecture: "llama", method: method,
            spec: method == "base" ? nil : "w4a16-g128-asym", weightBits: method == "base" ? nil : 4,
            groupSize: method == "base" ? nil : 128, symmetric: method == "base" ? nil : false, activationBits: 16,
            lorcRank: nil, actOrder: false, seed: method == "gptq" ? UInt64.max : nil,
            effectiveBits: method == "base" ? 32 : 4.271, bytes: 57_000_000, gridAligned: false,
            perplexity: ["wiki": ppl, "news": ppl + 1], meanPerplexity: ppl + 0.5,
            zeroShot: ["piqa": TaskScore(acc: 0.63, accStderr: 0.015, accNorm: 0.64, accNormStderr: 0.015, n: 100)],
            klDivergence: method == "base" ? nil : 0.39, top1Agreement: method == "base" ? nil : 0.655,
            quantizeSeconds: 2, evaluateSeconds: 30, configJSON: "{\"id\":\"\(id)\"}", metricsJSON: "{}",
            machine: "test, 2 cores", programVersion: MachineInfo.programVersion, finishedAt: "2026-11-30T01:00:00.000Z")
    }

    @Test func rowsRoundTripAndIdsAreUnique() throws {
        let dir = try Scratch.directory()
        let store = try ResultsStore(path: dir.appendingPathComponent("r.db").path)
        let rows = [Self.record("0000000000000001", method: "base"), Self.record("0000000000000002"),
                    Self.record("0000000000000003", method: "gptq")]
        for r in rows { #expect(try store.insert(r)) }
        // The same id again is ignored, not duplicated and not overwritten.
        #expect(try store.insert(Self.record("0000000000000002", ppl: 99)) == false)
        #expect(try store.count() == 3)
        let back = try store.records()
        #expect(back == rows)   // every field, including UInt64.max seeds and nested JSON
        #expect(try store.finishedIDs() == Set(rows.map(\.id)))
        // Reopening sees the same rows.
        #expect(try ResultsStore(path: store.path).records() == rows)
        #expect(try store.records(study: "other").isEmpty)
    }

    /// A diverged model (perplexity inf or nan) is still a row, with its numbers kept.
    @Test func nonFinitePerplexityIsKept() throws {
        let dir = try Scratch.directory()
        let store = try ResultsStore(path: dir.appendingPathComponent("r.db").path)
        var r = Self.record("00000000000000ff")
        r.perplexity = ["wiki": .infinity, "news": 12.5]
        try store.insert(r)
        let back = try #require(try store.records().first)
        #expect(back.perplexity["wiki"] == .infinity && back.perplexity["news"] == 12.5)
    }

    @Test func mergeAddsOnlyMissingRows() throws {
        let dir = try Scratch.directory()
        let a = try ResultsStore(path: dir.appendingPathComponent("a.db").path)
        let b = try ResultsStore(path: dir.appendingPathComponent("b.db").path)
        try a.insert(Self.record("00000000000000a1"))
        try a.insert(Self.record("00000000000000c1"))
        try b.insert(Self.record("00000000000000b1"))
        try b.insert(Self.record("00000000000000c1"))
        let all = try ResultsStore(path: dir.appendingPathComponent("all.db").path)
        let (added, duplicates) = try all.merge(from: [a.path, b.path])
        #expect(added == 3 && duplicates == 1)
        #expect(try all.finishedIDs() == ["00000000000000a1", "00000000000000b1", "00000000000000c1"])
        // Merging again changes nothing.
        #expect(try all.merge(from: [a.path, b.path]) == (0, 4))
    }

    @Test func aFileThatIsNotADatabaseIsNamed() throws {
        let dir = try Scratch.directory()
        let path = dir.appendingPathComponent("notes.db").path
        try "these are not the results you are looking for\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try ResultsStore(path: path) } throws: { "\($0)".contains(path) && "\($0)".contains("not a PTQLab results database") }
    }

    @Test func csvAndJSONExports() throws {
        let rows = [Self.record("0000000000000001", method: "base"), Self.record("0000000000000002")]
        var odd = Self.record("0000000000000003")
        odd.model = "my,model \"v2\""
        let csv = ResultsExport.csv(rows + [odd])
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(header.contains("ppl_news") && header.contains("ppl_wiki") && header.contains("acc_norm_piqa"))
        #expect(lines[2].contains(",4.271,") && lines[2].contains(",g128,"))
        #expect(lines[3].contains("\"my,model \"\"v2\"\"\""))
        let json = try ResultsExport.json(rows)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2)
        #expect(parsed?[1]["effective_bits"] as? Double == 4.271)
        #expect(parsed?[1]["mean_perplexity"] as? Double == 31)
    }

    /// A database written before protocol 2 (schema v1) opens, gains the new columns, and its rows
    /// get their plan id and recipe fields back from their configuration JSON.
    @Test func version1DatabasesAreMigrated() throws {
        let dir = try Scratch.directory()
        let path = dir.appendingPathComponent("v1.db").path
        // As recipes were written then: no true-sequential field (one probe per block), no grid name.
        var recipe = QuantRecipe(spec: "w4a16-g128-asym", method: "gptq",
                                 calibration: CalibrationSettings(corpus: "news", samples: 32, length: 512))
        recipe.calibration?.trueSequential = nil
        let plan = EvaluationPlan(context: 512, corpora: ["wiki"], maxWindows: 8)
        var config = ExperimentConfig(model: "smollm2-135m", modelFingerprint: "named:smollm2-135m", recipe: recipe, evaluation: plan)
        config.protocolVersion = 1
        var symmetricRecipe = QuantRecipe(spec: "w4a16-g128-sym", method: "rtn")
        symmetricRecipe.weightGrid = nil
        var symmetricConfig = ExperimentConfig(model: "smollm2-135m", modelFingerprint: "named:smollm2-135m",
                                               recipe: symmetricRecipe, evaluation: plan)
        symmetricConfig.protocolVersion = 1
        do {
            let queue = try DatabaseQueue(path: path)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.create(table: "experiment") { t in
                    t.primaryKey("id", .text)
                    for c in ["study", "model", "architecture", "method"] { t.column(c, .text).notNull() }
                    t.column("spec", .text)
                    for c in ["weight_bits", "group_size"] { t.column(c, .integer) }
                    t.column("symmetric", .boolean)
                    t.column("activation_bits", .integer).notNull()
                    t.column("lorc_rank", .integer)
                    t.column("act_order", .boolean).notNull()
                    t.column("seed", .integer)
                    t.column("effective_bits", .double).notNull()
                    t.column("bytes", .integer).notNull()
                    t.column("grid_aligned", .boolean).notNull()
                    t.column("perplexity", .text).notNull()
                    t.column("mean_perplexity", .double)
                    t.column("zero_shot", .text).notNull()
                    t.column("kl_divergence", .double)
                    t.column("top1_agreement", .double)
                    t.column("quantize_seconds", .double).notNull()
                    t.column("evaluate_seconds", .double).notNull()
                    for c in ["config", "metrics", "machine", "program_version", "finished_at"] { t.column(c, .text).notNull() }
                }
            }
            try migrator.migrate(queue)
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO experiment VALUES ('00000000000000aa', 's', 'smollm2-135m', 'llama', 'gptq', 'w4a16-g128-asym',
                    4, 128, 0, 16, NULL, 0, 0, 4.271, 1000, 0, '{"wiki": 30.0}', 30.0, '{}', 0.4, 0.6, 1, 2, ?, '{}', 'm', 'v',
                    '2026-11-30T00:00:00.000Z')
                    """, arguments: [config.canonicalJSON])
                try db.execute(sql: """
                    INSERT INTO experiment VALUES ('00000000000000cc', 's', 'smollm2-135m', 'llama', 'rtn', 'w4a16-g128-sym',
                    4, 128, 1, 16, NULL, 0, NULL, 4.125, 1000, 0, '{"wiki": 31.0}', 31.0, '{}', 0.5, 0.6, 1, 2, ?, '{}', 'm', 'v',
                    '2026-11-30T00:00:00.000Z')
                    """, arguments: [symmetricConfig.canonicalJSON])
            }
        }
        let store = try ResultsStore(path: path)
        let row = try #require(try store.records().first { $0.id == "00000000000000aa" })
        #expect(row.planID == config.planID && row.planID == plan.id(protocolVersion: 1) && row.planID != plan.id)
        #expect(row.calibrationCorpus == "news" && row.calibrationSamples == 32 && row.sequential == true)
        #expect(row.mseClip == false && row.damping == 0.01 && row.staticGroups == false)
        // v4: it ran one probe per block, and says so.
        #expect(row.trueSequential == false && row.weightGrid == nil)
        #expect(row.methodLabel == "gptq+no-true-seq" && row.calibrationLabel == "news 32×512 one-probe")
        // v4: a symmetric row of then ran the narrow grid: its spec and grid column say so, its id is kept.
        let symmetric = try #require(try store.records().first { $0.id == "00000000000000cc" })
        #expect(symmetric.spec == "w4a16-g128-sym-narrow" && symmetric.weightGrid == "narrow" && symmetric.trueSequential == nil)
        #expect(try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "SELECT spec FROM experiment WHERE id = '00000000000000cc'") }
            == "w4a16-g128-sym-narrow")
        // Today's recipes name the grid and order, so they never share an id with those rows.
        let today = ExperimentConfig(model: "smollm2-135m", modelFingerprint: "named:smollm2-135m",
                                     recipe: QuantRecipe(spec: "w4a16-g128-sym", method: "rtn"), evaluation: plan)
        var todayOld = today
        todayOld.protocolVersion = 1
        #expect(todayOld.id != symmetricConfig.id)
        #expect(today.recipe?.weightGrid == "full")
        // New rows go into the migrated table with every column.
        var fresh = Self.record("00000000000000bb")
        fresh.gptqBits = 4.67
        fresh.diagnostics = "GPTQ raised damping on 1 of 210 layers"
        try store.insert(fresh)
        #expect(try store.records().first { $0.id == fresh.id } == fresh)
    }
}
