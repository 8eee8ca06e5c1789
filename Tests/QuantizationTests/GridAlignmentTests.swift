import Quantization
import Testing

@Suite struct GridAlignmentTests {
    func scheme(_ s: String) throws -> WeightScheme { try QuantSpec.parse(s).weight }

    @Test func q41IsAlignedWithFourBitAsymmetricGroup32AndFiner() throws {
        #expect(GridAlignment.aligns(try scheme("w4a16-g32-asym"), withStorage: "Q4_1"))
        #expect(GridAlignment.aligns(try scheme("w4a16-g16-asym"), withStorage: "Q4_1"))
        #expect(GridAlignment.aligns(try scheme("w8a16-g32-asym"), withStorage: "Q4_1"))
    }

    @Test func coarserFewerBitsOrSymmetricOnOffsetGridsDoNotAlign() throws {
        #expect(!GridAlignment.aligns(try scheme("w4a16-g128-asym"), withStorage: "Q4_1"))
        #expect(!GridAlignment.aligns(try scheme("w4a16-row-asym"), withStorage: "Q4_1"))
        #expect(!GridAlignment.aligns(try scheme("w3a16-g32-asym"), withStorage: "Q4_1"))
        #expect(!GridAlignment.aligns(try scheme("w4a16-g32-sym"), withStorage: "Q4_1"))
        #expect(!GridAlignment.aligns(try scheme("w4a16-g32-asym"), withStorage: "F16"))
    }

    @Test func symmetricBaseGrids() throws {
        #expect(GridAlignment.aligns(try scheme("w8a16-g32-sym"), withStorage: "Q8_0"))
        #expect(GridAlignment.aligns(try scheme("w5a16-g32-asym"), withStorage: "Q5_0"))
        #expect(!GridAlignment.aligns(try scheme("w4a16-g32-sym"), withStorage: "Q5_0"))
        #expect(GridAlignment.alignedStorage(try scheme("w5a16-g16-asym"), storageTypes: ["Q4_1", "Q5_0", "Q6_K", "F32"]) == ["Q4_1", "Q5_0"])
    }
}
