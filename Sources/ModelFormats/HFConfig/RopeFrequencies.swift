import Foundation

/// Rotary-embedding inverse frequencies per rope type, computed as transformers'
/// `ROPE_INIT_FUNCTIONS` do, in the same f32 steps (so results match PyTorch to an ulp or two):
/// `default`, `linear`, `dynamic`, `llama3` (`_compute_llama3_parameters`) and `yarn`.
public struct RopeFrequencies: Sendable, Equatable {
    /// `headDim / 2` values; angle of pair i at position p = p · inverseFrequencies[i].
    public var inverseFrequencies: [Float]
    /// Multiplies cos and sin (YaRN's attention factor); 1 for the other types.
    public var attentionScaling: Float

    /// - Parameter sequenceLength: only `dynamic` uses it (the current length; shorter than
    ///   `maxPositionEmbeddings` means no scaling).
    public init(headDim: Int, ropeTheta: Double, scaling: RopeScaling?, maxPositionEmbeddings: Int,
                sequenceLength: Int? = nil) {
        attentionScaling = 1
        switch scaling {
        case nil:
            inverseFrequencies = Self.unscaled(headDim: headDim, base: ropeTheta)
        case let .linear(factor):
            inverseFrequencies = Self.unscaled(headDim: headDim, base: ropeTheta).map { $0 / Float(factor) }
        case let .dynamic(factor):
            let length = Double(max(sequenceLength ?? maxPositionEmbeddings, maxPositionEmbeddings))
            let dim = Double(headDim)
            let base = ropeTheta * pow(factor * length / Double(maxPositionEmbeddings) - (factor - 1), dim / (dim - 2))
            inverseFrequencies = Self.unscaled(headDim: headDim, base: base)
        case let .llama3(parameters):
            inverseFrequencies = Self.llama3(Self.unscaled(headDim: headDim, base: ropeTheta), parameters)
        case let .yarn(parameters):
            (inverseFrequencies, attentionScaling) = Self.yarn(headDim: headDim, base: ropeTheta, parameters)
        }
    }

    public init(config: LlamaConfig, sequenceLength: Int? = nil) {
        self.init(headDim: config.headDim, ropeTheta: config.ropeTheta, scaling: config.ropeScaling,
                  maxPositionEmbeddings: config.maxPositionEmbeddings, sequenceLength: sequenceLength)
    }

    /// base^(2i/d) in f32, as `base ** (torch.arange(0, d, 2).float() / d)`.
    static func powers(headDim: Int, base: Double) -> [Float] {
        let baseF = Double(Float(base))
        return stride(from: 0, to: headDim, by: 2).map { i in
            Float(pow(baseF, Double(Float(i) / Float(headDim))))
        }
    }

    static func unscaled(headDim: Int, base: Double) -> [Float] {
        powers(headDim: headDim, base: base).map { 1 / $0 }
    }

    static func llama3(_ inverse: [Float], _ p: Llama3RopeScaling) -> [Float] {
        let oldContext = Double(p.originalMaxPositionEmbeddings)
        let lowFreqWavelength = Float(oldContext / p.lowFreqFactor)
        let highFreqWavelength = Float(oldContext / p.highFreqFactor)
        let factor = Float(p.factor)
        return inverse.map { frequency in
            let wavelength = Float(2 * Double.pi) / frequency
            if wavelength < highFreqWavelength { return frequency }
            if wavelength > lowFreqWavelength { return frequency / factor }
            let smooth = (Float(oldContext) / wavelength - Float(p.lowFreqFactor))
                / Float(p.highFreqFactor - p.lowFreqFactor)
            return (1 - smooth) * frequency / factor + smooth * frequency
        }
    }

    static func yarn(headDim: Int, base: Double, _ p: YarnRopeScaling) -> ([Float], Float) {
        func mscale(_ scale: Double, _ m: Double = 1) -> Double {
            scale <= 1 ? 1 : 0.1 * m * log(scale) + 1
        }
        let attentionFactor: Double
        if let given = p.attentionFactor {
            attentionFactor = given
        } else if let m = p.mscale, let mAll = p.mscaleAllDim, m != 0, mAll != 0 {
            attentionFactor = mscale(p.factor, m) / mscale(p.factor, mAll)
        } else {
            attentionFactor = mscale(p.factor)
        }
        let dim = Double(headDim)
        func correctionDimension(_ rotations: Double) -> Double {
            dim * log(Double(p.originalMaxPositionEmbeddings) / (rotations * 2 * Double.pi)) / (2 * log(base))
        }
        var low = correctionDimension(p.betaFast), high = correctionDimension(p.betaSlow)
        if p.truncate { low = low.rounded(.down); high = high.rounded(.up) }
        low = max(low, 0)
        high = min(high, dim - 1)
        if low == high { high += 0.001 }

        let powers = powers(headDim: headDim, base: base)
        let factor = Float(p.factor)
        let inverse = powers.indices.map { i -> Float in
            let ramp = min(max((Float(i) - Float(low)) / Float(high - low), 0), 1)
            let extrapolationWeight = 1 - ramp
            let extrapolation = 1 / powers[i]
            let interpolation = 1 / (factor * powers[i])
            return interpolation * (1 - extrapolationWeight) + extrapolation * extrapolationWeight
        }
        return (inverse, Float(attentionFactor))
    }
}
