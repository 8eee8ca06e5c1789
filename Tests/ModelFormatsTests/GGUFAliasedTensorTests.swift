import Foundation
import Testing
@testable import ModelFormats

/// Two tensors whose data share bytes: refused, naming both (a hand-edited or broken file would
/// otherwise load silently, and any edit of one tensor would change the other).
struct GGUFAliasedTensorTests {
    @Test(arguments: [false, true])
    func overlappingTensorsAreRefused(partly: Bool) throws {
        var raw = RawGGUF.valid()
        if partly {
            raw.tensors[0].dimensions = [16]   // a: bytes 0..<64, b: 32..<64 inside it
        } else {
            raw.tensors[1].offset = 0          // a and b: bytes 0..<32
        }
        let e = try GGUFMalformedInputTests().parseError(raw)
        #expect(e.field == "tensor b" || e.field == "tensor a", "\(e)")
        #expect(e.message.contains("overlaps"), "\(e)")
    }

    /// Empty tensors take no bytes and may sit anywhere.
    @Test func emptyTensorsMayShareAnOffset() throws {
        var raw = RawGGUF.valid()
        raw.tensors.append(.init(name: "empty", dimensions: [0], type: GGMLType.f32.rawValue, offset: 0))
        let path = try GGUFTestSupport.writeTemporary(try raw.bytes())
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try GGUFFile(path: path).tensors.count == 3)
    }
}
