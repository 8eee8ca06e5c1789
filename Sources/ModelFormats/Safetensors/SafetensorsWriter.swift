import Foundation
import TensorCore

/// Writes f32 tensors to a safetensors file as F32, F16 or BF16, laid out exactly like the
/// reference implementation (PyPI `safetensors`): tensors ordered by dtype (F32, BF16, F16) then by
/// name (UTF-8 byte order), data packed without gaps, the JSON header padded with spaces to a
/// multiple of 8 bytes. `__metadata__` keys are written sorted; it is left out when empty.
public struct SafetensorsWriter: Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var tensor: Tensor
        public var dtype: FloatDType

        public init(_ name: String, _ tensor: Tensor, as dtype: FloatDType = .f32) {
            self.name = name
            self.tensor = tensor
            self.dtype = dtype
        }

        /// Bytes this tensor takes in the file.
        public var byteCount: Int { tensor.count * dtype.byteSize }
    }

    /// Transformers refuses safetensors checkpoints without `format`, so it is there by default.
    public var metadata: [String: String]
    public private(set) var entries: [Entry] = []

    public init(metadata: [String: String] = ["format": "pt"]) {
        self.metadata = metadata
    }

    /// Adds a tensor; names must be unique (checked when writing).
    public mutating func add(_ name: String, _ tensor: Tensor, as dtype: FloatDType = .f32) {
        entries.append(Entry(name, tensor, as: dtype))
    }

    /// Writes all tensors to one file.
    public func write(to path: String) throws {
        try Self.write(entries, metadata: metadata, to: path)
    }

    static func write(_ entries: [Entry], metadata: [String: String], to path: String) throws {
        try checkUniqueNames(entries, path: path)
        let ordered = entries.sorted(by: precedesInFile)
        let file = try SafetensorsOutputFile(path: path)
        do {
            try file.write(headerBytes(ordered, metadata: metadata))
            for entry in ordered {
                try writeData(of: entry, to: file)
            }
            try file.close()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    static func checkUniqueNames(_ entries: [Entry], path: String) throws {
        var seen = Set<String>()
        for entry in entries where !seen.insert(entry.name).inserted {
            throw FormatError(file: path, field: entry.name, "tensor name added more than once")
        }
        if seen.contains(SafetensorsHeader.metadataKey) {
            throw FormatError(file: path, field: SafetensorsHeader.metadataKey, "reserved name, not a tensor name")
        }
    }

    /// The reference implementation's order: larger dtypes first, then names byte-wise.
    static func precedesInFile(_ a: Entry, _ b: Entry) -> Bool {
        if a.dtype != b.dtype { return dtypeRank(a.dtype) > dtypeRank(b.dtype) }
        return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }

    private static func dtypeRank(_ dtype: FloatDType) -> Int {
        switch dtype {
        case .f16: 0
        case .bf16: 1
        case .f32: 2
        }
    }

    /// The 8-byte length followed by the space-padded JSON header, for entries already in file order.
    static func headerBytes(_ ordered: [Entry], metadata: [String: String]) -> [UInt8] {
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { JSONText.quoted($0.key) + ":" + JSONText.quoted($0.value) }
            fields.append(JSONText.quoted(SafetensorsHeader.metadataKey) + ":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in ordered {
            let end = offset + entry.byteCount
            fields.append(JSONText.quoted(entry.name) + ":{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":"
                + JSONText.intArray(entry.tensor.shape) + ",\"data_offsets\":" + JSONText.intArray([offset, end]) + "}")
            offset = end
        }
        var json = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        var bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init)
        bytes.append(contentsOf: json)
        return bytes
    }

    /// Converts in chunks so a large tensor never needs a second full-size copy.
    private static func writeData(of entry: Entry, to file: SafetensorsOutputFile) throws {
        let source = entry.tensor.pointer
        let count = entry.tensor.count
        switch entry.dtype {
        case .f32:
            try file.write(UnsafeRawBufferPointer(start: source, count: count * 4))
        case .f16, .bf16:
            let chunk = 1 << 20
            var halves = [UInt16](repeating: 0, count: min(chunk, count))
            var start = 0
            while start < count {
                let n = min(chunk, count - start)
                try halves.withUnsafeMutableBufferPointer { buffer in
                    guard let output = buffer.baseAddress else { return }
                    if entry.dtype == .f16 {
                        FloatEncoding.encodeF16(source + start, output, count: n)
                    } else {
                        FloatEncoding.encodeBF16(source + start, output, count: n)
                    }
                    try file.write(UnsafeRawBufferPointer(start: output, count: n * 2))
                }
                start += n
            }
        }
    }
}
