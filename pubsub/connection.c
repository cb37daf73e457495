/* PubSubConnection (Part 14 §6.2.7): the transport (or a custom link) and the
 * receive dispatch. A received UADP message is filtered on its header alone
 * (ug_uadp_decode_header); only a message some reader wants has its payload
 * decoded, into that reader's preallocated arena. */
#include <stdlib.h>
#include <string.h>

#include "ps_internal.h"

#define PS_SCRATCH_ARENA (64u * 1024u)
#define PS_MAX_MATCH 64

/* ------------------------------------------------------------ transport -- */

static void on_recv(void *ctx, ug_transport *t, const ug_transport_msg *msg)
{
    (void)t;
    ug_ps_connection *c = ctx;
    if (msg->truncated) {
        c->comp.diag.decode_errors++;
        return;
    }
    ug_ps_connection_receive(c, msg->data.data, (size_t)msg->data.len, msg->rx_time_ns);
}

static void on_tstate(void *ctx, ug_transport *t, enum ug_transport_state state, ug_status status)
{
    (void)t;
    ug_ps_connection *c = ctx;
    const ug_pubsub_config *pc = &c->comp.ps->cfg;
    if (state == UG_TRANSPORT_CONNECTED) {
        c->connected = true;
        if (pc->on_transport)
            pc->on_transport(pc->cb_ctx, c, true, UG_STATUS_GOOD);
        if (c->comp.local == UG_PUBSUB_PREOPERATIONAL)
            ps_comp_set_local(&c->comp, UG_PUBSUB_OPERATIONAL, UG_STATUS_GOOD);
    } else {
        /* The transport stays open after a failed send or receive, and a
         * broker transport reconnects and queues meanwhile; such an error does
         * not stop the groups, so it is counted and reported, not a state. */
        c->comp.diag.transport_errors++;
        if (pc->on_transport)
            pc->on_transport(pc->cb_ctx, c, false, status);
    }
}

/* The connection may be gone when this runs: it must not touch ctx. */
static void on_closed(void *ctx, ug_transport *t)
{
    (void)ctx;
    (void)t;
}

/* The largest KeepAliveTime among the connection's writer groups; 0: none. */
static int64_t max_keep_alive_ns(const ug_ps_connection *c)
{
    int64_t ka = 0;
    for (const ug_ps_comp *g = c->comp.child; g; g = g->next)
        if (g->kind == UG_PS_WRITER_GROUP) {
            const ug_writer_group *wg = (const ug_writer_group *)g;
            if (wg->cfg.keep_alive_ns > ka)
                ka = wg->cfg.keep_alive_ns;
        }
    return ka;
}

/* The encoding of the first writer group; JSON when the connection only reads. */
static int first_encoding(const ug_ps_connection *c)
{
    for (const ug_ps_comp *g = c->comp.child; g; g = g->next)
        if (g->kind == UG_PS_WRITER_GROUP)
            return ((const ug_writer_group *)g)->cfg.encoding;
    return -1;
}

/* Options a broker transport takes from the groups rather than from the
 * connection: content type from the encoding (Part 14 §7.3.4.8, MQTT 5
 * content type), and a keep-alive a little above the groups' KeepAliveTime
 * so the broker does not drop a connection that is quiet by design. */
static void broker_defaults(const ug_ps_connection *c, ug_transport_opts *o)
{
    int enc = first_encoding(c);
    int64_t ka = max_keep_alive_ns(c);
    if (c->kind == UG_TRANSPORT_MQTT) {
        if (o->mqtt.content_type == UG_MQTT_CONTENT_NONE && o->mqtt.version == UG_MQTT_V5 && enc >= 0)
            o->mqtt.content_type = enc == UG_PS_JSON ? UG_MQTT_CONTENT_JSON : UG_MQTT_CONTENT_UADP;
        if (!o->mqtt.keep_alive_s && ka > 0) {
            /* 1.5 x KeepAliveTime, in whole seconds, within MQTT's 5..65535. */
            int64_t s = (ka * 3 / 2 + 999999999) / 1000000000;
            o->mqtt.keep_alive_s = (uint32_t)(s < 5 ? 5 : s > 65535 ? 65535 : s);
        }
    } else if (c->kind == UG_TRANSPORT_AMQP) {
        if (enc >= 0)
            o->amqp.body = enc == UG_PS_JSON ? UG_AMQP_BODY_JSON : UG_AMQP_BODY_UADP;
        if (!o->amqp.keep_alive_ms && ka > 0) {
            int64_t ms = ka * 3 / 2 / 1000000;
            o->amqp.keep_alive_ms = (uint32_t)(ms > UINT32_MAX ? UINT32_MAX : ms < 1000 ? 1000 : ms);
        }
    }
}

bool ps_conn_is_broker(const ug_ps_connection *c)
{
    return c->kind == UG_TRANSPORT_MQTT || c->kind == UG_TRANSPORT_AMQP;
}

uint8_t ps_conn_activate(ug_ps_comp *comp)
{
    ug_ps_connection *c = (ug_ps_connection *)comp;
    if (c->has_link)
        return UG_PUBSUB_OPERATIONAL;
    if (c->transport)
        return c->connected ? UG_PUBSUB_OPERATIONAL : UG_PUBSUB_PREOPERATIONAL;
    c->connected = false;
    ug_transport_cbs cbs = {.ctx = c, .on_recv = on_recv, .on_state = on_tstate,
                            .on_closed = on_closed};
    ug_transport_opts o = c->cfg.transport;
    c->open_error[0] = '\0';
    o.errbuf = c->open_error;
    o.errbuf_cap = sizeof c->open_error;
    o.validate_only = false;
    broker_defaults(c, &o);
    ug_status st = ug_transport_open(comp->ps->loop, c->url, &o, &cbs, &c->transport);
    if (!ug_is_good(st)) {
        c->transport = NULL;
        comp->reason = st;
        return UG_PUBSUB_ERROR;
    }
    /* CONNECTED normally comes later, from the loop; a transport that says
     * it during open must not leave the connection PreOperational. */
    return c->connected ? UG_PUBSUB_OPERATIONAL : UG_PUBSUB_PREOPERATIONAL;
}

void ps_conn_hook(ug_ps_comp *comp, uint8_t old_state)
{
    (void)old_state;
    ug_ps_connection *c = (ug_ps_connection *)comp;
    if (!ps_active(comp->state) && c->transport) {
        ug_transport_close(c->transport);
        c->transport = NULL;
        c->connected = false;
    }
}

ug_status ps_conn_send(ug_ps_connection *c, const uint8_t *msg, size_t len)
{
    if (c->has_link)
        return c->link.send(c->link.ctx, msg, len);
    if (!c->transport)
        return UG_STATUS_BADINVALIDSTATE;
    return ug_transport_send(c->transport, (ug_bytes){msg, (int32_t)len}, 0);
}

ug_status ps_conn_send_metadata(ug_ps_connection *c, const uint8_t *msg, size_t len)
{
    if (c->has_link || !c->transport)
        return ps_conn_send(c, msg, len);
    ug_bytes b = {msg, (int32_t)len};
    if (c->kind == UG_TRANSPORT_MQTT)
        return ug_transport_mqtt_send_metadata(c->transport, b);
    if (c->kind == UG_TRANSPORT_AMQP) {
        ug_amqp_send_info info = {.metadata = true};
        return ug_transport_amqp_send(c->transport, b, &info);
    }
    return ug_transport_send(c->transport, b, 0);
}

/* ------------------------------------------------------- add / remove -- */

/* The transport reads option strings at every open, and a connection is
 * re-opened after errors and re-enables: keep copies (props stay the
 * caller's, see pubsub.h). */
static ug_status own_str(ug_ps_connection *c, const char **p)
{
    if (!*p)
        return UG_STATUS_GOOD;
    if (c->n_owned == sizeof c->owned / sizeof c->owned[0])
        return UG_STATUS_BADINTERNALERROR;
    char *d = ps_strdup(*p);
    if (!d) {
        *p = NULL;
        return UG_STATUS_BADOUTOFMEMORY;
    }
    c->owned[c->n_owned++] = d;
    *p = d;
    return UG_STATUS_GOOD;
}

static ug_status own_broker_strings(ug_ps_connection *c)
{
    ug_mqtt_opts *m = &c->cfg.transport.mqtt;
    ug_amqp_opts *a = &c->cfg.transport.amqp;
    const char **ps[] = {&m->client_id, &m->username, &m->password, &m->ca_file,
                         &m->cert_file, &m->key_file, &m->metadata_topic, &m->queue_file,
                         &a->user, &a->password, &a->ca_file, &a->cert_file,
                         &a->key_file, &a->key_password, &a->tls_hostname, &a->container_id};
    ug_status st = UG_STATUS_GOOD;
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        ug_status s = own_str(c, ps[i]);
        if (ug_is_good(st))
            st = s;
    }
    return st;
}

ug_status ug_pubsub_add_connection(ug_pubsub *ps, const ug_connection_config *cfg,
                                   ug_ps_connection **out)
{
    if (!ps || !cfg || !out || (!cfg->url == !cfg->link))
        return UG_STATUS_BADINVALIDARGUMENT;
    if (cfg->link && !cfg->link->send)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_transport_url u = {.kind = UG_TRANSPORT_NONE};
    if (cfg->url) {
        ug_status st = ug_transport_url_parse(cfg->url, &u, NULL, 0);
        if (!ug_is_good(st))
            return st;
    }
    ug_ps_connection *c = calloc(1, sizeof(*c));
    if (!c)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_status st = ps_pubid_copy(&c->pubid, &cfg->publisher_id);
    if (!ug_is_good(st)) {
        free(c);
        return st;
    }
    ps_comp_init(&c->comp, ps, UG_PS_CONNECTION, &ps->comp, cfg->name, &st);
    c->cfg = *cfg;
    c->kind = (uint8_t)u.kind;
    c->cfg.name = c->comp.name;
    c->cfg.publisher_id = c->pubid;
    c->cfg.transport.interface = NULL; /* read during open only: keep a copy */
    if (cfg->transport.interface) {
        char *ifn = ps_strdup(cfg->transport.interface);
        if (!ifn)
            st = UG_STATUS_BADOUTOFMEMORY;
        c->cfg.transport.interface = ifn;
    }
    if (ug_is_good(st))
        st = own_broker_strings(c);
    if (cfg->link) {
        c->link = *cfg->link;
        c->has_link = true;
        c->cfg.link = &c->link;
    } else {
        c->url = ps_strdup(cfg->url);
        c->cfg.url = c->url;
        if (!c->url)
            st = UG_STATUS_BADOUTOFMEMORY;
    }
    uint32_t maxc = cfg->max_chunked_size ? cfg->max_chunked_size : 1u << 20;
    ug_uadp_reasm_limits lim = {.max_messages = 8, .max_total_size = maxc,
                                .max_buffered = 2 * (size_t)maxc, .max_pubid_len = 64};
    if (ug_is_good(st)) {
        st = ug_uadp_reasm_init(&c->reasm, &lim);
        c->reasm_ready = ug_is_good(st);
    }
    c->scratch_arena_buf = malloc(PS_SCRATCH_ARENA);
    if (!c->scratch_arena_buf && ug_is_good(st))
        st = UG_STATUS_BADOUTOFMEMORY;
    ug_arena_init(&c->scratch_arena, c->scratch_arena_buf, PS_SCRATCH_ARENA, false);
    if (!ug_is_good(st)) {
        ug_ps_connection_remove(c);
        return st;
    }
    *out = c;
    return UG_STATUS_GOOD;
}

void ug_ps_connection_remove(ug_ps_connection *c)
{
    if (!c)
        return;
    while (c->comp.child) {
        ug_ps_comp *ch = c->comp.child;
        if (ch->kind == UG_PS_WRITER_GROUP)
            ug_writer_group_remove((ug_writer_group *)ch);
        else
            ug_reader_group_remove((ug_reader_group *)ch);
    }
    if (c->transport)
        ug_transport_close(c->transport);
    ps_comp_unlink(&c->comp);
    if (c->reasm_ready)
        ug_uadp_reasm_free(&c->reasm);
    if (c->pubid.type == UG_PUBID_STRING)
        free((void *)c->pubid.str.data);
    free((void *)c->cfg.transport.interface);
    for (size_t i = 0; i < c->n_owned; i++) {
        /* the password's bytes should not linger in freed memory */
        memset(c->owned[i], 0, strlen(c->owned[i]));
        free(c->owned[i]);
    }
    free(c->url);
    free(c->layouts);
    free(c->scratch_arena_buf);
    free(c->meta_buf);
    free(c);
}

ug_ps_comp *ug_ps_connection_comp(ug_ps_connection *c)
{
    return &c->comp;
}

const char *ug_ps_error_text(const ug_ps_comp *c)
{
    if (!c || c->kind != UG_PS_CONNECTION || c->state != UG_PUBSUB_ERROR)
        return "";
    return ((const ug_ps_connection *)c)->open_error;
}

ug_transport *ug_ps_connection_transport(ug_ps_connection *c)
{
    return c ? c->transport : NULL;
}

/* Layouts of every reader that knows its DataSetWriterId and metadata, for
 * decoding RawData and ConfiguredSize; rebuilt on configuration changes. */
void ps_conn_layouts_changed(ug_ps_connection *c)
{
    size_t n = 0;
    for (ug_ps_comp *g = c->comp.child; g; g = g->next)
        if (g->kind == UG_PS_READER_GROUP)
            for (ug_ps_comp *r = g->child; r; r = r->next)
                n += ((ug_dataset_reader *)r)->has_md;
    free(c->layouts);
    c->layouts = n ? calloc(n, sizeof(*c->layouts)) : NULL;
    c->n_layouts = 0;
    if (!c->layouts)
        return;
    for (ug_ps_comp *g = c->comp.child; g; g = g->next)
        if (g->kind == UG_PS_READER_GROUP)
            for (ug_ps_comp *rc = g->child; rc; rc = rc->next) {
                ug_dataset_reader *r = (ug_dataset_reader *)rc;
                if (r->has_md)
                    c->layouts[c->n_layouts++] = r->layout;
            }
}

/* -------------------------------------------------------------- receive -- */

/* Readers whose filter accepts the header; inactive matches are counted as
 * dropped at the reader and left out. */
static size_t match(ug_ps_connection *c, const ug_nm *hdr, const ug_uadp_frame *fr,
                    bool chunk, ug_dataset_reader **out)
{
    size_t n = 0;
    for (ug_ps_comp *g = c->comp.child; g; g = g->next) {
        if (g->kind != UG_PS_READER_GROUP)
            continue;
        for (ug_ps_comp *rc = g->child; rc; rc = rc->next) {
            ug_dataset_reader *r = (ug_dataset_reader *)rc;
            bool m;
            if (chunk) {
                m = ps_reader_matches(r, hdr, true, true, hdr->chunk.writer_id);
            } else if (fr && fr->count && r->cfg.writer_id) {
                m = false;
                for (unsigned i = 0; i < fr->count && !m; i++)
                    m = ps_reader_matches(r, hdr, true, true, ug_uadp_frame_writer_id(fr, i));
            } else {
                m = ps_reader_matches(r, hdr, fr != NULL, false, 0);
            }
            if (!m)
                continue;
            if (!ps_active(rc->state)) {
                rc->diag.dropped[UG_PS_DROP_NOT_OPERATIONAL]++;
                continue;
            }
            if (n < PS_MAX_MATCH)
                out[n++] = r;
        }
    }
    return n;
}

static void dispatch(ug_dataset_reader **rs, size_t n, const ug_nm *nm, int64_t rx)
{
    for (uint16_t i = 0; i < nm->n_dsm; i++) {
        const ug_dsm *d = &nm->dsm[i];
        for (size_t k = 0; k < n; k++) {
            ug_dataset_reader *r = rs[k];
            if (r->cfg.writer_id && d->has_writer_id && d->writer_id != r->cfg.writer_id)
                continue;
            ps_reader_accept(r, nm, d, rx);
        }
    }
}

static void receive_chunk(ug_ps_connection *c, const uint8_t *msg, size_t len, ug_nm *hdr,
                          const ug_uadp_frame *fr, int64_t rx)
{
    ug_dataset_reader *rs[PS_MAX_MATCH];
    size_t n = match(c, hdr, fr, true, rs);
    if (!n) {
        c->comp.diag.dropped[UG_PS_DROP_NO_READER]++;
        return;
    }
    ug_dataset_reader *r = rs[0];
    ug_arena_reset(&r->arena);
    ug_uadp_decode_opts o = {.arena = &r->arena};
    ug_status st = ug_uadp_decode_payload(msg, len, fr, hdr, &o, NULL);
    ug_uadp_reasm_msg m;
    bool complete = false;
    if (ug_is_good(st))
        st = ug_uadp_reasm_add_nm(&c->reasm, hdr, &m, &complete);
    if (!ug_is_good(st)) {
        c->comp.diag.decode_errors++;
        return;
    }
    if (!complete)
        return;
    ug_dsm d;
    ug_arena_reset(&r->arena);
    o.layouts = r->has_md ? &r->layout : NULL;
    o.n_layouts = r->has_md;
    st = ug_uadp_reasm_decode(&m, &o, &d);
    if (!ug_is_good(st)) {
        c->comp.diag.decode_errors++;
        r->comp.diag.decode_errors++;
        return;
    }
    ps_reader_accept(r, hdr, &d, rx);
}

static void receive_json(ug_ps_connection *c, const uint8_t *msg, size_t len, int64_t rx)
{
    ug_nm nm;
    ug_json_dec_opts o = {.nm_mask = UG_JSON_NM_AUTO,
                          .n_layouts = (int32_t)c->n_layouts,
                          .layouts = c->layouts};
    ug_arena_reset(&c->scratch_arena);
    ug_status st = ug_json_decode_nm(msg, len, &nm, &o, &c->scratch_arena, NULL);
    if (!ug_is_good(st)) {
        c->comp.diag.decode_errors++;
        return;
    }
    ug_dataset_reader *rs[PS_MAX_MATCH];
    size_t n = match(c, &nm, NULL, false, rs);
    uint64_t before = 0, after = 0;
    for (size_t k = 0; k < n; k++)
        before += rs[k]->comp.diag.received;
    dispatch(rs, n, &nm, rx);
    for (size_t k = 0; k < n; k++)
        after += rs[k]->comp.diag.received;
    if (!n || after == before)
        c->comp.diag.dropped[UG_PS_DROP_NO_READER]++;
}

void ug_ps_connection_receive(ug_ps_connection *c, const uint8_t *msg, size_t len,
                              int64_t rx_time_ns)
{
    if (!c || !msg || !ps_active(c->comp.state))
        return;
    c->comp.diag.received++;
    c->comp.diag.received_bytes += len;
    if (!rx_time_ns)
        rx_time_ns = ug_clock_real_ns();
    if (len && (msg[0] == '{' || msg[0] == '[')) {
        /* UADP starts with UADPFlags whose version nibble is 1: a JSON text
         * is never a valid UADP message. */
        receive_json(c, msg, len, rx_time_ns);
        return;
    }
    ug_nm hdr;
    ug_uadp_frame fr;
    /* PromotedFields decode into an arena: the connection's scratch one. */
    ug_arena_reset(&c->scratch_arena);
    ug_uadp_decode_opts ho = {.arena = &c->scratch_arena};
    ug_status st = ug_uadp_decode_header(msg, len, &hdr, &ho, &fr, NULL);
    if (!ug_is_good(st)) {
        c->comp.diag.decode_errors++;
        return;
    }
    if (hdr.type != UG_NM_DATASET || hdr.has_security) {
        /* Discovery traffic is not for readers; secured messages need keys
         * this engine is not given (SKS is out of its scope). */
        c->comp.diag.dropped[UG_PS_DROP_UNHANDLED]++;
        return;
    }
    if (hdr.is_chunk) {
        receive_chunk(c, msg, len, &hdr, &fr, rx_time_ns);
        return;
    }
    ug_dataset_reader *rs[PS_MAX_MATCH];
    size_t n = match(c, &hdr, &fr, false, rs);
    if (!n) {
        c->comp.diag.dropped[UG_PS_DROP_NO_READER]++;
        return;
    }
    ug_dataset_reader *r = rs[0];
    ug_arena_reset(&r->arena);
    ug_uadp_decode_opts o = {.arena = &r->arena, .layouts = c->layouts, .n_layouts = c->n_layouts};
    if (!fr.count) {
        /* Without PayloadHeader layouts are taken by position: only the
         * matched reader's own layout applies. */
        o.layouts = r->has_md ? &r->layout : NULL;
        o.n_layouts = r->has_md;
    }
    st = ug_uadp_decode_payload(msg, len, &fr, &hdr, &o, NULL);
    if (!ug_is_good(st)) {
        c->comp.diag.decode_errors++;
        r->comp.diag.decode_errors++;
        return;
    }
    if (!fr.count) {
        /* No DataSetWriterIds on the wire: each reader that matched the
         * header takes the first DataSetMessage, decoded with the first
         * reader's layout. Such messages come from fixed configurations
         * where a subscriber knows which writer sends what. */
        for (size_t k = 0; k < n && hdr.n_dsm; k++)
            ps_reader_accept(rs[k], &hdr, &hdr.dsm[0], rx_time_ns);
        return;
    }
    dispatch(rs, n, &hdr, rx_time_ns);
}
