import Foundation
import TensorCore

/// Where an experiment ran: CPU model and vector extensions, the GEMM variant, cores and memory.
public enum MachineInfo {
    public static let programVersion = "ptqlab 0.5.0 (protocol \(ExperimentConfig.protocolVersion))"

    public static func describe() -> String {
        let cpu = CPUFeatures.summary + ", GEMM " + LinearBackend.automatic.rawValue
        let memKB = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal") }?
            .split(separator: " ").compactMap { Int($0) }.first ?? 0
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return String(format: "%@, %d cores, %.0f GiB", cpu, cores, Double(memKB) / 1_048_576)
    }

    /// Current UTC time, ISO-8601 with milliseconds (orders rows finished within one second).
    public static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}
