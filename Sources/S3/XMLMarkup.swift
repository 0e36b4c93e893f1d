/// A pass over an XML answer's bytes before libxml2 reads them, in time linear in their number, for
/// what libxml2 2.9 does not bound by itself:
///
/// - **Attributes.** libxml2 2.9 checks each attribute of an element against the ones before it
///   (duplicates, namespaces): one start tag of a megabyte of `aN=""` takes a minute, of 8 MiB about
///   an hour (libxml2 2.12 hashes them). S3's answers carry one attribute, the root's `xmlns`; here an
///   element may have at most `maxAttributesPerElement` and a document `maxAttributes`.
/// - **What libxml2 would read differently**: the bytes must be UTF-8 (libxml2 reads them so, with
///   `XML_PARSE_IGNORE_ENC`), with no character XML forbids (C0 controls but tab, line feed and
///   carriage return; U+FFFE, U+FFFF), and no `<` inside a tag, an attribute value or a processing
///   instruction. So libxml2 never meets an encoding or character error, after which it would go on
///   reading in a state of its own (it skips on), and the tags counted here are the tags it parses.
///   A document type declaration is refused here already (libxml2's parser stops at one too).
///
/// The pass knows XML's markup only as far as it needs: comments to `-->`, CDATA sections to `]]>`,
/// processing instructions (and the XML declaration) to `?>`, tags to the `>` outside quotes; in a
/// start tag, each `=` outside an attribute value is one attribute. What it lets through, libxml2
/// still checks in full.
enum XMLMarkup {
    /// S3 sends one (`xmlns`); 16 leaves room for other namespaces and `xsi:type`, at a cost of 16² checks a tag.
    static let maxAttributesPerElement = 16
    /// In the whole document.
    static let maxAttributes = 256

    /// Why `document` is refused before parsing (InvalidResponse), nil when libxml2 may read it.
    static func refusal(_ document: [UInt8]) -> S3Error? {
        document.withUnsafeBufferPointer { bytes in
            var scan = Scan(bytes)
            return scan.run()
        }
    }

    /// The delimiters the pass looks for.
    private enum Markup {
        static let comment = Array("<!--".utf8)
        static let commentEnd = Array("-->".utf8)
        static let cdata = Array("<![CDATA[".utf8)
        static let cdataEnd = Array("]]>".utf8)
        static let documentType = Array("<!DOCTYPE".utf8)
        static let instructionEnd = Array("?>".utf8)
    }

    private struct Scan {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        var attributes = 0

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func run() -> S3Error? {
            if starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }  // UTF-8's byte order mark
            while position < bytes.count {
                if bytes[position] == UInt8(ascii: "<") {
                    if let refusal = markup() { return refusal }
                } else if let refusal = character() {
                    return refusal
                }
            }
            return nil
        }

        /// The markup at `position` (a `<`), up to its end.
        private mutating func markup() -> S3Error? {
            guard bytes.count - position >= 2 else { return notWellFormed("a < at the end") }
            switch bytes[position + 1] {
            case UInt8(ascii: "!"):
                if starts(with: Markup.comment) { return skip(past: Markup.commentEnd, from: Markup.comment.count, refusingOpenings: false) }
                if starts(with: Markup.cdata) { return skip(past: Markup.cdataEnd, from: Markup.cdata.count, refusingOpenings: false) }
                if starts(with: Markup.documentType) { return .invalidResponse("an XML answer with a document type declaration") }
                return notWellFormed("a markup declaration")
            case UInt8(ascii: "?"): return skip(past: Markup.instructionEnd, from: 2, refusingOpenings: true)
            case UInt8(ascii: "/"): return endTag()
            default: return startTag()
            }
        }

        /// A start tag: `<`, then up to the `>` outside quotes; `=` outside quotes counts an attribute.
        private mutating func startTag() -> S3Error? {
            let start = position
            position += 1
            var quote: UInt8?
            var count = 0
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "<") { return notWellFormed("a < inside a tag") }
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: ">") {
                    position += 1
                    return nil
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: "=") {
                    count += 1
                    attributes += 1
                    guard count <= maxAttributesPerElement else {
                        return .invalidResponse("an XML answer with an element of more than \(maxAttributesPerElement) attributes (at byte \(start))")
                    }
                    guard attributes <= maxAttributes else { return .invalidResponse("an XML answer of more than \(maxAttributes) attributes") }
                }
                if let refusal = character() { return refusal }
            }
            return notWellFormed("a tag without its end")
        }

        /// An end tag: `</`, then up to `>`; no quote or `<` on the way.
        private mutating func endTag() -> S3Error? {
            position += 2
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: ">") {
                    position += 1
                    return nil
                }
                if byte == UInt8(ascii: "<") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    return notWellFormed("an end tag with \(Character(Unicode.Scalar(byte)))")
                }
                if let refusal = character() { return refusal }
            }
            return notWellFormed("an end tag without its end")
        }

        /// From `offset` bytes after `position` up to and past `terminator`, checking each character;
        /// `refusingOpenings` refuses a `<` on the way.
        private mutating func skip(past terminator: [UInt8], from offset: Int, refusingOpenings: Bool) -> S3Error? {
            position += offset
            let first = terminator[0]
            while position < bytes.count {
                if bytes[position] == first, starts(with: terminator) {
                    position += terminator.count
                    return nil
                }
                if refusingOpenings, bytes[position] == UInt8(ascii: "<") { return notWellFormed("a < inside a processing instruction") }
                if let refusal = character() { return refusal }
            }
            return notWellFormed("markup without its end")
        }

        /// Steps over the character at `position`: one a byte below 0x80, else a UTF-8 sequence.
        private mutating func character() -> S3Error? {
            let lead = bytes[position]
            if lead < 0x80 {
                guard lead >= 0x20 || lead == 0x09 || lead == 0x0A || lead == 0x0D else { return forbidden() }
                position += 1
                return nil
            }
            // UTF-8 (RFC 3629): the lead byte gives the length and the range of the second byte,
            // which excludes overlong forms, surrogates and code points past U+10FFFF.
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                high = 0x9F
            case 0xF0:
                length = 4
                low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F
            default: return forbidden()
            }
            guard bytes.count - position >= length else { return forbidden() }
            guard (low...high).contains(bytes[position + 1]) else { return forbidden() }
            var index = 2
            while index < length {
                guard (0x80...0xBF).contains(bytes[position + index]) else { return forbidden() }
                index += 1
            }
            // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
            if lead == 0xEF, bytes[position + 1] == 0xBF, bytes[position + 2] >= 0xBE { return forbidden() }
            position += length
            return nil
        }

        private func forbidden() -> S3Error {
            .invalidResponse("an XML answer that is not UTF-8 or holds a character XML forbids (at byte \(position))")
        }

        private func notWellFormed(_ what: String) -> S3Error {
            .invalidResponse("an answer that is not well-formed XML: \(what) (at byte \(position))")
        }

        private func starts(with prefix: [UInt8]) -> Bool {
            guard bytes.count - position >= prefix.count else { return false }
            var offset = 0
            while offset < prefix.count {
                if bytes[position + offset] != prefix[offset] { return false }
                offset += 1
            }
            return true
        }
    }
}
