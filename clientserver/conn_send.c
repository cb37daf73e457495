/* clientserver/conn_send.c — ug_conn_send: a generated structure (Part 6
 * §5.2.6 through ua_struct.h) as a service message. Kept apart from
 * channel_send.c so that the channel itself needs no generated codec. */
#define UG_CONN_INTERNAL
#include "conn.h"
#include "uagate/ua_struct.h"

struct struct_msg {
    const ug_type_desc *d;
    const void *msg;
};

static void enc_struct(ug_wr *wr, const void *msg)
{
    const struct struct_msg *m = msg;
    ug_wr_struct(wr, m->d, m->msg);
}

ug_status ug_conn_send(ug_conn *c, uint32_t request_id, const ug_type_desc *d, const void *msg)
{
    if (!d || !msg || !d->binary_encoding_id)
        return UG_STATUS_BADINVALIDARGUMENT;
    struct struct_msg m = {d, msg};
    return ug_conn_send_raw(c, request_id, d->binary_encoding_id, enc_struct, &m);
}
