import JSON
/// Checks JSON values against shapes of the service model: types, required members, unions,
/// lengths, ranges, enums and patterns, reporting every violation with its path.
public struct ShapeValidator: Sendable {
    /// Reject members a structure does not have (fixtures), rather than ignore them.
    public var rejectsUnknownMembers: Bool
    /// Members that must be present beyond the shape's own `required` list, by shape name.
    public var extraRequired: [String: Set<String>]
    /// Members that are accepted and skipped, by shape name (e.g. `ResponseMetadata` in a pasted boto3 response).
    public var ignoredMembers: [String: Set<String>]

    public init(rejectsUnknownMembers: Bool = true, extraRequired: [String: Set<String>] = [:], ignoredMembers: [String: Set<String>] = [:]) {
        self.rejectsUnknownMembers = rejectsUnknownMembers
        self.extraRequired = extraRequired
        self.ignoredMembers = ignoredMembers
    }

    /// Every violation of `value` against the shape named `shapeName`, in document order.
    public func violations(of value: JSONValue, against shapeName: String, at path: ValuePath = ValuePath()) -> [Violation] {
        var found: [Violation] = []
        var components = path.components
        check(value, ServiceModel.shape(shapeName), &components, &found)
        return found
    }

    // The path is a stack of components, pushed and popped on the way down: a ValuePath is only
    // made for a violation (ShapeRules takes it as an autoclosure).

    private func check(_ value: JSONValue, _ shape: Shape, _ path: inout [ValuePath.Component], _ found: inout [Violation]) {
        switch shape.kind {
        case .structure:
            guard case .object(let members) = value else {
                return found.append(Violation(ValuePath(path), .wrongType(expected: "an object", found: value.kindDescription)))
            }
            checkStructure(members, shape, &path, &found)
        case .list:
            guard case .array(let elements) = value else {
                return found.append(Violation(ValuePath(path), .wrongType(expected: "an array", found: value.kindDescription)))
            }
            report(ShapeRules.lengthViolations(count: elements.count, shape, render: ShapeRules.render(list: elements, shape), ValuePath(path)), to: &found)
            if let memberShape = shape.listMember.map(ServiceModel.shape) {
                for (index, element) in elements.enumerated() {
                    path.append(.index(index))
                    check(element, memberShape, &path, &found)
                    path.removeLast()
                }
            }
        case .string:
            guard case .string(let text) = value else {
                return found.append(Violation(ValuePath(path), .wrongType(expected: "a string", found: value.kindDescription)))
            }
            report(ShapeRules.stringViolations(text, shape, ValuePath(path)), to: &found)
        case .integer, .long:
            guard case .number = value, let number = value.int64Value else {
                return found.append(Violation(ValuePath(path), .wrongType(expected: "a whole number", found: value.kindDescription)))
            }
            report(ShapeRules.rangeViolations(number, shape, ValuePath(path)), to: &found)
        case .boolean:
            guard case .bool = value else {
                return found.append(Violation(ValuePath(path), .wrongType(expected: "a boolean", found: value.kindDescription)))
            }
        case .timestamp:
            guard case .string(let text) = value else {
                return found.append(Violation(ValuePath(path), .wrongType(expected: "an ISO 8601 timestamp string", found: value.kindDescription)))
            }
            if Timestamp(iso8601: text) == nil {
                found.append(Violation(ValuePath(path), .other("'\(text)' is not an ISO 8601 timestamp with a UTC offset (e.g. 2026-03-01T10:00:00.123Z)")))
            }
        case .double, .float:
            guard case .number = value else {
                return found.append(Violation(ValuePath(path), .wrongType(expected: "a number", found: value.kindDescription)))
            }
        case .map, .blob:
            break  // no covered shape uses them
        }
    }

    /// Adds violations; most checks find none, and skipping the empty append is measurable on large fixtures.
    @inline(__always)
    private func report(_ violations: [Violation], to found: inout [Violation]) {
        if !violations.isEmpty { found += violations }
    }

    private func member(_ name: String, of path: [ValuePath.Component]) -> ValuePath {
        ValuePath(path + [.member(name)])
    }

    private func checkStructure(_ members: [JSONMember], _ shape: Shape, _ path: inout [ValuePath.Component], _ found: inout [Violation]) {
        let ignored = ignoredMembers.isEmpty ? nil : ignoredMembers[shape.name]
        var present: [String] = []
        present.reserveCapacity(members.count)
        for member in members where ignored?.contains(member.key) != true {
            guard let definition = shape.member(member.key) else {
                if rejectsUnknownMembers {
                    found.append(Violation(self.member(member.key, of: path), .unknownMember))
                } else if shape.isUnion, member.value != .null {
                    present.append(member.key)  // a member of a union AWS does not know is still a member set
                }
                continue
            }
            if case .null = member.value {
                continue  // treated as absent, the way botocore treats null members
            }
            present.append(member.key)
            path.append(.member(member.key))
            check(member.value, ServiceModel.shape(definition.shape), &path, &found)
            path.removeLast()
        }
        let extra = extraRequired.isEmpty ? nil : extraRequired[shape.name]
        let required = extra.map { extra in shape.required + shape.members.map(\.name).filter { extra.contains($0) } } ?? shape.required
        for name in required where !present.contains(name) {
            found.append(Violation(self.member(name, of: path), .missingMember))
        }
        if shape.isUnion, present.count != 1 {
            found.append(Violation(ValuePath(path), .union(setMembers: present, allowed: shape.members.map(\.name))))
        }
    }
}
