/// Byte-level BPE vocabulary and merge table: turns the bytes of one pre-token into token ids.
///
/// Symbols start as one token per byte; the adjacent pair with the lowest merge rank is merged
/// (leftmost first among equal ranks) until no pair has a merge, as in HF tokenizers and llama.cpp.
struct BPEModel: Sendable {
    /// A merge whose parts or result are not in the vocabulary.
    struct UnknownMergeToken: Error {
        let mergeIndex: Int
        let token: String
    }

    /// Vocabulary string (byte-level form) → id, for every token.
    let vocabulary: [String: Int32]
    /// Id of the token for each single byte, -1 where the vocabulary has none (such bytes are dropped).
    let byteTokens: [Int32]
    /// `left << 32 | right` → `rank << 32 | merged`.
    let merges: [UInt64: UInt64]
    /// Emit a pre-token that is itself in the vocabulary directly, without merging (Llama 3).
    let ignoreMerges: Bool

    private static let noMerge = UInt64.max
    /// Words with more bytes than this merge through a heap instead of rescanning all pairs.
    private static let scanLimit = 48

    /// - Parameter merges: merge pairs in rank order, as vocabulary strings.
    init(vocabulary: [String: Int32], merges: [(String, String)], ignoreMerges: Bool) throws(UnknownMergeToken) {
        self.vocabulary = vocabulary
        self.ignoreMerges = ignoreMerges
        byteTokens = ByteLevel.scalarForByte.map { vocabulary[String($0)] ?? -1 }

        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let leftId = vocabulary[left] else { throw UnknownMergeToken(mergeIndex: rank, token: left) }
            guard let rightId = vocabulary[right] else { throw UnknownMergeToken(mergeIndex: rank, token: right) }
            guard let mergedId = vocabulary[left + right] else {
                throw UnknownMergeToken(mergeIndex: rank, token: left + right)
            }
            let key = Self.pairKey(leftId, rightId)
            if table[key] == nil {  // the first (lowest-rank) occurrence of a duplicated merge wins
                table[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: mergedId))
            }
        }
        self.merges = table
    }

    @inline(__always)
    private static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// `rank << 32 | merged` for an adjacent pair, or `noMerge`.
    @inline(__always)
    private func merge(_ left: Int32, _ right: Int32) -> UInt64 {
        guard left >= 0, right >= 0 else { return Self.noMerge }
        return merges[Self.pairKey(left, right)] ?? Self.noMerge
    }

    /// Appends the token ids of one pre-token (raw UTF-8 bytes) to `output`.
    func encode(_ word: ArraySlice<UInt8>, into output: inout [Int32]) {
        if ignoreMerges, let id = vocabulary[ByteLevel.encode(word)] {
            output.append(id)
            return
        }
        var symbols = word.map { byteTokens[Int($0)] }
        if symbols.count > Self.scanLimit {
            mergeWithHeap(&symbols)
        } else if symbols.count > 1 {
            mergeByScanning(&symbols)
        }
        for id in symbols where id >= 0 { output.append(id) }
    }

    /// Quadratic but allocation-light: best for the short words that make up most text.
    private func mergeByScanning(_ symbols: inout [Int32]) {
        var pairs = (0..<symbols.count - 1).map { merge(symbols[$0], symbols[$0 + 1]) }
        while true {
            var best = Self.noMerge
            var bestIndex = -1
            for index in pairs.indices where pairs[index] < best {
                best = pairs[index]
                bestIndex = index
            }
            guard bestIndex >= 0 else { return }
            symbols[bestIndex] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
            symbols.remove(at: bestIndex + 1)
            pairs.remove(at: bestIndex)
            if bestIndex > 0 {
                pairs[bestIndex - 1] = merge(symbols[bestIndex - 1], symbols[bestIndex])
            }
            if bestIndex < pairs.count {
                pairs[bestIndex] = merge(symbols[bestIndex], symbols[bestIndex + 1])
            }
        }
    }

    /// O(n log n) merging over a linked list of symbols for long words (whitespace runs, long
    /// unbroken scripts). Same order as `mergeByScanning`: heap keys are `rank << 32 | position`.
    private func mergeWithHeap(_ symbols: inout [Int32]) {
        let count = symbols.count
        var next = Array(1...count)
        var previous = Array(-1..<(count - 1))
        var alive = [Bool](repeating: true, count: count)
        var pairs = [UInt64](repeating: Self.noMerge, count: count)
        var heap = MinHeap<UInt64>(capacity: count)

        func refreshPair(at position: Int) {
            let right = next[position]
            pairs[position] = right < count ? merge(symbols[position], symbols[right]) : Self.noMerge
            if pairs[position] != Self.noMerge {
                heap.push(pairs[position] & 0xFFFF_FFFF_0000_0000 | UInt64(position))
            }
        }

        for position in 0..<count - 1 { refreshPair(at: position) }
        while let entry = heap.pop() {
            let position = Int(entry & 0xFFFF_FFFF)
            let pair = pairs[position]
            guard alive[position], pair != Self.noMerge, pair >> 32 == entry >> 32 else { continue }
            let right = next[position]
            symbols[position] = Int32(truncatingIfNeeded: pair & 0xFFFF_FFFF)
            alive[right] = false
            next[position] = next[right]
            if next[right] < count { previous[next[right]] = position }
            refreshPair(at: position)
            if previous[position] >= 0 { refreshPair(at: previous[position]) }
        }
        var merged: [Int32] = []
        var position = 0
        while position < count {
            merged.append(symbols[position])
            position = next[position]
        }
        symbols = merged
    }
}
