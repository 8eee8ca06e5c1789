import Models

extension LlamaModel: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        LlamaTrainingBlock<Float>(blocks[index], hyper: hyper, tokens: tokens)
    }

    public func outputHead() throws -> OutputHeadWeights {
        OutputHeadWeights(norm: .rms(finalNorm, offset: 0, eps: hyper.rmsNormEps), head: lmHead)
    }
}
