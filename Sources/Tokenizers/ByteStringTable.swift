/// Byte string → token id, looked up straight from a pointer and length (no `String` or `Array`
/// built per lookup): open addressing over FNV-1a hashes, token bytes stored contiguously.
struct ByteStringTable: Sendable {
    private let bytes: [UInt8]
    private let starts: [Int32]
    /// slot → index into `ids`/`starts` + 1 (0 = empty)
    private let slots: [Int32]
    private let ids: [Int32]
    private let mask: Int

    /// Later entries with the same bytes replace earlier ones (as llama.cpp's `token_to_id`).
    init(_ entries: [(bytes: [UInt8], id: Int32)]) {
        var bytes: [UInt8] = []
        var starts: [Int32] = [0]
        var ids: [Int32] = []
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for entry in entries {
            let hash = Self.hash(entry.bytes)
            var slot = Int(truncatingIfNeeded: hash) & mask
            var replaced = false
            while slots[slot] != 0 {
                let e = Int(slots[slot]) - 1
                if bytes[Int(starts[e])..<Int(starts[e + 1])].elementsEqual(entry.bytes) {
                    ids[e] = entry.id
                    replaced = true
                    break
                }
                slot = (slot + 1) & mask
            }
            if replaced { continue }
            bytes.append(contentsOf: entry.bytes)
            starts.append(Int32(bytes.count))
            ids.append(entry.id)
            slots[slot] = Int32(ids.count)
        }
        self.bytes = bytes
        self.starts = starts
        self.ids = ids
        self.slots = slots
        self.mask = mask
    }

    @inline(__always)
    private static func hash<C: Collection>(_ c: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in c { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }

    /// The id of the token spelled by `p[0..<count]`, or nil.
    func lookup(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int32? {
        let key = UnsafeBufferPointer(start: p, count: count)
        var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            let e = Int(entry) - 1
            let start = Int(starts[e]), end = Int(starts[e + 1])
            if end - start == count && bytes[start..<end].elementsEqual(key) { return ids[e] }
            slot = (slot + 1) & mask
        }
    }

    func lookup(_ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBufferPointer { lookup($0.baseAddress!, $0.count) }
    }
}
