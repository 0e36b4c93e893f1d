import JSON

/// A tag of a resource: the model's `Tag`.
public struct ResourceTag: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// The most tags a resource can have (the model's TooManyTagsException: "50 tags per resource").
    public static let limit = 50

    /// The tags of a TagList value as the model writes it (`[{"key": K, "value": V}, ...]`), already
    /// checked against the model's shape: the one tag decoder of fixtures and requests.
    public static func decode(_ list: JSONValue?) -> [ResourceTag] {
        guard case .array(let elements)? = list else { return [] }
        return elements.compactMap { element in
            guard let key = element["key"]?.stringValue, let value = element["value"]?.stringValue else { return nil }
            return ResourceTag(key: key, value: value)
        }
    }

    /// What is wrong with a list of tags beyond the model's shapes: a key given twice, or more than `limit`.
    public static func problem(with tags: [ResourceTag]) -> String? {
        var seen: Set<String> = []
        for tag in tags where !seen.insert(tag.key).inserted {
            return "the tag key '\(tag.key)' is given twice"
        }
        if tags.count > limit { return "\(tags.count) tags is more than the \(limit) a resource can have" }
        return nil
    }
}
