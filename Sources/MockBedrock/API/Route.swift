import Fixtures

/// One entry of the route table: a method and a URI template such as `/model-invocation-job/{jobIdentifier}`.
public struct Route: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case label(String)
    }

    /// The operation name (`GetModelInvocationJob`) or, for the admin API, `Mock<Name>`.
    public let name: String
    public let method: String
    let segments: [Segment]

    init(_ name: String, _ method: String, _ template: String) {
        self.name = name
        self.method = method
        self.segments = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .label(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
    }

    /// The route of an operation of the service model, from the model's `requestUri`.
    init(operation name: String) {
        let operation = ServiceModel.operations[name]!
        self.init(name, operation.method, operation.requestURI)
    }

    /// The percent-decoded labels if the raw path segments fit the template, else nil.
    /// A label matches exactly one raw segment, which may be empty; `%2F` inside it stays in the label.
    func labels(matching rawSegments: [Substring.UTF8View]) -> [String: String]? {
        guard rawSegments.count == segments.count else { return nil }
        for (segment, raw) in zip(segments, rawSegments) {
            if case .literal(let literal) = segment, !raw.elementsEqual(literal.utf8) { return nil }
        }
        var labels: [String: String] = [:]
        for (segment, raw) in zip(segments, rawSegments) {
            if case .label(let name) = segment { labels[name] = PercentEncoding.decode(Substring(raw)) }
        }
        return labels
    }
}

/// A request matched to its route.
public struct RouteMatch: Sendable {
    public let route: Route
    public let labels: [String: String]
}

/// Finds the route of a request from its method and raw path. Anything unmatched is a typed,
/// non-retryable 4xx: 404 for an unknown path, 405 for a known path with another method.
/// HEAD is served wherever GET is (libmicrohttpd sends the headers without the body).
public struct Router: Sendable {
    public let routes: [Route]

    public func match(method: String, path: String) -> Result<RouteMatch, AWSError> {
        // Split on the bytes: the path is ASCII on the wire, and Character-wise splitting costs more than all the rest.
        let rawSegments = Array(Substring(path).utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst())
        var allowed: [String] = []
        for route in routes {
            guard let labels = route.labels(matching: rawSegments) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .success(RouteMatch(route: route, labels: labels))
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if allowed.isEmpty { return .failure(.unknownOperation(method: method, path: path)) }
        return .failure(.methodNotAllowed(method: method, path: path, allowed: allowed))
    }
}
