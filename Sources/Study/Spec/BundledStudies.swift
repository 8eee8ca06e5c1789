import Foundation

/// The study files shipped with PTQLab (Sources/Study/Bundled/*.yaml): `quick` (the default
/// study, under 30 minutes on a 2-core machine) and the paper-style grids (hours).
public enum BundledStudies {
    public static let defaultName = "quick"

    /// Names of the bundled studies.
    public static var names: [String] {
        let urls = Bundle.module.urls(forResourcesWithExtension: "yaml", subdirectory: "Bundled") ?? []
        return urls.map { $0.deletingPathExtension().lastPathComponent }.sorted()
    }

    /// The path of a bundled study file, or nil.
    public static func path(named name: String) -> String? {
        Bundle.module.url(forResource: name, withExtension: "yaml", subdirectory: "Bundled")?.path
    }
}
