/// State of one `encode` call: pre-tokenizes text fragments and runs BPE on each pre-token,
/// remembering the ids of every distinct pre-token so repeated words are merged only once.
struct EncodingSession {
    let model: BPEModel
    let preTokenizer: PreTokenizer
    private var cache: [ArraySlice<UInt8>: [Int32]] = [:]

    init(model: BPEModel, preTokenizer: PreTokenizer) {
        self.model = model
        self.preTokenizer = preTokenizer
    }

    /// Appends the ids of `bytes[range]` (UTF-8 text without special tokens) to `output`.
    mutating func encode(_ bytes: [UInt8], range: Range<Int>, into output: inout [Int32]) {
        var scalars = ScalarCodes()
        bytes.withUnsafeBufferPointer { buffer in
            scalars.decode(UnsafeBufferPointer(rebasing: buffer[range]))
        }
        var ends: [Int] = []
        ends.reserveCapacity(scalars.codes.count / 3)
        scalars.codes.withUnsafeBufferPointer { preTokenizer.split($0, into: &ends) }

        var wordStart = range.lowerBound
        for end in ends {
            let wordEnd = range.lowerBound + scalars.byteOffsets[end]
            let word = bytes[wordStart..<wordEnd]
            if let ids = cache[word] {
                output.append(contentsOf: ids)
            } else {
                var ids: [Int32] = []
                model.encode(word, into: &ids)
                cache[word] = ids
                output.append(contentsOf: ids)
            }
            wordStart = wordEnd
        }
    }
}
