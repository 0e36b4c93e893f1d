import Fixtures
import Synchronization
import JSON

extension MockBedrockService {
    /// `GET /_mock/stats`: `{"answers": N, "errors": N, "connections": N}` (connections is null without
    /// a running server).
    func stats() -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 64)
        writer.beginObject()
        writer.member("answers", Int64(counters.answers.load(ordering: .relaxed)))
        writer.member("errors", Int64(counters.errors.load(ordering: .relaxed)))
        writer.key("connections")
        if let reading = counters.connections.withLock({ $0 }), let count = reading() { writer.number(literal: String(count)) } else { writer.null() }
        writer.endObject()
        return .json(writer.bytes)
    }
}
