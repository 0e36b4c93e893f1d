/*
 * The reference the benchmark compares mock-bedrock with: a bare libmicrohttpd server with the
 * same daemon setup (internal epoll thread pool, keep-alive, TURBO, suspend/resume allowed) that
 * answers every request with one fixed GetModelInvocationJob body read from a file at start.
 *
 *   cc -O2 -o reference reference.c $(pkg-config --cflags --libs libmicrohttpd)
 *   ./reference BODY_FILE [PORT] [THREADS]     # prints "reference listening on http://127.0.0.1:PORT"
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct MHD_Response *job_response;

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

    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(0x7F000001);
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
    struct MHD_Daemon *daemon = threads > 1
        ? MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, &address,
                           MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_END)
        : MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, &address, MHD_OPTION_END);
    if (daemon == NULL) { fprintf(stderr, "cannot start\n"); return 1; }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    printf("reference listening on http://127.0.0.1:%u\n", info->port);
    fflush(stdout);

    int received;
    sigwait(&stop, &received);
    MHD_stop_daemon(daemon);
    MHD_destroy_response(job_response);
    return 0;
}
