import Fixtures
import JSON

/// The JSON object of an admin request, with its keys checked: unknown keys are refused, never ignored.
struct AdminBody {
    let members: [JSONMember]

    init(_ request: HTTPRequest, allowed: [String]) throws(AWSError) {
        let members: [JSONMember]
        do {
            members = try request.bodyObject()
        } catch {
            switch error {
            case .notJSON(let syntax): throw AWSError.adminInput("the body is not JSON: \(syntax)")
            case .notAnObject(let kind): throw AWSError.adminInput("the body must be a JSON object, not \(kind)")
            }
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
