/// A user's text file (`--text FILE`), e.g. WikiText-2's `wiki.test.raw`.
///
/// Extraction: the bytes must be valid UTF-8 (else the error gives the byte offset of the first
/// invalid sequence); a leading UTF-8 byte order mark is dropped; nothing else is changed (line
/// endings and whitespace included), since the perplexity of a published benchmark file depends on
/// its exact text. The file must contain something besides whitespace. The whole text is the
/// evaluation part; the calibration part is empty.
public enum TextFile {
    /// The file as a corpus: `name` is the path, one document, all of it in the evaluation part.
    public static func load(path: String) throws(CorpusError) -> CorpusText {
        let text = try read(path: path)
        return CorpusText(name: path, calibration: "", evaluation: text,
                          documentCounts: DocumentCounts(calibration: 0, evaluation: 1))
    }

    /// The file's text, checked as described above.
    public static func read(path: String) throws(CorpusError) -> String {
        var bytes = try FileBytes.read(path)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let text = try UTF8Validation.decode(bytes, file: path)
        guard !bytes.isEmpty else { throw CorpusError(file: path, "the file is empty") }
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw CorpusError(file: path, "the file contains only whitespace (\(bytes.count) bytes)")
        }
        return text
    }
}
