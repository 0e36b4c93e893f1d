/// One way a value breaks the service model (or, for fixtures, the fixture format).
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        /// A model constraint, worded as AWS words it: `value` is already rendered (`'x'`, `null`),
        /// `rule` reads `Member must satisfy regular expression pattern: ...`.
        case constraint(value: String, rule: String)
        /// A required member that is absent (or null); AWS words it `Value null at 'x' ... Member must not be null`.
        case missingMember
        /// A JSON value of the wrong kind, e.g. expected "a string", found "a number".
        case wrongType(expected: String, found: String)
        /// A member the shape does not have.
        case unknownMember
        /// A union with other than exactly one member set.
        case union(setMembers: [String], allowed: [String])
        /// Anything else, as a sentence.
        case other(String)
    }

    public var path: ValuePath
    public var problem: Problem

    public init(_ path: ValuePath, _ problem: Problem) {
        self.path = path
        self.problem = problem
    }

    /// True for the problems AWS reports as `N validation errors detected: ...`.
    public var isConstraint: Bool {
        switch problem {
        case .constraint, .missingMember, .union: true
        default: false
        }
    }

    /// AWS's clause: `Value 'x' at 'jobIdentifier' failed to satisfy constraint: Member must ...`.
    public var awsMessage: String {
        switch problem {
        case .constraint(let value, let rule):
            "Value \(value) at '\(path.awsDescription)' failed to satisfy constraint: \(rule)"
        case .missingMember:
            "Value null at '\(path.awsDescription)' failed to satisfy constraint: Member must not be null"
        case .union(let setMembers, let allowed):
            "Value '\(setMembers.isEmpty ? "{}" : "{" + setMembers.joined(separator: ", ") + "}")' at '\(path.awsDescription)' "
                + "failed to satisfy constraint: Member must have exactly one of [\(allowed.joined(separator: ", "))] set"
        default:
            "\(path.awsDescription): \(detail)"
        }
    }

    /// The fixture form: `jobs[1].inputDataConfig.s3InputDataConfig.s3Uri: Value 'x' failed to satisfy constraint: ...`.
    public var description: String { "\(path): \(detail)" }

    /// The description without the path when the path is the document itself.
    public var descriptionNamingPath: String { path.components.isEmpty ? detail : description }

    /// What is wrong, without the path.
    public var detail: String {
        switch problem {
        case .constraint(let value, let rule):
            "Value \(value) failed to satisfy constraint: \(rule)"
        case .missingMember:
            "required member is missing"
        case .wrongType(let expected, let found):
            "expected \(expected), found \(found)"
        case .unknownMember:
            "unknown member (not in the service model's shape)"
        case .union(let setMembers, let allowed):
            "exactly one of \(allowed.joined(separator: ", ")) must be set, found "
                + (setMembers.isEmpty ? "none" : setMembers.joined(separator: ", "))
        case .other(let sentence):
            sentence
        }
    }

    /// AWS's whole ValidationException message for a list of constraint violations:
    /// `1 validation error detected: ...` or `2 validation errors detected: ...; ...`.
    public static func awsValidationMessage(_ violations: [Violation]) -> String {
        let count = violations.count
        let noun = count == 1 ? "validation error" : "validation errors"
        return "\(count) \(noun) detected: " + violations.map(\.awsMessage).joined(separator: "; ")
    }
}
