import Fixtures
import JSON

extension MockBedrockService {
    /// `POST /tagResource`: adds tags (a key already there gets the new value); past 50 tags,
    /// TooManyTagsException with the resource's ARN in `resourceName`.
    func tagResource(_ request: HTTPRequest, scope: Scope) throws(AWSError) -> HTTPResponse {
        let body = try RequestBody(request, shape: "TagResourceRequest")
        let arn = body["resourceARN"]?.stringValue ?? ""
        let tags = try body.tags("tags")
        try store.tag(arn, with: tags, in: scope)
        return .json(Array("{}".utf8))
    }

    /// `POST /untagResource`: removes the tags with these keys; keys the resource does not have are ignored.
    func untagResource(_ request: HTTPRequest, scope: Scope) throws(AWSError) -> HTTPResponse {
        let body = try RequestBody(request, shape: "UntagResourceRequest")
        let arn = body["resourceARN"]?.stringValue ?? ""
        guard case .array(let keys)? = body["tagKeys"] else { return .json(Array("{}".utf8)) }
        try store.untag(arn, keys: Set(keys.compactMap(\.stringValue)), in: scope)
        return .json(Array("{}".utf8))
    }

    /// `POST /listTagsForResource`: `{"tags": [...]}` in the order the keys were first set.
    func listTagsForResource(_ request: HTTPRequest, scope: Scope) throws(AWSError) -> HTTPResponse {
        let body = try RequestBody(request, shape: "ListTagsForResourceRequest")
        let arn = body["resourceARN"]?.stringValue ?? ""
        let tags = try store.tags(of: arn, in: scope)
        var writer = JSONWriter(reservingCapacity: 32 + tags.count * 48)
        writer.beginObject()
        writer.key("tags")
        writer.beginArray()
        for tag in tags {
            writer.beginObject()
            writer.member("key", tag.key)
            writer.member("value", tag.value)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return .json(writer.bytes)
    }
}
