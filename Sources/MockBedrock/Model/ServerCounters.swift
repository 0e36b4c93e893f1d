import Fixtures
import Sync
import Synchronization

/// What the HTTP server has done, for `GET /_mock/stats`: answers sent, of them errors, and the open
/// connections as libmicrohttpd counts them. The stall catcher (bench/soak.py) watches these while
/// a load runs: answers that stop rising while connections stay open is a stall.
public final class ServerCounters: Sendable {
    /// Answers sent (a broken-connection fault sends none).
    let answers = Atomic<Int>(0)
    /// Answers with a 4xx or 5xx status.
    let errors = Atomic<Int>(0)
    /// The server's count of open connections, once a server serves this service.
    let connections = Locked<(@Sendable () -> Int?)?>(nil)

    public init() {}

    func answered(status: Int) {
        answers.add(1, ordering: .relaxed)
        if status >= 400 { errors.add(1, ordering: .relaxed) }
    }
}
