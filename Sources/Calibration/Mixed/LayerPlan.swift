import Quantization

/// How each block linear of a model is quantized: the recipe's choice, or the first override whose
/// pattern matches the layer's name. Built by `QuantRecipe`, used by `SequentialQuantization`.
public struct LayerPlan {
    public struct Choice {
        /// `WeightScheme.fullPrecision` keeps the layer's weights as they are.
        public let weight: WeightScheme
        public let activation: ActivationScheme
        public let quantizer: any WeightQuantizer
        /// The quantizer needs the layer's Hessian.
        public let needsHessian: Bool

        public init(weight: WeightScheme, activation: ActivationScheme, quantizer: any WeightQuantizer, needsHessian: Bool) {
            self.weight = weight; self.activation = activation; self.quantizer = quantizer; self.needsHessian = needsHessian
        }
    }

    public let base: Choice
    public let overrides: [(pattern: LayerPattern, choice: Choice)]
    /// Blocks of the model, for `{first}` / `{last}`.
    public let blocks: Int

    public init(base: Choice, overrides: [(pattern: LayerPattern, choice: Choice)] = [], blocks: Int = 0) {
        self.base = base; self.overrides = overrides; self.blocks = blocks
    }

    public func choice(for name: String) -> Choice {
        overrides.first { $0.pattern.matches(name, blocks: blocks) }?.choice ?? base
    }

    /// Some layer needs a Hessian.
    public var needsHessian: Bool { base.needsHessian || overrides.contains { $0.choice.needsHessian } }
    /// Some layer quantizes its activations with calibrated (static) ranges.
    public var needsRanges: Bool {
        ([base] + overrides.map(\.choice)).contains { $0.activation.isQuantized && $0.activation.isStatic }
    }

    /// The patterns that match none of `names` (a typo, or another family's naming).
    public func unmatchedPatterns(among names: [String]) -> [String] {
        overrides.map(\.pattern).filter { p in !names.contains { p.matches($0, blocks: blocks) } }.map(\.text)
    }
}
