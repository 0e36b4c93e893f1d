import Fixtures
import JSON
import ServiceModel
import Sync

/// What the service makes of one request: the response, and what the transport must do first or
/// instead (a delay, a broken connection).
public struct ServiceAnswer: Sendable {
    public var response: HTTPResponse
    public var delayMilliseconds: Int = 0
    public var connectionFault: FaultRuleSpec.ConnectionFault?
    /// The AWS error code the response carries, nil for a success.
    public var errorCode: String?
    /// A `GET /_mock/events` with `wait` that found nothing: the server may hold it (the response is
    /// the answer as things stand).
    public var eventWait: EventWait?
    /// An operation that waits for data work (Get, List or Stop of a job whose input is being read or
    /// whose results are being written): there is no response yet. The server suspends the connection
    /// until the work ends or the wait's deadline passes, then asks `resume(_:)` for the answer.
    public var dataWait: DataWait?
}

/// An AWS operation's answer held back until the data work it needs has ended: all it needs to
/// answer later, on whichever thread resumes it. Its fault rules were decided once, when it came.
public struct DataWait: Sendable {
    struct Operation: Sendable {
        let match: RouteMatch
        let request: HTTPRequest
        let scope: Scope
        let requestId: String
        let identifier: Result<JobIdentifier, ValidationFailure>?
        let jobId: String?
        var decision: FaultDecision?
        /// When the request stops waiting (`Monotonic.now()` nanoseconds).
        let deadline: UInt64
        /// The rounds of data work started so far: the input's check, then the results.
        var rounds = 0

        var call: RouteCall { RouteCall(request: request, scope: scope, label: match.label, identifier: identifier) }
    }

    let operation: Operation
    let completion: DataCompletion

    /// Milliseconds left until the wait ends whatever the work does (at least 1).
    public var remainingMilliseconds: Int {
        let now = Monotonic.now()
        guard operation.deadline > now else { return 1 }
        return Int(min((operation.deadline - now) / 1_000_000 + 1, 600_000))
    }

    /// Runs `callback` once the work has ended (at once if it has).
    public func notify(_ callback: @escaping @Sendable () -> Void) {
        completion.notify(callback)
    }
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
    /// The jobs' lifecycle events: their log (`GET /_mock/events`) and the worker that sends them
    /// (started by the server, `MockBedrockServer`).
    public let events: EventEmitter
    let router: Router
    let pageTokens = PageTokens()

    public init(store: JobStore, faults: FaultBook = FaultBook(), journal: RequestJournal = RequestJournal(), settings: ServiceSettings = ServiceSettings()) {
        self.store = store
        self.faults = faults
        self.journal = journal
        self.settings = settings
        self.events = EventEmitter(store: store, faults: faults)
        store.dataPlane?.faults.withLock { $0 = faults }
        store.dataPlane?.journal.withLock {
            $0 = { [weak store] step in
                guard journal.capacity > 0 else { return }
                journal.record(
                    JournalEntry(
                        time: .wallClockNow(), clock: store?.clock().now ?? .wallClockNow(), method: step.method,
                        path: step.location, operation: step.operation, jobId: step.jobId, status: step.status, errorCode: step.errorCode,
                        ruleId: nil, fault: nil, delayMilliseconds: 0, invocationId: nil, attempt: step.attempt, maxAttempts: step.maxAttempts))
            }
        }
        // Switched off, the admin routes are not there at all (404 on any method); the health check stays.
        self.router = Router(routes: settings.admin == .off ? Self.routes.filter { $0.kind != .admin } : Self.routes)
    }

    /// A service over fixture jobs: their lifecycles on a clock from `clockStart` at `clockRate`,
    /// their own fault rules, the quotas, and a journal of `journalSize` requests.
    public convenience init(
        fixtures: [FixtureJob], clockStart: Timestamp = .wallClockNow(), clockRate: Double = 1, rateLimits: [RateLimit] = [],
        journalSize: Int = 1000, settings: ServiceSettings = ServiceSettings(), realTime: @escaping @Sendable () -> UInt64 = monotonicNanoseconds,
        dataPlane: DataPlane? = nil
    ) {
        let rules = fixtures.flatMap { job in job.faults.map { (jobId: job.record.jobId, spec: $0) } }
        self.init(
            store: JobStore(fixtures: fixtures, clockStart: clockStart, clockRate: clockRate, realTime: realTime, dataPlane: dataPlane),
            faults: FaultBook(fixtureRules: rules, rateLimits: rateLimits, realTime: realTime),
            journal: RequestJournal(capacity: journalSize), settings: settings)
    }

    /// Every route: the AWS operations (from the model's request URIs), the health check and the
    /// admin API, each with its handler. Dispatch reads this table and nothing else.
    static let routes: [Route] = [
        Route(operation: "CreateModelInvocationJob") { service, call throws(AWSError) in
            try service.createModelInvocationJob(call.request, scope: call.scope)
        },
        Route(operation: "GetModelInvocationJob", dataNeeds: { service, call in service.pendingData(of: call) }) { service, call throws(AWSError) in
            try service.getModelInvocationJob(
                jobIdentifier: call.label ?? "", parsed: call.identifier, scope: call.scope, isPoll: call.request.method == "GET")
        },
        Route(operation: "ListModelInvocationJobs", dataNeeds: { service, call in service.store.pendingData(in: call.scope) }) {
            service, call throws(AWSError) in try service.listModelInvocationJobs(call.request, scope: call.scope)
        },
        Route(operation: "StopModelInvocationJob", dataNeeds: { service, call in service.pendingData(of: call) }) { service, call throws(AWSError) in
            try service.stopModelInvocationJob(jobIdentifier: call.label ?? "", parsed: call.identifier, scope: call.scope)
        },
        Route(operation: "TagResource") { service, call throws(AWSError) in try service.tagResource(call.request, scope: call.scope) },
        Route(operation: "UntagResource") { service, call throws(AWSError) in try service.untagResource(call.request, scope: call.scope) },
        Route(operation: "ListTagsForResource") { service, call throws(AWSError) in try service.listTagsForResource(call.request, scope: call.scope) },
        Route("MockHealth", "GET", "/_mock/health", kind: .health) { service, _ in service.health() },
        Route(admin: "MockStats", "GET", "/_mock/stats") { service, _ in service.stats() },
        Route(admin: "MockGetClock", "GET", "/_mock/clock") { service, _ in service.getClock() },
        Route(admin: "MockUpdateClock", "POST", "/_mock/clock") { service, call throws(AWSError) in try service.updateClock(call.request) },
        Route(admin: "MockReset", "POST", "/_mock/reset") { service, call throws(AWSError) in try service.reset(call.request) },
        Route(admin: "MockListFaults", "GET", "/_mock/faults") { service, _ in service.listFaults() },
        Route(admin: "MockAddFault", "POST", "/_mock/faults") { service, call throws(AWSError) in try service.addFault(call.request) },
        Route(admin: "MockDeleteFaults", "DELETE", "/_mock/faults") { service, call throws(AWSError) in try service.deleteFaults(call.request) },
        Route(admin: "MockDeleteFault", "DELETE", "/_mock/faults/{id}") { service, call throws(AWSError) in try service.deleteFault(id: call.label ?? "") },
        Route(admin: "MockListEvents", "GET", "/_mock/events", holding: { service, call throws(AWSError) in try service.listEvents(call.request) }),
        Route(admin: "MockListRequests", "GET", "/_mock/requests") { service, _ in service.listRequests() },
        Route(admin: "MockClearRequests", "DELETE", "/_mock/requests") { service, call throws(AWSError) in try service.clearRequests(call.request) },
    ]

    /// Answers one request. Every response carries a fresh `x-amzn-RequestId`.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        answer(request).response
    }

    /// Answers one request, with the delay or connection fault a fault rule asks for. An operation
    /// that needs data work waits for it here, on the caller's thread, as long as `--data-wait`
    /// allows: for callers in process (tests, a Swift test's server). The HTTP server calls `begin`
    /// and `resume` instead, and its threads never wait.
    public func answer(_ request: HTTPRequest) -> ServiceAnswer {
        var answer = begin(request)
        while let wait = answer.dataWait {
            wait.completion.wait(until: wait.operation.deadline)
            answer = resume(wait)
        }
        return answer
    }

    /// Goes on with an operation that waited for data work (it ended, or the wait did). The answer
    /// may wait again for the next round (a job's results after its input), unless `waiting` is false:
    /// then it is the answer as things stand (the server is stopping).
    public func resume(_ wait: DataWait, waiting: Bool = true) -> ServiceAnswer {
        proceed(wait.operation, waiting: waiting)
    }

    /// Answers one request without waiting: the route, then the admin API's steps or an AWS
    /// operation's; an operation that needs data work returns a `dataWait` instead of its response.
    public func begin(_ request: HTTPRequest) -> ServiceAnswer {
        let requestId = RequestID.make()
        switch router.match(method: request.method, path: request.path) {
        case .failure(let error):
            let answer = ServiceAnswer(error, requestId: requestId)
            record(request, operation: nil, jobId: nil, answer, decision: nil)
            return answer
        case .success(let match):
            return match.route.kind == .aws ? answerOperation(match, request, requestId: requestId) : answerAdmin(match, request, requestId: requestId)
        }
    }

    /// The admin API and the health check: access, then the handler (not scoped, no faults, not journaled).
    private func answerAdmin(_ match: RouteMatch, _ request: HTTPRequest, requestId: String) -> ServiceAnswer {
        if let refusal = settings.admin.refusal(of: request, route: match.route) {
            return ServiceAnswer(refusal, requestId: requestId)
        }
        let scope = Scope(accountId: settings.accountId, region: settings.region)
        let ran = run(match, request, scope: scope, requestId: requestId)
        return ServiceAnswer(response: ran.response, eventWait: ran.wait)
    }

    /// The job a request is about, read once: the identifier as written (the route's label, or a
    /// tagging request's resourceARN), the label parsed as a job identifier, and the job it names.
    private struct Target {
        let text: String?
        let label: Result<JobIdentifier, ValidationFailure>?
        let job: JobIdentifier?

        init(_ match: RouteMatch, _ request: HTTPRequest) {
            text = match.label ?? MockBedrockService.resourceARN(of: request, operation: match.route.name)
            label = match.label.map(JobIdentifier.parse)
            job = label.map { try? $0.get() } ?? text.flatMap { try? JobIdentifier.parse($0).get() }
        }
    }

    /// An AWS operation: the caller (scope and signature), the target, the fault rules, the
    /// operation, the journal.
    private func answerOperation(_ match: RouteMatch, _ request: HTTPRequest, requestId: String) -> ServiceAnswer {
        let operation = match.route.name
        let scope: Scope
        switch caller(of: request, operation: operation) {
        case .success(let found): scope = found
        case .failure(let refusal):
            let answer = ServiceAnswer(refusal, requestId: requestId)
            record(request, operation: operation, jobId: nil, answer, decision: nil)
            return answer
        }
        let target = Target(match, request)
        var decision: FaultDecision?
        switch faultDecision(request, operation: operation, target: target, scope: scope) {
        case .success(let found): decision = found
        case .failure(let error):
            let answer = ServiceAnswer(error, requestId: requestId)
            record(request, operation: operation, jobId: target.job?.jobId, answer, decision: FaultDecision(ruleId: "request", error: error, delayMilliseconds: 0))
            return answer
        }
        if let error = decision?.error {
            var answer = ServiceAnswer(response: error.response(requestId: requestId), delayMilliseconds: decision?.delayMilliseconds ?? 0, connectionFault: decision?.fault)
            answer.errorCode = error.code
            record(request, operation: operation, jobId: target.job?.jobId, answer, decision: decision)
            return answer
        }
        if let fault = decision?.fault, fault != .truncate {
            let answer = ServiceAnswer(response: HTTPResponse(), delayMilliseconds: decision?.delayMilliseconds ?? 0, connectionFault: fault)
            record(request, operation: operation, jobId: target.job?.jobId, answer, decision: decision)
            return answer
        }
        let pending = DataWait.Operation(
            match: match, request: request, scope: scope, requestId: requestId, identifier: target.label, jobId: target.job?.jobId, decision: decision,
            deadline: store.dataPlane?.waitDeadline() ?? 0)
        return proceed(pending, waiting: true)
    }

    /// The rounds of data work an operation waits for at most: a job's input, then its results.
    static let maxDataRounds = 2

    /// Starts the data work the operation's jobs need and returns a `dataWait` while it runs (until
    /// the operation's deadline); then runs the operation, with its fault rules' delay or truncation.
    private func proceed(_ pending: DataWait.Operation, waiting: Bool) -> ServiceAnswer {
        var pending = pending
        while let needs = pending.match.route.dataNeeds, let dataPlane = store.dataPlane, pending.rounds < Self.maxDataRounds {
            let works = needs(self, pending.call)
            if works.isEmpty { break }
            // Past its wait (or stopping) the request still starts the work, and keeps no completion for it.
            guard waiting, Monotonic.now() < pending.deadline else {
                dataPlane.start(works, waiting: false, isNeeded: store.stillNeeds, apply: store.applyData)
                break
            }
            pending.rounds += 1
            let completion = dataPlane.start(works, isNeeded: store.stillNeeds, apply: store.applyData)
            if completion.isDone { continue }  // done at once (a small local input): look again
            return ServiceAnswer(response: HTTPResponse(), dataWait: DataWait(operation: pending, completion: completion))
        }
        var answer = ServiceAnswer(response: HTTPResponse(), delayMilliseconds: pending.decision?.delayMilliseconds ?? 0, connectionFault: pending.decision?.fault)
        (answer.response, answer.errorCode, _) = run(pending.match, pending.request, scope: pending.scope, requestId: pending.requestId, identifier: pending.identifier)
        if answer.connectionFault == .truncate, answer.response.body.isEmpty {
            answer.connectionFault = .close  // no body to cut: the headers would be a whole answer
            pending.decision?.fault = .close
        }
        record(pending.request, operation: pending.match.route.name, jobId: pending.jobId, answer, decision: pending.decision)
        return answer
    }

    /// The caller's scope, after the optional signature check.
    private func caller(of request: HTTPRequest, operation: String) -> Result<Scope, AWSError> {
        let scope: Scope
        switch settings.scope(of: request) {
        case .success(let found): scope = found
        case .failure(let refusal): return .failure(refusal)
        }
        if let sigV4 = settings.sigV4, let refusal = sigV4.refusal(of: request, operation: operation, accountId: scope.accountId, now: .wallClockNow()) {
            return .failure(refusal)
        }
        return .success(scope)
    }

    /// What the fault flags and rules ask of this request (nil: nothing); a bad flag is an error.
    private func faultDecision(_ request: HTTPRequest, operation: String, target: Target, scope: Scope) -> Result<FaultDecision?, AWSError> {
        var decision: FaultDecision?
        do throws(AWSError) {
            decision = try FaultFlags.decision(request, operation: operation)
        } catch {
            return .failure(error)
        }
        if decision?.error == nil, decision?.fault == nil {
            let job = target.job
            let context = FaultContext(
                operation: operation, identifier: target.text, jobId: job?.jobId,
                jobArn: { [store] in job.flatMap { store.record($0, in: scope)?.jobArn } },
                status: { [store] in job.flatMap { store.record($0, in: scope)?.status } })
            decision = faults.decide(context, after: decision)
        }
        if decision?.fault == .truncate, request.method == "HEAD" {
            decision?.fault = .close  // no body to cut: the headers would be a whole answer
        }
        return .success(decision)
    }

    /// Runs the operation of a matched route; an AWS error becomes its response (and its code). A route
    /// may ask the transport to hold its answer (`wait`). `identifier` is the route label already parsed
    /// as a job identifier, if the caller has it.
    private func run(
        _ match: RouteMatch, _ request: HTTPRequest, scope: Scope, requestId: String, identifier: Result<JobIdentifier, ValidationFailure>? = nil
    ) -> (response: HTTPResponse, errorCode: String?, wait: EventWait?) {
        do throws(AWSError) {
            var (response, wait) = try match.route.handle(self, RouteCall(request: request, scope: scope, label: match.label, identifier: identifier))
            response.headers.append(("x-amzn-RequestId", requestId))
            return (response, nil, wait)
        } catch {
            return (error.response(requestId: requestId), error.code, nil)
        }
    }

    /// The data work of the job a Get or Stop names (none for an identifier that is not valid).
    private func pendingData(of call: RouteCall) -> [DataWork] {
        guard case .success(let identifier)? = call.identifier ?? call.label.map(JobIdentifier.parse) else { return [] }
        return store.pendingData(of: identifier, in: call.scope)
    }

    /// The `resourceARN` of a tagging request's body, for fault rules and the journal.
    fileprivate static func resourceARN(of request: HTTPRequest, operation: String) -> String? {
        guard ["TagResource", "UntagResource", "ListTagsForResource"].contains(operation) else { return nil }
        return (try? request.bodyObject())?.first { $0.key == "resourceARN" }?.value.stringValue
    }

    private func record(_ request: HTTPRequest, operation: String?, jobId: String?, _ answer: ServiceAnswer, decision: FaultDecision?) {
        guard journal.capacity > 0 else { return }
        let attempts = JournalEntry.attempts(request.header("amz-sdk-request"))
        let broken = answer.connectionFault.map { $0 != .truncate } ?? false
        journal.record(
            JournalEntry(
                time: .wallClockNow(), clock: store.clock().now, method: request.method, path: request.path,
                operation: operation, jobId: jobId, status: broken ? nil : answer.response.status,
                errorCode: broken ? nil : answer.errorCode, ruleId: decision?.ruleId,
                fault: answer.connectionFault?.rawValue, delayMilliseconds: answer.delayMilliseconds,
                invocationId: request.header("amz-sdk-invocation-id"), attempt: attempts.attempt, maxAttempts: attempts.max))
    }
}
