import TensorCore

/// A GGUF file (versions 2 and 3), memory-mapped. Parsing reads the header, all metadata and the
/// tensor-info table, and checks that every tensor's data lies inside the file; tensor data is
/// decoded only on request.
///
/// Layout: magic "GGUF", u32 version, u64 tensor count, u64 metadata count, metadata key/values,
/// tensor infos, padding to `alignment`, then the data section (tensor offsets are relative to it).
public final class GGUFFile: Sendable {
    public let path: String
    public let version: UInt32
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    public let metadata: [String: GGUFValue]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment`, or 32.
    public let alignment: Int
    /// Absolute file offset of the data section.
    public let dataOffset: Int

    let tensorNameList: [String]
    private let tensorIndex: [String: Int]
    private let mapped: MappedFile

    public static let defaultAlignment = 32
    /// "GGUF" read as a little-endian u32.
    static let magic: UInt32 = 0x4655_4747
    static let supportedVersions: ClosedRange<UInt32> = 2...3

    public init(path: String) throws {
        do {
            mapped = try MappedFile(path: path)
        } catch let error as FileAccessError {
            throw FormatError(file: path, field: "file", error.reason)
        }
        self.path = path
        var reader = GGUFByteReader(base: mapped.base, count: mapped.count, file: path)

        // Header.
        let magic = try reader.read(UInt32.self, "header magic")
        guard magic == Self.magic else {
            let hex = String(magic, radix: 16, uppercase: true)
            throw reader.error("header magic", "not a GGUF file: magic is 0x\(hex), expected 0x46554747 (\"GGUF\")")
        }
        version = try reader.read(UInt32.self, "header version")
        guard Self.supportedVersions.contains(version) else {
            let detail = version == 1
                ? "version 1 (32-bit counts) is obsolete; only versions 2 and 3 are supported"
                : version != 0 && version & 0xFFFF == 0
                ? "it looks byte-swapped; big-endian GGUF files are not supported"
                : "only versions 2 and 3 are supported"
            throw reader.error("header version", "GGUF version \(version) is not supported: \(detail)")
        }
        let tensorCount = try reader.readCount("header tensor_count")
        let metadataCount = try reader.readCount("header metadata_kv_count")

        // Metadata.
        let (keys, values) = try reader.readMetadata(count: metadataCount)
        metadataKeys = keys
        metadata = values
        alignment = try Self.alignment(from: values, reader)

        // Tensor infos.
        let (rawInfos, index) = try reader.readTensorInfos(count: tensorCount)
        tensorIndex = index

        // Data section.
        let infoEnd = reader.offset
        dataOffset = infoEnd + (alignment - infoEnd % alignment) % alignment
        var infos: [GGUFTensorInfo] = []
        infos.reserveCapacity(rawInfos.count)
        for raw in rawInfos {
            infos.append(try Self.place(raw, dataOffset: dataOffset, alignment: alignment, reader))
        }
        try Self.checkDisjoint(infos, reader)
        tensors = infos
        tensorNameList = infos.map(\.name)
    }

    private static func alignment(from metadata: [String: GGUFValue], _ reader: GGUFByteReader) throws -> Int {
        let key = "general.alignment"
        guard let value = metadata[key] else { return defaultAlignment }
        guard let a = value.asInt else {
            throw reader.error(key, "expected an integer, found \(value.type)")
        }
        guard a > 0, a & (a - 1) == 0, a <= 1 << 20 else {
            throw reader.error(key, "alignment \(a) is not a power of two between 1 and 2^20")
        }
        return a
    }

    /// Checks that a tensor's data is aligned and inside the file.
    private static func place(_ raw: GGUFRawTensorInfo, dataOffset: Int, alignment: Int,
                              _ reader: GGUFByteReader) throws -> GGUFTensorInfo {
        let field = "tensor \(MessageExcerpt.of(raw.name))"
        guard raw.offset % alignment == 0 else {
            throw reader.error(field, "data offset \(raw.offset) is not a multiple of the alignment \(alignment)")
        }
        let (start, overflow1) = dataOffset.addingReportingOverflow(raw.offset)
        let (end, overflow2) = start.addingReportingOverflow(raw.byteCount)
        guard !overflow1, !overflow2, end <= reader.count else {
            throw reader.error(field, "data (\(raw.byteCount) bytes at offset \(raw.offset) of the data section, "
                + "which starts at byte \(dataOffset)) lies beyond the end of the file (\(reader.count) bytes)")
        }
        return GGUFTensorInfo(name: raw.name, dimensions: raw.dimensions, type: raw.type, offset: raw.offset,
                              fileOffset: start, elementCount: raw.elementCount, byteCount: raw.byteCount)
    }

    /// Two tensors must not share bytes: a file whose tensors alias each other was made by a
    /// broken writer or by hand, and every edit of one would silently change the other.
    private static func checkDisjoint(_ infos: [GGUFTensorInfo], _ reader: GGUFByteReader) throws {
        let placed = infos.filter { $0.byteCount > 0 }.sorted { ($0.fileOffset, $0.byteCount) < ($1.fileOffset, $1.byteCount) }
        for (a, b) in zip(placed, placed.dropFirst()) where b.fileOffset < a.fileOffset + a.byteCount {
            throw reader.error("tensor \(b.name)", "data (bytes \(b.fileOffset)..<\(b.fileOffset + b.byteCount)) overlaps "
                + "tensor \(a.name) (bytes \(a.fileOffset)..<\(a.fileOffset + a.byteCount))")
        }
    }

    /// A metadata value by key.
    public subscript(key: String) -> GGUFValue? { metadata[key] }

    /// `general.architecture` ("llama", …).
    public var architecture: String? { metadata["general.architecture"]?.asString }

    /// The info of a tensor by name.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's raw bytes inside the mapping. Valid only while this `GGUFFile` is alive.
    public func rawData(of name: String) throws -> UnsafeRawBufferPointer {
        guard let info = tensor(named: name) else {
            throw FormatError(file: path, field: "tensor \(name)", "missing tensor")
        }
        return rawData(of: info)
    }

    func rawData(of info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: dataPointer(of: info), count: info.byteCount)
    }

    func dataPointer(of info: GGUFTensorInfo) -> UnsafeRawPointer { mapped.base + info.fileOffset }

    /// Drops the tensor's mapped pages from this process's memory (after decoding it).
    func releasePages(of info: GGUFTensorInfo) { mapped.dropPages(info.fileOffset, info.byteCount) }
}
