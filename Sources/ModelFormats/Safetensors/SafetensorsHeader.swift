import Foundation

/// One tensor of a safetensors file, validated against the file it came from.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    /// PyTorch order, outermost first; `[]` is a scalar.
    public let shape: [Int]
    public let elementCount: Int
    /// Absolute byte range of the data in the file.
    public let byteRange: Range<Int>
}

/// The parsed, validated header of a safetensors file:
/// `u64 little-endian N`, `N bytes of JSON`, then the data section that `data_offsets` index into.
struct SafetensorsHeader {
    /// The reference implementation refuses larger headers; so do we.
    static let maxHeaderLength = 100_000_000
    static let metadataKey = "__metadata__"

    /// In file order (by data offset, as the reference implementation orders them).
    let tensors: [SafetensorsTensorInfo]
    let metadata: [String: String]
    /// Offset of the data section: 8 + header length.
    let dataStart: Int

    static func parse(_ file: UnsafeRawBufferPointer, path: String) throws -> SafetensorsHeader {
        guard file.count >= 8, let base = file.baseAddress else {
            throw FormatError(file: path, field: "header length",
                              "file is \(file.count) bytes, too short for the 8-byte header length")
        }
        let declared = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(maxHeaderLength) else {
            throw FormatError(file: path, field: "header length",
                              "\(declared) bytes is more than the \(maxHeaderLength) allowed")
        }
        let headerLength = Int(declared)
        guard headerLength <= file.count - 8 else {
            throw FormatError(file: path, field: "header length",
                              "\(headerLength) bytes, but only \(file.count - 8) bytes follow the length")
        }
        guard headerLength >= 2 else {
            throw FormatError(file: path, field: "header length", "\(headerLength) bytes cannot hold a JSON object")
        }
        let json = Data(UnsafeRawBufferPointer(rebasing: file[8 ..< 8 + headerLength]))
        let raw = try FormatJSON.decode(RawHeader.self, from: json, file: path)

        let dataStart = 8 + headerLength
        let dataLength = file.count - dataStart
        var tensors: [SafetensorsTensorInfo] = []
        tensors.reserveCapacity(raw.entries.count)
        for (name, entry) in raw.entries {
            tensors.append(try validate(entry, name: name, dataStart: dataStart, dataLength: dataLength, path: path))
        }
        tensors.sort { ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) <
            ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name) }
        try checkNoOverlap(tensors, dataStart: dataStart, path: path)
        return SafetensorsHeader(tensors: tensors, metadata: raw.metadata, dataStart: dataStart)
    }

    private static func validate(_ entry: RawEntry, name fullName: String, dataStart: Int, dataLength: Int,
                                 path: String) throws -> SafetensorsTensorInfo {
        let name = MessageExcerpt.of(fullName)
        guard let dtype = SafetensorsDType(rawValue: entry.dtype) else {
            throw FormatError(file: path, field: "\(name).dtype", "unknown dtype '\(MessageExcerpt.of(entry.dtype))'")
        }
        guard entry.dataOffsets.count == 2 else {
            throw FormatError(file: path, field: "\(name).data_offsets",
                              "expected [begin, end], found \(entry.dataOffsets.count) values")
        }
        let begin = entry.dataOffsets[0], end = entry.dataOffsets[1]
        guard begin >= 0, begin <= end else {
            throw FormatError(file: path, field: "\(name).data_offsets", "[\(begin), \(end)] is not a valid range")
        }
        guard end <= dataLength else {
            throw FormatError(file: path, field: "\(name).data_offsets",
                              "[\(begin), \(end)] extends past the end of the data section (\(dataLength) bytes)")
        }
        let elementCount = try product(of: entry.shape, name: name, path: path)
        let (bits, bitsOverflow) = elementCount.multipliedReportingOverflow(by: dtype.bitsPerElement)
        guard !bitsOverflow, bits % 8 == 0 else {
            throw FormatError(file: path, field: "\(name).shape",
                              "\(MessageExcerpt.of("\(entry.shape)")) of \(dtype.rawValue) does not fill whole bytes")
        }
        guard end - begin == bits / 8 else {
            throw FormatError(file: path, field: "\(name).data_offsets",
                              "[\(begin), \(end)] holds \(end - begin) bytes, but shape \(MessageExcerpt.of("\(entry.shape)")) of "
                                  + "\(dtype.rawValue) needs \(bits / 8)")
        }
        return SafetensorsTensorInfo(name: fullName, dtype: dtype, shape: entry.shape, elementCount: elementCount,
                                     byteRange: dataStart + begin ..< dataStart + end)
    }

    private static func product(of shape: [Int], name: String, path: String) throws -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else {
                throw FormatError(file: path, field: "\(name).shape", "negative dimension in \(MessageExcerpt.of("\(shape)"))")
            }
            let (next, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw FormatError(file: path, field: "\(name).shape", "\(MessageExcerpt.of("\(shape)")) has too many elements")
            }
            count = next
        }
        return count
    }

    /// `tensors` sorted by offset: each non-empty range must start at or after the previous end.
    private static func checkNoOverlap(_ tensors: [SafetensorsTensorInfo], dataStart: Int, path: String) throws {
        var previous: SafetensorsTensorInfo?
        for tensor in tensors where !tensor.byteRange.isEmpty {
            if let previous, tensor.byteRange.lowerBound < previous.byteRange.upperBound {
                let a = previous.byteRange, b = tensor.byteRange
                throw FormatError(file: path, field: "\(MessageExcerpt.of(tensor.name)).data_offsets",
                                  "[\(b.lowerBound - dataStart), \(b.upperBound - dataStart)] overlaps "
                                      + "'\(MessageExcerpt.of(previous.name))' at [\(a.lowerBound - dataStart), \(a.upperBound - dataStart)]")
            }
            previous = tensor
        }
    }
}

/// The header JSON as written: tensor entries keyed by name, plus an optional `__metadata__`
/// object whose values must be strings.
private struct RawHeader: Decodable {
    var metadata: [String: String] = [:]
    var entries: [(String, RawEntry)] = []

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicCodingKey.self)
        for key in container.allKeys {
            if key.stringValue == SafetensorsHeader.metadataKey {
                metadata = try container.decodeIfPresent([String: String].self, forKey: key) ?? [:]
            } else {
                entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            }
        }
    }
}

private struct RawEntry: Decodable {
    let dtype: String
    let shape: [Int]
    let dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dtype = try c.decode(String.self, forKey: .dtype)
        shape = try c.decodeIntegers(forKey: .shape)
        dataOffsets = try c.decodeIntegers(forKey: .dataOffsets)
    }
}
