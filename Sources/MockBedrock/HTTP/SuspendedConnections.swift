import CMicroHTTPD
import Dispatch
import Synchronization

/// Connections held back from libmicrohttpd's event loop for a while (a delay, a stall), and
/// resumed by a timer. libmicrohttpd must not be stopped with a connection suspended, so `stop`
/// resumes them all first and refuses new ones.
final class SuspendedConnections: Sendable {
    private struct State {
        var next = 0
        var held: [Int: UnsafeConnection] = [:]
        var stopped = false
    }

    private let state = Mutex(State())

    /// Suspends the connection (from its access handler) and resumes it after `milliseconds`.
    /// Returns false once stopping, when the caller must answer at once instead.
    func suspend(_ connection: OpaquePointer, milliseconds: Int) -> Bool {
        let id: Int? = state.withLock { state in
            guard !state.stopped else { return nil }
            MHD_suspend_connection(connection)
            state.next += 1
            state.held[state.next] = UnsafeConnection(pointer: connection)
            return state.next
        }
        guard let id else { return false }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
            resume(id)
        }
        return true
    }

    /// Resumes every held connection and refuses new ones; call before stopping the daemon.
    func stop() {
        let held = state.withLock { state -> [UnsafeConnection] in
            state.stopped = true
            defer { state.held.removeAll() }
            return Array(state.held.values)
        }
        for connection in held { MHD_resume_connection(connection.pointer) }
    }

    private func resume(_ id: Int) {
        // Whoever takes the entry out resumes it: the timer or stop, never both.
        guard let connection = state.withLock({ $0.held.removeValue(forKey: id) }) else { return }
        MHD_resume_connection(connection.pointer)
    }
}

/// A connection pointer, which libmicrohttpd lets any thread resume.
struct UnsafeConnection: @unchecked Sendable {
    let pointer: OpaquePointer
}
