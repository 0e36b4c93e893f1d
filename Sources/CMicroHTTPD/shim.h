#ifndef MOCK_BEDROCK_CMICROHTTPD_SHIM_H
#define MOCK_BEDROCK_CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/*
 * Swift cannot call C variadic functions, and libmicrohttpd has six. The few the server needs are
 * wrapped here as static inline functions with fixed parameter lists, so that every argument has
 * a C type the compiler checks (withVaList would pass a wrong type silently).
 */

/*
 * An unescape callback that leaves the text as it arrived. With it, the URL path and the query
 * arguments reach the access handler still percent-encoded, so the router can split the raw path
 * on '/' before decoding a segment (a job ARN arrives as one segment with %3A and %2F in it).
 */
static inline size_t mhd_shim_keep_escaped(void *cls, struct MHD_Connection *connection, char *s) {
    (void)cls;
    (void)connection;
    return strlen(s);
}

/*
 * Starts a daemon whose options all come in one array terminated by MHD_OPTION_END. The unescape
 * callback above is always installed.
 * The corresponding C function is `MHD_start_daemon` with `MHD_OPTION_ARRAY`.
 */
static inline struct MHD_Daemon *mhd_shim_start_daemon(
    unsigned int flags,
    uint16_t port,
    MHD_AccessHandlerCallback handler,
    void *handler_context,
    struct MHD_OptionItem *options
) {
    return MHD_start_daemon(
        flags, port, NULL, NULL, handler, handler_context,
        MHD_OPTION_UNESCAPE_CALLBACK, mhd_shim_keep_escaped, NULL,
        MHD_OPTION_ARRAY, options,
        MHD_OPTION_END);
}

/*
 * The open connections of the daemon (of all its pool threads), or -1 when libmicrohttpd cannot tell.
 * libmicrohttpd 0.9.75 sums its workers' counts without a lock: a reading for diagnostics, not a
 * figure to act on. The corresponding C function is `MHD_get_daemon_info` with
 * `MHD_DAEMON_INFO_CURRENT_CONNECTIONS`.
 */
static inline int mhd_shim_current_connections(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info == NULL ? -1 : (int)info->num_connections;
}

/*
 * The socket of a connection, or -1 when libmicrohttpd cannot tell.
 * The corresponding C function is `MHD_get_connection_info` with `MHD_CONNECTION_INFO_CONNECTION_FD`.
 */
static inline int mhd_shim_connection_socket(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

#endif
