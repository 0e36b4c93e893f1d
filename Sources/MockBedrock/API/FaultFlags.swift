import Fixtures

/// One-request faults asked for in the query (`mockError`, `mockMessage`, `mockDelayMs`,
/// `mockFault`) or in headers (`x-mock-error`, `x-mock-message`, `x-mock-delay-ms`, `x-mock-fault`).
enum FaultFlags {
    static let queryNames = ["mockError", "mockMessage", "mockDelayMs", "mockFault"]
    static let headerNames = ["x-mock-error", "x-mock-message", "x-mock-delay-ms", "x-mock-fault"]

    /// The decision the flags ask for, nil without flags; a bad flag is a ValidationException naming it.
    static func decision(_ request: HTTPRequest, operation: String) throws(AWSError) -> FaultDecision? {
        guard !request.query.isEmpty || request.hasHeader(prefix: "x-mock-") else { return nil }
        let values = zip(queryNames, headerNames).map { query, header in
            request.queryItem(query) ?? request.header(header)
        }
        let names = zip(queryNames, headerNames).map { query, header in
            request.queryItem(query) != nil ? query : header
        }
        switch FaultRuleSpec.fromFlags(error: values[0], message: values[1], delayMs: values[2], fault: values[3], names: names) {
        case nil:
            return nil
        case .failure(let errors):
            throw AWSError("ValidationException", errors.violations.map(\.descriptionNamingPath).joined(separator: "; "))
        case .success(let spec):
            let error = spec.error.map { AWSError($0, spec.message ?? AWSError.defaultMessage($0, operation: operation)) }
            var delay = 0
            if case .fixed(let milliseconds)? = spec.delay { delay = milliseconds }
            return FaultDecision(ruleId: "request", error: error, fault: spec.fault, delayMilliseconds: delay)
        }
    }
}
