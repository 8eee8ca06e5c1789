import ModelFormats
import Testing

/// The int32 bit packing of GPTQ checkpoints, against hand-computed words and as round trips.
@Suite struct GPTQPackingTests {
    func packColumn(_ codes: [UInt8], bits: Int) -> [UInt32] {
        codes.withUnsafeBufferPointer { GPTQPacking.packColumns($0, rows: 1, length: codes.count, bits: bits) }
            .map { UInt32(bitPattern: $0) }
    }

    @Test func handExamples() {
        // 4-bit: 8 codes per word, code j at bits 4j.
        #expect(packColumn([1, 2, 3, 4, 5, 6, 7, 8], bits: 4) == [0x8765_4321])
        // 2-bit: 16 codes per word.
        #expect(packColumn(Array(repeating: [0, 1, 2, 3], count: 4).flatMap { $0 }, bits: 2) == [0xE4E4_E4E4])
        // 8-bit: 4 codes per word.
        #expect(packColumn([1, 2, 3, 4], bits: 8) == [0x0403_0201])
        // 3-bit, AutoGPTQ's cross-boundary layout: code 10 = 0b111 straddles words 0 and 1
        // (bits 30–31 of word 0, bit 0 of word 1); code 21 = 0b101 straddles words 1 and 2.
        var codes = [UInt8](repeating: 0, count: 32)
        codes[10] = 7
        #expect(packColumn(codes, bits: 3) == [0xC000_0000, 0x1, 0])
        codes[10] = 0; codes[21] = 5
        #expect(packColumn(codes, bits: 3) == [0, 0x8000_0000, 0x2])
        codes[21] = 0; codes[0] = 5; codes[31] = 6
        // code 0 at bits 0–2 of word 0; code 31 at bits 29–31 of word 2.
        #expect(packColumn(codes, bits: 3) == [0x5, 0, 0xC000_0000])
    }

    /// qweight is (in·b/32, out): output channel r is column r, packed along the input dimension.
    @Test func qweightOrientation() {
        let codes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8,  8, 7, 6, 5, 4, 3, 2, 1]  // 2 outputs × 8 inputs
        let words = codes.withUnsafeBufferPointer { GPTQPacking.packColumns($0, rows: 2, length: 8, bits: 4) }
        #expect(words.map { UInt32(bitPattern: $0) } == [0x8765_4321, 0x1234_5678])
        // qzeros packs along the output dimension: one row of words per group.
        let zeros = GPTQPacking.packRows([1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 15], rows: 2, length: 8, bits: 4)
        #expect(zeros.map { UInt32(bitPattern: $0) } == [0x8765_4321, 0xF000_0000])
    }

    @Test(arguments: [2, 3, 4, 8])
    func roundTrips(bits: Int) {
        let (rows, length) = (3, 64)
        let codes = ExportTestSupport.codes(rows * length, bits: bits, seed: UInt64(bits))
        let words = codes.withUnsafeBufferPointer { GPTQPacking.packColumns($0, rows: rows, length: length, bits: bits) }
        #expect(words.count == length * bits / 32 * rows)
        #expect(words.withUnsafeBufferPointer { GPTQPacking.unpackColumns($0, rows: rows, length: length, bits: bits) } == codes)
        let values = codes.map(UInt32.init)
        let packedRows = GPTQPacking.packRows(values, rows: rows, length: length, bits: bits)
        #expect(GPTQPacking.unpackRows(packedRows, rows: rows, length: length, bits: bits) == values)
    }

    /// v1 stores zero − 1 and reads back zero; v2 stores the zero itself.
    @Test func zeroConventions() {
        let codes = ExportTestSupport.codes(32 * 32, bits: 4, seed: 9)
        let zeros = (0..<32).map { 1 + $0 % 15 }, scales = [Float](repeating: 0.5, count: 32)
        let gIdx = [Int32](repeating: 0, count: 32)
        let v1 = GPTQPackedLinear(bits: 4, outFeatures: 32, inFeatures: 32, codes: codes, zeros: zeros, scales: scales,
                                  gIdx: gIdx, convention: .v1)
        #expect(v1.zeros(convention: .v1) == zeros)
        #expect(GPTQPacking.unpackRows(v1.qzeros, rows: 1, length: 32, bits: 4).map { Int($0) } == zeros.map { $0 - 1 })
        let v2 = GPTQPackedLinear(bits: 4, outFeatures: 32, inFeatures: 32, codes: codes, zeros: zeros, scales: scales,
                                  gIdx: gIdx, convention: .v2)
        #expect(v2.zeros(convention: .v2) == zeros)
        #expect(v1.codes() == codes)
        let w = v1.dequantized(convention: .v1)
        #expect(w.pointer[5] == 0.5 * (Float(codes[5]) - Float(zeros[0])))
    }

    @Test func rejectsUnpackableShapes() {
        #expect(GPTQPackedLinear.check(bits: 5, outFeatures: 32, inFeatures: 32) != nil)
        #expect(GPTQPackedLinear.check(bits: 3, outFeatures: 32, inFeatures: 48) != nil)
        #expect(GPTQPackedLinear.check(bits: 4, outFeatures: 32, inFeatures: 48) == nil)
    }
}
