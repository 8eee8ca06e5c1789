import Foundation
import Testing
import ModelFormats

/// Joining byte chunks into one verified file (the Qwen2.5-Coder and Gemma 3 assets), on small
/// synthetic chunks: the right join, then every way it can go wrong. A failed join never leaves a
/// file under the final name, nor a temporary file beside it.
@Suite struct ChunkedFileTests {
    /// Three chunks of different sizes (one larger than the 4 MiB copy buffer) in a fresh directory.
    struct Setup {
        let directory: String
        let chunks: [String]
        let joined: [UInt8]
        var sha256: String { SHA256.hex(bytes: joined) }
        var destination: String { directory + "/joined/model.gguf" }

        init() throws {
            directory = TestFiles.scratchRoot.appendingPathComponent("chunks-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let sizes = [1000, 5 << 20, 77]
            var all: [UInt8] = []
            var paths: [String] = []
            for (i, size) in sizes.enumerated() {
                let bytes = (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 31) ^ (i &* 97) ^ ($0 >> 9)) }
                let path = directory + "/part0\(i).bin"
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                all += bytes
                paths.append(path)
            }
            chunks = paths
            joined = all
        }

        /// Files in the destination directory other than the joined file, its stamp and lock.
        func strayFiles() throws -> [String] {
            let dir = (destination as NSString).deletingLastPathComponent
            guard FileManager.default.fileExists(atPath: dir) else { return [] }
            return try FileManager.default.contentsOfDirectory(atPath: dir)
                .filter { !["model.gguf", "model.gguf.sha256", "model.gguf.lock"].contains($0) }
        }
    }

    @Test func joinsInOrderAndStamps() throws {
        let s = try Setup()
        let file = ChunkedFile(name: "test-model", chunks: s.chunks, sha256: s.sha256)
        let path = try file.materialize(at: s.destination)
        #expect(path == s.destination)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == s.joined)
        #expect(try ChunkedFile.digest(ofFile: path) == s.sha256)
        let stamp = try String(contentsOfFile: path + ".sha256", encoding: .utf8)
        #expect(stamp.hasPrefix(s.sha256 + " \(s.joined.count) "))
        #expect(try s.strayFiles().isEmpty)
    }

    @Test func stampedFileIsNotRejoined() throws {
        let s = try Setup()
        let file = ChunkedFile(name: "test-model", chunks: s.chunks, sha256: s.sha256)
        try file.materialize(at: s.destination)
        // With the chunks gone, a stamped file is still accepted without reading them.
        for chunk in s.chunks { try FileManager.default.removeItem(atPath: chunk) }
        #expect(try file.materialize(at: s.destination) == s.destination)
    }

    @Test func changedFileIsRejoined() throws {
        let s = try Setup()
        let file = ChunkedFile(name: "test-model", chunks: s.chunks, sha256: s.sha256)
        try file.materialize(at: s.destination)
        // Same size, different bytes, new mtime: the stamp no longer matches, the digest is checked,
        // and the file is joined again.
        var damaged = s.joined
        damaged[10] ^= 0xFF
        try Data(damaged).write(to: URL(fileURLWithPath: s.destination))
        try file.materialize(at: s.destination)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: s.destination))) == s.joined)
    }

    @Test func missingChunkIsNamed() throws {
        let s = try Setup()
        try FileManager.default.removeItem(atPath: s.chunks[1])
        let file = ChunkedFile(name: "test-model", chunks: s.chunks, sha256: s.sha256, remedy: "run make setup")
        let error = try #require(throws: ChunkedFileError.self) { try file.materialize(at: s.destination) }
        #expect(error.kind == .missingChunk(index: 1, count: 3, path: s.chunks[1]))
        #expect(error.description.contains("test-model") && error.description.contains(s.chunks[1])
                && error.description.contains("chunk 2 of 3") && error.description.hasSuffix("run make setup"))
        #expect(!FileManager.default.fileExists(atPath: s.destination))
        #expect(try s.strayFiles().isEmpty)
    }

    @Test func reorderedChunksFailTheDigest() throws {
        let s = try Setup()
        let file = ChunkedFile(name: "test-model", chunks: [s.chunks[1], s.chunks[0], s.chunks[2]], sha256: s.sha256)
        let error = try #require(throws: ChunkedFileError.self) { try file.materialize(at: s.destination) }
        var swapped = SHA256()
        for i in [1, 0, 2] { swapped.update([UInt8](try Data(contentsOf: URL(fileURLWithPath: s.chunks[i])))) }
        #expect(error.kind == .digestMismatch(expected: s.sha256, actual: swapped.finalizeHex()))
        #expect(error.description.contains("test-model") && error.description.contains(s.sha256))
        #expect(!FileManager.default.fileExists(atPath: s.destination))
        #expect(try s.strayFiles().isEmpty)
    }

    @Test func corruptChunkFailsTheDigest() throws {
        let s = try Setup()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: s.chunks[2])))
        bytes[0] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: s.chunks[2]))
        let file = ChunkedFile(name: "test-model", chunks: s.chunks, sha256: s.sha256)
        let error = try #require(throws: ChunkedFileError.self) { try file.materialize(at: s.destination) }
        guard case let .digestMismatch(expected, actual) = error.kind else {
            Issue.record("expected a digest mismatch, got \(error)")
            return
        }
        #expect(expected == s.sha256 && actual != s.sha256)
        #expect(!FileManager.default.fileExists(atPath: s.destination))
    }

    @Test func wrongJoinReplacesNothing() throws {
        // A destination holding wrong bytes (and no stamp) is discarded; when the re-join then
        // fails, nothing is left under the final name.
        let s = try Setup()
        try FileManager.default.createDirectory(atPath: (s.destination as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: s.destination))
        let file = ChunkedFile(name: "test-model", chunks: Array(s.chunks.reversed()), sha256: s.sha256)
        #expect(throws: ChunkedFileError.self) { try file.materialize(at: s.destination) }
        #expect(!FileManager.default.fileExists(atPath: s.destination))
        #expect(try s.strayFiles().isEmpty)
    }

    @Test func concurrentMaterializationsAgree() async throws {
        let s = try Setup()
        let file = ChunkedFile(name: "test-model", chunks: s.chunks, sha256: s.sha256)
        let destination = s.destination
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 { group.addTask { try file.materialize(at: destination) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(paths == Array(repeating: destination, count: 4))
        #expect(try ChunkedFile.digest(ofFile: destination) == s.sha256)
        #expect(try s.strayFiles().isEmpty)
    }

    @Test func namedModelsResolveUnderARoot() throws {
        let s = try Setup()
        let named = NamedModel(name: "tiny", summary: "synthetic test model",
                               source: .chunks(s.chunks.map { ($0 as NSString).lastPathComponent },
                                               sha256: s.sha256, joinedName: "tiny.gguf"))
        let path = try named.path(root: s.directory)
        #expect(path == s.directory + "/joined/tiny.gguf")
        #expect(try ChunkedFile.digest(ofFile: path) == s.sha256)

        #expect(NamedModel.named("Gemma3-270M")?.name == "gemma3-270m")
        #expect(NamedModel.named("qwen2.5-coder-0.5b") != nil && NamedModel.named("smollm2-135m") != nil)
        #expect(NamedModel.named("gpt-5") == nil)
        // A missing installation names the model and how to install it.
        let empty = TestFiles.scratchRoot.appendingPathComponent("empty-\(UUID().uuidString)").path
        let error = try #require(throws: ChunkedFileError.self) { try NamedModel.gemma3.path(root: empty) }
        #expect(error.description.contains("gemma3-270m") && error.description.contains("part00")
                && error.description.contains("make setup"))
    }
}
