/// Reads GGUF metadata values (`gguf_type` tag already known) from a `GGUFByteReader`.
extension GGUFByteReader {
    /// Deepest nesting of arrays accepted; real files use at most one level.
    static let maximumArrayDepth = 16

    /// Reads `count` key/value pairs: keys in file order and the values by key.
    mutating func readMetadata(count: Int) throws -> (keys: [String], values: [String: GGUFValue]) {
        // The smallest pair is an empty key (8), a type tag (4) and a one-byte value.
        guard count <= remaining / 13 else {
            throw error("header metadata_kv_count", "\(count) key/value pairs cannot fit in the "
                + "\(remaining) bytes after the header (truncated file or corrupt count)")
        }
        var keys: [String] = []
        var values: [String: GGUFValue] = [:]
        keys.reserveCapacity(count)
        for i in 0..<count {
            let key = try readString("metadata[\(i)] key")
            let field = MessageExcerpt.of(key)
            guard values[key] == nil else { throw error(field, "duplicate metadata key") }
            let type = try readValueType(field)
            values[key] = try readValue(of: type, field)
            keys.append(key)
        }
        return (keys, values)
    }

    mutating func readValueType(_ field: @autoclosure () -> String) throws -> GGUFValueType {
        let start = offset
        let raw = try read(UInt32.self, field())
        guard let type = GGUFValueType(rawValue: raw) else {
            throw error(field(), "unknown metadata value type \(raw) at offset \(start)")
        }
        return type
    }

    mutating func readValue(of type: GGUFValueType, _ field: String, depth: Int = 0) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try read(UInt8.self, field))
        case .int8: return .int8(try read(Int8.self, field))
        case .uint16: return .uint16(try read(UInt16.self, field))
        case .int16: return .int16(try read(Int16.self, field))
        case .uint32: return .uint32(try read(UInt32.self, field))
        case .int32: return .int32(try read(Int32.self, field))
        case .uint64: return .uint64(try read(UInt64.self, field))
        case .int64: return .int64(try read(Int64.self, field))
        case .float32: return .float32(try readFloat(field))
        case .float64: return .float64(try readDouble(field))
        case .string: return .string(try readString(field))
        case .bool: return .bool(try read(UInt8.self, field) != 0)
        case .array:
            return try readArray(field, depth: depth)
        }
    }

    private mutating func readArray(_ field: String, depth: Int) throws -> GGUFValue {
        guard depth < Self.maximumArrayDepth else {
            throw error(field, "arrays nested deeper than \(Self.maximumArrayDepth) levels")
        }
        let elementType = try readValueType(field)
        let start = offset
        let n = try readCount(field)
        // Reject counts the rest of the file cannot hold before allocating anything.
        let (minimumBytes, overflow) = n.multipliedReportingOverflow(by: elementType.minimumEncodedSize)
        guard !overflow, minimumBytes <= remaining else {
            throw error(field, "array of \(n) \(elementType) values at offset \(start) runs past the end of the file (\(count) bytes)")
        }
        var elements: [GGUFValue] = []
        elements.reserveCapacity(n)
        for i in 0..<n {
            elements.append(try readValue(of: elementType, elementType == .array ? "\(field)[\(i)]" : field,
                                          depth: depth + 1))
        }
        return .array(elementType: elementType, elements)
    }
}
