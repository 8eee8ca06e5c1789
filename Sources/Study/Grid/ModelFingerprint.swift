import Foundation
import ModelFormats

/// What identifies a model's contents without hashing gigabytes: an installed model's name (its
/// files are pinned by SHA-256 at install), or for a user's file or directory: the sizes of its
/// files and the SHA-256 of the first and last MiB of each.
public enum ModelFingerprint {
    public static func of(_ model: String) throws -> String {
        if let named = NamedModel.named(model) { return "named:\(named.name)" }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model, isDirectory: &isDir) else {
            throw StudyError("\(model): no such model file or directory (nor a model name: \(NamedModel.names))")
        }
        var files: [String] = [model]
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: model)) ?? []
            files = names.filter { $0.hasSuffix(".safetensors") || $0 == "config.json" || $0 == "tokenizer.json" }
                .sorted().map { (model as NSString).appendingPathComponent($0) }
        }
        var hash = SHA256()
        for file in files {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw StudyError("\(file): cannot read") }
            defer { try? handle.close() }
            let size = (try? handle.seekToEnd()) ?? 0
            hash.update(Array("\((file as NSString).lastPathComponent):\(size);".utf8))
            let mib: UInt64 = 1 << 20
            try? handle.seek(toOffset: 0)
            hash.update(Array(handle.readData(ofLength: Int(min(size, mib)))))
            if size > mib {
                try? handle.seek(toOffset: size - mib)
                hash.update(Array(handle.readData(ofLength: Int(mib))))
            }
        }
        return "file:\((model as NSString).lastPathComponent):" + String(hash.finalizeHex().prefix(16))
    }
}
