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
