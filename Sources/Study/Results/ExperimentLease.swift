import Foundation

/// Who runs an experiment: host name, process id and a random token (two runners in one process,
/// or a pid reused after a reboot, never look alike).
public struct LeaseOwner: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let pid: Int32
    public let token: String

    public init(host: String, pid: Int32, token: String) {
        self.host = host
        self.pid = pid
        self.token = token
    }

    /// This process, with a fresh token.
    public static func current() -> LeaseOwner {
        LeaseOwner(host: hostName, pid: getpid(), token: String(UUID().uuidString.prefix(8)).lowercased())
    }

    public var description: String { "\(host):\(pid):\(token)" }

    /// gethostname(2) (no DNS lookup, unlike `ProcessInfo.hostName`).
    public static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// A process of this host with that id exists (kill(pid, 0) does not fail with ESRCH).
    static func processExists(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH)
    }
}

/// When a lease stops protecting its experiment: its owner has not renewed it (`heartbeat_at`)
/// for `timeout` seconds, or the owner was a process of this host that no longer exists.
public struct LeasePolicy: Sendable {
    /// Seconds without a heartbeat after which another runner may take the experiment over.
    public var timeout: Double
    /// Seconds between heartbeats while an experiment runs (well below `timeout`).
    public var heartbeatInterval: Double

    public init(timeout: Double = 600, heartbeatInterval: Double = 30) {
        self.timeout = timeout
        self.heartbeatInterval = heartbeatInterval
    }

    /// For a database only this runner writes (a cluster shard's own file): any lease found in it
    /// was left by a killed run of the same shard, perhaps on another node, and is taken over at
    /// once instead of after `timeout` (a shard resubmitted after `scancel` onto another node
    /// would otherwise skip the experiment it was killed in, as running elsewhere).
    public static let soleWriter = LeasePolicy(timeout: -1)
}

/// A row of the `lease` table: an experiment some runner has claimed and not yet finished.
public struct ExperimentLease: Sendable, Equatable {
    public var id: String
    public var owner: String
    public var host: String
    public var pid: Int32
    public var startedAt: Double
    public var heartbeatAt: Double

    public init(id: String, owner: String, host: String, pid: Int32, startedAt: Double, heartbeatAt: Double) {
        self.id = id; self.owner = owner; self.host = host; self.pid = pid; self.startedAt = startedAt; self.heartbeatAt = heartbeatAt
    }

    /// Whether another runner may take the experiment over at time `now` (Unix seconds).
    public func isStale(now: Double, policy: LeasePolicy) -> Bool {
        if now - heartbeatAt > policy.timeout { return true }
        return host == LeaseOwner.hostName && !LeaseOwner.processExists(pid)
    }
}

/// What a claim found.
public enum ClaimOutcome: Sendable, Equatable {
    /// The experiment is this runner's to run.
    case claimed
    /// Its row is already in the database.
    case finished
    /// Another runner holds a live lease on it.
    case heldBy(String)
}
