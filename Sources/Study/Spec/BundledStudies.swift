import Foundation

/// The study files shipped with PTQLab (Sources/Study/Bundled/*.yaml): `quick` (the default
/// study, under 30 minutes on a 2-core machine) and the paper-style grids (hours).
public enum BundledStudies {
    public static let defaultName = "quick"

    /// Names of the bundled studies.
    public static var names: [String] {
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("Bundled"),
              let files = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The path of a bundled study file, or nil.
    public static func path(named name: String) -> String? {
        guard let url = Bundle.module.resourceURL?.appendingPathComponent("Bundled/\(name).yaml"),
              FileManager.default.fileExists(atPath: url.path) else { return nil }
        return url.path
    }
}
