/// Weight and activation quantization: schemes, quantize/dequantize math, methods (RTN, GPTQ,
/// ZeroQuant, LoRC). A method sees one linear layer's weight and the statistics of its inputs.
public enum Quantization {}
