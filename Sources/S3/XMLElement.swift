import CLibXML2

/// An element of an XML document S3 sent, copied out of libxml2's tree: its name, namespace,
/// character data and child elements. S3's answers are small (a listing page, an error), so a
/// copy is simpler and safer than holding libxml2's pointers.
struct XMLElement: Equatable {
    var name: String
    /// The namespace URI, nil for none.
    var namespace: String?
    /// The element's own text and CDATA, concatenated (comments and processing instructions are skipped).
    var text: String = ""
    var children: [XMLElement] = []

    /// The namespace of S3's answers and requests (errors come without one).
    static let s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// The largest document parsed. A listing page of 1,000 keys of 1,024 bytes is about 1.3 MB.
    static let maxDocumentBytes = 8 << 20

    /// The first child named `name` in this element's namespace.
    func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name && $0.namespace == namespace }
    }

    /// Every child named `name` in this element's namespace.
    func children(named name: String) -> [XMLElement] {
        children.filter { $0.name == name && $0.namespace == namespace }
    }

    /// The root element of `document`.
    ///
    /// Hostile documents are refused, not defused: a document type declaration stops the parser
    /// where it starts (S3 never sends one), so no entity is declared, expanded or fetched; the
    /// parser runs without network access (`XML_PARSE_NONET`), without entity substitution
    /// (no `XML_PARSE_NOENT`) and with libxml2's default limits (nesting depth 256, no `XML_PARSE_HUGE`).
    static func parse(_ document: [UInt8]) throws(S3Error) -> XMLElement {
        guard document.count <= maxDocumentBytes else { throw .tooLarge("an XML answer of \(document.count) bytes, over \(maxDocumentBytes)") }
        guard !document.isEmpty else { throw .invalidResponse("an empty answer where XML was expected") }
        try Libraries.xml()
        var tree: OpaquePointer?
        let result = document.withUnsafeBytes { bytes in
            cxml_parse(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), &tree)
        }
        defer { cxml_free_document(tree) }
        switch result {
        case CXML_NO_PARSER: throw .invalidResponse("libxml2 could not start a parser")
        case CXML_DOCUMENT_TYPE: throw .invalidResponse("an XML answer with a document type declaration")
        default:
            guard result == CXML_PARSED, let tree, let root = cxml_root(tree) else { throw .invalidResponse("an answer that is not well-formed XML") }
            return XMLElement(root)
        }
    }

    /// A copy of `node` and its descendants (at most libxml2's depth limit deep).
    private init(_ node: OpaquePointer) {
        name = String(cString: cxml_name(node))
        namespace = cxml_namespace(node).map { String(cString: $0) }
        var child = cxml_first_child(node)
        while let current = child {
            switch cxml_kind(current) {
            case CXML_ELEMENT: children.append(XMLElement(current))
            case CXML_TEXT: text += cxml_content(current).map { String(cString: $0) } ?? ""
            default: break
            }
            child = cxml_next_sibling(current)
        }
    }

    init(name: String, namespace: String? = nil, text: String = "", children: [XMLElement] = []) {
        self.name = name
        self.namespace = namespace
        self.text = text
        self.children = children
    }
}
