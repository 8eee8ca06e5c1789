import TensorCore
/// Calibration inputs as in GPTQ: `count` windows of `length` tokens cut at seeded random offsets
/// from the calibration part of a corpus (never from its held-out part).
public struct CalibrationSet: Sendable {
    public let windows: [[Int32]]
    public let seed: UInt64

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// Windows given as they are (equal lengths of 2+ tokens), e.g. a reference's calibration ids.
    public init(windows: [[Int32]], seed: UInt64 = 0) throws {
        guard let length = windows.first?.count, length > 1, windows.allSatisfy({ $0.count == length }) else {
            throw Failure(message: "calibration windows must all have the same length of 2+ tokens")
        }
        self.windows = windows
        self.seed = seed
    }

    public init(tokens: [Int32], count: Int, length: Int, seed: UInt64 = 0) throws {
        guard count > 0, length > 1 else {
            throw Failure(message: "calibration needs at least one window of 2+ tokens (got \(count) × \(length))")
        }
        guard tokens.count > length else {
            throw Failure(message: "calibration text has \(tokens.count) tokens, not enough for windows of \(length)")
        }
        var rng = SplitMix64(seed: seed)
        windows = (0..<count).map { _ in
            let start = Int(rng.next() % UInt64(tokens.count - length))
            return Array(tokens[start..<(start + length)])
        }
        self.seed = seed
    }
}

