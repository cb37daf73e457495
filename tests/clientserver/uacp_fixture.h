/* uacp_fixture — raw UACP message builders (Part 6 §7.1.2 Hello, §6.7.2
 * symmetric chunks) and a plain loopback TCP connect, shared by
 * test_uacp.c and test_channel.c, which both drive one end of a
 * connection byte by byte. Functions are static inline so a program that
 * uses only some of them builds with -Werror.
 *
 * Lifetime: no state; every builder appends to the caller's ug_wr, and
 * tcp_connect's socket is the caller's to close.
 */
#ifndef UG_TESTS_UACP_FIXTURE_H
#define UG_TESTS_UACP_FIXTURE_H

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../clientserver/conn.h" /* private: clientserver/ is not on the tests' include path */

/* The service type id the tests' callbacks treat as their own message. */
#define TEST_TYPE_ID 9001u

/* A HEL message (§7.1.2.3). */
static inline void wr_hel(ug_wr *wr, uint32_t recv, uint32_t send, uint32_t max_msg,
                          uint32_t max_chunks, const char *url)
{
    struct ug_uacp_hello h = {0, recv, send, max_msg, max_chunks, ug_string_from(url)};
    ug_uacp_hello_encode(wr, UG_UACP_HEL, &h);
}

/* Writes the MessageSize of the message that starts at start. */
static inline void patch_size(ug_wr *wr, size_t start)
{
    uint32_t n = (uint32_t)(wr->len - start);
    ug_wr_patch(wr, start + 4, &n, 4);
}

/* A four-byte ns=0 NodeId. */
static inline void wr_id(ug_wr *wr, uint32_t id)
{
    ug_wr_u8(wr, 1);
    ug_wr_u8(wr, 0);
    ug_wr_u16(wr, (uint16_t)id);
}

/* A MSG (or CLO) chunk: type id (none when 0) then n bytes of payload
 * (i & 0xff). */
static inline void wr_sym(ug_wr *wr, const char *type, uint8_t chunk, uint32_t channel_id,
                          uint32_t token, uint32_t seq, uint32_t request_id, uint32_t type_id,
                          size_t n)
{
    size_t start = wr->len;
    ug_wr_bytes(wr, type, 3);
    ug_wr_u8(wr, chunk);
    ug_wr_u32(wr, 0);
    ug_wr_u32(wr, channel_id);
    ug_wr_u32(wr, token);
    ug_wr_u32(wr, seq);
    ug_wr_u32(wr, request_id);
    if (type_id)
        wr_id(wr, type_id);
    for (size_t i = 0; i < n; i++)
        ug_wr_u8(wr, (uint8_t)i);
    patch_size(wr, start);
}

/* A blocking connect to 127.0.0.1:port, then non-blocking; -1 when refused. */
static inline int tcp_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

#endif
