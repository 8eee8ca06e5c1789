/// Appends little-endian GGUF fields (integers, strings, metadata values) to a byte array.
struct GGUFByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ string: String) {
        let utf8 = Array(string.utf8)
        append(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func appendZeros(_ count: Int) {
        bytes.append(contentsOf: repeatElement(0, count: count))
    }

    /// A metadata value without its type tag; `key` names it in errors.
    mutating func append(_ value: GGUFValue, key: String) throws {
        switch value {
        case .uint8(let v): append(v)
        case .int8(let v): append(v)
        case .uint16(let v): append(v)
        case .int16(let v): append(v)
        case .uint32(let v): append(v)
        case .int32(let v): append(v)
        case .uint64(let v): append(v)
        case .int64(let v): append(v)
        case .float32(let v): append(v.bitPattern)
        case .float64(let v): append(v.bitPattern)
        case .bool(let v): append(UInt8(v ? 1 : 0))
        case .string(let v): append(v)
        case .array(let elementType, let elements):
            append(elementType.rawValue)
            append(UInt64(elements.count))
            for (i, element) in elements.enumerated() {
                guard element.type == elementType else {
                    throw GGUFWriterError.invalidMetadata(
                        key: key, reason: "element \(i) is \(element.type), the array's element type is \(elementType)")
                }
                try append(element, key: key)
            }
        }
    }
}
