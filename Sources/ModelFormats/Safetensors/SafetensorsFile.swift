import KernelCore
import TensorCore

/// A memory-mapped safetensors file. The header is parsed and validated once when the file is
/// opened (offsets inside the file, sizes matching shapes, no overlaps); tensor data is decoded to
/// f32 on demand.
public final class SafetensorsFile: TensorSource {
    public let sourcePath: String
    /// `__metadata__` (e.g. `["format": "pt"]`), empty when the file has none.
    public let metadata: [String: String]
    /// Every tensor, in file order.
    public let tensors: [SafetensorsTensorInfo]
    public let tensorNames: [String]

    private let mapping: MappedFile
    private let tensorsByName: [String: SafetensorsTensorInfo]

    public init(path: String) throws {
        do {
            mapping = try MappedFile(path: path)
        } catch let error as FileAccessError {
            throw FormatError(file: path, field: "file", error.reason)
        }
        sourcePath = path
        let header = try SafetensorsHeader.parse(UnsafeRawBufferPointer(start: mapping.base, count: mapping.count),
                                                 path: path)
        metadata = header.metadata
        tensors = header.tensors
        tensorNames = header.tensors.map(\.name)
        tensorsByName = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func info(of name: String) -> SafetensorsTensorInfo? { tensorsByName[name] }

    public func shape(of name: String) -> [Int]? { tensorsByName[name]?.shape }

    public func storageType(of name: String) -> String? { tensorsByName[name]?.dtype.rawValue }

    public func loadFloat32(_ name: String) throws -> Tensor {
        guard let info = tensorsByName[name] else {
            throw FormatError(file: sourcePath, field: name, "no tensor with this name")
        }
        guard info.dtype.decodesToFloat32 else {
            throw FormatError(file: sourcePath, field: name,
                              "unsupported dtype \(info.dtype.rawValue) (can decode \(SafetensorsDType.decodableNames))")
        }
        let storage = FloatBuffer(count: info.elementCount, zeroed: false)
        FloatDecoding.decode(info.dtype, from: mapping.base + info.byteRange.lowerBound,
                             into: storage.pointer, count: info.elementCount)
        mapping.dropPages(info.byteRange.lowerBound, info.byteRange.count)
        return Tensor(shape: info.shape, storage: storage)
    }

    /// An F16 or BF16 matrix as stored (a copy; the mapped pages are dropped); nil for other dtypes.
    public func loadCompressed(_ name: String) throws -> CompressedMatrix? {
        guard let info = tensorsByName[name] else {
            throw FormatError(file: sourcePath, field: name, "no tensor with this name")
        }
        let format: BlockFormat
        switch info.dtype {
        case .f16: format = .f16
        case .bf16: format = .bf16
        default: return nil
        }
        guard info.shape.count == 2,
              let matrix = CompressedMatrix(rows: info.shape[0], columns: info.shape[1], layout: .blocks(format),
                                            copying: UnsafeRawBufferPointer(start: mapping.base + info.byteRange.lowerBound,
                                                                            count: info.byteRange.count)) else { return nil }
        mapping.dropPages(info.byteRange.lowerBound, info.byteRange.count)
        return matrix
    }

    /// The raw stored bytes of a tensor (valid while this object lives).
    public func withRawBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let info = tensorsByName[name] else {
            throw FormatError(file: sourcePath, field: name, "no tensor with this name")
        }
        return try body(UnsafeRawBufferPointer(start: mapping.base + info.byteRange.lowerBound,
                                               count: info.byteRange.count))
    }
}
