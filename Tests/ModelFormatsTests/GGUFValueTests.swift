import Testing
@testable import ModelFormats

struct GGUFValueTests {
    @Test func integerAccessors() {
        #expect(GGUFValue.uint8(7).asInt == 7)
        #expect(GGUFValue.int8(-7).asInt == -7)
        #expect(GGUFValue.uint16(65535).asInt == 65535)
        #expect(GGUFValue.int16(-3).asInt == -3)
        #expect(GGUFValue.uint32(.max).asInt == Int(UInt32.max))
        #expect(GGUFValue.int32(.min).asInt == Int(Int32.min))
        #expect(GGUFValue.uint64(.max).asInt == nil)
        #expect(GGUFValue.uint64(42).asInt == 42)
        #expect(GGUFValue.int64(.min).asInt == .min)
        #expect(GGUFValue.float32(1).asInt == nil)
        #expect(GGUFValue.bool(true).asInt == nil)
        #expect(GGUFValue.string("1").asInt == nil)
    }

    @Test func floatAndOtherAccessors() {
        #expect(GGUFValue.float32(1e-5).asFloat == 1e-5)
        #expect(GGUFValue.float64(0.1).asFloat == Float(0.1))
        #expect(GGUFValue.float64(0.1).asDouble == 0.1)
        #expect(GGUFValue.uint32(3).asFloat == 3)
        #expect(GGUFValue.string("x").asFloat == nil)
        #expect(GGUFValue.bool(false).asBool == false)
        #expect(GGUFValue.uint8(1).asBool == nil)
        #expect(GGUFValue.string("llama").asString == "llama")
        #expect(GGUFValue.uint8(1).asString == nil)
    }

    @Test func arrayAccessors() {
        let ints = GGUFValue.array(elementType: .int32, [.int32(1), .int32(-2)])
        #expect(ints.asIntArray == [1, -2])
        #expect(ints.asFloatArray == [1, -2])
        #expect(ints.asStringArray == nil)
        #expect(ints.asArray?.count == 2)
        let strings = GGUFValue.array(elementType: .string, [.string("a"), .string("b")])
        #expect(strings.asStringArray == ["a", "b"])
        #expect(strings.asIntArray == nil)
        #expect(GGUFValue.array(elementType: .float32, []).asFloatArray == [])
        #expect(GGUFValue.string("a").asStringArray == nil)
        #expect(ints.type == .array)
    }

    @Test func descriptions() {
        #expect(GGUFValue.uint64(.max).description == "18446744073709551615")
        #expect(GGUFValue.int8(-3).description == "-3")
        #expect(GGUFValue.string("a").description == "\"a\"")
        let long = GGUFValue.array(elementType: .uint8, (0..<20).map { .uint8($0) })
        #expect(long.description.hasSuffix("… (20 u8 values)]"))
        #expect(GGUFValueType.float64.description == "f64")
        #expect(GGUFValueType.string.fixedSize == nil && GGUFValueType.uint64.fixedSize == 8)
    }
}
