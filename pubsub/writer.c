/* WriterGroup and DataSetWriter (Part 14 §6.2.6, §6.2.4): the publishing
 * cycle. Each group runs on its own cyclic timer on the grid of a base time;
 * each cycle every Operational writer samples its dataset and contributes a
 * key frame, a delta frame, a keep-alive or nothing; the DataSetMessages go
 * out in one NetworkMessage (split or chunked over MaxNetworkMessageSize).
 * A group whose key-frame layout is fixed is encoded once into a frame and
 * then only patched (ug_uadp_fixed); nothing is allocated per cycle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps_internal.h"

#define PS_DEFAULT_MAX_NM 1472u
#define PS_JSON_DEFAULT_MAX_NM (64u * 1024u) /* broker messages */

/* ------------------------------------------------------------ writers -- */

static void writer_free_buffers(ug_dataset_writer *w)
{
    ps_values_free(w->sample[0], w->n_fields);
    ps_values_free(w->sample[1], w->n_fields);
    w->sample[0] = w->sample[1] = NULL;
    free(w->sim);
    free(w->out_fields);
    free(w->promoted);
    w->sim = NULL;
    w->out_fields = NULL;
    w->promoted = NULL;
    w->n_promoted = 0;
    w->n_fields = 0;
}

/* (Re)size the writer's buffers for its dataset's current fields. Runs at
 * configuration time only. */
static ug_status writer_build(ug_dataset_writer *w)
{
    ug_pds *p = w->pds;
    writer_free_buffers(w);
    ug_status st = ps_values_alloc(&w->sample[0], p);
    if (ug_is_good(st))
        st = ps_values_alloc(&w->sample[1], p);
    w->n_fields = p->n_fields;
    w->sim = calloc(p->n_fields, sizeof(*w->sim));
    w->out_fields = calloc(p->n_fields, sizeof(*w->out_fields));
    w->promoted = calloc(p->n_fields, sizeof(*w->promoted));
    if (!ug_is_good(st) || !w->sim || !w->out_fields || !w->promoted) {
        writer_free_buffers(w);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    for (uint16_t i = 0; i < p->n_fields; i++) {
        ps_sim_reset(&w->sim[i], &p->fields[i]);
        if (p->fields[i].promoted)
            w->promoted[w->n_promoted++] = i;
    }
    w->pds_serial = p->version_serial;
    w->have_prev = false;
    w->cycle = 0;
    w->announced = false;
    return UG_STATUS_GOOD;
}

void ps_writer_hook(ug_ps_comp *c, uint8_t old_state)
{
    ug_dataset_writer *w = (ug_dataset_writer *)c;
    if (c->state == UG_PUBSUB_OPERATIONAL && old_state != UG_PUBSUB_OPERATIONAL) {
        w->cycle = 0; /* a (re)started writer opens with a key frame */
        w->have_prev = false;
    }
    w->group->dirty = true;
}

ug_status ug_writer_group_add_writer(ug_writer_group *g, const ug_dataset_writer_config *cfg,
                                     ug_dataset_writer **out)
{
    if (!g || !cfg || !out || !cfg->pds || !cfg->writer_id)
        return UG_STATUS_BADINVALIDARGUMENT;
    for (ug_ps_comp *c = g->comp.child; c; c = c->next)
        if (((ug_dataset_writer *)c)->cfg.writer_id == cfg->writer_id)
            return UG_STATUS_BADALREADYEXISTS;
    ug_dataset_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_status st = UG_STATUS_GOOD;
    ps_comp_init(&w->comp, g->comp.ps, UG_PS_DATASET_WRITER, &g->comp, cfg->name, &st);
    w->group = g;
    w->cfg = *cfg;
    w->cfg.name = w->comp.name;
    if (!w->cfg.key_frame_count)
        w->cfg.key_frame_count = 1;
    if (!w->cfg.uadp_dsm_mask)
        w->cfg.uadp_dsm_mask = UG_UADP_DSM_DEFAULT;
    if (!w->cfg.json_dsm_mask)
        w->cfg.json_dsm_mask = ug_json_enc_default.dsm_mask;
    w->pds = cfg->pds;
    ps_pds_use(w->pds, 1);
    if (ug_is_good(st))
        st = writer_build(w);
    if (!ug_is_good(st)) {
        ug_dataset_writer_remove(w);
        return st;
    }
    g->dirty = true;
    *out = w;
    return UG_STATUS_GOOD;
}

ug_status ug_dataset_writer_update(ug_dataset_writer *w, const ug_dataset_writer_config *cfg)
{
    if (!w || !cfg || !cfg->pds || !cfg->writer_id)
        return UG_STATUS_BADINVALIDARGUMENT;
    for (ug_ps_comp *c = w->group->comp.child; c; c = c->next)
        if (c != &w->comp && ((ug_dataset_writer *)c)->cfg.writer_id == cfg->writer_id)
            return UG_STATUS_BADALREADYEXISTS;
    ug_dataset_writer_config old = w->cfg;
    ug_pds *old_pds = w->pds;
    w->cfg = *cfg;
    w->cfg.name = w->comp.name;
    if (!w->cfg.key_frame_count)
        w->cfg.key_frame_count = 1;
    if (!w->cfg.uadp_dsm_mask)
        w->cfg.uadp_dsm_mask = UG_UADP_DSM_DEFAULT;
    if (!w->cfg.json_dsm_mask)
        w->cfg.json_dsm_mask = ug_json_enc_default.dsm_mask;
    w->pds = cfg->pds;
    ug_status st = writer_build(w);
    if (!ug_is_good(st)) {
        w->cfg = old;
        w->pds = old_pds;
        writer_build(w);
        return st;
    }
    if (old_pds != w->pds) {
        ps_pds_use(old_pds, -1);
        ps_pds_use(w->pds, 1);
    }
    w->group->dirty = true;
    return UG_STATUS_GOOD;
}

void ug_dataset_writer_remove(ug_dataset_writer *w)
{
    if (!w)
        return;
    ug_writer_group *g = w->group;
    ps_comp_unlink(&w->comp);
    ps_pds_use(w->pds, -1);
    writer_free_buffers(w);
    free(w);
    g->dirty = true;
}

ug_ps_comp *ug_dataset_writer_comp(ug_dataset_writer *w)
{
    return &w->comp;
}

void ps_pds_changed(ug_pubsub *ps, ug_pds *pds)
{
    for (ug_ps_comp *c = ps->comp.child; c; c = c->next)
        for (ug_ps_comp *g = c->child; g; g = g->next)
            if (g->kind == UG_PS_WRITER_GROUP)
                for (ug_ps_comp *w = g->child; w; w = w->next)
                    if (((ug_dataset_writer *)w)->pds == pds)
                        ((ug_writer_group *)g)->dirty = true;
}

/* ---------------------------------------------------------- metadata -- */

static void announce(ug_writer_group *g, ug_dataset_writer *w)
{
    ug_pubsub *ps = g->comp.ps;
    const ug_dataset_metadata *md = &w->pds->md;
    w->announced = true;
    w->comp.diag.metadata_sent++;
    if (ps->cfg.on_metadata)
        ps->cfg.on_metadata(ps->cfg.cb_ctx, w, md);
    ug_ps_connection *c = g->conn;
    if (!g->cfg.announce_metadata && !ps_conn_is_broker(c))
        return;
    size_t len = 0;
    ug_status st;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (g->cfg.encoding == UG_PS_JSON) {
            ug_json_metadata_msg m;
            ug_json_metadata_msg_init(&m);
            m.message_id = ug_string_from(w->comp.name);
            m.publisher_id = c->pubid;
            m.writer_id = w->cfg.writer_id;
            m.metadata = *md;
            st = ug_json_encode_metadata(c->meta_buf, c->meta_cap, &m, &ug_json_enc_default, &len);
        } else {
            /* Part 14 §7.2.4.6.4: DataSetMetaData as a discovery response. */
            ug_nm nm;
            ug_nm_init(&nm);
            nm.type = UG_NM_DISCOVERY_RESPONSE;
            nm.publisher_id = c->pubid;
            nm.disc_resp.response_type = UG_DISC_DATASET_METADATA;
            nm.disc_resp.seq = (uint16_t)w->comp.diag.metadata_sent;
            nm.disc_resp.writer_id = w->cfg.writer_id;
            nm.disc_resp.metadata = *md;
            nm.disc_resp.status = UG_STATUS_GOOD;
            st = ug_uadp_encode(&nm, c->meta_buf, c->meta_cap, &len);
        }
        if (st != UG_STATUS_BADENCODINGLIMITSEXCEEDED || len <= c->meta_cap)
            break;
        /* Metadata changes are configuration events: growing here is fine. */
        uint8_t *nb = realloc(c->meta_buf, len);
        if (!nb)
            break;
        c->meta_buf = nb;
        c->meta_cap = len;
    }
    if (ug_is_good(st))
        st = ps_conn_send_metadata(c, c->meta_buf, len);
    if (!ug_is_good(st))
        w->comp.diag.encode_errors++;
}

/* ----------------------------------------------------- building a DSM -- */

static uint8_t field_encoding(uint32_t mask)
{
    if (mask & UG_FIELD_RAW_DATA)
        return UG_FE_RAWDATA;
    if (mask & (UG_FIELD_STATUS | UG_FIELD_SOURCE_TIMESTAMP | UG_FIELD_SERVER_TIMESTAMP |
                UG_FIELD_SOURCE_PICOSECONDS | UG_FIELD_SERVER_PICOSECONDS))
        return UG_FE_DATAVALUE;
    return UG_FE_VARIANT;
}

static void fill_field(const ug_dataset_writer *w, uint16_t i, ug_dsm_field *f)
{
    const ps_value *v = &w->sample[w->cur][i];
    const ug_pds_field *pf = &w->pds->fields[i];
    uint32_t m = w->cfg.field_mask;
    memset(f, 0, sizeof(*f));
    f->index = i;
    f->name = w->pds->meta_fields[i].name;
    f->dv = v->dv;
    if (field_encoding(m) == UG_FE_DATAVALUE) {
        uint8_t dm = UG_DV_VALUE;
        if ((m & UG_FIELD_STATUS) && (v->dv.mask & UG_DV_STATUS) && v->dv.status)
            dm |= UG_DV_STATUS;
        if ((m & UG_FIELD_SOURCE_TIMESTAMP) && (v->dv.mask & UG_DV_SOURCE_TIMESTAMP))
            dm |= UG_DV_SOURCE_TIMESTAMP;
        if ((m & UG_FIELD_SERVER_TIMESTAMP) && (v->dv.mask & UG_DV_SERVER_TIMESTAMP))
            dm |= UG_DV_SERVER_TIMESTAMP;
        if ((m & UG_FIELD_SOURCE_PICOSECONDS) && (v->dv.mask & UG_DV_SOURCE_PICOSECONDS))
            dm |= UG_DV_SOURCE_PICOSECONDS;
        if ((m & UG_FIELD_SERVER_PICOSECONDS) && (v->dv.mask & UG_DV_SERVER_PICOSECONDS))
            dm |= UG_DV_SERVER_PICOSECONDS;
        f->dv.mask = dm;
    } else {
        f->dv.mask = UG_DV_VALUE;
        if (field_encoding(m) == UG_FE_RAWDATA &&
            (pf->builtin_type == UG_TYPE_STRING || pf->builtin_type == UG_TYPE_BYTESTRING))
            f->raw_padded_to = (uint16_t)(pf->max_string_len > UINT16_MAX ? UINT16_MAX
                                                                          : pf->max_string_len);
    }
}

/* Part 14 §7.2.4.5.4: the DataSetMessage Status is the high half of the
 * worst field StatusCode (Good when every field is good). */
static uint16_t dsm_status(const ug_dataset_writer *w)
{
    for (uint16_t i = 0; i < w->n_fields; i++) {
        const ug_datavalue *dv = &w->sample[w->cur][i].dv;
        if ((dv->mask & UG_DV_STATUS) && ug_is_bad(dv->status))
            return (uint16_t)(dv->status >> 16);
    }
    return 0;
}

static void fill_dsm(ug_writer_group *g, ug_dataset_writer *w, uint8_t type, ug_datetime ts,
                     const bool *changed, ug_dsm *d)
{
    uint32_t m = w->cfg.uadp_dsm_mask;
    bool json = g->cfg.encoding == UG_PS_JSON;
    ug_dsm_init(d);
    d->writer_id = w->cfg.writer_id;
    d->has_writer_id = true;
    d->field_encoding = field_encoding(w->cfg.field_mask);
    d->type = type;
    /* JSON decides presence by its own masks: give it everything. */
    d->has_seq = json || (m & UG_UADP_DSM_SEQUENCE_NUMBER);
    d->has_timestamp = json || (m & UG_UADP_DSM_TIMESTAMP);
    d->has_picoseconds = !json && (m & UG_UADP_DSM_PICOSECONDS);
    d->has_status = json || (m & UG_UADP_DSM_STATUS);
    d->has_cfg_major = json || (m & UG_UADP_DSM_MAJOR_VERSION);
    d->has_cfg_minor = json || (m & UG_UADP_DSM_MINOR_VERSION);
    /* Key and delta frames take the next number; a keep-alive announces it
     * without using it (§7.2.4.5.8). */
    d->seq = w->seq;
    if (type != UG_DSM_KEEPALIVE)
        w->seq++;
    d->timestamp = ts;
    d->status = dsm_status(w);
    d->cfg_major = w->pds->md.cfg_major;
    d->cfg_minor = w->pds->md.cfg_minor;
    d->configured_size = json ? 0 : w->cfg.configured_size;
    d->writer_name = ug_string_from(w->comp.name);
    d->field_count = 0;
    d->fields = w->out_fields;
    if (type == UG_DSM_KEEPALIVE)
        return;
    for (uint16_t i = 0; i < w->n_fields; i++)
        if (type == UG_DSM_KEYFRAME || changed[i])
            fill_field(w, i, &w->out_fields[d->field_count++]);
}

/* Whether two samples look the same on the wire: a Variant or RawData field
 * carries the value (and the status through the DataSetMessage), so a new
 * timestamp alone is no change worth a delta frame. */
static bool published_eq(const ug_dataset_writer *w, const ug_datavalue *a, const ug_datavalue *b)
{
    if (field_encoding(w->cfg.field_mask) == UG_FE_DATAVALUE)
        return ug_datavalue_eq(a, b);
    ug_status sa = (a->mask & UG_DV_STATUS) ? a->status : UG_STATUS_GOOD;
    ug_status sb = (b->mask & UG_DV_STATUS) ? b->status : UG_STATUS_GOOD;
    return sa == sb && ug_variant_eq(&a->value, &b->value);
}

/* Sample the dataset and decide what this writer sends this cycle. Returns
 * 0xFF for nothing. `changed` receives the per-field change flags. */
static uint8_t writer_cycle(ug_writer_group *g, ug_dataset_writer *w, int64_t now_ns,
                            bool *changed)
{
    uint8_t nx = (uint8_t)(w->cur ^ 1);
    unsigned n_changed = 0;
    for (uint16_t i = 0; i < w->n_fields; i++) {
        ps_sample_field(g->comp.ps, &w->pds->fields[i], i, &w->sim[i], now_ns, &w->sample[nx][i]);
        changed[i] = !w->have_prev ||
                     !published_eq(w, &w->sample[nx][i].dv, &w->sample[w->cur][i].dv);
        n_changed += changed[i];
    }
    w->cur = nx;
    w->have_prev = true;
    /* KeyFrameCount (Part 14 §6.2.4.3): a key frame every that many
     * intervals; a delta frame only when something changed. */
    bool key = w->cycle % w->cfg.key_frame_count == 0;
    w->cycle++;
    uint8_t type = 0xFF;
    if (key)
        type = UG_DSM_KEYFRAME;
    else if (n_changed)
        type = UG_DSM_DELTAFRAME;
    else if (now_ns - w->last_sent_ns >= g->cfg.keep_alive_ns)
        type = UG_DSM_KEEPALIVE;
    if (type != 0xFF)
        w->last_sent_ns = now_ns;
    return type;
}

/* -------------------------------------------------------------- groups -- */

static void fill_header(ug_writer_group *g, ug_nm *nm, uint16_t n_dsm, ug_datetime ts)
{
    uint32_t m = g->cfg.uadp_nm_mask;
    ug_nm_init(nm);
    if (g->cfg.encoding == UG_PS_JSON || (m & UG_UADP_NM_PUBLISHER_ID))
        nm->publisher_id = g->conn->pubid;
    nm->has_group_header = (m & UG_UADP_NM_GROUP_HEADER) != 0;
    nm->group.has_writer_group_id = (m & UG_UADP_NM_WRITER_GROUP_ID) != 0;
    nm->group.has_group_version = (m & UG_UADP_NM_GROUP_VERSION) != 0;
    nm->group.has_nm_number = (m & UG_UADP_NM_NETWORK_MESSAGE_NUMBER) != 0;
    nm->group.has_seq = (m & UG_UADP_NM_SEQUENCE_NUMBER) != 0;
    nm->group.writer_group_id = g->cfg.writer_group_id;
    nm->group.group_version = g->cfg.group_version;
    nm->group.nm_number = 1;
    nm->group.seq = g->seq;
    nm->has_payload_header = (m & UG_UADP_NM_PAYLOAD_HEADER) != 0;
    nm->has_timestamp = (m & UG_UADP_NM_TIMESTAMP) != 0;
    nm->has_picoseconds = (m & UG_UADP_NM_PICOSECONDS) != 0;
    nm->timestamp = ts;
    nm->n_dsm = n_dsm;
    nm->dsm = g->dsm;
    if (g->cfg.encoding == UG_PS_JSON) {
        /* Part 14 §7.2.5.3: MessageId identifies the message; name, group
         * id and sequence number make it unique for this publisher. */
        int n = snprintf(g->msg_id, sizeof(g->msg_id), "%.60s-%u-%u", g->comp.name,
                         (unsigned)g->cfg.writer_group_id, (unsigned)g->seq);
        nm->message_id = (ug_string){(const uint8_t *)g->msg_id,
                                     n < (int)sizeof(g->msg_id) ? n : (int)sizeof(g->msg_id) - 1};
        nm->writer_group_name = ug_string_from(g->comp.name);
    }
}

/* Collect the Operational writers in configuration order, resize their
 * buffers to their datasets and build the fixed frame when it applies.
 * Configuration time only. */
static void group_rebuild(ug_writer_group *g)
{
    unsigned n = 0;
    for (ug_ps_comp *c = g->comp.child; c; c = c->next)
        n++;
    free(g->writers);
    free(g->dsm);
    g->writers = calloc(n ? n : 1, sizeof(*g->writers));
    g->dsm = calloc(n ? n : 1, sizeof(*g->dsm));
    g->n_writers = 0;
    g->fixed_ok = false;
    g->dirty = false;
    if (!g->writers || !g->dsm) {
        g->dirty = true;
        return;
    }
    size_t n_promoted = 0;
    /* Children are prepended: walk to the end to publish in added order. */
    ug_ps_comp *last = g->comp.child;
    while (last && last->next)
        last = last->next;
    for (ug_ps_comp *c = last; c; c = c->prev) {
        ug_dataset_writer *w = (ug_dataset_writer *)c;
        if (w->pds_serial != w->pds->version_serial && !ug_is_good(writer_build(w))) {
            w->comp.diag.encode_errors++;
            continue;
        }
        if (c->state == UG_PUBSUB_OPERATIONAL) {
            g->writers[g->n_writers++] = w;
            n_promoted += w->n_promoted;
        }
    }
    free(g->promoted);
    g->promoted = NULL;
    g->n_promoted = g->n_promoted_set = 0;
    if (n_promoted && g->conn->kind == UG_TRANSPORT_AMQP) {
        g->promoted = calloc(n_promoted, sizeof(*g->promoted));
        if (!g->promoted) {
            g->dirty = true;
            return;
        }
        g->n_promoted = n_promoted;
    }
    if (g->cfg.encoding != UG_PS_UADP || !g->n_writers || g->n_writers > UG_UADP_FIXED_MAX_DSM)
        return;
    /* The fixed path is taken on cycles where every writer sends a key frame
     * of Variant or RawData fields: then the frame's layout never changes. */
    ug_datetime ts = ug_datetime_now();
    for (uint16_t i = 0; i < g->n_writers; i++) {
        ug_dataset_writer *w = g->writers[i];
        if (field_encoding(w->cfg.field_mask) == UG_FE_DATAVALUE)
            return;
        uint16_t seq = w->seq;
        fill_dsm(g, w, UG_DSM_KEYFRAME, ts, NULL, &g->dsm[i]);
        w->seq = seq;
    }
    ug_nm nm;
    fill_header(g, &nm, g->n_writers, ts);
    if (!ug_uadp_is_fixed(&nm))
        return;
    size_t len = ug_uadp_encoded_size(&nm);
    if (!len || len > g->cfg.max_nm_size)
        return;
    if (!g->fixed)
        g->fixed = malloc(sizeof(*g->fixed));
    if (len > g->frame_cap) {
        free(g->frame);
        g->frame = malloc(len);
        g->frame_cap = g->frame ? len : 0;
    }
    if (!g->fixed || !g->frame)
        return;
    g->fixed_ok = ug_is_good(ug_uadp_fixed_init(g->fixed, &nm, g->frame, g->frame_cap));
}

/* Part 14 §7.3.4.7: on amqp:// the promoted fields of the group's writers
 * travel as application properties of every message. A writer samples all
 * its fields every cycle, so sample[cur] is the last known value also of a
 * field a delta frame leaves out (unchanged) or a cycle that sends nothing. */
static void fill_promoted(ug_writer_group *g)
{
    size_t k = 0;
    for (uint16_t i = 0; i < g->n_writers && k < g->n_promoted; i++) {
        const ug_dataset_writer *w = g->writers[i];
        for (uint16_t j = 0; j < w->n_promoted && k < g->n_promoted; j++, k++) {
            uint16_t f = w->promoted[j];
            g->promoted[k].key = w->pds->fields[f].name;
            g->promoted[k].value = w->sample[w->cur][f].dv.value;
        }
    }
    g->n_promoted_set = k;
}

static ug_status wg_send(ug_writer_group *g, const uint8_t *msg, size_t len)
{
    ug_ps_connection *c = g->conn;
    if (!g->n_promoted_set || c->has_link || !c->transport || c->kind != UG_TRANSPORT_AMQP)
        return ps_conn_send(c, msg, len);
    ug_amqp_send_info info = {.promoted = g->promoted, .npromoted = g->n_promoted_set};
    return ug_transport_amqp_send(c->transport, (ug_bytes){msg, (int32_t)len}, &info);
}

/* ug_uadp_split's emit: one (chunk) NetworkMessage out. */
static ug_status emit(void *ctx, uint8_t *msg, size_t len, size_t cap)
{
    (void)cap;
    ug_writer_group *g = ctx;
    ug_status st = wg_send(g, msg, len);
    if (ug_is_good(st)) {
        g->comp.diag.chunks_sent++;
        g->comp.diag.sent_bytes += len;
    }
    return st;
}

static ug_status send_general(ug_writer_group *g, const ug_nm *nm)
{
    size_t len = 0;
    ug_status st;
    if (g->cfg.encoding == UG_PS_JSON) {
        ug_json_enc_opts o = ug_json_enc_default;
        o.nm_mask = g->cfg.json_nm_mask;
        o.dsm_mask = g->n_writers ? g->writers[0]->cfg.json_dsm_mask : o.dsm_mask;
        st = ug_json_encode_nm(g->buf, g->buf_cap, nm, &o, &len);
        if (st == UG_STATUS_BADENCODINGLIMITSEXCEEDED && nm->n_dsm > 1) {
            /* JSON has no chunks: too large together, the DataSetMessages
             * go out one NetworkMessage each. */
            ug_nm one = *nm;
            one.n_dsm = 1;
            for (uint16_t i = 0; i < nm->n_dsm; i++) {
                one.dsm = &nm->dsm[i];
                st = ug_json_encode_nm(g->buf, g->buf_cap, &one, &o, &len);
                if (ug_is_good(st))
                    st = wg_send(g, g->buf, len);
                if (!ug_is_good(st))
                    return st;
                g->comp.diag.sent++;
                g->comp.diag.sent_bytes += len;
            }
            return UG_STATUS_GOOD;
        }
    } else {
        st = ug_uadp_encode(nm, g->buf, g->buf_cap, &len);
        if (st == UG_STATUS_BADENCODINGLIMITSEXCEEDED && len > g->cfg.max_nm_size) {
            size_t need = g->cfg.max_nm_size + 8 + len;
            if (need > g->scratch_cap) {
                /* Grows only when the payload grows (strings): never in a
                 * steady state of fixed-size fields. */
                uint8_t *nb = realloc(g->scratch, need);
                if (!nb)
                    return UG_STATUS_BADOUTOFMEMORY;
                g->scratch = nb;
                g->scratch_cap = need;
            }
            uint16_t msg_seq = nm->n_dsm ? nm->dsm[0].seq : nm->group.seq;
            st = ug_uadp_split(nm, g->cfg.max_nm_size, msg_seq, g->scratch, g->scratch_cap, emit,
                               g);
            if (ug_is_good(st))
                g->comp.diag.sent++;
            return st;
        }
    }
    if (!ug_is_good(st))
        return st;
    st = wg_send(g, g->buf, len);
    if (ug_is_good(st)) {
        g->comp.diag.sent++;
        g->comp.diag.sent_bytes += len;
    }
    return st;
}

static ug_status send_fixed(ug_writer_group *g, ug_datetime ts)
{
    ug_uadp_fixed *f = g->fixed;
    for (uint16_t i = 0; i < g->n_writers; i++) {
        const ug_dsm *d = &g->dsm[i];
        for (uint16_t j = 0; j < d->field_count; j++)
            ug_uadp_fixed_set_field(f, i, j, &d->fields[j].dv.value.u.v);
        ug_uadp_fixed_set_dsm_seq(f, i, d->seq);
        ug_uadp_fixed_set_dsm_timestamp(f, i, ts);
        ug_uadp_fixed_set_dsm_status(f, i, d->status);
    }
    ug_uadp_fixed_set_group_seq(f, g->seq);
    ug_uadp_fixed_set_nm_timestamp(f, ts);
    ug_status st = wg_send(g, f->frame, f->len);
    if (ug_is_good(st)) {
        g->comp.diag.sent++;
        g->comp.diag.sent_bytes += f->len;
    }
    return st;
}

const ug_datavalue *ug_dataset_writer_value(const ug_dataset_writer *w, uint16_t field)
{
    if (!w || field >= w->n_fields || !w->have_prev || !w->sample[w->cur])
        return NULL;
    return &w->sample[w->cur][field].dv;
}

static ug_status publish(ug_writer_group *g, int64_t now_ns)
{
    for (ug_ps_comp *c = g->comp.child; c; c = c->next) {
        ug_dataset_writer *w = (ug_dataset_writer *)c;
        if (w->pds_serial != w->pds->version_serial)
            g->dirty = true;
    }
    if (g->dirty)
        group_rebuild(g);
    ug_datetime ts = ug_datetime_now();
    uint16_t n = 0;
    bool all_key = true;
    for (uint16_t i = 0; i < g->n_writers; i++) {
        ug_dataset_writer *w = g->writers[i];
        if (!w->announced)
            announce(g, w);
        bool changed[w->n_fields ? w->n_fields : 1];
        uint8_t type = writer_cycle(g, w, now_ns, changed);
        if (type == 0xFF) {
            all_key = false;
            continue;
        }
        fill_dsm(g, w, type, ts, changed, &g->dsm[n++]);
        if (type != UG_DSM_KEEPALIVE && g->comp.ps->obs.on_written)
            g->comp.ps->obs.on_written(g->comp.ps->obs.ctx, w, changed);
        all_key &= type == UG_DSM_KEYFRAME;
        ug_ps_diag *d = &w->comp.diag;
        d->sent++;
        if (type != UG_DSM_KEEPALIVE)
            d->last_seq = g->dsm[n - 1].seq;
        if (type == UG_DSM_KEYFRAME)
            d->key_frames++;
        else if (type == UG_DSM_DELTAFRAME)
            d->delta_frames++;
        else
            d->keep_alives++;
    }
    if (!n)
        return UG_STATUS_GOOD;
    if (g->n_promoted)
        fill_promoted(g);
    ug_status st;
    if (g->fixed_ok && all_key && n == g->n_writers) {
        st = send_fixed(g, ts);
    } else {
        ug_nm nm;
        fill_header(g, &nm, n, ts);
        st = send_general(g, &nm);
    }
    g->seq++;
    if (!ug_is_good(st)) {
        if (st == UG_STATUS_BADWOULDBLOCK || st == UG_STATUS_BADCOMMUNICATIONERROR ||
            st == UG_STATUS_BADINVALIDSTATE)
            g->comp.diag.dropped[UG_PS_DROP_SEND_FAILED]++;
        else
            g->comp.diag.encode_errors++;
    }
    return st;
}

static void on_tick(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    ug_writer_group *g = t->data;
    publish(g, t->scheduled_ns);
}

static void arm(ug_writer_group *g)
{
    /* Part 14 §6.2.6.4: of groups due together, the higher Priority goes
     * first. Due together means the same grid instant, so moving a group's
     * deadline Priority nanoseconds earlier orders them in the timer heap at
     * no cost, without touching the grid of priority 0. */
    int64_t base = (g->cfg.base_time_ns ? g->cfg.base_time_ns : g->comp.ps->base_ns) +
                   g->cfg.publishing_offset_ns - g->cfg.priority;
    ug_timer_start_cyclic(g->comp.ps->loop, &g->timer, g->cfg.publishing_interval_ns, base,
                          UG_TIMER_BASE_TIME);
}

void ps_wg_hook(ug_ps_comp *c, uint8_t old_state)
{
    ug_writer_group *g = (ug_writer_group *)c;
    if (c->state == UG_PUBSUB_OPERATIONAL && old_state != UG_PUBSUB_OPERATIONAL)
        arm(g);
    else if (c->state != UG_PUBSUB_OPERATIONAL)
        ug_timer_stop(c->ps->loop, &g->timer);
}

static ug_status check_cfg(ug_writer_group_config *o, const ug_writer_group_config *cfg)
{
    *o = *cfg;
    if (cfg->publishing_interval_ns <= 0 || cfg->publishing_offset_ns < 0 ||
        cfg->publishing_offset_ns >= cfg->publishing_interval_ns || cfg->encoding > UG_PS_JSON)
        return UG_STATUS_BADINVALIDARGUMENT;
    /* Part 14 §6.2.6.3: KeepAliveTime is at least the PublishingInterval. */
    if (!o->keep_alive_ns)
        o->keep_alive_ns = cfg->publishing_interval_ns;
    if (o->keep_alive_ns < cfg->publishing_interval_ns)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (!o->max_nm_size)
        o->max_nm_size = cfg->encoding == UG_PS_JSON ? PS_JSON_DEFAULT_MAX_NM : PS_DEFAULT_MAX_NM;
    if (!o->uadp_nm_mask)
        o->uadp_nm_mask = UG_UADP_NM_DEFAULT;
    if (!o->json_nm_mask)
        o->json_nm_mask = UG_JSON_LAYOUT_NETWORK_MESSAGE;
    return UG_STATUS_GOOD;
}

static ug_status size_buf(ug_writer_group *g)
{
    size_t cap = g->cfg.max_nm_size;
    if (cap == g->buf_cap)
        return UG_STATUS_GOOD;
    uint8_t *nb = realloc(g->buf, cap);
    if (!nb)
        return UG_STATUS_BADOUTOFMEMORY;
    g->buf = nb;
    g->buf_cap = cap;
    return UG_STATUS_GOOD;
}

ug_status ug_ps_connection_add_writer_group(ug_ps_connection *c, const ug_writer_group_config *cfg,
                                            ug_writer_group **out)
{
    if (!c || !cfg || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_writer_group_config o;
    ug_status st = check_cfg(&o, cfg);
    if (!ug_is_good(st))
        return st;
    for (ug_ps_comp *x = c->comp.child; x; x = x->next)
        if (x->kind == UG_PS_WRITER_GROUP &&
            ((ug_writer_group *)x)->cfg.writer_group_id == cfg->writer_group_id)
            return UG_STATUS_BADALREADYEXISTS;
    ug_writer_group *g = calloc(1, sizeof(*g));
    if (!g)
        return UG_STATUS_BADOUTOFMEMORY;
    ps_comp_init(&g->comp, c->comp.ps, UG_PS_WRITER_GROUP, &c->comp, cfg->name, &st);
    g->conn = c;
    g->cfg = o;
    g->cfg.name = g->comp.name;
    g->dirty = true;
    ug_timer_init(&g->timer, on_tick, g);
    if (ug_is_good(st))
        st = size_buf(g);
    if (!ug_is_good(st)) {
        ug_writer_group_remove(g);
        return st;
    }
    *out = g;
    return UG_STATUS_GOOD;
}

ug_status ug_writer_group_update(ug_writer_group *g, const ug_writer_group_config *cfg)
{
    if (!g || !cfg)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_writer_group_config o;
    ug_status st = check_cfg(&o, cfg);
    if (!ug_is_good(st))
        return st;
    o.name = g->comp.name;
    ug_writer_group_config old = g->cfg;
    g->cfg = o;
    st = size_buf(g);
    if (!ug_is_good(st)) {
        g->cfg = old;
        return st;
    }
    g->dirty = true;
    if (ug_timer_active(&g->timer))
        arm(g);
    return UG_STATUS_GOOD;
}

void ug_writer_group_remove(ug_writer_group *g)
{
    if (!g)
        return;
    ug_timer_stop(g->comp.ps->loop, &g->timer);
    while (g->comp.child)
        ug_dataset_writer_remove((ug_dataset_writer *)g->comp.child);
    ps_comp_unlink(&g->comp);
    free(g->writers);
    free(g->dsm);
    free(g->buf);
    free(g->scratch);
    free(g->promoted);
    free(g->fixed);
    free(g->frame);
    free(g);
}

ug_ps_comp *ug_writer_group_comp(ug_writer_group *g)
{
    return &g->comp;
}

ug_status ug_writer_group_publish(ug_writer_group *g)
{
    if (!g)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (g->comp.state != UG_PUBSUB_OPERATIONAL)
        return UG_STATUS_BADINVALIDSTATE;
    return publish(g, ug_clock_mono_ns());
}

bool ug_writer_group_is_fixed(const ug_writer_group *g)
{
    if (g->dirty)
        group_rebuild((ug_writer_group *)g);
    return g->fixed_ok;
}
