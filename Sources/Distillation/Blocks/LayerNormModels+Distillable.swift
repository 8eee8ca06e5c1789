import Models

extension OPTModel: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        LayerNormTrainingBlock<Float>(blocks[index], model: self)
    }

    public func outputHead() throws -> OutputHeadWeights {
        if projectOut != nil {
            throw ZeroQuantGlobal.Failure(description: "zq-global's logit pass does not support OPT's project_out (word_embed_proj_dim ≠ hidden_size)")
        }
        return OutputHeadWeights(norm: finalNorm.map(OutputHeadWeights.Norm.layer), head: head.weight)
    }
}

extension GPT2Model: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        LayerNormTrainingBlock<Float>(blocks[index], model: self)
    }

    public func outputHead() throws -> OutputHeadWeights {
        OutputHeadWeights(norm: .layer(finalNorm), head: head.weight)
    }
}

extension BloomModel: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        LayerNormTrainingBlock<Float>(blocks[index], model: self)
    }

    public func outputHead() throws -> OutputHeadWeights {
        OutputHeadWeights(norm: .layer(finalNorm), head: head.weight)
    }
}

extension GPTNeoXModel: DistillableModel {
    public func distillableBlock(_ index: Int, tokens: Int) -> any DistillableBlock<Float> {
        LayerNormTrainingBlock<Float>(blocks[index], model: self, tokens: tokens)
    }

    public func outputHead() throws -> OutputHeadWeights {
        OutputHeadWeights(norm: .layer(finalNorm), head: head.weight)
    }
}
