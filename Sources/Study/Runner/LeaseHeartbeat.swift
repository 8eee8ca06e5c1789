import Dispatch
import Foundation

/// Renews a lease every `interval` seconds while its experiment runs, on a timer of its own (the
/// experiment's threads are busy computing): one small UPDATE per interval. A failed renewal is
/// left to the next one; the lease only goes stale after `LeasePolicy.timeout` without any.
final class LeaseHeartbeat: @unchecked Sendable {
    private let queue = DispatchQueue(label: "ptqlab.lease-heartbeat")
    private let timer: DispatchSourceTimer
    private let lock = NSLock()
    private var stopped = false

    init(store: ResultsStore, id: String, owner: LeaseOwner, interval: Double) {
        timer = DispatchSource.makeTimerSource(queue: queue)
        let nanoseconds = Int(max(interval, 0.05) * 1e9)
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds),
                       leeway: .nanoseconds(nanoseconds / 10))
        timer.setEventHandler { [weak self] in
            guard let self, !self.isStopped else { return }
            _ = try? store.heartbeat(id, owner: owner)
        }
        timer.resume()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Stops the renewals and waits for one in flight: after `stop()` the lease row is not touched.
    func stop() {
        cancel()
        queue.sync {}
    }

    private func cancel() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            timer.cancel()
        }
    }

    // Not `stop()`: the last reference may be dropped on the timer's own queue.
    deinit { cancel() }
}
