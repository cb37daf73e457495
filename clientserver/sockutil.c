/* clientserver/sockutil.c — outgoing TCP set-up for UACP conns (Part 6
 * §7.1): see sockutil.h. */
#define UG_CONN_INTERNAL
#include <errno.h>
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
    int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    ug_sock__nodelay(fd);
    st = ug_conn__new(loop, fd, is_server, lim, cbs, data, out);
    if (st != UG_STATUS_GOOD)
        close(fd);
    return st;
}

ug_status ug_sock__connect(ug_conn *c, const struct sockaddr_storage *sa, socklen_t sl)
{
    ug_conn__set_peer_addr(c, (const struct sockaddr *)sa);
    if (connect(c->fd, (const struct sockaddr *)sa, sl) != 0 && errno != EINPROGRESS) {
        ug_conn__free_now(c);
        return UG_STATUS_BADNOTCONNECTED;
    }
    if (ug_conn__watch(c, EPOLLOUT) != UG_STATUS_GOOD) {
        ug_conn__free_now(c);
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    }
    return UG_STATUS_GOOD;
}
