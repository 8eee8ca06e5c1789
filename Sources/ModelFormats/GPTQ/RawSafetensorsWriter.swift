import TensorCore
import Foundation

/// Writes a safetensors file from already-encoded tensors of any dtype (the GPTQ checkpoint's I32
/// and F16 tensors next to F32 ones), in the reference layout: tensors ordered by dtype size
/// (largest first) then by name, data packed without gaps, header padded with spaces to a
/// multiple of 8, `__metadata__` = {"format": "pt"}.
public struct RawSafetensorsWriter: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        public let bytes: [UInt8]
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func add(_ name: String, dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(bytes.count * 8 == shape.reduce(1, *) * dtype.bitsPerElement, "\(name): byte count does not match shape")
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: bytes))
    }

    public mutating func add(_ name: String, int32 values: [Int32], shape: [Int]) {
        add(name, dtype: .i32, shape: shape, bytes: values.withUnsafeBytes { Array($0) })
    }

    /// f32 values stored as F32 or F16 (round to nearest even).
    public mutating func add(_ name: String, float values: [Float], shape: [Int], as dtype: FloatDType) {
        switch dtype {
        case .f32: add(name, dtype: .f32, shape: shape, bytes: values.withUnsafeBytes { Array($0) })
        case .f16, .bf16:
            var halves = [UInt16](repeating: 0, count: values.count)
            values.withUnsafeBufferPointer { src in
                halves.withUnsafeMutableBufferPointer { dst in
                    guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                    if dtype == .f16 { FloatEncoding.encodeF16(s, d, count: values.count) }
                    else { FloatEncoding.encodeBF16(s, d, count: values.count) }
                }
            }
            add(name, dtype: SafetensorsDType(dtype), shape: shape, bytes: halves.withUnsafeBytes { Array($0) })
        }
    }

    public func write(to path: String) throws {
        var seen = Set<String>()
        for e in entries where !seen.insert(e.name).inserted {
            throw FormatError(file: path, field: e.name, "tensor name added more than once")
        }
        let ordered = entries.sorted {
            $0.dtype.bitsPerElement != $1.dtype.bitsPerElement ? $0.dtype.bitsPerElement > $1.dtype.bitsPerElement
                : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var fields = [JSONText.quoted("__metadata__") + ":{\"format\":\"pt\"}"]
        var offset = 0
        for e in ordered {
            fields.append(JSONText.quoted(e.name) + ":{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":"
                + JSONText.intArray(e.shape) + ",\"data_offsets\":" + JSONText.intArray([offset, offset + e.bytes.count]) + "}")
            offset += e.bytes.count
        }
        var json = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        let file = try SafetensorsOutputFile(path: path)
        do {
            try file.write(withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init))
            try file.write(json)
            for e in ordered { try file.write(e.bytes) }
            try file.close()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}
