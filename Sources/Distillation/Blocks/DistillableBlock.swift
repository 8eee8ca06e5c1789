import TensorCore

/// A transformer block that can be trained: a forward pass that keeps what its backward pass needs,
/// and a backward pass giving the gradients of its linear weights (and of its input, for checks
/// and whole-model passes). The weights come in per call, so the same block runs with
/// full-precision, fake-quantized or perturbed weights. Norm weights and biases stay fixed.
///
/// Speed: the blocks are generic over their scalar and reached through this protocol, so Swift
/// would run their unspecialized generic code (every add and multiply through a witness table,
/// ~10× slower). Each block's `forward` and `backward` carry `@_specialize(where T == Float)`: the
/// generic entry jumps to a Float-specialized body, where every kernel is specialized too.
public protocol DistillableBlock<Scalar>: AnyObject {
    associatedtype Scalar: GradScalar
    associatedtype Cache: AnyObject

    /// The block's linears in execution order: HF module name, (out, in).
    var linearShapes: [LinearShape] { get }
    var hiddenSize: Int { get }

    /// Buffers for one pass over `windows` windows of `tokens` tokens.
    func makeCache(windows: Int, tokens: Int) -> Cache

    /// y (N, d) = block(x (N, d)) with `weights[i]` as linear i's (out, in) weight; fills `cache`.
    /// `inputTransform`, when given, is applied (in place) to every linear's input before the
    /// product, e.g. activation fake-quantization, whose gradient is passed straight through.
    func forward(_ x: UnsafePointer<Scalar>, windows: Int, tokens: Int, weights: [UnsafePointer<Scalar>],
                 cache: Cache, inputTransform: InputTransform<Scalar>?, into y: UnsafeMutablePointer<Scalar>)

    /// From dy (N, d) and the cache of the last forward pass: weightGradients[i] (out, in) of every
    /// linear, overwritten, and dx (N, d) when asked for.
    func backward(_ dy: UnsafePointer<Scalar>, cache: Cache, weights: [UnsafePointer<Scalar>],
                  weightGradients: [UnsafeMutablePointer<Scalar>], dx: UnsafeMutablePointer<Scalar>?)
}

/// A linear layer of a block: its HF module name and (out, in).
public struct LinearShape: Hashable, Sendable {
    public let name: String
    public let outFeatures: Int
    public let inFeatures: Int
    public init(name: String, outFeatures: Int, inFeatures: Int) {
        self.name = name; self.outFeatures = outFeatures; self.inFeatures = inFeatures
    }
    public var count: Int { outFeatures * inFeatures }
}

/// (x (rows, columns) in place, rows, columns).
public typealias InputTransform<T> = (UnsafeMutablePointer<T>, Int, Int) -> Void
