import Fixtures
import Sync

/// Which events a reader wants: those after a sequence number, of a job, with some statuses.
public struct EventQuery: Sendable, Equatable {
    /// Only events whose sequence is greater (0: all kept).
    public var after = 0
    /// Only this job's (its id).
    public var jobId: String?
    /// Only these statuses (empty: all).
    public var statuses: Set<JobStatus> = []
    /// At most this many events an answer.
    public var limit = EventLog.defaultLimit

    public init(after: Int = 0, jobId: String? = nil, statuses: Set<JobStatus> = [], limit: Int = EventLog.defaultLimit) {
        self.after = after
        self.jobId = jobId
        self.statuses = statuses
        self.limit = limit
    }

    func matches(_ event: JobEvent) -> Bool {
        event.sequence > after && (jobId.map { $0 == event.jobArn.jobId } ?? true) && (statuses.isEmpty || statuses.contains(event.status))
    }
}

/// The recent events, newest last, for `GET /_mock/events`: a ring of `capacity` events (older
/// ones fall out), and the readers waiting for an event that matches their query (a long poll).
/// Thread-safe. Sequence numbers rise for the life of the process; a reset empties the ring but
/// does not restart them, so a reader's `after` stays meaningful.
public final class EventLog: Sendable {
    public static let defaultCapacity = 10_000
    public static let defaultLimit = 1_000
    /// Readers woken by events at once; past this a reader waits out its whole `wait` (each holds a
    /// connection, and every append looks at every reader).
    public static let maxWaiters = 1_024

    private struct Waiter {
        let query: EventQuery
        let wake: @Sendable () -> Void
    }

    private struct State {
        var ring: [JobEvent] = []
        /// Where the oldest event is in `ring` once it is full.
        var start = 0
        var lastSequence = 0
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
    }

    public let capacity: Int
    private let state = Locked(State())

    public init(capacity: Int = EventLog.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Gives the events their sequence numbers, keeps them, and wakes the readers they match.
    /// Returns them numbered.
    @discardableResult
    public func append(_ events: [JobEvent]) -> [JobEvent] {
        guard !events.isEmpty else { return [] }
        var wakes: [@Sendable () -> Void] = []
        let numbered = state.withLock { state -> [JobEvent] in
            var numbered: [JobEvent] = []
            numbered.reserveCapacity(events.count)
            for var event in events {
                state.lastSequence += 1
                event.sequence = state.lastSequence
                numbered.append(event)
                if state.ring.count < capacity {
                    state.ring.append(event)
                } else {
                    state.ring[state.start] = event
                    state.start = (state.start + 1) % capacity
                }
            }
            for (id, waiter) in state.waiters where numbered.contains(where: waiter.query.matches) {
                wakes.append(waiter.wake)
                state.waiters.removeValue(forKey: id)
            }
            return numbered
        }
        for wake in wakes { wake() }
        return numbered
    }

    /// The kept events the query matches, oldest first, at most `query.limit`, and the sequence a
    /// reader passes as `after` next: the last event returned when the limit cut the answer short,
    /// else the newest sequence given so far.
    public func events(_ query: EventQuery) -> (events: [JobEvent], next: Int) {
        state.withLock { state in Self.matching(query, in: state, capacity: capacity) }
    }

    private static func matching(_ query: EventQuery, in state: State, capacity: Int) -> (events: [JobEvent], next: Int) {
        var found: [JobEvent] = []
        let count = state.ring.count
        // The ring holds consecutive sequences: skip straight to the first one after `after`.
        let oldest = count == 0 ? state.lastSequence + 1 : state.ring[state.start].sequence
        let skip = max(0, min(count, query.after - oldest + 1))
        for offset in skip..<count {
            let event = state.ring[(state.start + offset) % max(1, count)]
            guard query.matches(event) else { continue }
            if found.count == query.limit { return (found, found.last?.sequence ?? query.after) }
            found.append(event)
        }
        return (found, max(query.after, state.lastSequence))
    }

    /// What `wait` did.
    public enum Waiting: Equatable, Sendable {
        /// `wake` will be called once, at the first matching event; the token is for `cancel`.
        case registered(Int)
        /// A matching event is kept already: `wake` is never called.
        case ready
        /// Too many readers wait: `wake` is never called, the reader waits out its time.
        case full
    }

    /// Registers `wake` to be called once when an event the query matches is appended, unless one
    /// is kept already, or `maxWaiters` readers wait.
    public func wait(_ query: EventQuery, wake: @escaping @Sendable () -> Void) -> Waiting {
        state.withLock { state in
            guard Self.matching(query, in: state, capacity: capacity).events.isEmpty else { return .ready }
            guard state.waiters.count < Self.maxWaiters else { return .full }
            state.nextWaiter += 1
            state.waiters[state.nextWaiter] = Waiter(query: query, wake: wake)
            return .registered(state.nextWaiter)
        }
    }

    /// Forgets a waiting reader (its wait ended some other way).
    public func cancel(_ token: Int) {
        state.withLock { _ = $0.waiters.removeValue(forKey: token) }
    }

    /// Empties the ring (a reset); sequence numbers go on. Waiting readers keep waiting.
    public func clear() {
        state.withLock { state in
            state.ring.removeAll(keepingCapacity: true)
            state.start = 0
        }
    }

    /// The newest sequence given so far (0: none).
    public var lastSequence: Int { state.withLock { $0.lastSequence } }
}
