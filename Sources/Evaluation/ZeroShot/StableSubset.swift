/// `--limit N`: the same N documents of a task every time, whatever order they are read or run
/// in. Each document gets a pseudo-random rank from (task key, doc_id, seed); the N lowest ranks
/// are taken. A larger N keeps every document of a smaller one; another seed gives another subset.
public enum StableSubset {
    /// Rank of a document: FNV-1a (64-bit) of the task key's UTF-8 bytes, mixed with the doc_id
    /// and the seed by SplitMix64's finaliser.
    public static func rank(key: String, documentID: Int, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return mix(mix(h ^ seed) ^ UInt64(bitPattern: Int64(documentID)))
    }

    /// Indices (into `documentIDs`) of the `limit` selected documents, in their original order.
    public static func select(documentIDs: [Int], key: String, seed: UInt64, limit: Int) -> [Int] {
        guard limit < documentIDs.count else { return Array(documentIDs.indices) }
        let ranks = documentIDs.map { rank(key: key, documentID: $0, seed: seed) }
        let ranked = documentIDs.indices.sorted {
            ranks[$0] != ranks[$1] ? ranks[$0] < ranks[$1] : documentIDs[$0] < documentIDs[$1]
        }
        return ranked.prefix(max(0, limit)).sorted()
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
