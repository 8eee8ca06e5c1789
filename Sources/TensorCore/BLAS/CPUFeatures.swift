import Foundation

/// The processor's instruction-set features, read once (/proc/cpuinfo on Linux, sysctl on macOS).
/// TensorCore is itself compiled for haswell on x86_64, so reading this is safe on any CPU that
/// can run the rest of the program.
public enum CPUFeatures {
    /// Lower-case feature names as Linux spells them (avx2, fma, avx512f, …; empty off x86_64).
    public static let flags: Set<String> = {
        #if arch(x86_64) && os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
        #elseif arch(x86_64) && os(macOS)
        var found: Set<String> = []
        for (key, name) in [("hw.optional.avx2_0", "avx2"), ("hw.optional.fma", "fma"), ("hw.optional.bmi2", "bmi2"),
                            ("hw.optional.avx512f", "avx512f"), ("hw.optional.avx512dq", "avx512dq"),
                            ("hw.optional.avx512bw", "avx512bw"), ("hw.optional.avx512vl", "avx512vl")] {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            if sysctlbyname(key, &value, &size, nil, 0) == 0, value != 0 { found.insert(name) }
        }
        return found
        #else
        return []
        #endif
    }()

    /// The x86-64-v3 set KernelsAVX2 (and all of TensorCore) is compiled for: AVX2, FMA, BMI2.
    public static var hasAVX2FMA: Bool {
        #if arch(x86_64)
        return ["avx2", "fma", "bmi2"].allSatisfy(flags.contains)
        #else
        return false
        #endif
    }

    /// The AVX-512 subsets KernelsAVX512 (skylake-avx512) may use, plus the v3 set.
    public static var hasAVX512: Bool {
        hasAVX2FMA && ["avx512f", "avx512dq", "avx512bw", "avx512vl"].allSatisfy(flags.contains)
    }

    /// A short name of the processor for reports: the model name, and which vector extensions it has.
    public static let summary: String = {
        var model = "unknown CPU"
        #if os(Linux)
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        #endif
        #if arch(x86_64)
        let isa = hasAVX512 ? "AVX-512" : hasAVX2FMA ? "AVX2 + FMA, no AVX-512" : "no AVX2"
        #elseif arch(arm64)
        let isa = "arm64 NEON"
        #else
        let isa = "portable"
        #endif
        return "\(model) (\(isa))"
    }()
}
