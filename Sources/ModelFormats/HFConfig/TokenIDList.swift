/// `bos_token_id` / `eos_token_id`: a single id, a list of ids (Llama 3.1 Instruct lists three end
/// tokens) or null. Decoded as a list, empty when absent or null.
enum TokenIDList {
    static func decode<K: CodingKey>(_ key: K, in c: KeyedDecodingContainer<K>) throws -> [Int] {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return [] }
        if let single = try? c.decodeInteger(forKey: key) { return [single] }
        return try c.decodeIntegers(forKey: key)
    }
}
