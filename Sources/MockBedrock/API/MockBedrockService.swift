import Fixtures

/// What the service makes of one request: the response, and what the transport must do first or
/// instead (a delay, a broken connection).
public struct ServiceAnswer: Sendable {
    public var response: HTTPResponse
    public var delayMilliseconds: Int = 0
    public var connectionFault: FaultRuleSpec.ConnectionFault?
    /// The AWS error code the response carries, nil for a success.
    public var errorCode: String?
}

extension ServiceAnswer {
    /// An AWS error as the whole answer.
    init(_ error: AWSError, requestId: String) {
        self.init(response: error.response(requestId: requestId), errorCode: error.code)
    }
}

/// The service: routes a request, applies fault rules, runs the operation and encodes its answer
/// or its AWS error, and keeps the journal. `answer(_:)` is synchronous and thread-safe;
/// libmicrohttpd calls it on its own threads, and tests call it directly without a socket.
public final class MockBedrockService: Sendable {
    public let store: JobStore
    public let faults: FaultBook
    public let journal: RequestJournal
    public let settings: ServiceSettings
    /// Answers and connections of the HTTP server serving this service (`GET /_mock/stats`).
    public let counters = ServerCounters()
    let router: Router
    let pageTokens = PageTokens()

    public init(store: JobStore, faults: FaultBook = FaultBook(), journal: RequestJournal = RequestJournal(), settings: ServiceSettings = ServiceSettings()) {
        self.store = store
        self.faults = faults
        self.journal = journal
        self.settings = settings
        let routes = [
            Route(operation: "CreateModelInvocationJob"),
            Route(operation: "GetModelInvocationJob"),
            Route(operation: "ListModelInvocationJobs"),
            Route(operation: "StopModelInvocationJob"),
            Route(operation: "TagResource"),
            Route(operation: "UntagResource"),
            Route(operation: "ListTagsForResource"),
            Route("MockHealth", "GET", "/_mock/health"),
            Route("MockStats", "GET", "/_mock/stats"),
            Route("MockGetClock", "GET", "/_mock/clock"),
            Route("MockUpdateClock", "POST", "/_mock/clock"),
            Route("MockReset", "POST", "/_mock/reset"),
            Route("MockListFaults", "GET", "/_mock/faults"),
            Route("MockAddFault", "POST", "/_mock/faults"),
            Route("MockDeleteFaults", "DELETE", "/_mock/faults"),
            Route("MockDeleteFault", "DELETE", "/_mock/faults/{id}"),
            Route("MockListRequests", "GET", "/_mock/requests"),
            Route("MockClearRequests", "DELETE", "/_mock/requests"),
        ]
        // Switched off, the admin routes are not there at all (404 on any method), except the health check.
        self.router = Router(routes: settings.admin == .off ? routes.filter { !$0.name.hasPrefix("Mock") || $0.name == "MockHealth" } : routes)
    }

    /// A service over fixture jobs: their lifecycles on a clock from `clockStart` at `clockRate`,
    /// their own fault rules, the quotas, and a journal of `journalSize` requests.
    public convenience init(
        fixtures: [FixtureJob], clockStart: Timestamp = .wallClockNow(), clockRate: Double = 1, rateLimits: [RateLimit] = [],
        journalSize: Int = 1000, settings: ServiceSettings = ServiceSettings(), realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds
    ) {
        let rules = fixtures.flatMap { job in job.faults.map { (jobId: job.record.jobId, spec: $0) } }
        self.init(
            store: JobStore(fixtures: fixtures, clockStart: clockStart, clockRate: clockRate, realTime: realTime),
            faults: FaultBook(fixtureRules: rules, rateLimits: rateLimits, realTime: realTime),
            journal: RequestJournal(capacity: journalSize), settings: settings)
    }

    /// Answers one request. Every response carries a fresh `x-amzn-RequestId`.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        answer(request).response
    }

    /// Answers one request, with the delay or connection fault a fault rule asks for.
    public func answer(_ request: HTTPRequest) -> ServiceAnswer {
        let requestId = RequestID.make()
        let match: RouteMatch
        switch router.match(method: request.method, path: request.path) {
        case .success(let found): match = found
        case .failure(let error):
            let answer = ServiceAnswer(error, requestId: requestId)
            record(request, operation: nil, jobId: nil, answer, decision: nil)
            return answer
        }
        guard !match.route.name.hasPrefix("Mock") else {
            if let refusal = settings.admin.refusal(of: request, route: match.route) {
                return ServiceAnswer(refusal, requestId: requestId)
            }
            let scope = Scope(accountId: settings.accountId, region: settings.region)  // the admin API is not scoped
            return ServiceAnswer(response: run(match, request, scope: scope, requestId: requestId).response)
        }
        let operation = match.route.name
        let scope: Scope
        switch settings.scope(of: request) {
        case .success(let found): scope = found
        case .failure(let refusal):
            let answer = ServiceAnswer(refusal, requestId: requestId)
            record(request, operation: operation, jobId: nil, answer, decision: nil)
            return answer
        }
        if let sigV4 = settings.sigV4, let refusal = sigV4.refusal(of: request, operation: operation, accountId: scope.accountId, now: .wallClockNow()) {
            let answer = ServiceAnswer(refusal, requestId: requestId)
            record(request, operation: operation, jobId: nil, answer, decision: nil)
            return answer
        }
        let identifier = match.label ?? Self.resourceARN(of: request, operation: operation)
        let parsedIdentifier = match.label.map(JobIdentifier.parse)
        let parsed = parsedIdentifier.map { try? $0.get() } ?? identifier.flatMap { try? JobIdentifier.parse($0).get() }
        var decision: FaultDecision?
        do throws(AWSError) {
            decision = try FaultFlags.decision(request, operation: operation)
        } catch {
            let answer = ServiceAnswer(error, requestId: requestId)
            record(request, operation: operation, jobId: parsed?.jobId, answer, decision: FaultDecision(ruleId: "request", error: error, delayMilliseconds: 0))
            return answer
        }
        if decision?.error == nil, decision?.fault == nil {
            let context = FaultContext(
                operation: operation, identifier: identifier, jobId: parsed?.jobId,
                jobArn: { [store] in parsed.flatMap { store.record($0, in: scope)?.jobArn } },
                status: { [store] in parsed.flatMap { store.record($0, in: scope)?.status } })
            decision = faults.decide(context, after: decision)
        }
        if decision?.fault == .truncate, request.method == "HEAD" {
            decision?.fault = .close  // no body to cut: the headers would be a whole answer
        }
        var answer = ServiceAnswer(response: HTTPResponse(), delayMilliseconds: decision?.delayMilliseconds ?? 0, connectionFault: decision?.fault)
        if let error = decision?.error {
            answer.response = error.response(requestId: requestId)
            answer.errorCode = error.code
        } else if answer.connectionFault == nil || answer.connectionFault == .truncate {
            (answer.response, answer.errorCode) = run(match, request, scope: scope, requestId: requestId, identifier: parsedIdentifier)
        }
        if answer.connectionFault == .truncate, answer.response.body.isEmpty {
            answer.connectionFault = .close
            decision?.fault = .close
        }
        record(request, operation: operation, jobId: parsed?.jobId, answer, decision: decision)
        return answer
    }

    /// Runs the operation of a matched route; an AWS error becomes its response (and its code).
    /// `identifier` is the route label already parsed as a job identifier, if the caller has it.
    private func run(
        _ match: RouteMatch, _ request: HTTPRequest, scope: Scope, requestId: String, identifier: Result<JobIdentifier, ValidationFailure>? = nil
    ) -> (response: HTTPResponse, errorCode: String?) {
        do throws(AWSError) {
            var response = try handle(match, request, scope: scope, identifier: identifier)
            response.headers.append(("x-amzn-RequestId", requestId))
            return (response, nil)
        } catch {
            return (error.response(requestId: requestId), error.code)
        }
    }

    private func handle(
        _ match: RouteMatch, _ request: HTTPRequest, scope: Scope, identifier: Result<JobIdentifier, ValidationFailure>?
    ) throws(AWSError) -> HTTPResponse {
        switch match.route.name {
        case "CreateModelInvocationJob": try createModelInvocationJob(request, scope: scope)
        case "GetModelInvocationJob":
            try getModelInvocationJob(jobIdentifier: match.label ?? "", parsed: identifier, scope: scope, isPoll: request.method == "GET")
        case "ListModelInvocationJobs": try listModelInvocationJobs(request, scope: scope)
        case "StopModelInvocationJob": try stopModelInvocationJob(jobIdentifier: match.label ?? "", parsed: identifier, scope: scope)
        case "TagResource": try tagResource(request, scope: scope)
        case "UntagResource": try untagResource(request, scope: scope)
        case "ListTagsForResource": try listTagsForResource(request, scope: scope)
        case "MockHealth": health()
        case "MockStats": stats()
        case "MockGetClock": getClock()
        case "MockUpdateClock": try updateClock(request)
        case "MockReset": try reset(request)
        case "MockListFaults": listFaults()
        case "MockAddFault": try addFault(request)
        case "MockDeleteFaults": try deleteFaults(request)
        case "MockDeleteFault": try deleteFault(id: match.label ?? "")
        case "MockListRequests": listRequests()
        case "MockClearRequests": try clearRequests(request)
        default: preconditionFailure("route \(match.route.name) has no handler")
        }
    }

    /// The `resourceARN` of a tagging request's body, for fault rules and the journal.
    private static func resourceARN(of request: HTTPRequest, operation: String) -> String? {
        guard ["TagResource", "UntagResource", "ListTagsForResource"].contains(operation) else { return nil }
        return (try? JSONParser.parse(request.body))?["resourceARN"]?.stringValue
    }

    private func record(_ request: HTTPRequest, operation: String?, jobId: String?, _ answer: ServiceAnswer, decision: FaultDecision?) {
        guard journal.capacity > 0 else { return }
        let attempts = JournalEntry.attempts(request.header("amz-sdk-request"))
        let broken = answer.connectionFault.map { $0 != .truncate } ?? false
        journal.record(JournalEntry(
            time: .wallClockNow(), clock: store.clock().now, method: request.method, path: request.path,
            operation: operation, jobId: jobId, status: broken ? nil : answer.response.status,
            errorCode: broken ? nil : answer.errorCode, ruleId: decision?.ruleId,
            fault: answer.connectionFault?.rawValue, delayMilliseconds: answer.delayMilliseconds,
            invocationId: request.header("amz-sdk-invocation-id"), attempt: attempts.attempt, maxAttempts: attempts.max))
    }
}
