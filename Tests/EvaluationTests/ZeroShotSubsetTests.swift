import Testing
@testable import Evaluation

/// `--limit`: the same documents whatever their order, nested as N grows, another set per seed.
@Suite struct ZeroShotSubsetTests {
    let ids = Array(0..<1000).map { $0 * 3 + 1 }

    func selected(_ ids: [Int], key: String = "piqa/rc_0shot", seed: UInt64 = 0, limit: Int) -> Set<Int> {
        Set(StableSubset.select(documentIDs: ids, key: key, seed: seed, limit: limit).map { ids[$0] })
    }

    @Test func independentOfOrder() {
        var shuffled = ids
        var g = SystemRandomNumberGenerator()
        shuffled.shuffle(using: &g)
        #expect(selected(ids, limit: 50) == selected(shuffled, limit: 50))
        #expect(selected(ids, limit: 50).count == 50)
        // indices come back in file order
        let picked = StableSubset.select(documentIDs: shuffled, key: "piqa/rc_0shot", seed: 0, limit: 50)
        #expect(picked == picked.sorted())
    }

    @Test func nestedAndSeeded() {
        #expect(selected(ids, limit: 20).isSubset(of: selected(ids, limit: 100)))
        let a = selected(ids, seed: 0, limit: 100), b = selected(ids, seed: 1, limit: 100)
        #expect(a != b && a.intersection(b).count < 40)  // ~10 expected by chance
        #expect(selected(ids, key: "hellaswag/rc_0shot", limit: 100) != a)
        #expect(selected(ids, limit: 5000).count == ids.count)
    }

    /// Pinned: the subset of a given (task, seed) must not change between versions, or results
    /// with --limit would stop being comparable.
    @Test func pinnedRanks() {
        #expect(StableSubset.select(documentIDs: Array(0..<1838), key: "piqa/rc_0shot", seed: 0, limit: 5)
                == [659, 1081, 1182, 1542, 1735])
    }
}
