/// The type tag of a GGUF metadata value, as stored in the file (`gguf_type`).
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Bytes of one value of a fixed-size type; nil for string and array.
    public var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        case .string, .array: nil
        }
    }

    /// The fewest bytes a value of this type can occupy in a file (string: its length; array: type + count).
    var minimumEncodedSize: Int { fixedSize ?? (self == .string ? 8 : 12) }

    public var description: String {
        switch self {
        case .uint8: "u8"
        case .int8: "i8"
        case .uint16: "u16"
        case .int16: "i16"
        case .uint32: "u32"
        case .int32: "i32"
        case .float32: "f32"
        case .bool: "bool"
        case .string: "string"
        case .array: "array"
        case .uint64: "u64"
        case .int64: "i64"
        case .float64: "f64"
        }
    }
}

/// One GGUF metadata value. Arrays keep their element type so that empty arrays and nested arrays
/// round-trip through `GGUFWriter` unchanged.
public enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16)
    case uint32(UInt32), int32(Int32), uint64(UInt64), int64(Int64)
    case float32(Float), float64(Double)
    case bool(Bool)
    case string(String)
    /// All elements have type `elementType` (an array of arrays has `.array`).
    case array(elementType: GGUFValueType, [GGUFValue])

    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }

    /// Any integer value that fits in `Int`; nil for other types.
    public var asInt: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        default: nil
        }
    }

    /// A float or integer value as `Double`; nil for other types.
    public var asDouble: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: asInt.map(Double.init)
        }
    }

    /// A float or integer value as `Float` (f64 values are rounded); nil for other types.
    public var asFloat: Float? {
        if case .float32(let v) = self { return v }
        return asDouble.map(Float.init)
    }

    public var asBool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var asString: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    public var asArray: [GGUFValue]? {
        if case .array(_, let v) = self { return v }
        return nil
    }

    /// An array of strings; nil if this is not an array or an element is not a string.
    public var asStringArray: [String]? { mapArray(\.asString) }

    /// An array of integers (any integer element type); nil if an element is not an integer.
    public var asIntArray: [Int]? { mapArray(\.asInt) }

    /// An array of floats or integers as `Float`; nil if an element is not numeric.
    public var asFloatArray: [Float]? { mapArray(\.asFloat) }

    private func mapArray<T>(_ transform: (GGUFValue) -> T?) -> [T]? {
        guard case .array(_, let elements) = self else { return nil }
        var result: [T] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let t = transform(element) else { return nil }
            result.append(t)
        }
        return result
    }

    public var description: String {
        switch self {
        case .string(let s): return s.debugDescription
        case .array(let t, let elements):
            let head = elements.prefix(8).map(\.description).joined(separator: ", ")
            let more = elements.count > 8 ? ", … (\(elements.count) \(t) values)" : ""
            return "[\(head)\(more)]"
        case .bool(let v): return String(v)
        case .float32(let v): return String(v)
        case .float64(let v): return String(v)
        case .uint64(let v): return String(v)
        default: return asInt.map(String.init) ?? ""
        }
    }
}
