#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files a command would leave behind if SIGINT (Ctrl-C) or SIGTERM (`kill`, a scheduler's
/// time limit) stopped it: `quantize DIR --out x.gguf`'s model-sized `x.gguf.source.tmp.gguf`,
/// and the `.partial` files the GGUF writer renames into place. On either signal they are
/// unlinked and the signal is raised again with its default action, so the exit status still says
/// which signal ended the process. SIGKILL cannot be caught: then the next run overwrites them.
///
/// The handler only reads a fixed table of C strings and calls unlink/signal/raise, which are
/// async-signal-safe; the table is filled before the handler is installed for a path and cleared
/// after the command is done with it.
enum InterruptCleanup {
    private static let capacity = 16
    /// `capacity` slots, each a strdup'ed path or nil.
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    nonisolated(unsafe) private static var installed = false

    /// From now until `forget`, a SIGINT/SIGTERM removes `paths` before ending the process. Returns
    /// the slots to pass to `forget` (paths beyond the table's capacity are not registered).
    static func register(_ paths: [String]) -> [Int] {
        install()
        var taken: [Int] = []
        for path in paths {
            guard let slot = (0..<capacity).first(where: { slots[$0] == nil }) else { break }
            slots[slot] = strdup(path)
            taken.append(slot)
        }
        return taken
    }

    /// The paths of `register`'s slots are no longer removed on a signal (the command is done with
    /// them: renamed into place, or removed by its own cleanup).
    static func forget(_ taken: [Int]) {
        for slot in taken {
            let p = slots[slot]
            slots[slot] = nil
            free(p)
        }
    }

    private static func install() {
        guard !installed else { return }
        installed = true
        _ = slots  // initialized here, not lazily inside the handler
        // a parent may have started us with these blocked (a child inherits its spawner's signal
        // mask; libdispatch's worker threads block them): then a SIGTERM would wait forever
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in [SIGINT, SIGTERM] { sigaddset(&unblock, sig) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { received in
                for i in 0..<InterruptCleanup.capacity {
                    if let path = InterruptCleanup.slots[i] { unlink(path) }
                }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}
