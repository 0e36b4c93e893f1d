#ifndef MOCK_BEDROCK_CLIBXML2_H
#define MOCK_BEDROCK_CLIBXML2_H

/*
 * libxml2 for the S3 client: its parser (S3's answers) and tree writer (the bodies of CreateBucket
 * and CompleteMultipartUpload), loaded when the client is first used rather than when the program
 * starts. The executable does not link libxml2 (no DT_NEEDED), so a server that never talks to an
 * S3 endpoint never maps libxml2 and what it pulls in (ICU, libstdc++, liblzma). CLibXML2.c opens
 * libxml2 with dlopen once, resolves its functions with dlsym and calls xmlInitParser.
 *
 * This header declares small wrappers over opaque pointers, so that Swift needs none of libxml2's
 * headers (they want -I/usr/include/libxml2, which only CLibXML2.c is compiled with). A
 * cxml_document is libxml2's xmlDoc, a cxml_node its xmlNode.
 *
 * Every function but cxml_load needs a call of cxml_load that returned NULL first.
 */

#pragma clang assume_nonnull begin

typedef struct cxml_document cxml_document;
typedef struct cxml_node cxml_node;

/* How cxml_parse went. */
typedef enum {
    /* A well-formed document with a root element. */
    CXML_PARSED,
    /* libxml2 could not make a parser (no memory). */
    CXML_NO_PARSER,
    /* The document has a document type declaration, where the parser stopped. */
    CXML_DOCUMENT_TYPE,
    /* Not well-formed XML, or no root element. */
    CXML_NOT_WELL_FORMED,
    /* More than the caller's most nodes: the parser built no more and read the rest without building. */
    CXML_TOO_MANY_NODES,
} cxml_parse_result;

/* What a node is, as the S3 client reads it. */
typedef enum {
    /* Anything else: a comment, a processing instruction, an entity reference... */
    CXML_OTHER,
    /* An element. */
    CXML_ELEMENT,
    /* Character data: text or a CDATA section. */
    CXML_TEXT,
} cxml_node_kind;

/*
 * Loads libxml2 once per process (thread-safe: later and concurrent calls wait for the first and
 * get its outcome), resolves its functions and initialises its parser. NULL when libxml2 is ready,
 * else why not, in a static text ("libxml2.so.2 could not be loaded: ...; install libxml2").
 * The corresponding C function is `dlopen` (of libxml2.so.2), then `xmlInitParser`.
 */
const char *_Nullable cxml_load(void);

/*
 * Parses `count` bytes at `bytes` into a document, which the caller frees with
 * cxml_free_document; `*document` is set (and its root element is there) only when the result is
 * CXML_PARSED.
 *
 * Hostile documents are refused, not defused: a document type declaration stops the parser where
 * it starts (its SAX event calls xmlStopParser), so no entity is declared, expanded or fetched; the
 * parser runs without network access (XML_PARSE_NONET), without entity substitution (no
 * XML_PARSE_NOENT), with libxml2's default limits (no XML_PARSE_HUGE: nesting depth 256), reading
 * the bytes as UTF-8 whatever the declaration says (XML_PARSE_IGNORE_ENC) and without printing
 * errors (XML_PARSE_NOERROR, XML_PARSE_NOWARNING).
 *
 * The tree holds at most `max_nodes` nodes: elements, runs of character data and CDATA sections
 * count one each, comments and processing instructions are not kept. Past it the parser builds
 * nothing more (SAX events are disabled), reads the rest, and the result is CXML_TOO_MANY_NODES.
 * Attributes are not counted: libxml2 2.9 checks an element's attributes for duplicates in time
 * quadratic in their number, so the caller bounds them before parsing.
 * The corresponding C function is `xmlParseDocument` (on a context of `xmlCreateMemoryParserCtxt`).
 */
cxml_parse_result cxml_parse(const char *_Nullable bytes, int count, long max_nodes, cxml_document *_Nullable *_Nonnull document);

/*
 * Frees a document and its nodes (nothing for NULL).
 * The corresponding C function is `xmlFreeDoc`.
 */
void cxml_free_document(cxml_document *_Nullable document);

/*
 * The document's root element, NULL when it has none.
 * The corresponding C function is `xmlDocGetRootElement`.
 */
cxml_node *_Nullable cxml_root(cxml_document *document);

/*
 * The node's first child, NULL when it has none.
 * The corresponding C field is `xmlNode.children`.
 */
cxml_node *_Nullable cxml_first_child(const cxml_node *node);

/*
 * The node's next sibling, NULL after the last.
 * The corresponding C field is `xmlNode.next`.
 */
cxml_node *_Nullable cxml_next_sibling(const cxml_node *node);

/*
 * What the node is.
 * The corresponding C field is `xmlNode.type`.
 */
cxml_node_kind cxml_kind(const cxml_node *node);

/*
 * The node's local name in UTF-8 ("" when it has none); the document owns it.
 * The corresponding C field is `xmlNode.name`.
 */
const char *cxml_name(const cxml_node *node);

/*
 * The URI of the node's namespace in UTF-8, NULL when it has none; the document owns it.
 * The corresponding C field is `xmlNode.ns->href`.
 */
const char *_Nullable cxml_namespace(const cxml_node *node);

/*
 * A text or CDATA node's characters in UTF-8, NULL for other nodes; the document owns them.
 * The corresponding C field is `xmlNode.content`.
 */
const char *_Nullable cxml_content(const cxml_node *node);

/*
 * A new empty document (XML 1.0), NULL when out of memory.
 * The corresponding C function is `xmlNewDoc`.
 */
cxml_document *_Nullable cxml_new_document(void);

/*
 * Makes an element named `name` the document's root, with `namespace` as its default namespace
 * unless NULL; NULL when out of memory.
 * The corresponding C function is `xmlNewDocNode`, then `xmlNewNs`, `xmlSetNs` and `xmlDocSetRootElement`.
 */
cxml_node *_Nullable cxml_new_root(cxml_document *document, const char *name, const char *_Nullable namespace);

/*
 * Appends an element named `name` to `parent`'s children, in `parent`'s namespace; NULL when
 * out of memory or when `parent` is NULL.
 * The corresponding C function is `xmlNewChild`.
 */
cxml_node *_Nullable cxml_new_child(cxml_node *_Nullable parent, const char *name);

/*
 * Appends `text` to the node's character data (escaped when written; nothing for a NULL node).
 * The corresponding C function is `xmlNodeAddContent`.
 */
void cxml_add_text(cxml_node *_Nullable node, const char *text);

/*
 * The document as UTF-8 XML text: `*text` is set to `*count` bytes the caller frees with
 * cxml_free, or to NULL when out of memory.
 * The corresponding C function is `xmlDocDumpMemoryEnc`.
 */
void cxml_dump(cxml_document *document, unsigned char *_Nullable *_Nonnull text, int *count);

/*
 * Frees memory libxml2 allocated for the caller (the text of cxml_dump; nothing for NULL).
 * The corresponding C function is `xmlFree`.
 */
void cxml_free(void *_Nullable memory);

#pragma clang assume_nonnull end

#endif
