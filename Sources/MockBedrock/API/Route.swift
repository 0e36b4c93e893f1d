import Fixtures
import ServiceModel

/// What a route is: an AWS operation (scoped, signed, faults apply), the admin API (its access
/// rules apply), or the health check (always open).
public enum RouteKind: Sendable, Equatable {
    case aws, admin, health
}

/// What a handler gets: the request, the caller's scope (admin routes get the default one), the
/// route's label, and, for AWS routes with a job identifier label, that label already parsed.
struct RouteCall {
    let request: HTTPRequest
    let scope: Scope
    let label: String?
    let identifier: Result<JobIdentifier, ValidationFailure>?
}

/// One entry of the route table: a method and a URI template such as `/model-invocation-job/{jobIdentifier}`,
/// its kind and the handler that answers it. Adding an operation adds one entry to the table in
/// `MockBedrockService`. A template has at most one label (every route of the service and of the
/// admin API fits that).
public struct Route: Sendable {
    enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case label(String)
    }

    typealias Handler = @Sendable (MockBedrockService, RouteCall) throws(AWSError) -> HTTPResponse
    /// A handler whose answer the transport may hold: a `GET /_mock/events` that waits for events.
    typealias HoldingHandler = @Sendable (MockBedrockService, RouteCall) throws(AWSError) -> (response: HTTPResponse, wait: EventWait?)
    /// The data work the jobs an operation shows need before it answers (Get, List, Stop): the service
    /// starts it and the transport holds the answer until it has ended or its wait has.
    typealias DataNeeds = @Sendable (MockBedrockService, RouteCall) -> [DataWork]

    /// The operation name (`GetModelInvocationJob`) or, for the admin API, `Mock<Name>`.
    public let name: String
    public let method: String
    public let kind: RouteKind
    let segments: [Segment]
    /// The name of the template's label, if it has one.
    let labelName: String?
    let handle: HoldingHandler
    let dataNeeds: DataNeeds?

    init(_ name: String, _ method: String, _ template: String, kind: RouteKind, dataNeeds: DataNeeds? = nil, handle: @escaping HoldingHandler) {
        self.name = name
        self.method = method
        self.kind = kind
        self.handle = handle
        self.dataNeeds = dataNeeds
        self.segments = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .label(String(part.dropFirst().dropLast())) : .literal(Array(part.utf8))
        }
        let labels = segments.compactMap { if case .label(let name) = $0 { name } else { nil } }
        precondition(labels.count <= 1, "route \(name) has more than one label")
        self.labelName = labels.first
    }

    /// A route whose answer is never held.
    init(_ name: String, _ method: String, _ template: String, kind: RouteKind, dataNeeds: DataNeeds? = nil, handle: @escaping Handler) {
        self.init(name, method, template, kind: kind, dataNeeds: dataNeeds) { service, call throws(AWSError) in (try handle(service, call), nil) }
    }

    /// The route of an operation of the service model, from the model's `requestUri`.
    init(operation name: String, dataNeeds: DataNeeds? = nil, handle: @escaping Handler) {
        // Routes are built from the fixed table in MockBedrockService, never from a request.
        guard let operation = ServiceModel.operations[name] else { preconditionFailure("\(name) is not an operation of the model") }
        self.init(name, operation.method, operation.requestURI, kind: .aws, dataNeeds: dataNeeds, handle: handle)
    }

    /// A route of the admin API.
    init(admin name: String, _ method: String, _ template: String, handle: @escaping Handler) {
        self.init(name, method, template, kind: .admin, handle: handle)
    }

    /// A route of the admin API whose answer the transport may hold (`EventWait`).
    init(admin name: String, _ method: String, _ template: String, holding handle: @escaping HoldingHandler) {
        self.init(name, method, template, kind: .admin, handle: handle)
    }

    /// Whether the raw path (its bytes, starting with `/`) fits the template; `label` receives the
    /// raw bytes of the label's segment (which may be empty; `%2F` inside it stays in the label).
    func matches(_ path: UnsafeBufferPointer<UInt8>, label: inout Range<Int>?) -> Bool {
        var start = 1  // after the leading "/"
        for (index, segment) in segments.enumerated() {
            var end = start
            while end < path.count, path[end] != UInt8(ascii: "/") { end += 1 }
            let isLast = index == segments.count - 1
            guard isLast ? end == path.count : end < path.count else { return false }
            switch segment {
            case .literal(let literal):
                guard end - start == literal.count else { return false }
                for offset in 0..<literal.count where path[start + offset] != literal[offset] { return false }
            case .label:
                label = start..<end
            }
            start = end + 1
        }
        return true
    }
}

/// A request matched to its route.
public struct RouteMatch: Sendable {
    public let route: Route
    /// The percent-decoded value of the route's label (`jobIdentifier`, `id`), if the route has one.
    public let label: String?

    /// The label by name, as `[name: value]`.
    public var labels: [String: String] {
        guard let name = route.labelName, let label else { return [:] }
        return [name: label]
    }
}

/// Finds the route of a request from its method and raw path. Anything unmatched is a typed,
/// non-retryable 4xx: 404 for an unknown path, 405 for a known path with another method.
/// HEAD is served wherever GET is (libmicrohttpd sends the headers without the body).
public struct Router: Sendable {
    public let routes: [Route]

    public func match(method: String, path: String) -> Result<RouteMatch, AWSError> {
        // Matched on the bytes: the path is ASCII on the wire, and Character-wise work costs more than all the rest.
        var path = path
        let found: (route: Route, label: String?)?? = path.withUTF8 { bytes -> (route: Route, label: String?)?? in
            guard bytes.first == UInt8(ascii: "/") else { return nil }
            var pathFits = false
            for route in routes {
                var label: Range<Int>?
                guard route.matches(bytes, label: &label) else { continue }
                pathFits = true
                guard route.method == method || (method == "HEAD" && route.method == "GET") else { continue }
                return .some((route, label.map { PercentEncoding.decode(UnsafeBufferPointer(rebasing: bytes[$0])) }))
            }
            return pathFits ? .some(nil) : nil
        }
        switch found {
        case .some(.some(let match)): return .success(RouteMatch(route: match.route, label: match.label))
        case .some(.none):
            var allowed: [String] = []
            path.withUTF8 { bytes in
                for route in routes {
                    var label: Range<Int>?
                    if route.matches(bytes, label: &label), !allowed.contains(route.method) { allowed.append(route.method) }
                }
            }
            return .failure(.methodNotAllowed(method: method, path: path, allowed: allowed))
        case .none:
            return .failure(.unknownOperation(method: method, path: path))
        }
    }
}
