/// Weight and activation quantization of single linear layers: schemes and their text form
/// (`QuantSpec`), the quantize/dequantize math (`QuantGrid`, `GroupQuantizer`), and methods behind
/// one protocol (`WeightQuantizer`: `RTNQuantizer`, `GPTQQuantizer`, `LoRCQuantizer`).
///
/// A method sees one linear layer's weight (outFeatures × inFeatures, row-major, as in PyTorch)
/// and the statistics of its inputs (`Hessian`), never the model.
public enum Quantization {}
