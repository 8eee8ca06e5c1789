import Testing
import TensorCore

@Suite struct HalfPrecisionTests {
    @Test func f16RoundTripsEveryFiniteValue() {
        for bits in UInt16(0)...UInt16.max {
            let f = HalfPrecision.f16ToF32(bits)
            if f.isNaN { continue }
            #expect(HalfPrecision.f32ToF16(f) == bits)
        }
    }

    @Test func bf16RoundsToNearestEven() {
        // 1 + 2^-8 is exactly halfway between bf16 1.0 and 1.0078125: ties go to even (1.0).
        #expect(HalfPrecision.f32ToBF16(1 + 1.0 / 256) == 0x3F80)
        #expect(HalfPrecision.f32ToBF16(1 + 3.0 / 256) == 0x3F82)
        #expect(HalfPrecision.bf16ToF32(0x3F80) == 1)
        #expect(HalfPrecision.bf16ToF32(0xC000) == -2)
    }
}
