import Quantization
import TensorCore
import Testing

/// Dynamic per-tensor activation ranges are taken per sequence (`SequenceRows`): a sequence
/// fake-quantized in a batch with others, or with padding rows after it, comes out bit-identical
/// to the same sequence quantized alone (tolerance 0: the same min/max, the same rounding).
struct ActivationSequenceRangeTests {
    static let scheme = ActivationScheme(bits: 8, granularity: .perTensor)

    /// Rows of `columns` values; sequence b is scaled by 10^b so the ranges differ a lot.
    static func sequence(_ b: Int, rows: Int, columns: Int) -> [Float] {
        (0..<(rows * columns)).map { i in Float((i * 37 + b * 11) % 101 - 50) * Float([1, 10, 100][b % 3]) / 7 }
    }

    @Test func batchedSequencesMatchSequencesAlone() {
        let columns = 24, lengths = [5, 9, 3]
        var alone: [[Float]] = []
        for (b, n) in lengths.enumerated() {
            var x = Self.sequence(b, rows: n, columns: columns)
            ActivationQuantizer.fakeQuantize(&x, rows: n, columns: columns, scheme: Self.scheme)
            alone.append(x)
        }
        // Padded batch: stride 9 rows, padding rows filled with a huge value that would dominate a batch-wide range.
        let stride = 9
        var batch = [Float](repeating: 1e6, count: lengths.count * stride * columns)
        for (b, n) in lengths.enumerated() {
            let s = Self.sequence(b, rows: n, columns: columns)
            for i in 0..<(n * columns) { batch[b * stride * columns + i] = s[i] }
        }
        SequenceRows.withPadded(lengths: lengths, stride: stride) {
            ActivationQuantizer.fakeQuantize(&batch, rows: lengths.count * stride, columns: columns, scheme: Self.scheme)
        }
        for (b, n) in lengths.enumerated() {
            let got = Array(batch[(b * stride * columns)..<(b * stride * columns + n * columns)])
            #expect(got == alone[b], "sequence \(b)")
        }
        // Without sequence rows the whole batch is one range: sequence 0 loses its resolution.
        var whole = batch
        for (b, n) in lengths.enumerated() {
            let s = Self.sequence(b, rows: n, columns: columns)
            for i in 0..<(n * columns) { whole[b * stride * columns + i] = s[i] }
        }
        ActivationQuantizer.fakeQuantize(&whole, rows: lengths.count * stride, columns: columns, scheme: Self.scheme)
        #expect(Array(whole[0..<(lengths[0] * columns)]) != alone[0])
    }

    @Test func equalWindowsMatchWindowsAlone() {
        let columns = 16, tokens = 6
        var a = Self.sequence(0, rows: tokens, columns: columns), b = Self.sequence(1, rows: tokens, columns: columns)
        var both = a + b
        ActivationQuantizer.fakeQuantize(&a, rows: tokens, columns: columns, scheme: Self.scheme)
        ActivationQuantizer.fakeQuantize(&b, rows: tokens, columns: columns, scheme: Self.scheme)
        SequenceRows.withWindows(2, tokens: tokens) {
            ActivationQuantizer.fakeQuantize(&both, rows: 2 * tokens, columns: columns, scheme: Self.scheme)
        }
        #expect(both == a + b)
    }
}
