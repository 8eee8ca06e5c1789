import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// `GGUFFile.writeFullPrecisionCopy` (what `ptqlab bench` hands llama.cpp as the F32/F16 peer):
/// the same metadata and tensor names, 2-D tensors in the asked precision, 1-D ones in F32.
struct GGUFDequantizedCopyTests {
    static let tinyGemma3 = GGUFTestSupport.packageRoot.appendingPathComponent("Fixtures/models/tiny-gemma3/model.gguf").path

    @Test(arguments: [GGMLType.f32, .f16, .bf16])
    func copyHoldsTheDecodedValues(type: GGMLType) throws {
        let source = try GGUFFile(path: Self.tinyGemma3)
        let path = GGUFTestSupport.temporaryPath("copy-\(type.name).gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try source.writeFullPrecisionCopy(to: path, as: type)
        let copy = try GGUFFile(path: path)
        #expect(copy.tensorNames == source.tensorNames)
        #expect(copy.metadataKeys == source.metadataKeys)
        for key in source.metadataKeys where key != "general.file_type" {
            #expect(copy[key] == source[key], "\(key)")
        }
        for info in source.tensors {
            let stored = try #require(copy.tensor(named: info.name))
            let expectedType: GGMLType = info.shape.count == 1 ? .f32 : type
            #expect(stored.type == expectedType && stored.shape == info.shape, "\(info.name)")
            // exact: the copy is the source's decoded f32 values rounded once to the stored type
            let values = try source.loadFloat32(info.name).array
            let expected = try GGMLCodec.dequantize(try GGMLCodec.quantize(values, as: expectedType), as: expectedType)
            #expect(try copy.loadFloat32(info.name).array == expected, "\(info.name)")
        }
    }

    @Test func refusesABlockType() throws {
        let source = try GGUFFile(path: Self.tinyGemma3)
        #expect(throws: FormatError.self) { try source.writeFullPrecisionCopy(to: GGUFTestSupport.temporaryPath("x.gguf"), as: .q8_0) }
    }
}
