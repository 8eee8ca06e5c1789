import ArgumentParser
import Foundation
import Models
import Study

/// A study named on the command line (a YAML path or a bundled name), read and expanded into its
/// grid: shared by `study` (to run it) and `audit` (to know which experiments a database must hold).
enum StudySource {
    /// The file's path and contents; `name` nil means the default study.
    static func load(_ name: String?) throws -> (path: String, file: StudyFile) {
        let name = name ?? BundledStudies.defaultName
        let path: String
        if FileManager.default.fileExists(atPath: name) {
            path = name
        } else if let bundled = BundledStudies.path(named: name) {
            path = bundled
        } else {
            throw ValidationError("\(name): no such study file, nor a bundled study (\(BundledStudies.names.joined(separator: ", ")))")
        }
        let file = try StudyFile.load(path: path)
        try StudyGrid.checkName(file.name, source: path)
        return (path, file)
    }

    /// The grid, after loading every model once for the checks that depend on its shape.
    static func expand(_ file: StudyFile, path: String, progress: ((String) -> Void)?) throws
        -> (grid: StudyGrid, shapes: [String: ModelShape]) {
        var shapes: [String: ModelShape] = [:]
        for model in file.models.values where shapes[model] == nil {
            progress?("study \(file.name): checking \(model)")
            shapes[model] = ModelShape(try ModelLoader.load(path: model))
        }
        return (try StudyGrid.expand(file, source: path, shape: { shapes[$0] }), shapes)
    }

    /// `i/n` with 0 ≤ i < n.
    static func parseShard(_ shard: String) throws -> (Int, Int) {
        let parts = shard.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n > 0, i >= 0, i < n else {
            throw ValidationError("--shard must be i/n with 0 ≤ i < n, e.g. 0/4; got '\(shard)'")
        }
        return (i, n)
    }
}
