import CLibXML2

extension XMLElement {
    /// The element as a UTF-8 XML document, written by libxml2 (which escapes the text), with
    /// its namespace as the default namespace of the root: the bodies of CreateBucket and
    /// CompleteMultipartUpload. InvalidConfiguration when libxml2 cannot be loaded.
    func document() throws(S3Error) -> [UInt8] {
        try Libraries.xml()
        guard let tree = cxml_new_document() else { return [] }
        defer { cxml_free_document(tree) }
        fill(cxml_new_root(tree, name, namespace))
        var text: UnsafeMutablePointer<UInt8>?
        var count: Int32 = 0
        cxml_dump(tree, &text, &count)
        defer { cxml_free(text) }
        guard let text else { return [] }
        return Array(UnsafeBufferPointer(start: text, count: Int(count)))
    }

    /// Adds the text and the children (in the parent's namespace) under `node`.
    private func fill(_ node: OpaquePointer?) {
        if !text.isEmpty { cxml_add_text(node, text) }
        for child in children {
            child.fill(cxml_new_child(node, child.name))
        }
    }
}
