import Foundation

/// A model file's identity for caches: its absolute path with the size and modification time of
/// the file (or of every file in a model directory), so a rewritten model never reuses stale results.
enum ModelIdentity {
    static func of(path: String) -> String {
        let fm = FileManager.default
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        func stamp(_ p: String) -> String {
            guard let a = try? fm.attributesOfItem(atPath: p) else { return "?" }
            let size = (a[.size] as? NSNumber)?.int64Value ?? -1
            let time = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(size)@\(Int64(time * 1000))"
        }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: absolute, isDirectory: &isDirectory) else { return absolute }
        if !isDirectory.boolValue { return absolute + ":" + stamp(absolute) }
        let entries = ((try? fm.contentsOfDirectory(atPath: absolute)) ?? []).sorted()
        return absolute + ":" + entries.map { "\($0)=\(stamp(absolute + "/" + $0))" }.joined(separator: ",")
    }
}
