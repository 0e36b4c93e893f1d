import Testing

@testable import S3

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// S3's answers through libxml2: listing pages and error bodies as S3 writes them, and documents a
/// hostile server could send instead, which must be refused without expanding or fetching anything.
@Suite struct XMLParsingTests {
    static let page = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>bucket</Name><Prefix>in/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
          <Contents><Key>in/a&amp;b &lt;1&gt; &#xFC;.jsonl</Key><LastModified>2026-03-01T12:00:00.000Z</LastModified>
            <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>
          <Contents><Key><![CDATA[in/<cdata>.jsonl]]></Key><Size>0</Size></Contents>
          <!-- a comment --><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
        </ListBucketResult>
        """

    @Test func readsAListingPage() throws {
        let page = try ListObjectsPage(document: Array(Self.page.utf8))
        #expect(page.objects == [S3Object(key: "in/a&b <1> ü.jsonl", size: 1024), S3Object(key: "in/<cdata>.jsonl", size: 0)])
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    }

    @Test func readsTheLastPageAndIgnoresElementsOfOtherNamespaces() throws {
        let document = """
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/" xmlns:x="urn:other">
            <IsTruncated>false</IsTruncated><x:Contents><x:Key>ignored</x:Key><x:Size>1</x:Size></x:Contents>
            <Contents><Key>k</Key><Size>5</Size></Contents></ListBucketResult>
            """
        let page = try ListObjectsPage(document: Array(document.utf8))
        #expect(page == ListObjectsPage(objects: [S3Object(key: "k", size: 5)], isTruncated: false))
    }

    @Test(arguments: [
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Contents><Key>k</Key><Size>x</Size></Contents></ListBucketResult>",
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Contents><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsTruncated>maybe</IsTruncated></ListBucketResult>",
        "<ListBucketResult xmlns=\"urn:other\"></ListBucketResult>",
        "<ListAllMyBucketsResult/>",
        "<ListBucketResult><Contents><Key>k</Key><Size>1</Size></Contents>",
        "not xml at all",
        "",
    ])
    func refusesWhatIsNotAListing(document: String) {
        let error = #expect(throws: S3Error.self) { try ListObjectsPage(document: Array(document.utf8)) }
        #expect(error?.code == "InvalidResponse")
    }

    @Test func readsS3sErrorBody() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>in/x</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """
        #expect(S3Error(status: 404, body: Array(body.utf8)) == S3Error(code: "NoSuchKey", message: "The specified key does not exist.", httpStatus: 404))
    }

    @Test func namesBodilessAndUnreadableErrors() {
        #expect(S3Error(status: 403, body: []) == S3Error(code: "Forbidden", message: "HTTP status 403 without a body", httpStatus: 403))
        #expect(S3Error(status: 418, body: []).code == "HTTP418")
        let html = S3Error(status: 502, body: Array("<html><body>Bad Gateway</body></html>".utf8))
        #expect(html.code == "InvalidResponse")
        #expect(html.httpStatus == 502)
        #expect(S3Error(status: 500, body: Array("<Error><Code>x</Error>".utf8)).code == "InvalidResponse")
    }

    /// Billion laughs: nine levels of ten references, 10^9 "lol"s if expanded.
    @Test func refusesEntityExpansionWithoutExpanding() {
        var declarations = "<!ENTITY lol0 \"lol\">"
        for level in 1...9 {
            declarations += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        let document = "<?xml version=\"1.0\"?><!DOCTYPE Error [\(declarations)]><Error><Code>&lol9;</Code><Message>m</Message></Error>"
        let started = ContinuousClock.now
        let error = S3Error(status: 400, body: Array(document.utf8))
        #expect(error.code == "InvalidResponse")
        #expect(error.message.contains("document type declaration"))
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func neverReadsAnExternalEntity() throws {
        let path = "/tmp/s3tests-external-entity-\(getpid())"
        let file = try #require(fopen(path, "w"))
        fputs("SECRET-FROM-DISK", file)
        fclose(file)
        defer { unlink(path) }
        let document = "<?xml version=\"1.0\"?><!DOCTYPE Error [<!ENTITY e SYSTEM \"file://\(path)\">]><Error><Code>&e;</Code></Error>"
        let error = S3Error(status: 400, body: Array(document.utf8))
        #expect(error.code == "InvalidResponse")
        #expect(!error.message.contains("SECRET"))
    }

    @Test func neverFetchesAnExternalDocumentType() throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let external = "<!DOCTYPE Error SYSTEM \"http://127.0.0.1:\(listener.port)/evil.dtd\">"
        let parameter = "<!DOCTYPE Error [<!ENTITY % p SYSTEM \"http://127.0.0.1:\(listener.port)/p.dtd\"> %p;]>"
        for doctype in [external, parameter] {
            let error = S3Error(status: 400, body: Array("<?xml version=\"1.0\"?>\(doctype)<Error><Code>C</Code></Error>".utf8))
            #expect(error.code == "InvalidResponse")
        }
        #expect(listener.pendingConnection() == nil)
    }

    @Test func refusesAnUndeclaredEntityAndAnOversizedDocument() {
        #expect(S3Error(status: 400, body: Array("<Error><Code>&undeclared;</Code></Error>".utf8)).code == "InvalidResponse")
        let huge = Array("<Error><Code>".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: XMLElement.maxDocumentBytes) + Array("</Code></Error>".utf8)
        #expect(S3Error(status: 500, body: huge).code == "TooLarge")
    }

    // MARK: Bounds: nodes, attributes, what libxml2 would read otherwise

    /// `count` repetitions of `unit` inside a listing's root, with `head` in the root's start tag.
    static func listing(repeating unit: String, count: Int, head: String = "") -> [UInt8] {
        var document = Array("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"\(head)>".utf8)
        let bytes = Array(unit.utf8)
        document.reserveCapacity(document.count + bytes.count * count + 32)
        for _ in 0..<count { document += bytes }
        return document + Array("</ListBucketResult>".utf8)
    }

    /// 8 MiB answers a hostile endpoint could send, served from a loopback listener: each is refused
    /// (InvalidResponse) with nothing more built than the cap, instead of a tree of millions of nodes
    /// (8 MiB of `<a/>` raised the peak RSS by about 570 MB, and a start tag of a megabyte of
    /// attributes took a minute of libxml2's CPU).
    @Test(arguments: [
        ("<a/>", "more than 100000 elements and texts"), ("<a>x</a>", "more than 100000 elements and texts"),
        ("<Contents><Key>k</Key><Size>1</Size></Contents>", "more than 100000 elements and texts"),
        ("x<![CDATA[y]]>", "more than 100000 elements and texts"), ("<a b=\"1\" c=\"2\"/>", "more than 256 attributes"),
        ("<a>", "not well-formed"),
    ])
    func refusesAHostileEightMiBAnswer(unit: String, refusal: String) throws {
        let count = (XMLElement.maxDocumentBytes - 200) / unit.utf8.count
        let body = Self.listing(repeating: unit, count: count)
        #expect(body.count > 8_000_000 && body.count <= XMLElement.maxDocumentBytes)
        let listener = try LoopbackListener()
        defer { listener.close() }
        listener.answerEveryConnection(with: Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let client = try TransportFailureTests.client(port: listener.port)
        let error = #expect(throws: S3Error.self) { try client.listObjects(bucket: "b", prefix: "") }
        #expect(error?.code == "InvalidResponse")
        #expect(error?.message.contains(refusal) == true, "\(String(describing: error))")
    }

    @Test func aPageJustUnderTheNodeCapIsRead() throws {
        // A root, then five nodes a key (Contents, Key and its text, Size and its text).
        let under = (XMLElement.maxNodes - 1) / 5
        let unit = "<Contents><Key>k</Key><Size>1</Size></Contents>"
        #expect(try ListObjectsPage(document: Self.listing(repeating: unit, count: under)).objects.count == under)
        let error = #expect(throws: S3Error.self) { try ListObjectsPage(document: Self.listing(repeating: unit, count: under + 1)) }
        #expect(error?.message.contains("more than \(XMLElement.maxNodes)") == true)
        // Comments and processing instructions make no nodes: any number of them passes.
        let comments = Self.listing(repeating: "<!-- c --><?pi x?>", count: 200_000)
        #expect(try ListObjectsPage(document: comments).objects.isEmpty)
    }

    @Test func refusesAnElementOfManyAttributesBeforeLibxml2ReadsIt() throws {
        // 5,000 attributes (about 64 KiB) in one tag; 17, and 16 that libxml2 then reads.
        let wide = (0..<5_000).map { " a\($0)=\"\"" }.joined()
        for head in [wide, (0..<17).map { " a\($0)='x'" }.joined(), (0..<16).map { " xmlns:p\($0)=\"urn:\($0)\"" }.joined()] {
            let error = #expect(throws: S3Error.self) { try ListObjectsPage(document: Self.listing(repeating: "", count: 0, head: head)) }
            #expect(error?.message.contains("more than 16 attributes") == true, "\(String(describing: error))")
        }
        let sixteen = (0..<15).map { " xmlns:p\($0)=\"urn:\($0)\"" }.joined()
        #expect(try ListObjectsPage(document: Self.listing(repeating: "", count: 0, head: sixteen)).objects.isEmpty)
        // A > or = inside a value is text, not the end of the tag or an attribute.
        let quoted = " xmlns:x='a>b=c' xmlns:y=\"'=>\""
        #expect(try ListObjectsPage(document: Self.listing(repeating: "<Contents><Key>k</Key><Size>1</Size></Contents>", count: 1, head: quoted)).objects.count == 1)
    }

    /// What libxml2 would read as another encoding, or recover from in a state of its own.
    static let otherReadings: [([UInt8], String)] = [
        ([0xFF, 0xFE] + Array("<\0E\0r\0r\0o\0r\0/\0>\0".utf8), "not UTF-8"),  // UTF-16 with its byte order mark
        (Array("<Error><Code>a\0b</Code></Error>".utf8), "not UTF-8"),  // a NUL
        (Array("<Error><Code>\u{1}</Code></Error>".utf8), "not UTF-8"),  // a C0 control
        (Array("<Error><Code>".utf8) + [0xC3, 0x28] + Array("</Code></Error>".utf8), "not UTF-8"),  // a broken sequence
        (Array("<Error><Code>".utf8) + [0xC0, 0xBC] + Array("</Code></Error>".utf8), "not UTF-8"),  // an overlong <
        (Array("<Error><Code>".utf8) + [0xED, 0xA0, 0x80] + Array("</Code></Error>".utf8), "not UTF-8"),  // a surrogate
        (Array("<Error><Code>\u{FFFE}</Code></Error>".utf8), "not UTF-8"),
        (Array("<Error a=\"<b\"><Code>C</Code></Error>".utf8), "not well-formed"),
        (Array("<Error a=\"x\" <b><Code>C</Code></Error>".utf8), "not well-formed"),
        (Array("<?xml version=\"1.0\" > <Error a='1'><Code>C</Code></Error> ?>".utf8), "not well-formed"),
        (Array("<Error><Code>C</Code></Error a='1'>".utf8), "not well-formed"),
        (Array("<Error><!ELEMENT x ANY><Code>C</Code></Error>".utf8), "not well-formed"),
        (Array("<!DOCTYPE Error><Error><Code>C</Code></Error>".utf8), "document type declaration"),
        (Array("<Error><Code>C</Code></Error><".utf8), "not well-formed"),
    ]

    @Test(arguments: otherReadings)
    func refusesWhatLibxml2WouldReadOtherwise(document: [UInt8], refusal: String) {
        let error = #expect(throws: S3Error.self) { try XMLElement.parse(document) }
        #expect(error?.code == "InvalidResponse")
        #expect(error?.message.contains(refusal) == true, "\(String(describing: error))")
    }

    @Test func readsUTF8AndItsByteOrderMarkAndIgnoresADeclaredEncoding() throws {
        let body = [0xEF, 0xBB, 0xBF] + Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Error><Code>Cödé_𝄞</Code></Error>".utf8)
        #expect(S3Error(status: 400, body: body).code == "Cödé_𝄞")
    }

    /// Sizes of S3's most (5 TiB) pass; above it, a listing is not S3's: two objects of 8 EiB would
    /// overflow a sum of sizes (issue 23, item 1).
    @Test(arguments: [(Int64(5 << 40) + 1, false), (Int64.max, false), (Int64(5 << 40), true)])
    func aListedSizeOverFiveTiBIsRefusedNamingTheKeyAndSize(size: Int64, accepted: Bool) throws {
        let body = Array(
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Contents><Key>in/huge.jsonl</Key><Size>\(size)</Size></Contents></ListBucketResult>"
                .utf8)
        let listener = try LoopbackListener()
        defer { listener.close() }
        listener.answerEveryConnection(with: Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let client = try TransportFailureTests.client(port: listener.port)
        if accepted {
            #expect(try client.listObjects(bucket: "b", prefix: "in/") == [S3Object(key: "in/huge.jsonl", size: size)])
        } else {
            let error = #expect(throws: S3Error.self) { try client.listObjects(bucket: "b", prefix: "in/") }
            #expect(error?.code == "InvalidResponse")
            #expect(error?.message.contains("in/huge.jsonl has a size of \(size) bytes, over S3's most (5497558138880)") == true, "\(String(describing: error))")
        }
    }

    @Test func writesRequestBodiesWithEscapedText() throws {
        let body = try XMLElement(
            name: "CompleteMultipartUpload", namespace: XMLElement.s3Namespace,
            children: [XMLElement(name: "Part", children: [XMLElement(name: "PartNumber", text: "1"), XMLElement(name: "ETag", text: "\"a<&>b\"")])]
        ).document()
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber>"))
        #expect(text.contains("&lt;&amp;&gt;"))
        let parsed = try XMLElement.parse(body)
        #expect(parsed.child("Part")?.child("ETag")?.text == "\"a<&>b\"")
    }
}
