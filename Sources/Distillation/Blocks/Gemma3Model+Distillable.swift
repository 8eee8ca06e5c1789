import Models

extension Gemma3Model: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        Gemma3TrainingBlock<Float>(blocks[index], hyper: hyper, tokens: tokens)
    }
}
