/* clientserver/conn_client.c — the client side of UACP: connecting to an
 * opc.tcp endpoint, and waiting for a server's ReverseHello (Part 6 §7.1.3)
 * on a listening socket. What follows (HEL/ACK, OPN) is channel.c's. */
#define UG_CONN_INTERNAL
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "sockutil.h"

/* Fills sa from a numeric host (IPv4 or IPv6 literal; "localhost" means
 * 127.0.0.1). Returns Good or BadNotConnected (not numeric). */
static ug_status resolve_numeric(const char *host, uint16_t port, struct sockaddr_storage *sa,
                                 socklen_t *sa_len)
{
    memset(sa, 0, sizeof *sa);
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
    if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        *sa_len = sizeof *in;
        return UG_STATUS_GOOD;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        *sa_len = sizeof *in6;
        return UG_STATUS_GOOD;
    }
    return UG_STATUS_BADNOTCONNECTED;
}

/* Numeric addresses need no lookup; a name goes through getaddrinfo on
 * the calling thread (it may block on DNS: the listener's callers; the
 * client's connect resolves names on a worker, see ug_conn_connect). */
ug_status ug_conn__resolve(const char *host, uint16_t port, struct sockaddr_storage *sa,
                           socklen_t *sa_len)
{
    memset(sa, 0, sizeof *sa);
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        *sa_len = sizeof *in;
        return UG_STATUS_GOOD;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        *sa_len = sizeof *in6;
        return UG_STATUS_GOOD;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char pbuf[8];
    snprintf(pbuf, sizeof pbuf, "%u", port);
    if (getaddrinfo(host, pbuf, &hints, &res) != 0 || !res)
        return UG_STATUS_BADNOTCONNECTED;
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *sa_len = res->ai_addrlen;
    freeaddrinfo(res);
    return UG_STATUS_GOOD;
}

/* ------------------------------------------------- waiting for RHE ------ */

struct ug_reverse {
    ug_loop *loop;
    int fd;
    struct ug_watch watch;
    bool watching;
    uint16_t port;
    char *endpoint_url;
    struct ug_conn_limits lim;
    struct ug_conn_cbs cbs;
    void *data;
    ug_conn *pending; /* accepted, RHE not yet seen (silent) */
    ug_conn *conn;    /* handed out */
};

/* ------------------------------------------- name lookup on a worker --- */

/* One getaddrinfo on its own detached thread. Lifetime: shared by that
 * thread and the loop; mu guards cancelled/done, and whichever side comes
 * last frees the job and its addrinfo result (see ug_conn_connect). */
struct ug_lookup_job {
    pthread_mutex_t mu;
    bool cancelled; /* loop: the conn is gone */
    bool done;      /* worker: res/rc final and posted unless cancelled */
    ug_loop *loop;
    uint64_t id; /* identity of the holder's ug_async */
    struct addrinfo *res;
    char host[256];
    char port[8];
};

/* The loop's side of a lookup: c->lookup while it runs; ug_conn__finalize
 * cancels it through ug_conn__lookup_gone. */
struct ug_lookup {
    ug_loop *loop;
    struct ug_async async;
    struct ug_lookup_job *job;
    ug_conn *conn;
};

static void job_free(struct ug_lookup_job *j)
{
    if (j->res)
        freeaddrinfo(j->res);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

/* Worker: never touches the conn or the loop's state; posts by identity
 * under mu, so a cancel (under mu) either sees done (the loop frees) or
 * makes the worker free the job without posting. */
static void *lookup_thread(void *arg)
{
    struct ug_lookup_job *j = arg;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(j->host, j->port, &hints, &res);
    pthread_mutex_lock(&j->mu);
    j->res = rc == 0 ? res : NULL;
    j->done = true;
    bool cancelled = j->cancelled;
    if (!cancelled)
        (void)ug_loop_post(j->loop, j->id,
                           rc == 0 && res ? UG_STATUS_GOOD : UG_STATUS_BADNOTCONNECTED, j);
    pthread_mutex_unlock(&j->mu);
    if (cancelled)
        job_free(j);
    return NULL;
}

/* The first IPv4 address, else the first one (servers commonly listen on
 * 0.0.0.0 / 127.0.0.1 while "localhost" may list ::1 first). */
static bool pick_addr(const struct addrinfo *res, struct sockaddr_storage *sa, socklen_t *sl)
{
    const struct addrinfo *pick = NULL;
    for (const struct addrinfo *a = res; a; a = a->ai_next)
        if (a->ai_addr && a->ai_addrlen <= sizeof *sa &&
            (!pick || (a->ai_family == AF_INET && pick->ai_family != AF_INET)))
            pick = a;
    if (!pick)
        return false;
    memset(sa, 0, sizeof *sa);
    memcpy(sa, pick->ai_addr, pick->ai_addrlen);
    *sl = pick->ai_addrlen;
    return true;
}

/* Loop: the lookup finished; the connect continues, or the conn closes
 * with BadNotConnected (on_closed; the client retries with backoff). */
static void lookup_done(ug_loop *loop, struct ug_async *a, ug_status status, void *result)
{
    (void)loop;
    (void)result;
    struct ug_lookup *l = a->data;
    struct ug_lookup_job *j = l->job;
    pthread_mutex_lock(&j->mu); /* the worker has let go of j */
    pthread_mutex_unlock(&j->mu);
    ug_conn *c = l->conn;
    c->lookup = NULL;
    free(l);
    struct sockaddr_storage sa;
    socklen_t sl = 0;
    if (status == UG_STATUS_GOOD && !pick_addr(j->res, &sa, &sl))
        status = UG_STATUS_BADNOTCONNECTED;
    job_free(j);
    if (status == UG_STATUS_GOOD)
        status = ug_sock__start_connect(c, &sa, sl);
    if (status != UG_STATUS_GOOD)
        ug_conn__finalize(c, status);
}

/* The conn closed or was freed while its lookup ran: forget the identity
 * (a late post is dropped) and let go of the job. */
static void lookup_cancel(struct ug_lookup *l)
{
    struct ug_lookup_job *j = l->job;
    ug_async_cancel(l->loop, &l->async);
    pthread_mutex_lock(&j->mu);
    j->cancelled = true;
    bool done = j->done;
    pthread_mutex_unlock(&j->mu);
    if (done)
        job_free(j);
    free(l);
}

void ug_conn__lookup_gone(ug_conn *c)
{
    struct ug_lookup *l = c->lookup;
    c->lookup = NULL;
    if (l)
        lookup_cancel(l);
}

static ug_status lookup_start(ug_conn *c, const char *host, uint16_t port)
{
    struct ug_lookup *l = calloc(1, sizeof *l);
    struct ug_lookup_job *j = calloc(1, sizeof *j);
    if (!l || !j) {
        free(l);
        free(j);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    l->loop = c->loop;
    l->job = j;
    l->conn = c;
    j->loop = c->loop;
    snprintf(j->host, sizeof j->host, "%s", host);
    snprintf(j->port, sizeof j->port, "%u", port);
    if (pthread_mutex_init(&j->mu, NULL) != 0) {
        free(l);
        free(j);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    ug_status st = ug_async_start(c->loop, &l->async, lookup_done, l);
    if (st != UG_STATUS_GOOD) {
        job_free(j);
        free(l);
        return st;
    }
    j->id = l->async.id;
    pthread_attr_t attr;
    pthread_t t;
    bool ok = pthread_attr_init(&attr) == 0;
    if (ok) {
        ok = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
             pthread_create(&t, &attr, lookup_thread, j) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!ok) {
        ug_async_cancel(c->loop, &l->async);
        job_free(j);
        free(l);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    c->lookup = l;
    return UG_STATUS_GOOD;
}

ug_status ug_conn_connect(ug_loop *loop, const char *endpoint_url,
                          const struct ug_conn_limits *lim, const struct ug_conn_cbs *cbs,
                          void *data, ug_conn **out)
{
    if (!loop || !endpoint_url || !cbs || !cbs->on_message || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    char host[256];
    uint16_t port;
    ug_status st = ug_uacp_parse_url(endpoint_url, host, sizeof host, &port);
    if (st != UG_STATUS_GOOD)
        return st;
    struct sockaddr_storage sa;
    socklen_t sl = 0;
    bool numeric = resolve_numeric(host, port, &sa, &sl) == UG_STATUS_GOOD;
    ug_conn *c;
    /* A name: an IPv4 socket for now, replaced when the address is not. */
    st = ug_sock__open_family(loop, numeric ? sa.ss_family : AF_INET, false, lim, cbs, data, &c);
    if (st != UG_STATUS_GOOD)
        return st;
    size_t n = strlen(endpoint_url);
    c->endpoint_url = malloc(n + 1);
    if (!c->endpoint_url) {
        ug_conn__free_now(c);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    memcpy(c->endpoint_url, endpoint_url, n + 1);
    c->endpoint_url_len = (uint32_t)n;
    if (numeric) {
        if ((st = ug_sock__connect(c, &sa, sl)) != UG_STATUS_GOOD)
            return st;
    } else if ((st = lookup_start(c, host, port)) != UG_STATUS_GOOD) {
        ug_conn__free_now(c);
        return st;
    }
    ug_conn__start_deadline(c); /* the lookup counts against it */
    *out = c;
    return UG_STATUS_GOOD;
}

static void on_reverse_accept(ug_loop *loop, struct ug_watch *w, uint32_t revents);

static void reverse_watch(ug_reverse *r, bool on)
{
    if (r->fd < 0 || on == r->watching)
        return;
    if (on)
        r->watching = ug_watch_start(r->loop, &r->watch, r->fd, EPOLLIN, on_reverse_accept, r) ==
                      UG_STATUS_GOOD;
    else {
        ug_watch_stop(r->loop, &r->watch);
        r->watching = false;
    }
}

static void reverse_close_listen(ug_reverse *r)
{
    reverse_watch(r, false);
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}

/* One server connection at a time: accepting stops until its RHE either
 * arrives (the conn is handed out, listening ends) or fails (listen again). */
static void on_reverse_accept(ug_loop *loop, struct ug_watch *w, uint32_t revents)
{
    (void)revents;
    ug_reverse *r = w->data;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int fd = accept4(r->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ug_conn *c;
    if (ug_conn__new(loop, fd, false, &r->lim, &r->cbs, r->data, &c) != UG_STATUS_GOOD) {
        close(fd);
        return;
    }
    c->state = UG_CS_WAIT_RHE;
    c->silent = true;
    c->reverse_owner = r;
    ug_conn__set_peer_addr(c, (struct sockaddr *)&ss);
    if (r->endpoint_url) {
        size_t n = strlen(r->endpoint_url);
        c->endpoint_url = malloc(n + 1);
        if (c->endpoint_url) {
            memcpy(c->endpoint_url, r->endpoint_url, n + 1);
            c->endpoint_url_len = (uint32_t)n;
        }
    }
    if (ug_conn__watch(c, EPOLLIN) != UG_STATUS_GOOD ||
        (r->endpoint_url && !c->endpoint_url)) {
        c->reverse_owner = NULL;
        ug_conn__free_now(c);
        return;
    }
    ug_conn__start_deadline(c);
    r->pending = c;
    reverse_watch(r, false);
}

void ug_reverse__conn_gone(ug_reverse *r, ug_conn *c)
{
    if (r->pending == c) {
        r->pending = NULL;
        reverse_watch(r, true);
    }
}

void ug_reverse__rhe_accepted(ug_conn *c)
{
    ug_reverse *r = c->reverse_owner;
    if (!r)
        return;
    c->reverse_owner = NULL;
    c->silent = false;
    r->pending = NULL;
    r->conn = c;
    reverse_close_listen(r);
}

ug_status ug_conn_listen_reverse(ug_loop *loop, const char *host, uint16_t port,
                                 const char *endpoint_url, const struct ug_conn_limits *lim,
                                 const struct ug_conn_cbs *cbs, void *data, ug_reverse **out)
{
    if (!loop || !cbs || !cbs->on_message || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (endpoint_url && strlen(endpoint_url) > UG_UACP_MAX_URL)
        return UG_STATUS_BADTCPENDPOINTURLINVALID;
    ug_reverse *r = calloc(1, sizeof *r);
    if (!r)
        return UG_STATUS_BADOUTOFMEMORY;
    r->loop = loop;
    r->fd = -1;
    r->cbs = *cbs;
    r->data = data;
    if (lim)
        r->lim = *lim;
    else
        ug_conn_limits_init(&r->lim);
    if (endpoint_url && !(r->endpoint_url = strdup(endpoint_url))) {
        free(r);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    struct sockaddr_storage sa;
    socklen_t sl;
    ug_status st = ug_conn__resolve(host && *host ? host : "0.0.0.0", port, &sa, &sl);
    if (st != UG_STATUS_GOOD) {
        ug_reverse_free(r);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    r->fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (r->fd >= 0)
        setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&sa, sl) != 0 || listen(r->fd, 8) != 0) {
        ug_reverse_free(r);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    struct sockaddr_storage bs;
    socklen_t bl = sizeof bs;
    if (getsockname(r->fd, (struct sockaddr *)&bs, &bl) == 0)
        r->port = ntohs(bs.ss_family == AF_INET ? ((struct sockaddr_in *)&bs)->sin_port
                                                : ((struct sockaddr_in6 *)&bs)->sin6_port);
    reverse_watch(r, true);
    if (!r->watching) {
        ug_reverse_free(r);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    *out = r;
    return UG_STATUS_GOOD;
}

uint16_t ug_reverse_port(const ug_reverse *r) { return r ? r->port : 0; }
ug_conn *ug_reverse_conn(const ug_reverse *r) { return r ? r->conn : NULL; }

void ug_reverse_free(ug_reverse *r)
{
    if (!r)
        return;
    reverse_close_listen(r);
    if (r->pending) {
        ug_conn *c = r->pending;
        c->reverse_owner = NULL;
        r->pending = NULL;
        ug_conn__free_now(c); /* silent: no callbacks */
    }
    free(r->endpoint_url);
    free(r);
}
