import Foundation
import Testing

/// A study run memory-lean (`--weights lean`: the tiny OPT's fp16 weights kept as stored, the base
/// snapshot holding them by reference, quantized layers kept as palettes) writes exactly the rows
/// of an f32 run: `ptqlab audit --against` with tolerance 0 (timings and machine excluded).
@Suite struct LeanStudyCLITests {
    @Test func leanStudyEqualsF32Study() throws {
        let (dir, file) = try TinyStudyFile.make()
        var dbs: [String] = []
        for weights in ["f32", "lean"] {
            let db = dir.appendingPathComponent("\(weights).db").path
            let r = try CLI.run(["study", file, "--db", db, "--cache", dir.appendingPathComponent("cache-\(weights)").path,
                                 "--no-report", "--quiet", "--weights", weights])
            #expect(r.status == 0, "\(weights): \(r.stderr)")
            dbs.append(db)
        }
        let audit = try CLI.run(["audit", dbs[1], "--against", dbs[0], "--tolerance", "0"])
        #expect(audit.status == 0 && audit.stdout.contains("\(TinyStudyFile.experiments) rows") && audit.stdout.contains("difference from \(dbs[0]): 0"),
                "\(audit.stdout)")
    }
}
