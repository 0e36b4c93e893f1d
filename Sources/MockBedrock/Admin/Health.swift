import Fixtures
import JSON

extension MockBedrockService {
    /// `GET /_mock/health`: `{"status":"ok","jobs":N}`.
    func health() -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 32)
        writer.beginObject()
        writer.member("status", "ok")
        writer.member("jobs", Int64(store.count))
        writer.endObject()
        return .json(writer.bytes)
    }
}
