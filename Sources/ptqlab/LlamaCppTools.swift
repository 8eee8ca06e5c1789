import Foundation
import TensorCore

/// llama.cpp's own command-line tools (llama-bench, llama-perplexity), built from the pinned
/// llama-cpp-python sdist by scripts/peers/build-llama-cpp.sh into .peers/llama.cpp/<variant>/bin:
/// `native` (every instruction set of the build machine) and `avx2` (AVX2 + FMA, no AVX-512).
/// `ptqlab bench` runs the variant with the same instruction set as PTQLab's GEMM (AVX2 when
/// PTQLab runs its AVX2 kernel, so an AVX-512 machine can compare both AVX2 paths).
struct LlamaCppTools {
    let bin: String
    let variant: String

    /// The tools for PTQLab's current GEMM variant, from `directory` (a bin folder) or the
    /// checkout's .peers; nil when not built.
    static func locate(directory: String?, root: String?) -> LlamaCppTools? {
        let variant = LinearBackend.automatic == .avx512 ? "native" : "avx2"
        let candidates = directory.map { [$0] } ?? (root.map { ["\($0)/.peers/llama.cpp/\(variant)/bin"] } ?? [])
        for bin in candidates where FileManager.default.isExecutableFile(atPath: bin + "/llama-bench")
            && FileManager.default.isExecutableFile(atPath: bin + "/llama-perplexity") {
            return LlamaCppTools(bin: bin, variant: directory == nil ? variant : "given")
        }
        return nil
    }

    struct Measurement {
        var tokensPerSecond: Double
        var peakRSSBytes: Int?
        var detail: String
    }

    /// llama-bench prompt processing of `context` tokens, no generation (`-p C -n 0`): best of
    /// `reps` (its avg_ts is the mean; we take max of samples_ts, as PTQLab reports its best).
    /// llama-bench computes the last token's logits only.
    func promptProcessing(model: String, context: Int, reps: Int, threads: String) throws -> Measurement {
        let out = try Subprocess.run(bin + "/llama-bench", ["-m", model, "-p", String(context), "-n", "0", "-r", String(max(1, reps)),
                                                            "-t", threads, "-o", "json"])
        guard let rows = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]],
              let row = rows.first else { throw Subprocess.Failure(command: "llama-bench", status: 0, output: out) }
        let samples = (row["samples_ts"] as? [Double]) ?? []
        let best = samples.max() ?? (row["avg_ts"] as? Double) ?? 0
        return Measurement(tokensPerSecond: best, peakRSSBytes: nil,
                           detail: String(format: "avg %.1f ± %.1f", row["avg_ts"] as? Double ?? 0, row["stddev_ts"] as? Double ?? 0))
    }

    /// llama-perplexity over `windows` chunks of `context` tokens of `textFile` (its protocol
    /// computes logits for the scored second half of each chunk only; one chunk per batch,
    /// `-b context`, so its prompt-eval timer is right), best of `reps` runs; tokens/s from its prompt-eval time, and
    /// the peak RSS of the process (its wait4 rusage).
    func perplexity(model: String, textFile: String, context: Int, windows: Int, reps: Int, threads: String) throws -> Measurement {
        var best = Measurement(tokensPerSecond: 0, peakRSSBytes: nil, detail: "")
        for _ in 0..<max(1, reps) {
            let (out, err, rss) = try Subprocess.runMeasured(bin + "/llama-perplexity", [
                "-m", model, "-f", textFile, "-c", String(context), "-b", String(context), "--chunks", String(windows),
                "-t", threads, "-lv", "4",
            ])
            let text = out + err
            // "prompt eval time =   7209.49 ms /  2560 tokens (    2.82 ms per token,   355.09 tokens per second)"
            guard let line = text.split(separator: "\n").last(where: { $0.contains("prompt eval time") }),
                  let open = line.lastIndex(of: ","), let tps = Double(line[line.index(after: open)...]
                      .replacingOccurrences(of: "tokens per second)", with: "").trimmingCharacters(in: .whitespaces)) else {
                throw Subprocess.Failure(command: "llama-perplexity", status: 0, output: String(text.suffix(2000)))
            }
            let ppl = text.split(separator: "\n").last(where: { $0.contains("Final estimate") }).map(String.init) ?? ""
            if tps > best.tokensPerSecond {
                best = Measurement(tokensPerSecond: tps, peakRSSBytes: rss, detail: ppl.trimmingCharacters(in: .whitespaces))
            }
        }
        return best
    }
}
