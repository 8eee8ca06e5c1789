import Foundation
import Testing

/// Every bad input gives a clear one-line error naming the file and the field, a non-zero exit
/// status, and no crash (a crash would show as a signal status, not 1).
@Suite(.serialized) struct BadInputTests {
    func expectFailure(_ args: [String], mentions needles: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(args)
        #expect(r.status == 1, "exit status \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        for n in needles {
            #expect(r.stderr.contains(n), "stderr lacks '\(n)': \(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(r.stdout.isEmpty, "nothing on stdout on failure: \(r.stdout)", sourceLocation: sourceLocation)
    }

    @Test func missingModelFile() throws {
        try expectFailure(["eval", "/nonexistent/model.gguf", "--tasks", "news"], mentions: ["/nonexistent/model.gguf"])
    }

    @Test func wrongMagic() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("notgguf.gguf")
        try Data("GGML this is not a gguf file at all".utf8).write(to: f)
        try expectFailure(["inspect", f.path], mentions: [f.path, "magic"])
        try expectFailure(["eval", f.path, "--tasks", "news"], mentions: [f.path, "magic"])
    }

    @Test func truncatedModel() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("truncated.gguf")
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: CLI.defaultModel))
        // Header and metadata intact, tensor data cut off.
        try h.readData(ofLength: 3_000_000).write(to: f)
        try expectFailure(["eval", f.path, "--tasks", "news"], mentions: [f.path])
    }

    @Test func malformedConfigJSON() throws {
        let dir = try CLI.temporaryDirectory()
        try Data("{\"model_type\": \"llama\", \"hidden_size\": ".utf8).write(to: dir.appendingPathComponent("config.json"))
        try expectFailure(["eval", dir.path, "--tasks", "news"], mentions: ["config.json"])
    }

    @Test func nonUTF8Text() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("latin1.txt")
        try Data([0x48, 0x69, 0x20, 0xE9, 0x74, 0xE9, 0x0A]).write(to: f) // "Hi été" in Latin-1
        try expectFailure(["eval", "--text", f.path, "--context", "64"], mentions: [f.path, "3"])
    }

    @Test func emptyText() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("empty.txt")
        try Data().write(to: f)
        try expectFailure(["eval", "--text", f.path, "--context", "64"], mentions: [f.path, "empty"])
    }

    @Test func contextLargerThanModel() throws {
        try expectFailure(["eval", "--tasks", "news", "--context", "100000"], mentions: ["100000", "8192"])
    }

    @Test func unknownTask() throws {
        try expectFailure(["eval", "--tasks", "nosuchtask", "--context", "64"], mentions: ["nosuchtask", "wiki"])
    }

    @Test func textShorterThanOneWindow() throws {
        let dir = try CLI.temporaryDirectory()
        let f = dir.appendingPathComponent("short.txt")
        try Data("Just a few words.".utf8).write(to: f)
        try expectFailure(["eval", "--text", f.path, "--context", "512"], mentions: ["fewer than one window"])
    }
}
