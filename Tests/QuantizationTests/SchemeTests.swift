import Testing
import Quantization

@Suite struct SchemeTests {
    @Test(arguments: [
        "w4a16-row-asym", "w3a16-g128-asym", "w4a16-g128-sym", "w8a8-row-sym-tok", "w8a8-row-sym-tensor",
        "w4a8-g128-asym-tok", "w2a16-tensor-sym", "w4a8-g32-sym-tok-asym", "w8a8-row-asym-tensor-static",
        "w4a16-g1000-asym-f32scale", "w6a4-g64-asym-tensor-asym-static-f32scale", "w4a16-g128-sym-narrow",
        "w8a8-row-sym-tok-f32scale-narrow",
    ])
    func roundTrips(spelling: String) throws {
        let spec = try QuantSpec.parse(spelling)
        #expect(spec.description == spelling)
        #expect(try QuantSpec.parse(spec.description) == spec)
        #expect(QuantSpec(spelling) == spec)
    }

    @Test func parsedValues() throws {
        let a = try QuantSpec.parse("w3a16-g128-asym")
        #expect(a.weight == WeightScheme(bits: 3, symmetric: false, granularity: .group(128), storage: .f16))
        #expect(a.activation == .none)
        let b = try QuantSpec.parse("w4a8-g128-asym-tok")
        #expect(b.activation == ActivationScheme(bits: 8, granularity: .perToken, isStatic: false, symmetric: true))
        let c = try QuantSpec.parse("w8a8-row-sym-tensor")
        #expect(c.weight.granularity == .perRow && c.weight.symmetric && c.activation.granularity == .perTensor)
        // Defaults: activation granularity per token; upper case accepted, printed lower case.
        let d = try QuantSpec.parse("W8A8-ROW-SYM")
        #expect(d.description == "w8a8-row-sym-tok")
        #expect(try QuantSpec.parse("w4a16-row-asym-f32scale").weight.storage == .f32)
        // Symmetric weights use GPTQ's full grid unless `-narrow` says otherwise; asym has no grid name.
        #expect(try QuantSpec.parse("w4a16-g128-sym").weight.symmetricGrid == .full)
        #expect(try QuantSpec.parse("w4a16-g128-sym").weight.gridName == "full")
        #expect(try QuantSpec.parse("w4a16-g128-sym-narrow").weight.gridName == "narrow")
        #expect(try QuantSpec.parse("w4a16-g128-asym").weight.gridName == nil)
        #expect(throws: QuantSpecError.self) { try QuantSpec.parse("w4a16-g128-asym-narrow") }
    }

    @Test(arguments: [
        ("w9a16-row-asym", QuantSpecError.weightBits("w9"), "weight bits must be 2…8"),
        ("w1a16-row-asym", .weightBits("w1"), "weight bits must be 2…8"),
        ("w4a16-g0-asym", .groupSize("g0"), "group size must be a positive integer"),
        ("w4a16-gx-asym", .groupSize("gx"), "group size"),
        ("w4a3-row-asym", .activationBits("a3"), "activation bits must be 4…8"),
        ("w4a12-row-asym", .activationBits("a12"), "activation bits"),
        ("garbage", .badBitsToken("garbage"), "must start with w<bits>a<bits>"),
        ("", .empty, "empty"),
        ("w4a16-row-asym-banana", .unknownToken("banana"), "unknown part 'banana'"),
        ("w4a16-row", .missingPart("weight symmetry after 'row' (sym or asym)"), "missing weight symmetry"),
        ("w4a16", .missingPart("weight granularity after 'w4a16' (row, tensor or g<k>)"), "missing weight granularity"),
        ("w4a16-asym-row", .misplacedToken("asym", reason: "expected weight granularity (row, tensor or g<k>)"), "expected weight granularity"),
        ("w4a16-row-asym-tok", .misplacedToken("tok", reason: "activation granularity needs quantized activations (a4…a8), not a16"), "needs quantized activations"),
        ("w8a8-row-sym-tok-static", .misplacedToken("static", reason: "static activation ranges are per tensor: use -tensor-static"), "per tensor"),
        ("w8a8-row-sym-static", .misplacedToken("static", reason: "static activation ranges are per tensor: use -tensor-static"), "use -tensor-static"),
        ("w8a8-row-sym-tensor-static-static", .misplacedToken("static", reason: "given twice"), "given twice"),
        ("w4a16-row-asym-", .misplacedToken("", reason: "empty part (double or trailing '-')"), "empty part"),
    ])
    func errors(spelling: String, expected: QuantSpecError, message: String) {
        #expect(throws: expected) { try QuantSpec.parse(spelling) }
        #expect(expected.description.contains(message))
        #expect(QuantSpec(spelling) == nil)
    }

    @Test func effectiveBits() {
        let g128 = WeightScheme(bits: 4, symmetric: false, granularity: .group(128))
        #expect(g128.effectiveBits(rows: 8, columns: 4096) == 4 + 32.0 / 128)
        let sym = WeightScheme(bits: 4, symmetric: true, granularity: .group(128))
        #expect(sym.effectiveBits(rows: 8, columns: 4096) == 4 + 16.0 / 128)
        let row = WeightScheme(bits: 3, symmetric: false, granularity: .perRow, storage: .f32)
        #expect(row.effectiveBits(rows: 10, columns: 576) == 3 + 64.0 / 576)
        let tensor = WeightScheme(bits: 8, symmetric: true, granularity: .perTensor)
        #expect(tensor.totalBits(rows: 4, columns: 4) == 16 * 8 + 16)
        // Ragged: 320 columns in groups of 128 → 3 groups per row.
        let ragged = WeightScheme(bits: 4, symmetric: false, granularity: .group(128))
        #expect(ragged.groupsPerRow(columns: 320) == 3)
        #expect(ragged.totalBits(rows: 2, columns: 320) == 2 * 320 * 4 + 6 * 32)
        let accounting = BitAccounting(scheme: ragged, rows: 2, columns: 320)
        #expect(accounting.bytes == (2 * 320 * 4 + 6 * 32) / 8)
        #expect(accounting.effectiveBitsPerWeight == ragged.effectiveBits(rows: 2, columns: 320))
    }
}
