import Foundation
import Models
import TensorCore

/// The unquantized model's next-token distributions on the scored rows of a token stream's
/// perplexity windows, computed once and kept in a file (llama.cpp's `--kl-divergence-base` idea):
/// every KL measurement against that model and those windows reads it instead of running the base
/// model again, and no second copy of the model is needed.
///
/// Per scored row it keeps the full logit row as f16 values of (logit − row max), so the tokens
/// that carry the probability (near the max) keep f16's finest steps: |error| ≤ 2⁻¹¹·|logit − max|,
/// e.g. ≤ 0.005 nats in log p for a token e⁻¹⁰ below the top one. Beside it, exactly from the f32
/// row: the argmax (top-1 agreement), the NLL of the target, and the log-sum-exp of the stored
/// f16 row (so P is normalized as stored). KL computed from it differs from KL on the f32 rows by
/// well under 1e-4 nats per token on real models (measured in the tests and the README).
///
/// File layout (little-endian): "PTQLBLG1", UInt32 header length, JSON header (`Key` plus row
/// count and vocabulary), zero padding to 64 bytes; then rows × vocab UInt16 (f16) logits; then
/// rows × f32 stored-row log-sum-exp, rows × Int32 argmax, rows × f64 NLL.
public final class BaseLogits: @unchecked Sendable {
    /// What the rows were computed from: a file is reused only when every field matches.
    public struct Key: Codable, Hashable, Sendable {
        /// The model's identity (path, size and modification time of its file, or a caller's name).
        public var model: String
        /// FNV-1a of the token ids.
        public var tokens: String
        public var context: Int
        public var maxWindows: Int?
        public var mode: String
        public var bos: Int32?
        public var vocab: Int
        public var rows: Int
        /// Format and protocol version.
        public var version: Int = 1
        /// The forward pass's numerics (`BaseLogits.numericsRevision`): a cache written by a build
        /// whose kernels sum in another order differs in the last bits, and is recomputed rather
        /// than mixed with this build's quantized logits (a study resumed across builds would
        /// otherwise compare against base values its own reference run never saw).
        public var numerics: String = BaseLogits.numericsRevision

        public init(model: String, tokens: [Int32], options: PerplexityOptions, vocab: Int, rows: Int) {
            self.model = model
            var h = FNV1a()
            for t in tokens { h.add(t) }
            self.tokens = h.hex + "-\(tokens.count)"
            context = options.context
            maxWindows = options.maxWindows
            mode = options.mode.description
            bos = options.bosToken
            self.vocab = vocab
            self.rows = rows
        }

        /// A file name for this key (a hash of all of it).
        public var fileName: String {
            var h = FNV1a()
            h.add(bytes: (try? JSONEncoder.sorted.encode(self)) ?? Data())
            return "base-logits-\(h.hex).bin"
        }
    }

    public let key: Key
    public let path: String
    private let file: MappedFile
    private let logitsOffset: Int
    let storedLSE: UnsafePointer<Float>
    let top: UnsafePointer<Int32>
    let nll: UnsafePointer<Double>

    /// Changes whenever the forward pass's f32 summation order changes (kernels, chunking).
    public static let numericsRevision = "2026-12-05 fused attention, 128-row logit chunks"

    static let magic = Array("PTQLBLG1".utf8)
    static let alignment = 64

    public var rows: Int { key.rows }
    public var vocab: Int { key.vocab }
    /// Bytes of the file.
    public var bytes: Int { file.count }

    /// Lets the mapped pages of stored rows `rows` go from this process's memory once read (they
    /// stay in the page cache): a study holds one batch of base rows, not the whole file.
    func releaseRows(_ rows: Range<Int>) {
        file.dropPages(logitsOffset + rows.lowerBound * vocab * 2, rows.count * vocab * 2)
    }

    /// The f16 (logit − max) values of stored row `r`.
    func row(_ r: Int) -> UnsafePointer<UInt16> {
        (file.base + logitsOffset + r * vocab * 2).assumingMemoryBound(to: UInt16.self)
    }

    static func layout(headerBytes: Int, rows: Int, vocab: Int) -> (logits: Int, lse: Int, top: Int, nll: Int, total: Int) {
        let logits = (12 + headerBytes + alignment - 1) / alignment * alignment
        let lse = logits + rows * vocab * 2
        let top = lse + rows * 4
        let nll = (top + rows * 4 + 7) / 8 * 8
        return (logits, lse, top, nll, nll + rows * 8)
    }

    /// Opens a file written by `compute`; nil when it is missing, truncated, or made for another key.
    public static func open(path: String, expecting key: Key) -> BaseLogits? {
        guard FileManager.default.fileExists(atPath: path), let file = try? MappedFile(path: path), file.count >= 12 else { return nil }
        let head = file.bytes(0, 12)
        guard Array(head[0..<8]) == magic else { return nil }
        let length = Int(head.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian)
        guard 12 + length <= file.count,
              let stored = try? JSONDecoder().decode(Key.self, from: Data(file.bytes(12, length))),
              stored == key else { return nil }
        let l = layout(headerBytes: length, rows: key.rows, vocab: key.vocab)
        guard file.count == l.total else { return nil }
        return BaseLogits(key: key, path: path, file: file, layout: l)
    }

    private init(key: Key, path: String, file: MappedFile, layout l: (logits: Int, lse: Int, top: Int, nll: Int, total: Int)) {
        self.key = key
        self.path = path
        self.file = file
        logitsOffset = l.logits
        storedLSE = (file.base + l.lse).assumingMemoryBound(to: Float.self)
        top = (file.base + l.top).assumingMemoryBound(to: Int32.self)
        nll = (file.base + l.nll).assumingMemoryBound(to: Double.self)
    }

    /// Runs `model` (which must hold the unquantized weights) over the windows of `tokens`, writes
    /// the rows to `path` (through a temporary file renamed into place, so a killed run leaves no
    /// partial file and concurrent writers of one key all leave a whole one) and opens it.
    public static func compute(
        model: any CausalLanguageModel, modelIdentity: String, tokens: [Int32], options: PerplexityOptions,
        path: String, label: String = "base logits", showProgress: Bool = true
    ) throws -> BaseLogits {
        guard options.context <= model.maxContext else {
            throw PerplexityError("context \(options.context) is larger than the model allows")
        }
        let windows = try PerplexityWindows.make(tokens: tokens, options: options)
        let rows = windows.reduce(0) { $0 + $1.scored.count }
        let vocab = model.vocabularySize
        let key = Key(model: modelIdentity, tokens: tokens, options: options, vocab: vocab, rows: rows)
        let header = try JSONEncoder.sorted.encode(key)
        let l = layout(headerBytes: header.count, rows: rows, vocab: vocab)

        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        let temporary = path + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw FileAccessError(path: temporary, reason: "cannot create")
        }
        var renamed = false
        defer { if !renamed { try? FileManager.default.removeItem(atPath: temporary) } }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        defer { try? handle.close() }
        var prefix = Data(magic)
        withUnsafeBytes(of: UInt32(header.count).littleEndian) { prefix.append(contentsOf: $0) }
        prefix.append(header)
        prefix.append(Data(count: l.logits - prefix.count))
        try handle.write(contentsOf: prefix)

        var lse = [Float](repeating: 0, count: rows), top = [Int32](repeating: 0, count: rows)
        var nll = [Double](repeating: 0, count: rows)
        let progress = ProgressLine(label: label, total: windows.count, unit: "tok", enabled: showProgress)
        let step = max(1, options.batchWindows)
        var i = 0, done = 0, firstStored = 0
        while i < windows.count {
            let batch = Array(windows[i..<min(i + step, windows.count)])
            let t = batch[0].tokens.count
            let scoredRows = batch.enumerated().flatMap { w, win in win.scored.map { w * t + $0 } }
            let slot = Dictionary(uniqueKeysWithValues: scoredRows.enumerated().map { ($1, $0) })
            let half = UnsafeMutablePointer<UInt16>.allocate(capacity: max(1, scoredRows.count * vocab))
            defer { half.deallocate() }
            let out = UncheckedSendable(half)
            let stats = UnsafeMutablePointer<(Float, Int32, Double)>.allocate(capacity: max(1, scoredRows.count))
            defer { stats.deallocate() }
            let st = UncheckedSendable(stats)
            try SequenceRows.withWindows(batch.count, tokens: t) { try LogitRows.withScored(batch.map(\.scored), tokens: t) {
                try model.forward(windows: batch.map(\.tokens), observer: nil) { firstRow, count, logits in
                    Parallel.forRanges(count, minimumChunk: 8) { range in
                        let shifted = UnsafeMutablePointer<Float>.allocate(capacity: vocab)
                        defer { shifted.deallocate() }
                        for r in range {
                            let row = firstRow + r
                            guard let s = slot[row] else { continue }
                            // src (vocab): this row's f32 logits
                            let src = logits + r * vocab
                            let best = KLDivergence.argmax(src, vocab)
                            let maxValue = src[best]
                            let exactLSE = SIMDMath.logSumExp(src, vocab)
                            let target = Int(batch[row / t].tokens[row % t + 1])
                            // stored row: f16(logit − max), and the log-sum-exp of what is stored
                            let dst = out.value + s * vocab
                            for j in 0..<vocab {
                                let h = Float16(src[j] - maxValue)
                                dst[j] = h.bitPattern
                                shifted[j] = Float(h)
                            }
                            st.value[s] = (SIMDMath.logSumExp(shifted, vocab), Int32(best),
                                           Double(exactLSE) - Double(src[target]))
                        }
                    }
                }
            } }
            for s in 0..<scoredRows.count {
                (lse[firstStored + s], top[firstStored + s], nll[firstStored + s]) = stats[s]
            }
            try handle.write(contentsOf: Data(bytesNoCopy: half, count: scoredRows.count * vocab * 2, deallocator: .none))
            firstStored += scoredRows.count
            done += batch.count * t
            i += batch.count
            progress.update(done: i, units: done)
        }
        var tail = Data()
        lse.withUnsafeBytes { tail.append(contentsOf: $0) }
        top.withUnsafeBytes { tail.append(contentsOf: $0) }
        tail.append(Data(count: l.nll - (l.top + rows * 4)))
        nll.withUnsafeBytes { tail.append(contentsOf: $0) }
        try handle.write(contentsOf: tail)
        try handle.synchronize()
        try handle.close()
        if rename(temporary, path) != 0 {
            throw FileAccessError(path: path, reason: "cannot move \(temporary) into place (\(String(cString: strerror(errno))))")
        }
        renamed = true
        guard let opened = open(path: path, expecting: key) else {
            throw FileAccessError(path: path, reason: "base logits written but unreadable")
        }
        return opened
    }

    /// The file's key for `tokens` under `options` (to look a file up before computing it).
    public static func key(modelIdentity: String, vocab: Int, tokens: [Int32], options: PerplexityOptions) throws -> Key {
        let windows = try PerplexityWindows.make(tokens: tokens, options: options)
        return Key(model: modelIdentity, tokens: tokens, options: options, vocab: vocab,
                   rows: windows.reduce(0) { $0 + $1.scored.count })
    }
}

extension JSONEncoder {
    /// Keys sorted, so equal values encode to equal bytes.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
