import CLibXML2

extension XMLElement {
    /// The element as a UTF-8 XML document, written by libxml2 (which escapes the text), with
    /// its namespace as the default namespace of the root: the bodies of CreateBucket and
    /// CompleteMultipartUpload.
    func document() -> [UInt8] {
        _ = librariesReady
        let tree = xmlNewDoc("1.0")
        defer { xmlFreeDoc(tree) }
        let root = xmlNewDocNode(tree, nil, name, nil)
        if let namespace { xmlSetNs(root, xmlNewNs(root, namespace, nil)) }
        xmlDocSetRootElement(tree, root)
        fill(root)
        var text: UnsafeMutablePointer<xmlChar>?
        var count: Int32 = 0
        xmlDocDumpMemoryEnc(tree, &text, &count, "UTF-8")
        defer { xml_shim_free(text) }
        guard let text else { return [] }
        return Array(UnsafeBufferPointer(start: text, count: Int(count)))
    }

    /// Adds the text and the children (in the parent's namespace) under `node`.
    private func fill(_ node: xmlNodePtr?) {
        if !text.isEmpty { xmlNodeAddContent(node, text) }
        for child in children {
            child.fill(xmlNewChild(node, nil, child.name, nil))
        }
    }
}
