/// One shape of the Bedrock service model, as botocore's `service-2.json` describes it.
/// The values come from the generated table in `ServiceModel+Generated.swift`. A class: shapes
/// are looked up for every member a validation visits, and a struct this size is costly to copy.
public final class Shape: Sendable {
    public enum Kind: String, Sendable {
        case string, integer, long, boolean, timestamp, structure, list, map, blob, double, float
    }

    /// Where an input member travels in the HTTP request.
    public enum Location: String, Sendable {
        case uri, querystring, header, headers
    }

    public struct Member: Sendable {
        public let name: String
        public let shape: String
        public let location: Location?
        /// The name on the wire (the URI label, query key or header) when `location` is set.
        public let locationName: String?
        public let idempotencyToken: Bool

        init(_ name: String, _ shape: String, _ location: Location? = nil, _ locationName: String? = nil, idempotencyToken: Bool = false) {
            self.name = name
            self.shape = shape
            self.location = location
            self.locationName = locationName
            self.idempotencyToken = idempotencyToken
        }
    }

    public let name: String
    public let kind: Kind
    /// Length for strings and lists, value for numbers.
    public let min: Int64?
    public let max: Int64?
    /// The model's pattern, unanchored as written there; AWS applies it to the whole value.
    public let pattern: String?
    public let enumValues: [String]
    public let members: [Member]
    public let required: [String]
    /// A tagged union: exactly one member must be set.
    public let isUnion: Bool
    public let listMember: String?
    public let isSensitive: Bool
    /// The HTTP status of an error shape, nil for shapes that are not errors.
    public let errorStatus: Int?
    /// The model's description of an error shape, as plain text (the mock's default error message).
    public let documentation: String?
    public let timestampFormat: String?
    /// Each member's position in `members`, by name.
    private let memberPositions: [String: Int]

    init(
        name: String, _ kind: Kind, min: Int64? = nil, max: Int64? = nil, pattern: String? = nil,
        enumValues: [String] = [], members: [Member] = [], required: [String] = [], isUnion: Bool = false,
        listMember: String? = nil, isSensitive: Bool = false, errorStatus: Int? = nil, documentation: String? = nil,
        timestampFormat: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.min = min
        self.max = max
        self.pattern = pattern
        self.enumValues = enumValues
        self.members = members
        self.required = required
        self.isUnion = isUnion
        self.listMember = listMember
        self.isSensitive = isSensitive
        self.errorStatus = errorStatus
        self.documentation = documentation
        self.timestampFormat = timestampFormat
        self.memberPositions = Dictionary(members.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func member(_ name: String) -> Member? { memberPositions[name].map { members[$0] } }
}

/// One operation of the service model: its route, shapes and modelled errors.
public struct Operation: Sendable {
    public let name: String
    public let method: String
    public let requestURI: String
    public let responseCode: Int
    public let input: String?
    public let output: String?
    public let errors: [String]
}

/// The parts of botocore's Bedrock model that mock-bedrock serves.
public enum ServiceModel {
    public static let shapes: [String: Shape] = Dictionary(uniqueKeysWithValues: generatedShapes.map { ($0.name, $0) })
    public static let operations: [String: Operation] = Dictionary(uniqueKeysWithValues: generatedOperations.map { ($0.name, $0) })

    /// The shape named `name`; the generated table holds every shape the covered operations reach.
    public static func shape(_ name: String) -> Shape {
        guard let shape = shapes[name] else { preconditionFailure("shape \(name) is not in the generated model") }
        return shape
    }

    /// The HTTP status the model gives an error code, or nil if the model has no such error.
    public static func errorStatus(of code: String) -> Int? { shapes[code]?.errorStatus }

    /// The error codes of the model (its exception shapes), sorted.
    public static let errorCodes: [String] = shapes.values.filter { $0.errorStatus != nil }.map(\.name).sorted()
}
