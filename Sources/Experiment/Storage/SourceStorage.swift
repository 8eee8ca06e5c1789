import Foundation
import ModelFormats
import Models

/// How the model's source file stores it: what the base row's bits and bytes are (a dequantized
/// Q4_1 GGUF is ~5 bits per block weight, not the 32 of its f32 copy in memory), and how many
/// parameters lie outside the block linears (embedding, LM head, norms, biases), which every
/// whole-model size has to count.
public struct SourceStorage: Sendable, Equatable {
    /// Parameters and bytes of the transformer blocks' linear weights in the source.
    public var blockLinearParameters: Int
    public var blockLinearBytes: Int
    /// Every tensor of the source (a tied embedding counted once, as the file holds it once).
    public var parameters: Int
    public var bytes: Int

    public init(blockLinearParameters: Int, blockLinearBytes: Int, parameters: Int, bytes: Int) {
        self.blockLinearParameters = blockLinearParameters; self.blockLinearBytes = blockLinearBytes
        self.parameters = parameters; self.bytes = bytes
    }

    /// Bits per block-linear weight as stored (Q4_1: 5.0, BF16: 16).
    public var blockLinearBits: Double { Double(blockLinearBytes) * 8 / Double(max(blockLinearParameters, 1)) }

    /// Parameters outside the block linears (embedding, LM head when untied, norms, biases).
    public var otherParameters: Int { parameters - blockLinearParameters }

    /// Reads the storage of a loaded model's source: a GGUF's tensor table (block linears are the
    /// 2-D `blk.*` tensors), or a Hugging Face directory's safetensors headers (block linears are
    /// the model's `linearLayers`).
    public init(of loaded: LoadedModel) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: loaded.path, isDirectory: &isDirectory), isDirectory.boolValue {
            let source = try HFModelDirectory(path: loaded.path).openTensors()
            func bytes(_ name: String) -> (Int, Int) {
                let n = source.shape(of: name)?.reduce(1, *) ?? 0
                let width = switch source.storageType(of: name) { case "F32"?: 4; case "F64"?: 8; case "I8"?, "U8"?: 1; default: 2 }
                return (n, n * width)
            }
            var all = (0, 0), linears = (0, 0)
            for name in source.tensorNames {
                let (n, b) = bytes(name)
                all.0 += n; all.1 += b
            }
            for linear in loaded.model.linearLayers {
                let (n, b) = bytes(linear.name + ".weight")
                linears.0 += n; linears.1 += b
            }
            // GPTQ checkpoints hold packed tensors under other names: count the dense weights.
            if linears.0 == 0 {
                linears = (loaded.model.linearLayers.reduce(0) { $0 + $1.inFeatures * $1.outFeatures }, 0)
                linears.1 = linears.0 * 2
            }
            self.init(blockLinearParameters: linears.0, blockLinearBytes: linears.1, parameters: max(all.0, linears.0),
                      bytes: max(all.1, linears.1))
        } else {
            let file = try GGUFFile(path: loaded.path)
            let linears = file.tensors.filter { $0.name.hasPrefix("blk.") && $0.shape.count == 2 }
            self.init(blockLinearParameters: linears.reduce(0) { $0 + $1.elementCount },
                      blockLinearBytes: linears.reduce(0) { $0 + $1.byteCount },
                      parameters: file.tensors.reduce(0) { $0 + $1.elementCount },
                      bytes: file.tensors.reduce(0) { $0 + $1.byteCount })
        }
    }
}
