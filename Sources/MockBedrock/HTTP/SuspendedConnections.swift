import Fixtures
import CMicroHTTPD
import Dispatch
import Sync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Connections held back from libmicrohttpd's event loop for a while (a delay, a stall), and
/// resumed by a timer, or early when their client hangs up (libmicrohttpd does not watch a
/// suspended socket, so a sweep does). libmicrohttpd must not be stopped with a connection
/// suspended: `stop` resumes them all first and refuses new ones. Every resume happens under the
/// lock, so a timer and `stop` never both resume one connection, nor does one resume after `stop`.
final class SuspendedConnections: Sendable {
    private struct Held {
        let connection: UnsafeConnection
        let socket: Int32
        /// A `GET /_mock/events` waiting for events, or an operation waiting for data work: resumed
        /// early when the server stops, and answered with what there is.
        let answersOnStop: Bool
    }

    private struct State {
        var next = 0
        var held: [Int: Held] = [:]
        var stopped = false
        var sweeping = false
    }

    /// How often held sockets are checked for a client that hung up.
    static let sweepMilliseconds = 200

    private let state = Locked(State())

    /// Suspends the connection (from its access handler) and resumes it after `milliseconds`, or
    /// earlier through `resume(id:)` with the id returned. Returns nil once stopping, when the
    /// caller must answer at once instead.
    @discardableResult
    func suspend(_ connection: OpaquePointer, milliseconds: Int, answersOnStop: Bool = false) -> Int? {
        let (id, startSweep): (Int?, Bool) = state.withLock { state in
            guard !state.stopped else { return (nil, false) }
            MHD_suspend_connection(connection)
            state.next += 1
            state.held[state.next] = Held(
                connection: UnsafeConnection(pointer: connection), socket: mhd_shim_connection_socket(connection), answersOnStop: answersOnStop)
            let startSweep = !state.sweeping
            state.sweeping = true
            return (state.next, startSweep)
        }
        guard let id else { return nil }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
            resume { $0 == id }
        }
        if startSweep { scheduleSweep() }
        return id
    }

    /// Resumes every connection held for events or data work: the server is stopping, and they
    /// answer what they have.
    func resumeWaits() {
        state.withLock { state in
            for (id, held) in state.held where held.answersOnStop {
                MHD_resume_connection(held.connection.pointer)
                state.held.removeValue(forKey: id)
            }
        }
    }

    /// Resumes the connection `suspend` returned `id` for, if it is still held.
    func resume(id: Int) {
        resume { $0 == id }
    }

    /// Resumes every held connection and refuses new ones; call before stopping the daemon.
    func stop() {
        state.withLock { state in
            state.stopped = true
            for held in state.held.values { MHD_resume_connection(held.connection.pointer) }
            state.held.removeAll()
        }
    }

    /// Resumes the held connections whose id passes `test`.
    private func resume(where test: (Int) -> Bool) {
        state.withLock { state in
            for (id, held) in state.held where test(id) {
                MHD_resume_connection(held.connection.pointer)
                state.held.removeValue(forKey: id)
            }
        }
    }

    private func scheduleSweep() {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Self.sweepMilliseconds)) { [self] in
            sweep()
        }
    }

    /// Resumes connections whose client has closed its end (a read would see end of file or an
    /// error), so that a stalled or delayed connection is let go when the client gives up.
    private func sweep() {
        let again: Bool = state.withLock { state in
            for (id, held) in state.held where Self.peerHungUp(held.socket) {
                MHD_resume_connection(held.connection.pointer)
                state.held.removeValue(forKey: id)
            }
            state.sweeping = !state.held.isEmpty && !state.stopped
            return state.sweeping
        }
        if again { scheduleSweep() }
    }

    private static func peerHungUp(_ socket: Int32) -> Bool {
        guard socket >= 0 else { return false }
        var byte: UInt8 = 0
        let count = recv(socket, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }
}

/// A connection pointer, which libmicrohttpd lets any thread resume.
struct UnsafeConnection: @unchecked Sendable {
    let pointer: OpaquePointer
}
