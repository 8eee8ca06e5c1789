import Testing

@Test func placeholderEvaluationTests() { #expect(Bool(true)) }
