import Fixtures
import JSON

extension AWSError {
    /// The one encoder of error responses.
    public func response(requestId: String) -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 64 + message.utf8.count)
        writer.beginObject()
        writer.member("message", message)
        for member in members { writer.key(member.key); writer.write(member.value) }
        writer.endObject()
        var response = HTTPResponse.json(writer.bytes, status: status)
        response.headers.append(("x-amzn-ErrorType", code))
        response.headers.append(("x-amzn-RequestId", requestId))
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { response.headers.append((name, value)) }
        return response
    }
}
