import Foundation

/// Where PTQLab's installed assets (`make setup`, scripts/setup.sh) live: in order,
/// `$PTQLAB_ASSETS` (when set and not empty); the first `.assets` directory found walking up from
/// the current directory; the first found walking up from the executable's directory
/// (`/proc/self/exe`, then `CommandLine.arguments[0]`).
public struct AssetsRoot: Sendable {
    /// The assets directory, or nil when none was found.
    public let path: String?
    /// Where it was looked for, for the message when it was not found.
    public let searchedFrom: [String]

    public init(path: String?, searchedFrom: [String] = []) {
        self.path = path
        self.searchedFrom = searchedFrom
    }

    /// Discovery from the process's environment, current directory and executable.
    public static func discover() -> AssetsRoot {
        discover(environment: ProcessInfo.processInfo.environment,
                 currentDirectory: FileManager.default.currentDirectoryPath,
                 executablePaths: executablePaths())
    }

    /// Discovery with every input given (for tests).
    public static func discover(environment: [String: String], currentDirectory: String,
                                executablePaths: [String]) -> AssetsRoot {
        if let explicit = environment["PTQLAB_ASSETS"], !explicit.isEmpty {
            return AssetsRoot(path: explicit)
        }
        let starts = [currentDirectory] + executablePaths.map { ($0 as NSString).deletingLastPathComponent }
        return AssetsRoot(path: starts.lazy.compactMap(assetsDirectory(above:)).first, searchedFrom: starts)
    }

    /// "no assets directory found (…)": why `path` is nil, for error messages.
    public var notFoundReason: String {
        let places = searchedFrom.isEmpty ? "" : " or in a parent of " + searchedFrom.joined(separator: ", ")
        return "no assets directory found (PTQLAB_ASSETS is not set and there is no .assets directory\(places))"
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The first `<dir>/.assets` directory for `start` and each of its parents.
    private static func assetsDirectory(above start: String) -> String? {
        var directory = (start as NSString).standardizingPath
        while !directory.isEmpty {
            let candidate = directory == "/" ? "/.assets" : directory + "/.assets"
            if isDirectory(candidate) { return candidate }
            if directory == "/" { return nil }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// The running executable: `/proc/self/exe` resolved, then `argv[0]` made absolute.
    public static func executablePaths() -> [String] {
        var paths: [String] = []
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            paths.append(resolved)
        }
        if let argument = CommandLine.arguments.first, argument.contains("/") {
            paths.append(argument.hasPrefix("/") ? argument
                         : FileManager.default.currentDirectoryPath + "/" + argument)
        }
        return paths
    }
}
