import Fixtures
import JSON

extension MockBedrockService {
    /// `GET /_mock/faults`: `{"faults": [rule, ...]}`, each with its id and counters.
    func listFaults() -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 256)
        writer.beginObject()
        writer.key("faults")
        writer.beginArray()
        for rule in faults.rules { rule.writeJSON(to: &writer) }
        writer.endArray()
        writer.endObject()
        return .json(writer.bytes)
    }

    /// `POST /_mock/faults` with a rule object: the rule with its id.
    func addFault(_ request: HTTPRequest) throws(AWSError) -> HTTPResponse {
        let document: JSONValue
        do {
            document = try JSONParser.parse(request.body)
        } catch {
            throw AWSError.adminInput("the body is not JSON: \(error)")
        }
        switch FaultRuleSpec.decode(document) {
        case .failure(let errors):
            throw AWSError.adminInput(errors.violations.map(\.descriptionNamingPath).joined(separator: "; "))
        case .success(let spec):
            var writer = JSONWriter(reservingCapacity: 256)
            faults.add(spec).writeJSON(to: &writer)
            return .json(writer.bytes)
        }
    }

    /// `DELETE /_mock/faults`: removes every rule, the fixtures' too (`POST /_mock/reset` brings those back).
    func deleteFaults(_ request: HTTPRequest) throws(AWSError) -> HTTPResponse {
        _ = try AdminBody(request, allowed: [])
        faults.removeAll()
        return .json(Array("{}".utf8))
    }

    /// `DELETE /_mock/faults/{id}`.
    func deleteFault(id: String) throws(AWSError) -> HTTPResponse {
        let decoded = PercentEncoding.decode(id)
        guard faults.remove(id: decoded) else {
            throw AWSError("ResourceNotFoundException", "No fault rule has the id '\(decoded)'.")
        }
        return .json(Array("{}".utf8))
    }

    /// `GET /_mock/requests`: `{"requests": [...]}`, oldest first.
    func listRequests() -> HTTPResponse {
        let entries = journal.entries
        var writer = JSONWriter(reservingCapacity: 64 + entries.count * 320)
        writer.beginObject()
        writer.key("requests")
        writer.beginArray()
        for entry in entries { entry.writeJSON(to: &writer) }
        writer.endArray()
        writer.endObject()
        return .json(writer.bytes)
    }

    /// `DELETE /_mock/requests`: empties the journal.
    func clearRequests(_ request: HTTPRequest) throws(AWSError) -> HTTPResponse {
        _ = try AdminBody(request, allowed: [])
        journal.clear()
        return .json(Array("{}".utf8))
    }
}

extension FaultRule {
    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("id", id)
        writer.member("error", spec.error)
        writer.member("message", spec.message)
        writer.member("fault", spec.fault?.rawValue)
        switch spec.delay {
        case .fixed(let milliseconds)?:
            writer.member("delayMs", Int64(milliseconds))
        case .range(let low, let high)?:
            writer.key("delayMs")
            writer.beginArray()
            writer.integer(Int64(low))
            writer.integer(Int64(high))
            writer.endArray()
        case nil:
            break
        }
        writer.member("operation", spec.operation)
        writer.member("jobId", fixtureJobId ?? spec.jobId)
        writer.member("status", spec.status?.rawValue)
        writer.member("times", spec.times.map { Int64($0) })
        if spec.after > 0 { writer.member("after", Int64(spec.after)) }
        if let probability = spec.probability {
            writer.key("probability")
            writer.number(literal: String(probability))
        }
        if let seed = spec.seed {
            writer.key("seed")
            writer.number(literal: String(seed))
        }
        writer.member("data", spec.data?.rawValue)
        writer.member("event", spec.event?.rawValue)
        if let share = spec.recordErrors {
            writer.key("recordErrors")
            writer.number(literal: String(share))
        }
        if fixtureJobId != nil {
            writer.key("fromFixture")
            writer.bool(true)
        }
        writer.member("fired", Int64(fired))
        writer.member("matched", Int64(matched))
        writer.endObject()
    }
}
