/* Private: the shape every transport kind shares (transports/ only).
 *
 * A kind is a ug_transport_ops table. The generic code (transport.c) owns the
 * handle, the send buffer pool, the receive batch and the loop glue; a kind
 * owns its socket set-up, its send and the decoding of one received datagram
 * or frame (its control messages and headers).
 */
#ifndef UG_TRANSPORT_IMPL_H
#define UG_TRANSPORT_IMPL_H

#include <net/if.h>
#include <sys/socket.h>

#include "uagate/transport.h"

/* Control-message room per received datagram: a timestamp (16 + 16) and
 * PACKET_AUXDATA (16 + 20), with margin. */
#define UG_RX_CONTROL 128

struct ug_transport_ops {
    enum ug_transport_kind kind;
    const char *name;
    /* Checks options and resolves everything; opens the socket unless
     * o->validate_only. Sets t->fd, t->ifindex, t->max_msg. On failure closes
     * whatever it opened and writes a reason with ug_tr_err. */
    ug_status (*open)(ug_transport *t, const ug_transport_url *url,
                      const ug_transport_opts *o);
    ug_status (*send)(ug_transport *t, const uint8_t *data, size_t len,
                      int64_t launch_tai_ns);
    /* One received datagram/frame; fills msg->data and addr. Returns false
     * to drop it (not ours). */
    bool (*decode)(ug_transport *t, const struct ug_recv_msg *rm, ug_transport_msg *msg,
                   ug_transport_addr *addr);
    /* Leaves groups and drops memberships; the generic code closes the fd. */
    void (*shutdown)(ug_transport *t);
    /* Broker kinds only (NULL for datagram kinds): the kind runs its own
     * stream socket on the loop (connect, reconnect, receive, CONNECTED), so
     * the generic code starts no datagram receive and fires no CONNECTED.
     * ug_transport_close calls this instead of its own sequence; the kind
     * ends with ug_tr_closed. Its shutdown frees its state at once (a failed
     * open). */
    void (*close)(ug_transport *t);
};

extern const struct ug_transport_ops ug_udp_ops;
extern const struct ug_transport_ops ug_eth_ops;
extern const struct ug_transport_ops ug_amqp_ops;
extern const struct ug_transport_ops ug_mqtt_ops;

struct ug_udp_state {
    struct sockaddr_storage dst;
    socklen_t dst_len;
    int family;
    bool multicast;
    bool joined;
    struct sockaddr_storage group; /* for the leave on close */
};

struct ug_eth_state {
    uint8_t hdr[18];   /* dst, src, [0x8100 TCI], EtherType: prebuilt */
    size_t hdr_len;
    uint8_t dst[6];
    uint8_t src[6];
    bool member;       /* PACKET_ADD_MEMBERSHIP multicast done */
    bool promisc;      /* PACKET_MR_PROMISC done */
    int mtu;
};

struct ug_transport {
    const struct ug_transport_ops *ops;
    ug_loop *loop;
    ug_transport_cbs cbs;
    unsigned mode;
    int fd;
    unsigned ifindex;
    char ifname[IF_NAMESIZE];
    uint32_t max_msg;
    bool txtime;
    bool rx_ts;
    bool closing;
    bool receiving;      /* recv started and not yet stopped */
    uint32_t recv_bufs;
    struct ug_recv recv;
    struct ug_delayed connected; /* fires on_state(CONNECTED) */
    struct ug_delayed closed;    /* fires on_closed when nothing is in flight */

    /* send buffers: one block, a free list */
    uint8_t *send_mem;
    ug_transport_buf *bufs;
    ug_transport_buf *free_bufs;
    uint32_t nbufs;

    union {
        struct ug_udp_state udp;
        struct ug_eth_state eth;
        void *broker; /* broker kinds: their private state */
    } u;
};

/* Writes a reason into the caller's error buffer (if any); returns st. */
ug_status ug_tr_err(const ug_transport_opts *o, ug_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Status for a failed socket call: EPERM/EACCES -> BadUserAccessDenied,
 * ENOMEM/ENOBUFS -> BadOutOfMemory, ENODEV -> BadNotFound, else
 * BadCommunicationError. */
ug_status ug_tr_errno_status(int err);
/* Resolves an interface name to index (and copies the name). */
ug_status ug_tr_ifindex(const ug_transport_opts *o, const char *name, unsigned *index,
                        char ifname[IF_NAMESIZE]);
/* Applies SO_PRIORITY, SO_TXTIME, SO_TIMESTAMPNS, SO_RCVBUF, SO_SNDBUF. */
ug_status ug_tr_common_sockopts(ug_transport *t, const ug_transport_opts *o);
/* Adds SCM_TXTIME for launch_tai_ns into h using cbuf (>= CMSG_SPACE(8)). */
void ug_tr_set_txtime(struct msghdr *h, void *cbuf, size_t cap, int64_t launch_tai_ns);
/* Maps a sendmsg errno to a status. */
ug_status ug_tr_send_errno(int err);
/* Broker kinds: closes t->fd (if >= 0), then on_closed and free from the
 * next loop iteration. */
void ug_tr_closed(ug_transport *t);

#endif
