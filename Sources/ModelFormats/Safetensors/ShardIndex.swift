import Foundation

/// `model.safetensors.index.json` of a sharded Hugging Face checkpoint:
/// `{"metadata": {"total_size": …}, "weight_map": {"tensor name": "shard file name", …}}`.
public struct ShardIndex: Sendable, Equatable {
    public static let fileName = "model.safetensors.index.json"

    /// Sum of the tensors' stored bytes, when the index says.
    public var totalSize: Int?
    public var weightMap: [String: String]

    public init(totalSize: Int?, weightMap: [String: String]) {
        self.totalSize = totalSize
        self.weightMap = weightMap
    }

    public init(contentsOf path: String) throws {
        let raw = try FormatJSON.decode(RawShardIndex.self, contentsOf: path)
        for (tensor, shard) in raw.weightMap where !Self.isPlainRelativePath(shard) {
            throw FormatError(file: path, field: "weight_map.\(MessageExcerpt.of(tensor))",
                              "shard '\(MessageExcerpt.of(shard))' must be a file name relative to the index's directory")
        }
        self.init(totalSize: raw.metadata?.totalSize, weightMap: raw.weightMap)
    }

    /// Shard file names in the order of their first appearance by sorted name (numbered shards
    /// sort by number).
    public var shardFiles: [String] {
        Set(weightMap.values).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The JSON text transformers writes (`json.dumps(index, indent=2, sort_keys=True) + "\n"`).
    func jsonText(totalParameters: Int) -> String {
        let sortedMap = weightMap.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var lines = ["{", "  \"metadata\": {", "    \"total_parameters\": \(totalParameters),",
                     "    \"total_size\": \(totalSize ?? 0)", "  },", "  \"weight_map\": {"]
        for (i, (tensor, shard)) in sortedMap.enumerated() {
            let comma = i + 1 < sortedMap.count ? "," : ""
            lines.append("    \(JSONText.quoted(tensor)): \(JSONText.quoted(shard))\(comma)")
        }
        lines += ["  }", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func isPlainRelativePath(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("/") && !name.split(separator: "/").contains("..")
    }
}

private struct RawShardIndex: Decodable {
    struct Metadata: Decodable {
        var totalSize: Int?

        enum CodingKeys: String, CodingKey { case totalSize = "total_size" }

        /// Other tools write other keys (and sometimes a float total): only an integer total is kept.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            totalSize = try? container.decodeIfPresent(Int.self, forKey: .totalSize)
        }
    }

    var metadata: Metadata?
    var weightMap: [String: String]

    enum CodingKeys: String, CodingKey {
        case metadata
        case weightMap = "weight_map"
    }
}
