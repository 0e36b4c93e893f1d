#ifndef MOCK_BEDROCK_CPCRE2_SHIM_H
#define MOCK_BEDROCK_CPCRE2_SHIM_H

/*
 * PCRE2's functions are macros that add the code unit width to their names (pcre2_compile is
 * pcre2_compile_8), and Swift cannot call function-like macros. The few calls the mock needs are
 * wrapped here as static inline functions with fixed parameter lists.
 *
 * The mock uses PCRE2's DFA matcher (pcre2_dfa_match) only: it reads the subject once, keeping
 * every alternative alive at the same time, and never backtracks, so its time is linear in the
 * length of the subject whatever the pattern. Backtracking engines (Swift's Regex, pcre2_match)
 * take exponential time on some values of the model's patterns.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/*
 * Compiles a pattern for whole-value matching as AWS applies the model's patterns: anchored at
 * the start (the caller ends the pattern with \z: PCRE2 10.42's DFA matcher ignores
 * PCRE2_ENDANCHORED and would answer a match of a prefix), on Unicode code points (UTF, with \s and friends by Unicode properties), `$` only at
 * the very end, and any Unicode line break as a newline (so `.` matches none of them).
 * Returns NULL when the pattern does not compile; `error_code` and `error_offset` say why.
 */
static inline pcre2_code_8 *mock_pcre2_compile_whole(const char *pattern, size_t length, int *error_code, size_t *error_offset) {
    pcre2_compile_context_8 *context = pcre2_compile_context_create_8(NULL);
    if (context == NULL) return NULL;
    pcre2_set_newline_8(context, PCRE2_NEWLINE_ANY);
    pcre2_code_8 *code = pcre2_compile_8(
        (PCRE2_SPTR8)pattern, length,
        PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED | PCRE2_DOLLAR_ENDONLY,
        error_code, error_offset, context);
    pcre2_compile_context_free_8(context);
    return code;
}

/*
 * Runs the DFA matcher over the whole subject (valid UTF-8: Swift strings always are).
 * Returns 1 for a match, 0 for none, or PCRE2's negative error code (PCRE2_ERROR_DFA_WSSIZE when
 * `workspace` was too small for the states alive at one point).
 */
static inline int mock_pcre2_dfa_whole_match(
    const pcre2_code_8 *code, const char *subject, size_t length, int *workspace, size_t workspace_count
) {
    pcre2_match_data_8 *data = pcre2_match_data_create_8(1, NULL);
    if (data == NULL) return PCRE2_ERROR_NOMEMORY;
    int result = pcre2_dfa_match_8(code, (PCRE2_SPTR8)subject, length, 0, PCRE2_NO_UTF_CHECK, data, NULL, workspace, workspace_count);
    pcre2_match_data_free_8(data);
    if (result >= 0) return 1;  /* 0 means a match whose offsets did not fit; only whether it matched counts */
    if (result == PCRE2_ERROR_NOMATCH) return 0;
    return result;
}

/* The message for a PCRE2 error code. */
static inline int mock_pcre2_error_message(int code, char *buffer, size_t size) {
    return pcre2_get_error_message_8(code, (PCRE2_UCHAR8 *)buffer, size);
}

#endif
