import Fixtures
import JSON

extension JSONValue {
    func removingMember(_ key: String) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }

    func keepingMembers(where keep: (String) -> Bool) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { keep($0.key) })
    }

    func addingMember(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key } + [JSONMember(key, value)])
    }
}
