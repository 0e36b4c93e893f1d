import Fixtures
import JSON
import ServiceModel

extension MockBedrockService {
    /// `GET /_mock/clock`: `{"now": ISO, "rate": R}`.
    func getClock() -> HTTPResponse {
        Self.clockResponse(store.clock())
    }

    /// `POST /_mock/clock` with any of `{"set": ISO, "advance": "90m", "rate": R}`, applied in that order.
    func updateClock(_ request: HTTPRequest) throws(AWSError) -> HTTPResponse {
        let body = try AdminBody(request, allowed: ["set", "advance", "rate"])
        guard !body.members.isEmpty else { throw .adminInput("give at least one of set, advance, rate") }
        var set: Timestamp?
        var advance: Int64?
        var rate: Double?
        if let value = body["set"] {
            guard case .string(let text) = value, let instant = Timestamp(iso8601: text) else {
                throw .adminInput("set: expected an ISO 8601 time with an offset, such as \"2026-03-01T10:00:00Z\"")
            }
            set = instant
        }
        if let value = body["advance"] {
            guard case .string(let text) = value, let milliseconds = DurationText.milliseconds(text) else {
                throw .adminInput("advance: expected a duration such as \"90m\" (a number and ms, s, m, h or d)")
            }
            advance = milliseconds
        }
        if let value = body["rate"] {
            guard case .number(let literal) = value, let number = Double(literal), number >= 0, number <= 1e9 else {
                throw .adminInput("rate: expected a number of simulated seconds per real second, from 0 (frozen) to 1e9")
            }
            rate = number
        }
        do {
            return Self.clockResponse(try store.updateClock(set: set, advanceMillis: advance, rate: rate))
        } catch {
            switch error {
            case .setBeforeNow(let current):
                throw .adminInput("set: the clock does not go back; it is \(current) (POST /_mock/reset restarts it)")
            case .pastTheEnd(let field):
                throw .adminInput("\(field): the clock stops at \(Timestamp(milliseconds: LifecycleClock.end))")
            }
        }
    }

    /// `POST /_mock/reset`: the fixtures (their fault rules too) and the clock as at start; no
    /// other fault rule, full quota buckets, an empty journal.
    func reset(_ request: HTTPRequest) throws(AWSError) -> HTTPResponse {
        _ = try AdminBody(request, allowed: [])
        events.reset { store.reset() }
        faults.reset()
        journal.clear()
        return Self.clockResponse(store.clock())
    }

    static func clockResponse(_ clock: (now: Timestamp, rate: Double)) -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 64)
        writer.beginObject()
        writer.member("now", clock.now.description)
        writer.key("rate")
        writer.number(literal: clock.rate == clock.rate.rounded() && abs(clock.rate) < 1e15 ? String(Int64(clock.rate)) : String(clock.rate))
        writer.endObject()
        return .json(writer.bytes)
    }
}
