import Foundation
@testable import Evaluation

/// Shared fixtures for the corpus tests: the real assets (loaded once), temporary files.
/// (SHA-256 digests come from ModelFormats' `SHA256`.)
enum CorpusFixtures {
    static let assets = AssetLocator()

    /// Each built-in corpus's documents, extracted once for all tests.
    static let documents: [String: Result<[String], any Error>] = {
        var loaded: [String: Result<[String], any Error>] = [:]
        for name in Corpora.builtInNames {
            loaded[name] = Result { try Corpora.documents(name, assets: assets) }
        }
        return loaded
    }()

    static func documents(_ name: String) throws -> [String] {
        guard let result = documents[name] else { throw CorpusError(file: nil, "no fixture for \(name)") }
        return try result.get()
    }

    /// A fresh temporary directory, removed by the caller with `removeItem`.
    /// One directory per test process, removed when the process exits.
    static let scratchRoot: String = {
        let path = NSTemporaryDirectory() + "ptqlab-evaluation-tests-\(ProcessInfo.processInfo.processIdentifier)"
        atexit { try? FileManager.default.removeItem(atPath: CorpusFixtures.scratchRoot) }
        return path
    }()

    static func temporaryDirectory() throws -> String {
        let path = scratchRoot + "/" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// CPU time used by the calling thread so far.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// The error a throwing call raised, as text ("" if it did not throw).
    static func errorText(_ body: () throws -> Void) -> String {
        do {
            try body()
            return ""
        } catch {
            return String(describing: error)
        }
    }
}

extension String {
    /// Whether `needle` occurs in this string, comparing UTF-8 bytes (much faster than
    /// `contains(_:)` on megabytes of text, and the same answer for valid UTF-8).
    func containsBytes(of needle: String) -> Bool {
        var haystack = self, needle = needle
        return haystack.withUTF8 { text in
            needle.withUTF8 { pattern in
                guard let first = pattern.first, let patternBase = pattern.baseAddress else { return true }
                guard pattern.count <= text.count, let textBase = text.baseAddress else { return false }
                var i = 0
                while i <= text.count - pattern.count {
                    if text[i] == first && memcmp(textBase + i, patternBase, pattern.count) == 0 {
                        return true
                    }
                    i += 1
                }
                return false
            }
        }
    }
}
