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

    /// The most nodes a document may have: elements, runs of text and CDATA sections (comments and
    /// processing instructions are not kept). A listing page has about 15 a key (Contents, Key,
    /// LastModified, ETag, Size, StorageClass and their texts), twice that when pretty-printed (the
    /// white space between elements is text): at most some 30,000 for 1,000 keys.
    static let maxNodes = 100_000

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
    ///
    /// Memory and time are bounded by the document's size: at most `maxDocumentBytes` bytes, at most
    /// `maxNodes` nodes in libxml2's tree and in the copy (past it, InvalidResponse; libxml2 reads the
    /// rest without building anything), and at most `XMLMarkup.maxAttributesPerElement` attributes an
    /// element (checked before libxml2 reads the document, whose duplicate check is quadratic).
    ///
    /// Measured (VmHWM of a debug test process of 54 MB, libxml2 2.9.14), a ListObjectsV2 call whose
    /// answer is one hostile 8 MiB document peaks at 79 to 99 MB whatever the document (millions of
    /// empty elements, of short texts, of CDATA sections, of comments or entity references; deep
    /// nesting; one tag of 8 MiB of attributes; 18,000 keys of 500 bytes just under the node cap),
    /// of which about 25 MB is the answer gathered by libcurl: the tree and its copy stay under 20 MB.
    /// Before these bounds, 8 MiB of `<a/>` peaked at 622 MB, and a
    /// start tag of 1 MiB of attributes took a minute of libxml2's CPU (8 MiB, about an hour).
    static func parse(_ document: [UInt8]) throws(S3Error) -> XMLElement {
        guard document.count <= maxDocumentBytes else { throw .tooLarge("an XML answer of \(document.count) bytes, over \(maxDocumentBytes)") }
        guard !document.isEmpty else { throw .invalidResponse("an empty answer where XML was expected") }
        if let refusal = XMLMarkup.refusal(document) { throw refusal }
        try Libraries.xml()
        var tree: OpaquePointer?
        let result = document.withUnsafeBytes { bytes in
            cxml_parse(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), maxNodes, &tree)
        }
        defer { cxml_free_document(tree) }
        switch result {
        case CXML_NO_PARSER: throw .invalidResponse("libxml2 could not start a parser")
        case CXML_DOCUMENT_TYPE: throw .invalidResponse("an XML answer with a document type declaration")
        case CXML_TOO_MANY_NODES: throw .invalidResponse("an XML answer of more than \(maxNodes) elements and texts")
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
