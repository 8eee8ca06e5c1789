/// An element a `MinHeap` can order: `precedes` is true when `self` must pop before `other`.
protocol HeapOrdered {
    func precedes(_ other: Self) -> Bool
}

/// BPE merge candidates packed as `rank << 32 | position`: the smaller key pops first.
extension UInt64: HeapOrdered {
    @inline(__always) func precedes(_ other: UInt64) -> Bool { self < other }
}

/// A binary heap whose top is the element that precedes all others (byte-level BPE merge keys,
/// SentencePiece bigrams).
struct MinHeap<Element: HeapOrdered> {
    private var keys: [Element] = []

    init(capacity: Int) { keys.reserveCapacity(capacity) }

    mutating func push(_ key: Element) {
        keys.append(key)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[child].precedes(keys[parent]) else { break }
            keys.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard let top = keys.first else { return nil }
        let last = keys.removeLast()
        if !keys.isEmpty {
            keys[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < keys.count else { break }
                let right = left + 1
                let first = right < keys.count && keys[right].precedes(keys[left]) ? right : left
                guard keys[first].precedes(keys[parent]) else { break }
                keys.swapAt(first, parent)
                parent = first
            }
        }
        return top
    }
}
