import Testing

@Test func placeholderModelFormatsTests() { #expect(Bool(true)) }
