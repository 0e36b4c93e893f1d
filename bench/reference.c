/*
 * The reference the benchmark compares mock-bedrock with: a bare libmicrohttpd server with the
 * same daemon setup (internal poll() thread pool, keep-alive, TURBO, suspend/resume allowed) that
 * answers every request with one fixed GetModelInvocationJob body read from a file at start.
 *
 *   cc -O2 -o reference reference.c $(pkg-config --cflags --libs libmicrohttpd)
 *   ./reference BODY_FILE [PORT] [THREADS]     # prints "reference listening on http://127.0.0.1:PORT"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct MHD_Response *job_response;
static struct MHD_Daemon *mhd;
static int listener = -1;
static atomic_int stopping;

/* Accepts until the listening socket is shut down, and hands every connection to libmicrohttpd. */
static void *accept_connections(void *unused) {
    (void)unused;
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t length = sizeof peer;
        int client = accept4(listener, (struct sockaddr *)&peer, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) {
            if (stopping) return NULL; /* the listening socket was shut down */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) usleep(10000);
            continue; /* EINTR, ECONNABORTED and the rest: try again, as mock-bedrock does */
        }
        MHD_add_connection(mhd, client, (struct sockaddr *)&peer, length); /* on failure it closes the socket */
    }
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls) {
    static int first_call;
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data;
    if (*con_cls == NULL) { /* answering on the first call would close the connection after each response */
        *con_cls = &first_call;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(connection, MHD_HTTP_OK, job_response);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s BODY_FILE [PORT] [THREADS]\n", argv[0]);
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (file == NULL) { perror(argv[1]); return 1; }
    static char body[65536];
    size_t length = fread(body, 1, sizeof body, file);
    fclose(file);
    unsigned int port = argc > 2 ? (unsigned int)atoi(argv[2]) : 0;
    unsigned int threads = argc > 3 ? (unsigned int)atoi(argv[3]) : 1;

    job_response = MHD_create_response_from_buffer(length, body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(job_response, "Content-Type", "application/json");
    MHD_add_response_header(job_response, "x-amzn-RequestId", "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f");

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    /* The listening socket is ours and a thread of ours accepts, handing each connection to
     * libmicrohttpd (MHD_add_connection), as mock-bedrock does (Sources/MockBedrock/HTTP/Acceptor.swift):
     * libmicrohttpd 0.9.75's poll() loop accepts one connection a round. */
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(0x7F000001);
    /* Room for a socket a connection, as mock-bedrock makes for itself. */
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < 8192) {
        files.rlim_cur = files.rlim_max < 8192 ? files.rlim_max : 8192;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int yes = 1;
    if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, SOMAXCONN) != 0) {
        perror("listen");
        return 1;
    }
    socklen_t length_of_address = sizeof address;
    getsockname(listener, (struct sockaddr *)&address, &length_of_address);

    /* The flags mock-bedrock uses (Sources/MockBedrock/HTTP/MockBedrockServer.swift): poll(), not epoll,
     * whose loop in libmicrohttpd 0.9.75 loses connections past 128 ready at once on one thread. */
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME
        | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
    mhd = threads > 1
        ? MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads,
                           MHD_OPTION_CONNECTION_LIMIT, 4096, MHD_OPTION_END)
        : MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL, MHD_OPTION_CONNECTION_LIMIT, 4096, MHD_OPTION_END);
    if (mhd == NULL) { fprintf(stderr, "cannot start\n"); return 1; }
    pthread_t acceptor;
    pthread_create(&acceptor, NULL, accept_connections, NULL);
    printf("reference listening on http://127.0.0.1:%u\n", ntohs(address.sin_port));
    fflush(stdout);

    int received;
    sigwait(&stop, &received);
    stopping = 1;
    shutdown(listener, SHUT_RDWR); /* accept() returns: the acceptor ends */
    pthread_join(acceptor, NULL);
    close(listener);
    MHD_stop_daemon(mhd);
    MHD_destroy_response(job_response);
    return 0;
}
