import Models

extension OPTModel: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        LayerNormTrainingBlock<Float>(blocks[index], model: self)
    }
}

extension GPT2Model: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        LayerNormTrainingBlock<Float>(blocks[index], model: self)
    }
}

extension BloomModel: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        LayerNormTrainingBlock<Float>(blocks[index], model: self)
    }
}

extension GPTNeoXModel: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        LayerNormTrainingBlock<Float>(blocks[index], model: self, tokens: tokens)
    }
}
