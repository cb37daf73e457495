/* clientserver/sockutil.c — outgoing TCP set-up for UACP conns (Part 6
 * §7.1): see sockutil.h. */
#define UG_CONN_INTERNAL
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockutil.h"

void ug_sock__nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

ug_status ug_sock__open_conn(ug_loop *loop, const char *host, uint16_t port, bool is_server,
                             const struct ug_conn_limits *lim, const struct ug_conn_cbs *cbs,
                             void *data, struct sockaddr_storage *sa, socklen_t *sl,
                             ug_conn **out)
{
    ug_status st = ug_conn__resolve(host, port, sa, sl);
    if (st != UG_STATUS_GOOD)
        return st;
    return ug_sock__open_family(loop, sa->ss_family, is_server, lim, cbs, data, out);
}

ug_status ug_sock__open_family(ug_loop *loop, int family, bool is_server,
                               const struct ug_conn_limits *lim, const struct ug_conn_cbs *cbs,
                               void *data, ug_conn **out)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    ug_sock__nodelay(fd);
    ug_status st = ug_conn__new(loop, fd, is_server, lim, cbs, data, out);
    if (st != UG_STATUS_GOOD)
        close(fd);
    return st;
}

ug_status ug_sock__start_connect(ug_conn *c, const struct sockaddr_storage *sa, socklen_t sl)
{
    if (c->fd < 0)
        return UG_STATUS_BADNOTCONNECTED;
    int cur = AF_UNSPEC;
    struct sockaddr_storage own;
    socklen_t ol = sizeof own;
    if (getsockname(c->fd, (struct sockaddr *)&own, &ol) == 0)
        cur = own.ss_family;
    if (cur != sa->ss_family) {
        /* dup3 keeps c->fd's number; O_NONBLOCK lives in the new file. */
        int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return UG_STATUS_BADRESOURCEUNAVAILABLE;
        ug_sock__nodelay(fd);
        int r = dup3(fd, c->fd, O_CLOEXEC);
        close(fd);
        if (r < 0)
            return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    ug_conn__set_peer_addr(c, (const struct sockaddr *)sa);
    if (connect(c->fd, (const struct sockaddr *)sa, sl) != 0 && errno != EINPROGRESS)
        return UG_STATUS_BADNOTCONNECTED;
    if (ug_conn__watch(c, EPOLLOUT) != UG_STATUS_GOOD)
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    return UG_STATUS_GOOD;
}

ug_status ug_sock__connect(ug_conn *c, const struct sockaddr_storage *sa, socklen_t sl)
{
    ug_status st = ug_sock__start_connect(c, sa, sl);
    if (st != UG_STATUS_GOOD)
        ug_conn__free_now(c);
    return st;
}
