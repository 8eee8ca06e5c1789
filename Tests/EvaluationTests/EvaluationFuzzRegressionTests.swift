import Foundation
import Testing
@testable import Evaluation

/// Inputs of the task-jsonl and rds fuzz targets (Fixtures/fuzz-regressions/{task-jsonl,rds})
/// that crashed or allocated by an unchecked count, each now refused with a message.
@Suite("Evaluation: fuzz regressions")
struct EvaluationFuzzRegressionTests {
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/fuzz-regressions"
    }()

    /// An OLMES config with `uncond_docid_offset` Int.min made `doc_id − offset` overflow (a trap);
    /// the offset must now be positive. The same line read as a request file still loads with the default.
    @Test func negativeUnconditionalOffsetIsRefused() throws {
        let path = Self.directory + "/task-jsonl/negative-uncond-offset.jsonl"
        let error = #expect(throws: ZeroShotError.self) { try OLMoRequestFile.config(path: path) }
        #expect(error?.description == path + ": field 'task_config.metric_kwargs.uncond_docid_offset': "
            + "must be positive, is -9223372036854775808")
        let documents = try OLMoRequestFile.documents(path: path, kind: .multipleChoice,
                                                      unconditionalOffset: OLMoRequestFile.defaultUnconditionalOffset,
                                                      keepUnconditional: true)
        #expect(documents.map(\.id) == [5])
    }

    /// A lazy-load block declaring 10 bytes whose zlib data inflates to 1 MiB: inflation stops at
    /// the first byte past the declared size (and reserves at most `Zlib.maximumReservation`, not
    /// the declared size, which can be 4 GiB).
    @Test func inflationStopsPastTheDeclaredSize() throws {
        let block = try CorpusFixtures.readBytes(Self.directory + "/rds/zlib-block-bomb.bin")
        let size = Int(block[0]) << 24 | Int(block[1]) << 16 | Int(block[2]) << 8 | Int(block[3])
        #expect(size == 10)
        let message = CorpusFixtures.errorText { _ = try Zlib.inflate(block.dropFirst(4), expectedSize: size, file: "t.rdb", what: "block") }
        #expect(message == "t.rdb: block: inflates to more than the expected 10 bytes")
        #expect(try Zlib.inflate(block.dropFirst(4), file: "t.rdb", what: "block").count == 1 << 20)
    }
}
