import Foundation

/// 64-bit FNV-1a, the hash of cache keys and file names (not cryptographic: it tells inputs apart,
/// it does not defend against crafted ones).
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ byte: UInt8) { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }

    public mutating func add<S: Sequence>(bytes: S) where S.Element == UInt8 {
        for b in bytes { add(b) }
    }

    /// The four bytes of `v`, least significant first.
    public mutating func add(_ v: Int32) {
        var u = UInt32(bitPattern: v)
        for _ in 0..<4 { add(UInt8(u & 0xff)); u >>= 8 }
    }

    /// Sixteen lower-case hex digits.
    public var hex: String { String(format: "%016llx", value) }
}
