/* clientserver/listener.c — the server side of UACP: listening sockets,
 * accepting connections within max_connections (over it: ERR
 * BadTcpNotEnoughResources, §7.1.2.5), and ReverseHello connections out to
 * clients behind firewalls (Part 6 §7.1.3). */
#define UG_CONN_INTERNAL
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "sockutil.h"

#define ACCEPTS_PER_WAKE 16

static void link_conn(ug_listener *l, ug_conn *c)
{
    c->listener = l;
    c->prev = NULL;
    c->next = l->conns;
    if (l->conns)
        l->conns->prev = c;
    l->conns = c;
}

/* A handed-out conn of l: counted against max_connections, with the next
 * SecureChannel id (never 0). */
static void adopt_conn(ug_listener *l, ug_conn *c)
{
    link_conn(l, c);
    c->counted = true;
    l->count++;
    if (++l->channel_counter == 0)
        l->channel_counter = 1;
    c->channel_id = l->channel_counter;
}

/* Starts c's HEL/RHE deadline, hands it out in *out (when out) and tells
 * on_accept. */
static void start_conn(ug_conn *c, ug_conn **out)
{
    ug_conn__start_deadline(c);
    if (out)
        *out = c;
    if (c->cbs.on_accept)
        c->cbs.on_accept(c, c->data);
}

ug_status ug_conn_accept_fd(ug_loop *loop, ug_listener *l, int fd,
                            const struct ug_conn_limits *lim, const struct ug_conn_cbs *cbs,
                            void *data, ug_conn **out)
{
    if (!loop || fd < 0 || !cbs || !cbs->on_message) {
        if (fd >= 0)
            close(fd);
        return UG_STATUS_BADINVALIDARGUMENT;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    ug_conn *c;
    ug_status st = ug_conn__new(loop, fd, true, lim, cbs, data, &c);
    if (st != UG_STATUS_GOOD) {
        close(fd);
        return st;
    }
    st = ug_conn__watch(c, EPOLLIN);
    if (st != UG_STATUS_GOOD) {
        ug_conn__free_now(c); /* closes fd */
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
        ug_conn__set_peer_addr(c, (struct sockaddr *)&ss);
    else
        snprintf(c->peer_addr, sizeof c->peer_addr, "local");
    c->channel_id = 1;
    if (l)
        adopt_conn(l, c);
    start_conn(c, out);
    return UG_STATUS_GOOD;
}

/* Over the limit: a conn that is never handed out says ERR and closes
 * gracefully, so the client reads why instead of a reset. Beyond as many
 * again being rejected, the socket is just closed. */
static void reject(ug_listener *l, int fd)
{
    if (l->rejecting >= l->lim.max_connections) {
        close(fd);
        return;
    }
    ug_conn *c;
    if (ug_conn__new(l->loop, fd, true, &l->lim, &l->cbs, NULL, &c) != UG_STATUS_GOOD) {
        close(fd);
        return;
    }
    c->silent = true;
    if (ug_conn__watch(c, EPOLLIN) != UG_STATUS_GOOD) {
        ug_conn__free_now(c);
        return;
    }
    link_conn(l, c);
    c->rejecting = true;
    l->rejecting++;
    ug_conn__fail(c, UG_STATUS_BADTCPNOTENOUGHRESOURCES, "too many connections", true);
}

static void on_listen(ug_loop *loop, struct ug_watch *w, uint32_t revents)
{
    (void)loop;
    (void)revents;
    ug_listener *l = w->data;
    for (int i = 0; i < ACCEPTS_PER_WAKE && !l->stopped; i++) {
        int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or a transient error (EMFILE: retried next wake) */
        ug_sock__nodelay(fd);
        if (l->count >= l->lim.max_connections) {
            reject(l, fd);
            continue;
        }
        ug_conn_accept_fd(l->loop, l, fd, &l->lim, &l->cbs, l->data, NULL);
    }
}

static int listen_on(const struct sockaddr *sa, socklen_t len)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (sa->sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, sa, len) != 0 || listen(fd, 128) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static uint16_t bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

ug_status ug_listener_start(ug_loop *loop, const char *host, uint16_t port,
                            const struct ug_conn_limits *lim, const char *server_uri,
                            const struct ug_conn_cbs *cbs, void *data, ug_listener **out)
{
    if (!loop || !cbs || !cbs->on_message || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_listener *l = calloc(1, sizeof *l);
    if (!l)
        return UG_STATUS_BADOUTOFMEMORY;
    l->loop = loop;
    l->cbs = *cbs;
    l->data = data;
    /* Same defaults as a conn gets: make them now for max_connections. */
    ug_conn_limits_init(&l->lim);
    if (lim) {
        struct ug_conn_limits d = l->lim;
        l->lim = *lim;
        if (!l->lim.max_connections)
            l->lim.max_connections = d.max_connections;
    }
    if (server_uri && !(l->server_uri = strdup(server_uri))) {
        free(l);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    if (!host || !*host)
        host = "0.0.0.0";
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char pbuf[8];
    snprintf(pbuf, sizeof pbuf, "%u", port);
    if (getaddrinfo(host, pbuf, &hints, &res) != 0) {
        ug_listener_free(l);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    for (struct addrinfo *ai = res; ai && l->n_fds < 4; ai = ai->ai_next) {
        /* With port 0, the later sockets take the port the first got. */
        if (l->n_fds && port == 0) {
            if (ai->ai_family == AF_INET)
                ((struct sockaddr_in *)ai->ai_addr)->sin_port = htons(l->port);
            else if (ai->ai_family == AF_INET6)
                ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port = htons(l->port);
        }
        int fd = listen_on(ai->ai_addr, ai->ai_addrlen);
        if (fd < 0)
            continue;
        if (ug_watch_start(loop, &l->watches[l->n_fds], fd, EPOLLIN, on_listen, l) !=
            UG_STATUS_GOOD) {
            close(fd);
            continue;
        }
        if (!l->n_fds)
            l->port = bound_port(fd);
        l->fds[l->n_fds++] = fd;
    }
    freeaddrinfo(res);
    if (!l->n_fds) {
        ug_listener_free(l);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    *out = l;
    return UG_STATUS_GOOD;
}

uint16_t ug_listener_port(const ug_listener *l) { return l ? l->port : 0; }
uint32_t ug_listener_count(const ug_listener *l) { return l ? l->count : 0; }

void ug_listener_stop(ug_listener *l)
{
    if (!l || l->stopped)
        return;
    l->stopped = true;
    for (unsigned i = 0; i < l->n_fds; i++) {
        ug_watch_stop(l->loop, &l->watches[i]);
        close(l->fds[i]);
    }
    l->n_fds = 0;
}

void ug_listener_close_all(ug_listener *l, ug_status status, const char *reason)
{
    if (!l)
        return;
    /* A conn whose ERR cannot be flushed finalizes (and unlinks) at once:
     * take the next pointer first. */
    ug_conn *next;
    for (ug_conn *c = l->conns; c; c = next) {
        next = c->next;
        if (!c->silent)
            ug_conn__fail(c, status, reason, true);
    }
}

void ug_listener_free(ug_listener *l)
{
    if (!l)
        return;
    ug_listener_stop(l);
    /* Every conn still here gets its on_closed now, including those
     * already closed whose report was queued on the loop: after this
     * returns no callback of the listener's runs. */
    while (l->conns) {
        ug_conn *c = l->conns;
        ug_conn__finalize(c, UG_STATUS_BADSHUTDOWN); /* no-op when closed */
        ug_loop_remove_delayed(c->loop, &c->report);
        if (!c->silent && c->cbs.on_closed)
            c->cbs.on_closed(c, c->close_status, c->data);
        ug_conn__free_now(c); /* unlinks */
    }
    free(l->server_uri);
    free(l);
}

/* ------------------------------------------------------- ReverseHello --- */

ug_status ug_listener_reverse_connect(ug_listener *l, const char *client_url,
                                      const char *endpoint_url, ug_conn **out)
{
    if (!l || !client_url)
        return UG_STATUS_BADINVALIDARGUMENT;
    char host[256];
    uint16_t port;
    ug_status st = ug_uacp_parse_url(client_url, host, sizeof host, &port);
    if (st != UG_STATUS_GOOD)
        return st;
    if (endpoint_url && strlen(endpoint_url) > UG_UACP_MAX_URL)
        return UG_STATUS_BADTCPENDPOINTURLINVALID;
    if (l->count >= l->lim.max_connections)
        return UG_STATUS_BADTCPNOTENOUGHRESOURCES;
    struct sockaddr_storage sa;
    socklen_t sl;
    ug_conn *c;
    st = ug_sock__open_conn(l->loop, host, port, true, &l->lim, &l->cbs, l->data, &sa, &sl, &c);
    if (st != UG_STATUS_GOOD)
        return st;
    c->reverse = true;
    c->state = UG_CS_CONNECTING;
    c->server_uri = l->server_uri ? strdup(l->server_uri) : NULL;
    c->rhe_endpoint_url = strdup(endpoint_url ? endpoint_url : client_url);
    if ((l->server_uri && !c->server_uri) || !c->rhe_endpoint_url) {
        ug_conn__free_now(c);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    if ((st = ug_sock__connect(c, &sa, sl)) != UG_STATUS_GOOD)
        return st;
    adopt_conn(l, c);
    start_conn(c, out);
    return UG_STATUS_GOOD;
}
