/// SmoothQuant's knob (mit-han-lab/smoothquant's `smooth_lm(model, scales, alpha)`): the migration
/// strength α in s_j = max|X_j|^α / max|W_j|^(1−α). 0.5 is the paper's default (OPT, BLOOM); the
/// reference's Llama examples use 0.8–0.85.
public struct SmoothQuantSettings: Codable, Hashable, Sendable {
    public var alpha: Double

    public static let defaultAlpha = 0.5

    public init(alpha: Double = SmoothQuantSettings.defaultAlpha) {
        self.alpha = alpha
    }

    /// Why these settings cannot run, or nil.
    public var problem: String? {
        guard alpha >= 0 && alpha <= 1 else { return "SmoothQuant alpha must be in [0, 1], got \(alpha)" }
        return nil
    }

    /// `+alpha0.85`: the knob when it differs from the default.
    public var label: String { alpha != Self.defaultAlpha ? "+alpha\(alpha)" : "" }
}
