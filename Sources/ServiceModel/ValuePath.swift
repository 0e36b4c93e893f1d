/// Where a value sits inside a JSON document.
public struct ValuePath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case member(String)
        /// 0-based position in an array.
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    public func appending(_ name: String) -> ValuePath { ValuePath(components + [.member(name)]) }
    public func appending(index: Int) -> ValuePath { ValuePath(components + [.index(index)]) }

    /// The form fixture errors use: `jobs[1].inputDataConfig.s3InputDataConfig.s3Uri`, `$` for the root.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .member(let name): text += text.isEmpty ? name : "." + name
            case .index(let index): text += "[\(index)]"
            }
        }
        return text.isEmpty ? "$" : text
    }

    /// The form AWS validation messages use: `vpcConfig.subnetIds.2.member` (list positions from 1).
    public var awsDescription: String {
        components.map { component in
            switch component {
            case .member(let name): name
            case .index(let index): "\(index + 1).member"
            }
        }.joined(separator: ".")
    }
}
