import Foundation
import Testing

/// `ptqlab export-hf`: writes a directory that `inspect` (and `eval`) read back as the same family.
@Suite struct ExportHFCLITests {
    @Test func exportedTinyBloomInspectsAsBloom() throws {
        let out = CLI.scratchRoot.appendingPathComponent("export-hf-bloom-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["export-hf", "Fixtures/models/tiny-bloom", "--out", out, "--dtype", "bf16"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("model.safetensors, config.json, tokenizer.json (bloom, bf16)"), "\(r.stdout)")
        let i = try CLI.run(["inspect", out])
        #expect(i.status == 0, "\(i.stderr)")
        #expect(i.stdout.contains("family:       BLOOM") && i.stdout.contains("BF16"), "\(i.stdout)")
    }

    @Test func unknownDtypeIsAnError() throws {
        let r = try CLI.run(["export-hf", "Fixtures/models/tiny-gpt2", "--out", "/tmp/never-written", "--dtype", "f8"])
        #expect(r.status != 0 && r.stderr.contains("--dtype"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written"))
    }
}
