import Models

extension Gemma3Model: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        Gemma3TrainingBlock<Float>(blocks[index], hyper: hyper, tokens: tokens)
    }

    public func outputHead() throws -> OutputHeadWeights {
        OutputHeadWeights(norm: .rms(finalNorm, offset: 1, eps: hyper.rmsNormEps), head: head.weight, softCap: hyper.finalLogitSoftcap)
    }
}
