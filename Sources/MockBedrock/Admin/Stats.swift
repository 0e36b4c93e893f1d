import Fixtures
import Synchronization
import JSON

extension MockBedrockService {
    /// `GET /_mock/stats`: `{"answers": N, "errors": N, "connections": N, "events": {...}}` (connections
    /// is null without a running server; events counts what the event worker sent, what fault rules
    /// dropped and delayed, and each outlet's counters).
    func stats() -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 64)
        writer.beginObject()
        writer.member("answers", Int64(counters.answers.load(ordering: .relaxed)))
        writer.member("errors", Int64(counters.errors.load(ordering: .relaxed)))
        writer.key("connections")
        if let reading = counters.connections.current, let count = reading() { writer.number(literal: String(count)) } else { writer.null() }
        let sent = events.counters()
        writer.key("events")
        writer.beginObject()
        writer.member("sent", Int64(sent.sent))
        writer.member("droppedByFault", Int64(sent.droppedByFault))
        writer.member("delayedByFault", Int64(sent.delayedByFault))
        writer.member("waitingDelay", Int64(sent.waiting))
        writer.key("outlets")
        writer.beginArray()
        for outlet in sent.outlets {
            writer.beginObject()
            writer.member("name", outlet.name)
            writer.member("target", outlet.target)
            for counter in outlet.counters() { writer.member(counter.name, Int64(counter.value)) }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        writer.endObject()
        return .json(writer.bytes)
    }
}
