#ifndef MOCK_BEDROCK_CLIBXML2_SHIM_H
#define MOCK_BEDROCK_CLIBXML2_SHIM_H

/*
 * libxml2's parser (S3's answers) and tree writer (the bodies of CreateBucket and
 * CompleteMultipartUpload). None of the parser or tree calls used is variadic.
 */
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlmemory.h>

/*
 * Frees memory libxml2 allocated for the caller (the text of xmlDocDumpMemoryEnc). In a threaded
 * libxml2, xmlFree is a macro over a per-thread function pointer, which Swift cannot call.
 * The corresponding C function is `xmlFree`.
 */
static inline void xml_shim_free(void *memory) {
    xmlFree(memory);
}

#endif
