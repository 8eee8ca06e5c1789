import TensorCore

/// A GPTQ checkpoint seen with plain weights: each quantized linear's
/// `<name>.qweight / .qzeros / .scales / .g_idx` appear as one `<name>.weight` (out × in), decoded
/// to f32 on load (see `GPTQPackedLinear`); every other tensor passes through.
public final class GPTQTensorSource: TensorSource {
    public let base: any TensorSource
    public let config: GPTQQuantizationConfig
    public let convention: GPTQZeroConvention
    public let tensorNames: [String]
    /// Module names (`model.layers.0.self_attn.q_proj`) of the packed linears, with their code
    /// bits (the config's, or a `dynamic` override's).
    public let packedBits: [String: Int]
    public var packedModules: Set<String> { Set(packedBits.keys) }

    public static let packedSuffixes = [".qweight", ".qzeros", ".scales", ".g_idx"]
    /// PTQLab's LoRC factors beside a packed layer: Û (out × r) and V̂ (r × in); the layer's weight
    /// is dequant(qweight) + Û·V̂.
    public static let lowRankSuffixes = [".lorc_u", ".lorc_v"]

    /// `base` must be a `SafetensorsFile` or a `ShardedCheckpoint` (the int32 tensors are read raw).
    public init(base: any TensorSource, config: GPTQQuantizationConfig, configPath: String) throws {
        self.base = base
        self.config = config
        convention = try config.convention(file: configPath)
        var modules: [String: Int] = [:], names: [String] = []
        for name in base.tensorNames {
            if name.hasSuffix(".qweight") {
                let module = String(name.dropLast(".qweight".count))
                for suffix in Self.packedSuffixes where !base.contains(module + suffix) {
                    throw FormatError(file: base.sourcePath, field: module + suffix, "missing (GPTQ layer \(module))")
                }
                guard let bits = try config.bits(of: module, file: configPath) else {
                    throw FormatError(file: configPath, field: "quantization_config.dynamic", "\(module) is packed, but a '-:' pattern says it is not quantized")
                }
                guard GPTQPacking.supportedBits.contains(bits) else {
                    throw FormatError(file: configPath, field: "quantization_config.dynamic", "\(module): \(bits) bits (supported: 2, 3, 4, 8)")
                }
                modules[module] = bits
                names.append(module + ".weight")
            } else if !(Self.packedSuffixes + Self.lowRankSuffixes).contains(where: { name.hasSuffix($0) }) {
                names.append(name)
            }
        }
        packedBits = modules
        tensorNames = names
    }

    public var sourcePath: String { base.sourcePath }

    private func packedModule(_ name: String) -> String? {
        guard name.hasSuffix(".weight") else { return nil }
        let module = String(name.dropLast(".weight".count))
        return packedModules.contains(module) ? module : nil
    }

    public func shape(of name: String) -> [Int]? {
        guard let module = packedModule(name) else { return base.shape(of: name) }
        guard let scales = base.shape(of: module + ".scales"), let gIdx = base.shape(of: module + ".g_idx"),
              scales.count == 2, gIdx.count == 1 else { return nil }
        return [scales[1], gIdx[0]]
    }

    public func storageType(of name: String) -> String? {
        packedModule(name).map { "GPTQ_INT\(packedBits[$0]!)" } ?? base.storageType(of: name)
    }

    public func loadFloat32(_ name: String) throws -> Tensor {
        guard let module = packedModule(name) else { return try base.loadFloat32(name) }
        let weight = try layer(module).dequantized(convention: convention)
        let (uName, vName) = (module + Self.lowRankSuffixes[0], module + Self.lowRankSuffixes[1])
        guard base.contains(uName) || base.contains(vName) else { return weight }
        // W = dequant + Û·V̂ (LoRC), Û (out × r), V̂ (r × in).
        let u = try base.loadFloat32(uName), v = try base.loadFloat32(vName)
        let (out, inF) = (weight.shape[0], weight.shape[1])
        guard u.shape.count == 2, v.shape.count == 2, u.shape[0] == out, v.shape[1] == inF, u.shape[1] == v.shape[0] else {
            throw FormatError(file: sourcePath, field: uName, "LoRC factors \(u.shape) · \(v.shape) do not make a \(out) × \(inF) correction")
        }
        let r = u.shape[1], w = weight.pointer, up = u.pointer, vp = v.pointer
        for i in 0..<out {
            for t in 0..<r {
                let a = up[i * r + t]
                if a == 0 { continue }
                for j in 0..<inF { w[i * inF + j] += a * vp[t * inF + j] }
            }
        }
        return weight
    }

    /// The packed layer of a module, with its shapes checked against each other.
    public func layer(_ module: String) throws -> GPTQPackedLinear {
        let bits = packedBits[module] ?? config.bits
        guard let shape = shape(of: module + ".weight") else {
            throw FormatError(file: sourcePath, field: module + ".scales", "expected 2-D scales and 1-D g_idx")
        }
        let (out, inF) = (shape[0], shape[1])
        if let why = GPTQPackedLinear.check(bits: bits, outFeatures: out, inFeatures: inF) {
            throw FormatError(file: sourcePath, field: module, why)
        }
        let scales = try base.loadFloat32(module + ".scales").array
        let groups = scales.count / out
        let qweight = try int32(module + ".qweight", shape: [GPTQPacking.wordCount(codes: inF, bits: bits), out])
        let qzeros = try int32(module + ".qzeros", shape: [groups, GPTQPacking.wordCount(codes: out, bits: bits)])
        let gIdx = try int32(module + ".g_idx", shape: [inF])
        if let bad = gIdx.first(where: { $0 < 0 || Int($0) >= groups }) {
            throw FormatError(file: sourcePath, field: module + ".g_idx", "group \(bad) outside 0..<\(groups)")
        }
        return GPTQPackedLinear(bits: bits, outFeatures: out, inFeatures: inF, qweight: qweight, qzeros: qzeros,
                                scales: scales, gIdx: gIdx)
    }

    /// An I32 tensor's values, after checking dtype and shape.
    private func int32(_ name: String, shape: [Int]) throws -> [Int32] {
        let file: SafetensorsFile
        if let single = base as? SafetensorsFile {
            file = single
        } else if let sharded = base as? ShardedCheckpoint, let shard = sharded.shard(of: name) {
            file = shard
        } else {
            throw FormatError(file: sourcePath, field: name, "GPTQ tensors must come from safetensors files")
        }
        guard let info = file.info(of: name) else { throw FormatError(file: file.sourcePath, field: name, "missing tensor") }
        guard info.dtype == .i32 else {
            throw FormatError(file: file.sourcePath, field: name, "dtype \(info.dtype.rawValue), expected I32")
        }
        guard info.shape == shape else {
            throw FormatError(file: file.sourcePath, field: name, "shape \(info.shape), expected \(shape)")
        }
        return try file.withRawBytes(of: name) { raw in
            (0..<info.elementCount).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        }
    }
}

extension HFModelDirectory {
    /// The weights as plain tensors: `openTensors()`, wrapped in a `GPTQTensorSource` when
    /// config.json has a GPTQ `quantization_config`.
    public func openWeights() throws -> any TensorSource {
        let source = try openTensors()
        guard let gptq = try GPTQQuantizationConfig.read(configPath: configPath) else { return source }
        return try GPTQTensorSource(base: source, config: gptq, configPath: configPath)
    }
}
