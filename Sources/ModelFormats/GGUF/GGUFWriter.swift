#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TensorCore

/// Problems with what a program asked `GGUFWriter` to write, or with writing it.
public enum GGUFWriterError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidMetadata(key: String, reason: String)
    case invalidTensor(name: String, reason: String)
    case duplicateTensor(String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidMetadata(let key, let reason): "metadata \(key): \(reason)"
        case .invalidTensor(let name, let reason): "tensor \(name): \(reason)"
        case .duplicateTensor(let name): "tensor \(name): duplicate tensor name"
        case .io(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// Builds a GGUF version 3 file the way gguf-py's `GGUFWriter` and ggml do: header, metadata in
/// insertion order, tensor infos, padding to `alignment`, then each tensor's data padded to
/// `alignment`. Tensors are given in PyTorch shape order and stored with ggml's reversed `ne`.
/// A tensor's data is either given now (kept in memory until `write(to:)`) or produced by a closure
/// that `write(to:)` calls when it reaches that tensor (`addTensor(_:shape:as:producedBy:)`), so a
/// whole model is never held in memory twice: the file's header needs only names, shapes and types.
public final class GGUFWriter {
    public let alignment: Int
    /// Metadata keys in insertion order.
    public private(set) var metadataKeys: [String] = []
    private var metadata: [String: GGUFValue] = [:]
    private var tensors: [PendingTensor] = []
    private var tensorNames: Set<String> = []

    private struct PendingTensor {
        let name: String
        let dimensions: [Int]
        let type: GGMLType
        /// What the data section holds for this tensor (the header needs it before the data exists).
        let byteCount: Int
        let contents: Contents

        enum Contents {
            case encoded([UInt8])
            /// Called once, while writing; the bytes are dropped once written.
            case produced(() throws -> [UInt8])
        }
    }

    /// `alignment` must be a power of two; values other than 32 are recorded as `general.alignment`.
    public init(alignment: Int = GGUFFile.defaultAlignment) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        self.alignment = alignment
        if alignment != GGUFFile.defaultAlignment {
            self["general.alignment"] = .uint32(UInt32(alignment))
        }
    }

    /// Reads or sets a metadata value. Replacing a value keeps the key's position; setting nil removes it.
    public subscript(key: String) -> GGUFValue? {
        get { metadata[key] }
        set {
            if let newValue {
                if metadata.updateValue(newValue, forKey: key) == nil { metadataKeys.append(key) }
            } else if metadata.removeValue(forKey: key) != nil {
                metadataKeys.removeAll { $0 == key }
            }
        }
    }

    /// Adds a tensor whose data is already encoded as `type` (`shape` in PyTorch order).
    public func addTensor(_ name: String, shape: [Int], type: GGMLType, encodedData: [UInt8]) throws {
        let v = try validated(name, shape: shape, type: type)
        guard v.byteCount == encodedData.count else {
            throw GGUFWriterError.invalidTensor(
                name: name, reason: "\(encodedData.count) bytes of data, \(type.name) \(shape) needs \(v.byteCount)")
        }
        append(name, v, type: type, .encoded(encodedData))
    }

    /// Adds a tensor whose encoded bytes `produce` returns when `write(to:)` reaches it (their count
    /// is checked against `type` and `shape` then). An error `produce` throws ends the write unchanged.
    public func addTensor(_ name: String, shape: [Int], type: GGMLType, encodedBy produce: @escaping () throws -> [UInt8]) throws {
        append(name, try validated(name, shape: shape, type: type), type: type, .produced(produce))
    }

    /// Adds f32 values (row-major, `shape` in PyTorch order), encoding them as `type`.
    public func addTensor(_ name: String, shape: [Int], values: UnsafeBufferPointer<Float>, as type: GGMLType) throws {
        let v = try validated(name, shape: shape, type: type)
        try Self.checkEncodable(name, type: type)
        append(name, v, type: type, .encoded(try Self.encode(name, shape: shape, v, values: values, as: type)))
    }

    /// Adds a tensor whose f32 values `produce` returns when `write(to:)` reaches it, encoded as
    /// `type` then; name, shape and type are checked now. An error `produce` throws (a bad source
    /// tensor, say) ends the write unchanged, and no file is left at the path.
    public func addTensor(_ name: String, shape: [Int], as type: GGMLType, producedBy produce: @escaping () throws -> Tensor) throws {
        let v = try validated(name, shape: shape, type: type)
        try Self.checkEncodable(name, type: type)
        append(name, v, type: type, .produced {
            let tensor = try produce()
            return try withExtendedLifetime(tensor) {
                try Self.encode(name, shape: shape, v, values: UnsafeBufferPointer(start: tensor.pointer, count: tensor.count), as: type)
            }
        })
    }

    /// Tensor data bytes added so far (without the alignment padding between tensors).
    public var tensorDataBytes: Int { tensors.reduce(0) { $0 + $1.byteCount } }

    private func append(_ name: String, _ v: Validated, type: GGMLType, _ contents: PendingTensor.Contents) {
        tensorNames.insert(name)
        tensors.append(PendingTensor(name: name, dimensions: v.dimensions, type: type, byteCount: v.byteCount, contents: contents))
    }

    private static func checkEncodable(_ name: String, type: GGMLType) throws {
        guard type.traits.quantize != nil else {
            throw GGUFWriterError.invalidTensor(name: name, reason: GGMLCodecError.quantizationUnsupported(type).description)
        }
    }

    /// f32 values → `type`'s bytes, after checking their count against the shape.
    private static func encode(_ name: String, shape: [Int], _ v: Validated,
                               values: UnsafeBufferPointer<Float>, as type: GGMLType) throws -> [UInt8] {
        guard values.count == v.elements else {
            throw GGUFWriterError.invalidTensor(name: name, reason: "\(values.count) values for shape \(shape)")
        }
        let rowLength = v.dimensions.first ?? 1
        let rows = rowLength == 0 ? 0 : v.elements / rowLength
        let byteCount = v.byteCount
        return try [UInt8](unsafeUninitializedCapacity: byteCount) { out, initialized in
            if let src = values.baseAddress, let dst = out.baseAddress, byteCount > 0 {
                do {
                    try GGMLCodec.quantize(type, from: src, to: UnsafeMutableRawPointer(dst), rows: rows, rowLength: rowLength)
                } catch let error as GGMLCodecError {
                    throw GGUFWriterError.invalidTensor(name: name, reason: error.description)
                }
            }
            initialized = byteCount
        }
    }

    /// Adds a tensor, encoding it as `type`.
    public func addTensor(_ name: String, _ tensor: Tensor, as type: GGMLType) throws {
        try addTensor(name, shape: tensor.shape,
                      values: UnsafeBufferPointer(start: tensor.pointer, count: tensor.count), as: type)
    }

    /// Adds f32 values, encoding them as `type`.
    public func addTensor(_ name: String, shape: [Int], values: [Float], as type: GGMLType) throws {
        try values.withUnsafeBufferPointer { try addTensor(name, shape: shape, values: $0, as: type) }
    }

    /// A shape checked against a type: ggml dimensions (reversed shape), element count, data bytes.
    private struct Validated {
        let dimensions: [Int], elements: Int, byteCount: Int
    }

    /// Checks the name is new and the shape fits the type.
    private func validated(_ name: String, shape: [Int], type: GGMLType) throws -> Validated {
        guard !tensorNames.contains(name) else { throw GGUFWriterError.duplicateTensor(name) }
        guard shape.count <= ggmlMaximumDimensions else {
            throw GGUFWriterError.invalidTensor(name: name, reason: "\(shape.count) dimensions, at most \(ggmlMaximumDimensions)")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw GGUFWriterError.invalidTensor(name: name, reason: "negative dimension in \(shape)")
        }
        let dimensions = Array(shape.reversed())
        let rowLength = dimensions.first ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw GGUFWriterError.invalidTensor(
                name: name, reason: "row length \(rowLength) is not a multiple of the \(type.name) block size \(type.blockSize)")
        }
        var elements = 1
        for d in dimensions {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, type.byteCount(elements: product) != nil else {
                throw GGUFWriterError.invalidTensor(name: name, reason: "shape \(shape) is too large")
            }
            elements = product
        }
        guard let byteCount = type.byteCount(elements: elements) else {
            throw GGUFWriterError.invalidTensor(name: name, reason: "shape \(shape) is too large")
        }
        return Validated(dimensions: dimensions, elements: elements, byteCount: byteCount)
    }

    private func padding(_ n: Int) -> Int { (alignment - n % alignment) % alignment }

    /// Header, metadata, tensor infos and the padding before the data section.
    private func encodedHeader() throws -> [UInt8] {
        var w = GGUFByteWriter()
        w.append(GGUFFile.magic)
        w.append(UInt32(3))
        w.append(UInt64(tensors.count))
        w.append(UInt64(metadataKeys.count))
        for key in metadataKeys {
            guard let value = metadata[key] else { continue }
            w.append(key)
            w.append(value.type.rawValue)
            try w.append(value, key: key)
        }
        var offset = 0
        for t in tensors {
            w.append(t.name)
            w.append(UInt32(t.dimensions.count))
            for d in t.dimensions { w.append(UInt64(d)) }
            w.append(t.type.rawValue)
            w.append(UInt64(offset))
            offset += t.byteCount + padding(t.byteCount)
        }
        w.appendZeros(padding(w.bytes.count))
        return w.bytes
    }

    /// A tensor's bytes: as given, or produced now (and checked against what the header says).
    private func bytes(of t: PendingTensor) throws -> [UInt8] {
        switch t.contents {
        case .encoded(let bytes): return bytes
        case .produced(let produce):
            let bytes = try produce()
            guard bytes.count == t.byteCount else {
                throw GGUFWriterError.invalidTensor(name: t.name, reason: "produced \(bytes.count) bytes, \(t.type.name) needs \(t.byteCount)")
            }
            return bytes
        }
    }

    /// The whole file in memory.
    public func encoded() throws -> [UInt8] {
        var bytes = try encodedHeader()
        for t in tensors {
            bytes.append(contentsOf: try self.bytes(of: t))
            bytes.append(contentsOf: repeatElement(0, count: padding(t.byteCount)))
        }
        return bytes
    }

    /// Where `write(to: path)` writes before renaming into place.
    public static func partialPath(_ path: String) -> String { path + ".partial" }

    /// Writes the file (to a temporary name first, then renamed into place). Tensors added with a
    /// producer are produced here, one at a time; if one throws, its error is rethrown as it is and
    /// the temporary file is removed.
    public func write(to path: String) throws {
        let header = try encodedHeader()
        let temporary = Self.partialPath(path)
        guard let stream = fopen(temporary, "wb") else {
            throw GGUFWriterError.io(path: path, reason: "cannot create (\(String(cString: strerror(errno))))")
        }
        var ok = true
        func put(_ bytes: [UInt8]) {
            guard ok, !bytes.isEmpty else { return }
            ok = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stream) } == bytes.count
        }
        put(header)
        let zeros = [UInt8](repeating: 0, count: alignment)
        for t in tensors where ok {
            let data: [UInt8]
            do { data = try bytes(of: t) } catch {
                fclose(stream)
                unlink(temporary)
                throw error
            }
            put(data)
            put(Array(zeros.prefix(padding(t.byteCount))))
        }
        let closed = fclose(stream) == 0
        guard ok, closed else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw GGUFWriterError.io(path: path, reason: "write failed (\(reason))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw GGUFWriterError.io(path: path, reason: "cannot rename into place (\(reason))")
        }
    }
}
