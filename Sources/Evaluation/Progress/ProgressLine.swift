import Foundation

/// A progress line on stderr: "label  k/N  rate unit/s  ETA m:ss". On a terminal it redraws one
/// line; otherwise it prints a line at most every `interval` seconds, so logs stay short.
public final class ProgressLine: @unchecked Sendable {
    let label: String
    let total: Int
    let unit: String
    let start = Date()
    var lastPrint = Date.distantPast
    let interval: TimeInterval
    let isTerminal: Bool
    let enabled: Bool

    public init(label: String, total: Int, unit: String = "tok", interval: TimeInterval = 5, enabled: Bool = true) {
        self.label = label
        self.total = total
        self.unit = unit
        self.interval = interval
        self.enabled = enabled
        isTerminal = isatty(STDERR_FILENO) != 0
    }

    /// `done` steps of `total`; `units` processed so far (for the rate).
    public func update(done: Int, units: Int) {
        guard enabled else { return }
        let now = Date()
        let finished = done >= total
        if !finished && now.timeIntervalSince(lastPrint) < (isTerminal ? 0.2 : interval) { return }
        lastPrint = now
        let elapsed = max(now.timeIntervalSince(start), 1e-9)
        let rate = Double(units) / elapsed
        let eta = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
        let line = String(format: "%@  %d/%d  %@  %@ %@", label, done, total, Self.rate(rate, unit: unit),
                          finished ? "done in" : "ETA", Self.clock(finished ? elapsed : eta))
        let text = isTerminal ? "\r\u{1B}[2K" + line + (finished ? "\n" : "") : line + "\n"
        FileHandle.standardError.write(text.data(using: .utf8) ?? Data())
    }

    /// `1234 tokens/s`, `3.2 block/s`, or for slow work `53 s/block` (a 7B model's GPTQ blocks), never `0 block/s`.
    public static func rate(_ perSecond: Double, unit: String) -> String {
        if perSecond >= 10 || perSecond == 0 { return String(format: "%.0f %@/s", perSecond, unit) }
        if perSecond >= 1 { return String(format: "%.1f %@/s", perSecond, unit) }
        return String(format: "%.0f s/%@", 1 / perSecond, unit)
    }

    /// `m:ss`, or `h:mm:ss` from one hour (negative durations print as 0:00).
    public static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}
