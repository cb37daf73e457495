/* clientserver/sockutil.h — the TCP set-up shared by the two places that
 * connect out (Part 6 §7.1): the client's ug_conn_connect (conn_client.c)
 * and the server's ReverseHello connection (§7.1.3, listener.c), plus
 * TCP_NODELAY for accepted sockets. Internal to the conn module: include it
 * after defining UG_CONN_INTERNAL.
 *
 * Lifetime: no objects of its own. The conn that ug_sock__open_conn makes is
 * the caller's (ug_conn__free_now frees it and closes its socket).
 */
#ifndef UG_CS_SOCKUTIL_H
#define UG_CS_SOCKUTIL_H

#include "conn.h"

/* TCP_NODELAY on fd (best effort: a failure only costs latency). */
void ug_sock__nodelay(int fd);

/* Resolves host:port (ug_conn__resolve) into *sa / *sl, opens a
 * non-blocking, close-on-exec TCP socket with TCP_NODELAY and wraps it in a
 * new conn of the given role (ug_conn__new) in *out. Returns Good,
 * BadNotConnected (the name does not resolve), BadResourceUnavailable (no
 * socket), or ug_conn__new's statuses (the socket is closed). */
ug_status ug_sock__open_conn(ug_loop *loop, const char *host, uint16_t port, bool is_server,
                             const struct ug_conn_limits *lim, const struct ug_conn_cbs *cbs,
                             void *data, struct sockaddr_storage *sa, socklen_t *sl,
                             ug_conn **out);

/* Opens a non-blocking, close-on-exec TCP socket of family (AF_INET,
 * AF_INET6) with TCP_NODELAY and wraps it in a new conn in *out. Returns
 * Good, BadResourceUnavailable (no socket), or ug_conn__new's statuses. */
ug_status ug_sock__open_family(ug_loop *loop, int family, bool is_server,
                               const struct ug_conn_limits *lim, const struct ug_conn_cbs *cbs,
                               void *data, ug_conn **out);

/* Like ug_sock__connect, but c stays alive on failure (the caller closes
 * it, e.g. with ug_conn__finalize); c's socket is replaced (same fd number)
 * when its family differs from sa's. Returns Good, BadNotConnected,
 * BadResourceUnavailable. */
ug_status ug_sock__start_connect(ug_conn *c, const struct sockaddr_storage *sa, socklen_t sl);

/* Records sa as c's peer address, starts the non-blocking connect of c's
 * socket and watches for its completion (EPOLLOUT). On failure c is freed.
 * Returns Good, BadNotConnected (connect refused at once),
 * BadResourceUnavailable (cannot watch the socket). */
ug_status ug_sock__connect(ug_conn *c, const struct sockaddr_storage *sa, socklen_t sl);

#endif
