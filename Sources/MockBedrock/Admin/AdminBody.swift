import Fixtures
import JSON

/// The JSON object of an admin request, with its keys checked: unknown keys are refused, never ignored.
struct AdminBody {
    let members: [JSONMember]

    init(_ request: HTTPRequest, allowed: [String]) throws(AWSError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(request.body.isEmpty ? Array("{}".utf8) : request.body)
        } catch {
            throw AWSError.adminInput("the body is not JSON: \(error)")
        }
        guard case .object(let members) = document else {
            throw AWSError.adminInput("the body must be a JSON object, not \(document.kindDescription)")
        }
        for member in members where !allowed.contains(member.key) {
            throw AWSError.adminInput("\(member.key): unknown key (allowed: \(allowed.joined(separator: ", ")))")
        }
        self.members = members
    }

    subscript(key: String) -> JSONValue? {
        members.first { $0.key == key }?.value
    }
}

extension AWSError {
    /// A bad admin request: 400 ValidationException whose message names the field.
    static func adminInput(_ message: String) -> AWSError {
        AWSError("ValidationException", message)
    }
}
