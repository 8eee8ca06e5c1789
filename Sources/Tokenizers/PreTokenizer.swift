/// The pre-tokenizer regex families supported, named as in GGUF `tokenizer.ggml.pre`.
public enum PreTokenizerKind: String, Sendable, CaseIterable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    case gpt2
    /// Llama 3: case-insensitive contractions, `[^\r\n\p{L}\p{N}]?\p{L}+`, numbers in groups of up
    /// to three, punctuation with trailing line breaks, line-break runs.
    case llama3
    /// Qwen 2: Llama 3 with single digits.
    case qwen2
    /// SmolLM / StarCoder: every `\p{N}` isolated first, then GPT-2 on the text between digits.
    case smollm
}

/// Splits text into pre-tokens (the words BPE merges within), exactly as the regexes above do.
struct PreTokenizer: Sendable {
    let kind: PreTokenizerKind

    /// Appends the end scalar index of each pre-token of `codes` (from `ScalarCodes`) to `ends`.
    func split(_ codes: UnsafeBufferPointer<UInt8>, into ends: inout [Int]) {
        let scanner = SplitScanner(codes: codes, end: codes.count)
        switch kind {
        case .gpt2:
            GPT2Splitter.split(scanner, from: 0, into: &ends)
        case .llama3:
            Llama3Splitter(maxDigits: 3).split(scanner, from: 0, into: &ends)
        case .qwen2:
            Llama3Splitter(maxDigits: 1).split(scanner, from: 0, into: &ends)
        case .smollm:
            splitDigitsThenGPT2(codes, into: &ends)
        }
    }

    /// `\p{N}` isolated, then the GPT-2 regex on each stretch between digits (a stretch ends the
    /// input as far as the regex's lookahead is concerned).
    private func splitDigitsThenGPT2(_ codes: UnsafeBufferPointer<UInt8>, into ends: inout [Int]) {
        var stretchStart = 0
        for index in 0..<codes.count where ScalarCodes.scalarClass(of: codes[index]) == .number {
            if stretchStart < index {
                GPT2Splitter.split(SplitScanner(codes: codes, end: index), from: stretchStart, into: &ends)
            }
            ends.append(index + 1)
            stretchStart = index + 1
        }
        if stretchStart < codes.count {
            GPT2Splitter.split(SplitScanner(codes: codes, end: codes.count), from: stretchStart, into: &ends)
        }
    }
}

extension PreTokenizerKind {
    /// The pre-tokens of `text` (no special-token handling), e.g. for inspecting how text is split.
    public func split(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var scalars = ScalarCodes()
        bytes.withUnsafeBufferPointer { scalars.decode($0) }
        var ends: [Int] = []
        scalars.codes.withUnsafeBufferPointer { PreTokenizer(kind: self).split($0, into: &ends) }
        var start = 0
        return ends.map { end in
            defer { start = end }
            return String(decoding: bytes[scalars.byteOffsets[start]..<scalars.byteOffsets[end]], as: UTF8.self)
        }
    }
}
