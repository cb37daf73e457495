/* clientserver/server_fuzz.c — a test and fuzzing entry point of the
 * server: a connected socket handed to the server as if its listener had
 * accepted it (Part 6 §7.1.2: the server side of UACP starts with the
 * client's Hello). The fuzz target tests/fuzz/fuzz_server.c makes one
 * socketpair per input and gives one end to the server this way, so the
 * whole receive path runs (UACP, SecureChannel, dispatcher, sessions,
 * services) without a TCP handshake per input.
 *
 * Lifetime: the connection belongs to the server's listener from here on,
 * exactly like an accepted one (closed by the peer, by a protocol error or
 * by ug_server_stop). */
#define UG_CONN_INTERNAL
#include <unistd.h>

#include "conn.h"
#include "server_internal.h"

ug_status ug_server_accept_fd(ug_server *s, int fd)
{
    if (!s || fd < 0) {
        if (fd >= 0)
            close(fd);
        return UG_STATUS_BADINVALIDARGUMENT;
    }
    ug_listener *l = s->listener;
    if (!s->started || !l) {
        close(fd);
        return UG_STATUS_BADINVALIDSTATE;
    }
    if (l->count >= l->lim.max_connections) {
        close(fd);
        return UG_STATUS_BADTCPNOTENOUGHRESOURCES;
    }
    /* The listener's limits and callbacks: the server's dispatcher. */
    return ug_conn_accept_fd(s->loop, l, fd, &l->lim, &l->cbs, l->data, NULL);
}
