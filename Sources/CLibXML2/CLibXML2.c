/*
 * libxml2 through dlopen and dlsym (CLibXML2.h says why). libxml2's headers are included for its
 * types, fields and constants only; every libxml2 function is called through a pointer resolved
 * once, by cxml_load, under pthread_once; the pointers are only written there. No identifier of
 * libxml2's is used as a function here: some are macros over per-thread globals (xmlFree, ...).
 */
#include "CLibXML2.h"

#include <dlfcn.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlmemory.h>
#include <pthread.h>
#include <stdio.h>

/*
 * The soname of the libxml2 whose headers this file is compiled with: the fields read here must
 * have the layout of the library loaded. libxml2 2.14 changed its ABI and soname (Debian's package
 * libxml2-16); every release before has libxml2.so.2.
 */
#if LIBXML_VERSION >= 21400
#define CXML_LIBRARY "libxml2.so.16"
#define CXML_PACKAGE "libxml2-16"
#else
#define CXML_LIBRARY "libxml2.so.2"
#define CXML_PACKAGE "libxml2"
#endif

static struct {
    void (*init_parser)(void);
    xmlParserCtxtPtr (*create_memory_parser)(const char *buffer, int size);
    int (*use_options)(xmlParserCtxtPtr context, int options);
    int (*parse_document)(xmlParserCtxtPtr context);
    void (*stop_parser)(xmlParserCtxtPtr context);
    void (*free_parser)(xmlParserCtxtPtr context);
    xmlDocPtr (*new_doc)(const xmlChar *version);
    void (*free_doc)(xmlDocPtr document);
    xmlNodePtr (*root_element)(const xmlDoc *document);
    xmlNodePtr (*set_root_element)(xmlDocPtr document, xmlNodePtr root);
    xmlNodePtr (*new_doc_node)(xmlDocPtr document, xmlNsPtr ns, const xmlChar *name, const xmlChar *content);
    xmlNsPtr (*new_ns)(xmlNodePtr node, const xmlChar *href, const xmlChar *prefix);
    void (*set_ns)(xmlNodePtr node, xmlNsPtr ns);
    xmlNodePtr (*new_child)(xmlNodePtr parent, xmlNsPtr ns, const xmlChar *name, const xmlChar *content);
    void (*add_content)(xmlNodePtr node, const xmlChar *content);
    void (*dump_memory)(xmlDocPtr document, xmlChar **text, int *count, const char *encoding);
#ifdef LIBXML_THREAD_ALLOC_ENABLED
    /* The allocation hooks are per thread: __xmlFree gives this thread's. */
    xmlFreeFunc *(*free_hook)(void);
#else
    /* The address of the global variable xmlFree, which holds the function that frees. */
    xmlFreeFunc *free_hook;
#endif
} xml;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
/* Empty when libxml2 is ready, else why not. Written once, in load. */
static char failure[512] = "libxml2 was not loaded";

static void load(void) {
    void *library = dlopen(CXML_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(failure, sizeof failure, "%s could not be loaded: %s; install %s", CXML_LIBRARY, dlerror(), CXML_PACKAGE);
        return;
    }
    /* POSIX makes a data pointer from dlsym convertible to a function pointer; this is its idiom. */
    const struct {
        const char *name;
        void **slot;
    } symbols[] = {
        {"xmlInitParser", (void **)&xml.init_parser},
        {"xmlCreateMemoryParserCtxt", (void **)&xml.create_memory_parser},
        {"xmlCtxtUseOptions", (void **)&xml.use_options},
        {"xmlParseDocument", (void **)&xml.parse_document},
        {"xmlStopParser", (void **)&xml.stop_parser},
        {"xmlFreeParserCtxt", (void **)&xml.free_parser},
        {"xmlNewDoc", (void **)&xml.new_doc},
        {"xmlFreeDoc", (void **)&xml.free_doc},
        {"xmlDocGetRootElement", (void **)&xml.root_element},
        {"xmlDocSetRootElement", (void **)&xml.set_root_element},
        {"xmlNewDocNode", (void **)&xml.new_doc_node},
        {"xmlNewNs", (void **)&xml.new_ns},
        {"xmlSetNs", (void **)&xml.set_ns},
        {"xmlNewChild", (void **)&xml.new_child},
        {"xmlNodeAddContent", (void **)&xml.add_content},
        {"xmlDocDumpMemoryEnc", (void **)&xml.dump_memory},
#ifdef LIBXML_THREAD_ALLOC_ENABLED
        {"__xmlFree", (void **)&xml.free_hook},
#else
        {"xmlFree", (void **)&xml.free_hook},
#endif
    };
    for (size_t index = 0; index < sizeof symbols / sizeof symbols[0]; index++) {
        dlerror();
        *symbols[index].slot = dlsym(library, symbols[index].name);
        if (*symbols[index].slot == NULL) {
            const char *why = dlerror();
            snprintf(failure, sizeof failure, "%s has no %s (%s)", CXML_LIBRARY, symbols[index].name, why != NULL ? why : "a null symbol");
            dlclose(library);
            return;
        }
    }
    /* libxml2 wants its parser initialised before threads parse. */
    xml.init_parser();
    /* The library stays open for the life of the process. */
    failure[0] = '\0';
}

const char *cxml_load(void) {
    pthread_once(&loaded, load);
    return failure[0] == '\0' ? NULL : failure;
}

/*
 * What one parse counts, in the context's _private field (libxml2 leaves it to the user): the nodes
 * built so far, and libxml2's own tree builders (SAX2), which the counting handlers call while the
 * count is under the cap. Past the cap, the parser's SAX events are disabled (disableSAX, the state
 * libxml2 itself enters after a fatal error): it reads the rest of the document, in time linear in
 * its size, and builds nothing more. No handler halts the parser mid-document (xmlStopParser frees
 * the input libxml2's parsing functions may still point into), but the document type one, whose
 * stop libxml2 expects.
 */
typedef struct {
    long nodes;
    long max_nodes;
    /* The last node counted is character data, which libxml2 extends with the next characters. */
    int in_text;
    /* The cap was passed: nothing more was built. */
    int over;
    startElementNsSAX2Func start_element;
    endElementNsSAX2Func end_element;
    charactersSAXFunc characters;
    cdataBlockSAXFunc cdata_block;
} parse_state;

/* libxml2 passes the parser context as the SAX user data of a context of xmlCreateMemoryParserCtxt. */
static parse_state *state_of(void *context) { return (parse_state *)((xmlParserCtxtPtr)context)->_private; }

/* Counts one more node; 0 (and SAX disabled for the rest of the document) when past the cap. */
static int count_node(void *context, parse_state *state) {
    if (state->over || state->nodes >= state->max_nodes) {
        state->over = 1;
        ((xmlParserCtxtPtr)context)->disableSAX = 1;
        return 0;
    }
    state->nodes += 1;
    return 1;
}

static void count_start_element(void *context, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri, int nb_namespaces,
                                const xmlChar **namespaces, int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
    parse_state *state = state_of(context);
    state->in_text = 0;
    if (count_node(context, state)) {
        state->start_element(context, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted, attributes);
    }
}

static void count_end_element(void *context, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
    parse_state *state = state_of(context);
    state->in_text = 0;
    state->end_element(context, localname, prefix, uri);
}

/* Characters right after characters extend the same text node (xmlSAX2Characters appends), so a run
 * counts once however libxml2 splits it (at entity references, every 300 bytes...). */
static void count_characters(void *context, const xmlChar *characters, int length) {
    parse_state *state = state_of(context);
    if (!state->in_text) {
        if (!count_node(context, state)) {
            return;
        }
        state->in_text = 1;
    }
    state->characters(context, characters, length);
}

static void count_cdata_block(void *context, const xmlChar *characters, int length) {
    parse_state *state = state_of(context);
    state->in_text = 0;
    if (count_node(context, state)) {
        state->cdata_block(context, characters, length);
    }
}

/* libxml2's SAX event for `<!DOCTYPE`: stops the parser before any declaration is read. */
static void refuse_document_type(void *context, const xmlChar *name, const xmlChar *external, const xmlChar *system_id) {
    (void)name;
    (void)external;
    (void)system_id;
    xml.stop_parser((xmlParserCtxtPtr)context);
}

cxml_parse_result cxml_parse(const char *bytes, int count, long max_nodes, cxml_document **document) {
    *document = NULL;
    if (bytes == NULL || count < 0 || max_nodes < 1) {
        return CXML_NO_PARSER;
    }
    xmlParserCtxtPtr context = xml.create_memory_parser(bytes, count);
    if (context == NULL) {
        return CXML_NO_PARSER;
    }
    xmlSAXHandlerPtr sax = context->sax;
    if (sax == NULL || sax->startElementNs == NULL || sax->endElementNs == NULL || sax->characters == NULL || sax->cdataBlock == NULL) {
        xml.free_parser(context);
        return CXML_NO_PARSER;
    }
    /* The encoding declaration is ignored: the bytes are read as UTF-8, as the client checked them. */
    xml.use_options(context, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
    parse_state state = {0, max_nodes, 0, 0, sax->startElementNs, sax->endElementNs, sax->characters, sax->cdataBlock};
    context->_private = &state;
    sax->internalSubset = refuse_document_type;
    sax->startElementNs = count_start_element;
    sax->endElementNs = count_end_element;
    sax->characters = count_characters;
    sax->ignorableWhitespace = count_characters;
    sax->cdataBlock = count_cdata_block;
    /* Comments and processing instructions are not read: no node is made for them. */
    sax->comment = NULL;
    sax->processingInstruction = NULL;
    xml.parse_document(context);
    /* The tree is the caller's to free, not the context's. */
    xmlDocPtr tree = context->myDoc;
    cxml_parse_result result = CXML_PARSED;
    if (state.over) {
        result = CXML_TOO_MANY_NODES;
    } else if (context->errNo == XML_ERR_USER_STOP) {
        result = CXML_DOCUMENT_TYPE;
    } else if (!context->wellFormed || tree == NULL || xml.root_element(tree) == NULL) {
        result = CXML_NOT_WELL_FORMED;
    }
    context->_private = NULL;
    xml.free_parser(context);
    if (result == CXML_PARSED) {
        *document = (cxml_document *)tree;
    } else if (tree != NULL) {
        xml.free_doc(tree);
    }
    return result;
}

void cxml_free_document(cxml_document *document) {
    if (document != NULL) {
        xml.free_doc((xmlDocPtr)document);
    }
}

cxml_node *cxml_root(cxml_document *document) { return (cxml_node *)xml.root_element((xmlDocPtr)document); }

cxml_node *cxml_first_child(const cxml_node *node) { return (cxml_node *)((const xmlNode *)node)->children; }

cxml_node *cxml_next_sibling(const cxml_node *node) { return (cxml_node *)((const xmlNode *)node)->next; }

cxml_node_kind cxml_kind(const cxml_node *node) {
    switch (((const xmlNode *)node)->type) {
    case XML_ELEMENT_NODE:
        return CXML_ELEMENT;
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        return CXML_TEXT;
    default:
        return CXML_OTHER;
    }
}

const char *cxml_name(const cxml_node *node) {
    const xmlChar *name = ((const xmlNode *)node)->name;
    return name != NULL ? (const char *)name : "";
}

const char *cxml_namespace(const cxml_node *node) {
    const xmlNs *ns = ((const xmlNode *)node)->ns;
    return ns != NULL ? (const char *)ns->href : NULL;
}

const char *cxml_content(const cxml_node *node) {
    const xmlNode *element = (const xmlNode *)node;
    if (element->type != XML_TEXT_NODE && element->type != XML_CDATA_SECTION_NODE) {
        return NULL;
    }
    return (const char *)element->content;
}

cxml_document *cxml_new_document(void) { return (cxml_document *)xml.new_doc((const xmlChar *)"1.0"); }

cxml_node *cxml_new_root(cxml_document *document, const char *name, const char *namespace) {
    xmlNodePtr root = xml.new_doc_node((xmlDocPtr)document, NULL, (const xmlChar *)name, NULL);
    if (root == NULL) {
        return NULL;
    }
    if (namespace != NULL) {
        xml.set_ns(root, xml.new_ns(root, (const xmlChar *)namespace, NULL));
    }
    xml.set_root_element((xmlDocPtr)document, root);
    return (cxml_node *)root;
}

cxml_node *cxml_new_child(cxml_node *parent, const char *name) {
    if (parent == NULL) {
        return NULL;
    }
    return (cxml_node *)xml.new_child((xmlNodePtr)parent, NULL, (const xmlChar *)name, NULL);
}

void cxml_add_text(cxml_node *node, const char *text) {
    if (node != NULL) {
        xml.add_content((xmlNodePtr)node, (const xmlChar *)text);
    }
}

void cxml_dump(cxml_document *document, unsigned char **text, int *count) {
    *text = NULL;
    *count = 0;
    xml.dump_memory((xmlDocPtr)document, text, count, "UTF-8");
}

void cxml_free(void *memory) {
    if (memory == NULL) {
        return;
    }
#ifdef LIBXML_THREAD_ALLOC_ENABLED
    (*xml.free_hook())(memory);
#else
    (*xml.free_hook)(memory);
#endif
}
