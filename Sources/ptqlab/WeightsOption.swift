import ArgumentParser
import Models

/// `--weights f32|lean|auto`: how a loaded model's weight matrices stay resident (see
/// `WeightResidency`; default auto, or `PTQLAB_WEIGHTS`).
struct WeightsOption: ParsableArguments {
    @Option(help: "Weight residency: f32 (packed f32, fastest), lean (kept as stored — GGUF blocks, f16/bf16 — and widened inside the GEMM; quantized layers as lossless palettes; same results), auto (lean when f32 would take > 40% of RAM).")
    var weights: String?

    /// Sets the process-wide choice before any model is loaded.
    func apply() throws {
        guard let weights else { return }
        guard let residency = WeightResidency(rawValue: weights.lowercased()) else {
            throw ValidationError("--weights must be f32, lean or auto; got '\(weights)'")
        }
        WeightResidency.requested = residency
    }
}
