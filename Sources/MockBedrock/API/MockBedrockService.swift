import Fixtures

/// The service: routes a request, runs the operation and encodes its answer or its AWS error.
/// `respond(to:)` is synchronous and thread-safe; libmicrohttpd calls it on its own threads, and
/// tests call it directly without a socket.
public final class MockBedrockService: Sendable {
    public let store: JobStore
    let router: Router

    public init(store: JobStore) {
        self.store = store
        self.router = Router(routes: [
            Route(operation: "GetModelInvocationJob"),
            Route("MockHealth", "GET", "/_mock/health"),
            Route("MockGetClock", "GET", "/_mock/clock"),
            Route("MockUpdateClock", "POST", "/_mock/clock"),
            Route("MockReset", "POST", "/_mock/reset"),
        ])
    }

    /// Answers one request. Every answer carries a fresh `x-amzn-RequestId`.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let requestId = RequestID.make()
        var response: HTTPResponse
        do throws(AWSError) {
            let match = try router.match(method: request.method, path: request.path).get()
            response = try handle(match, request)
            response.headers.append(("x-amzn-RequestId", requestId))
        } catch {
            response = error.response(requestId: requestId)
        }
        return response
    }

    private func handle(_ match: RouteMatch, _ request: HTTPRequest) throws(AWSError) -> HTTPResponse {
        switch match.route.name {
        case "GetModelInvocationJob": try getModelInvocationJob(jobIdentifier: match.labels["jobIdentifier"] ?? "")
        case "MockHealth": health()
        case "MockGetClock": getClock()
        case "MockUpdateClock": try updateClock(request)
        case "MockReset": try reset(request)
        default: preconditionFailure("route \(match.route.name) has no handler")
        }
    }
}
