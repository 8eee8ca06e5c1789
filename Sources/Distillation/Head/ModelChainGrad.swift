/// A whole model from its first block's input to the logit-distillation loss at its output, one
/// window at a time, and the gradient of that loss with respect to every block linear:
///
///     x₀ (T, d) = embeddings → x_{b+1} = block_b(x_b; W_b) → L = LogitKLGrad(x_B, teacher)
///     backward: dx_B from the head, then each block in reverse: ∂L/∂W_b (+=), dx_b
///
/// What ZeroQuant-Global's optional final pass trains through, and what its finite-difference
/// check runs in double. Memory: one cache per block for one window.
public final class ModelChainGrad<T: GradScalar> {
    let blocks: [ChainedBlock<T>]
    public let head: LogitKLGrad<T>
    public let tokens: Int, d: Int
    /// x_b, the input of block b (b < B), and x_B, the last block's output.
    let states: [GradBuffer<T>]
    let dA: GradBuffer<T>, dB: GradBuffer<T>
    /// ∂L/∂W of one block, reused by every block (the largest of each linear index).
    let scratchGradients: [GradBuffer<T>]
    let headScratch: LogitKLGrad<T>.Scratch

    public init(blocks: [any DistillableBlock<T>], head: LogitKLGrad<T>, tokens: Int) {
        precondition(!blocks.isEmpty && blocks.allSatisfy { $0.hiddenSize == head.d }, "blocks and head disagree on d")
        self.blocks = blocks.map { ChainedBlock($0, tokens: tokens) }
        self.head = head
        self.tokens = tokens
        d = head.d
        states = (0...blocks.count).map { _ in GradBuffer(count: tokens * head.d) }
        dA = GradBuffer(count: tokens * d); dB = GradBuffer(count: tokens * d)
        let widest = blocks.map { $0.linearShapes.map(\.count) }.reduce(into: [Int]()) { widest, counts in
            for (i, c) in counts.enumerated() { if i < widest.count { widest[i] = max(widest[i], c) } else { widest.append(c) } }
        }
        scratchGradients = widest.map { GradBuffer(count: $0) }
        headScratch = head.makeScratch(rows: tokens)
    }

    public var blockCount: Int { blocks.count }
    public var linearShapes: [[LinearShape]] { blocks.map(\.shapes) }

    /// L of one window: `embeddings` (T, d) into block 0, `teacher` (T, d) the teacher's normalized
    /// final states, `weights[b][i]` block b's linear i. With `gradients`, ∂L/∂W is *added* to
    /// `gradients[b][i]` (so a minibatch accumulates window after window).
    public func loss(embeddings: UnsafePointer<T>, teacher: UnsafePointer<T>, weights: [[UnsafePointer<T>]], scale: T,
                     inputTransform: InputTransform<T>?, gradients: [[UnsafeMutablePointer<T>]]?) -> Double {
        precondition(weights.count == blocks.count)
        let n = tokens * d
        states[0].pointer.update(from: embeddings, count: n)
        for (b, block) in blocks.enumerated() {
            block.forward(states[b].pointer, weights[b], inputTransform, states[b + 1].pointer)
        }
        guard let gradients else {
            return head.loss(student: states[blocks.count].pointer, teacher: teacher, rows: tokens, scale: scale,
                             scratch: headScratch, dx: nil)
        }
        let loss = head.loss(student: states[blocks.count].pointer, teacher: teacher, rows: tokens, scale: scale,
                             scratch: headScratch, dx: dA.pointer)
        var dy = dA, dx = dB
        for b in stride(from: blocks.count - 1, through: 0, by: -1) {
            let block = blocks[b]
            let scratch = block.shapes.indices.map { scratchGradients[$0].pointer }
            block.backward(dy.pointer, weights[b], scratch, b > 0 ? dx.pointer : nil)
            for (i, shape) in block.shapes.enumerated() {
                let into = gradients[b][i], from = scratch[i]
                for j in 0..<shape.count { into[j] += from[j] }
            }
            swap(&dy, &dx)
        }
        return loss
    }
}

/// One block with its own cache for one window of `tokens` tokens (the existential opened once).
final class ChainedBlock<T: GradScalar> {
    let shapes: [LinearShape]
    let forward: (_ x: UnsafePointer<T>, _ weights: [UnsafePointer<T>], _ transform: InputTransform<T>?,
                  _ y: UnsafeMutablePointer<T>) -> Void
    let backward: (_ dy: UnsafePointer<T>, _ weights: [UnsafePointer<T>], _ dW: [UnsafeMutablePointer<T>],
                   _ dx: UnsafeMutablePointer<T>?) -> Void

    init(_ block: any DistillableBlock<T>, tokens: Int) {
        (shapes, forward, backward) = Self.bind(block, tokens: tokens)
    }

    private static func bind<B: DistillableBlock>(_ block: B, tokens: Int)
        -> ([LinearShape], (UnsafePointer<T>, [UnsafePointer<T>], InputTransform<T>?, UnsafeMutablePointer<T>) -> Void,
            (UnsafePointer<T>, [UnsafePointer<T>], [UnsafeMutablePointer<T>], UnsafeMutablePointer<T>?) -> Void)
        where B.Scalar == T {
        let cache = block.makeCache(windows: 1, tokens: tokens)
        return (block.linearShapes,
                { x, w, transform, y in
                    block.forward(x, windows: 1, tokens: tokens, weights: w, cache: cache, inputTransform: transform, into: y)
                },
                { dy, w, dW, dx in block.backward(dy, cache: cache, weights: w, weightGradients: dW, dx: dx) })
    }
}
