import Testing
import Quantization

@Test func quantizationModuleLoads() { #expect(String(describing: Quantization.self) == "Quantization") }
