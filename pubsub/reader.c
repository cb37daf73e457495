/* ReaderGroup and DataSetReader (Part 14 §6.2.8, §6.2.9): filtering,
 * sequence numbers, MessageReceiveTimeout, ConfigurationVersion checks and
 * the SubscribedDataSet (target variables or mirror, §6.2.10). */
#include <stdlib.h>
#include <string.h>

#include "ps_internal.h"

#define PS_READER_ARENA (64u * 1024u)

/* ---------------------------------------------------------- ReaderGroup -- */

ug_status ug_ps_connection_add_reader_group(ug_ps_connection *c, const ug_reader_group_config *cfg,
                                            ug_reader_group **out)
{
    if (!c || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_reader_group *g = calloc(1, sizeof(*g));
    if (!g)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_status st = UG_STATUS_GOOD;
    ps_comp_init(&g->comp, c->comp.ps, UG_PS_READER_GROUP, &c->comp, cfg ? cfg->name : NULL, &st);
    g->conn = c;
    if (!ug_is_good(st)) {
        ug_reader_group_remove(g);
        return st;
    }
    *out = g;
    return UG_STATUS_GOOD;
}

void ug_reader_group_remove(ug_reader_group *g)
{
    if (!g)
        return;
    while (g->comp.child)
        ug_dataset_reader_remove((ug_dataset_reader *)g->comp.child);
    ps_comp_unlink(&g->comp);
    free(g);
}

ug_ps_comp *ug_reader_group_comp(ug_reader_group *g)
{
    return &g->comp;
}

/* -------------------------------------------------------- DataSetReader -- */

static void on_timeout(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    ug_dataset_reader *r = t->data;
    r->comp.diag.timeouts++;
    /* Part 14 §7.2.2.3: records of sequence numbers are dropped when the
     * Publisher went silent, so that one that restarted is accepted. */
    r->have_seq = false;
    ps_comp_set_local(&r->comp, UG_PUBSUB_ERROR, UG_STATUS_BADTIMEOUT);
}

void ps_reader_hook(ug_ps_comp *c, uint8_t old_state)
{
    (void)old_state;
    ug_dataset_reader *r = (ug_dataset_reader *)c;
    if (!ps_active(c->state)) {
        ug_timer_stop(c->ps->loop, &r->timeout);
        r->have_seq = false;
    }
}

static bool pubid_eq(const ug_publisher_id *a, const ug_publisher_id *b)
{
    if (a->type == UG_PUBID_STRING || b->type == UG_PUBID_STRING)
        return a->type == b->type && ug_bytes_eq(a->str, b->str);
    /* Numeric ids of different widths name the same publisher when the
     * values agree (a UInt16 configuration, a Byte on the wire). */
    return b->type != UG_PUBID_NONE && a->u64 == b->u64;
}

bool ps_reader_matches(const ug_dataset_reader *r, const ug_nm *hdr, bool uadp,
                       bool check_writer, uint16_t writer_id)
{
    if (r->pubid.type != UG_PUBID_NONE && !pubid_eq(&r->pubid, &hdr->publisher_id))
        return false;
    if (r->cfg.writer_group_id) {
        bool has = hdr->has_group_header && hdr->group.has_writer_group_id;
        if (has && hdr->group.writer_group_id != r->cfg.writer_group_id)
            return false;
        /* A UADP message that names no WriterGroupId cannot be told apart
         * from another group's; JSON messages never carry it. */
        if (!has && uadp)
            return false;
    }
    if (check_writer && r->cfg.writer_id && writer_id != r->cfg.writer_id)
        return false;
    return true;
}

static ug_status copy_md(ug_dataset_reader *r, const ug_dataset_metadata *md)
{
    if (md->n_fields < 0 || md->n_fields > UINT16_MAX || (md->n_fields && !md->fields))
        return UG_STATUS_BADINVALIDARGUMENT;
    size_t n = (size_t)md->n_fields, names = 0;
    for (size_t i = 0; i < n; i++)
        names += md->fields[i].name.len > 0 ? (size_t)md->fields[i].name.len : 0;
    uint8_t *mem = calloc(1, n * sizeof(ug_field_meta) + names + 1);
    if (!mem)
        return UG_STATUS_BADOUTOFMEMORY;
    r->md_fields = (ug_field_meta *)mem;
    uint8_t *p = mem + n * sizeof(ug_field_meta);
    for (size_t i = 0; i < n; i++) {
        const ug_field_meta *f = &md->fields[i];
        ug_field_meta *d = &r->md_fields[i];
        d->name = UG_NULL_BYTES;
        if (f->name.len > 0) {
            memcpy(p, f->name.data, (size_t)f->name.len);
            d->name = (ug_string){p, f->name.len};
            p += f->name.len;
        }
        d->description = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
        d->builtin_type = f->builtin_type;
        d->data_type = (ug_nodeid){.id_type = UG_ID_NUMERIC, .id.numeric = f->builtin_type};
        d->value_rank = f->value_rank;
        d->n_array_dims = -1;
        d->max_string_len = f->max_string_len;
        d->n_properties = -1;
    }
    memset(&r->md, 0, sizeof(r->md));
    r->md.n_fields = (int32_t)n;
    r->md.fields = r->md_fields;
    r->md.cfg_major = md->cfg_major;
    r->md.cfg_minor = md->cfg_minor;
    r->md.name = UG_NULL_BYTES;
    r->has_md = true;
    return UG_STATUS_GOOD;
}

ug_status ug_reader_group_add_reader(ug_reader_group *g, const ug_dataset_reader_config *cfg,
                                     ug_dataset_reader **out)
{
    if (!g || !cfg || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    if ((cfg->target_slots || cfg->mirror) && !cfg->metadata)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_pubsub *ps = g->comp.ps;
    if (cfg->target_slots)
        for (int32_t i = 0; i < cfg->metadata->n_fields; i++) {
            uint32_t s = cfg->target_slots[i];
            if (s == UINT32_MAX)
                continue;
            ps_slot *sl = ps_slot_at(ps, s);
            if (!sl || sl->type != cfg->metadata->fields[i].builtin_type)
                return UG_STATUS_BADINVALIDARGUMENT;
        }
    ug_dataset_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_status st = UG_STATUS_GOOD;
    r->pubid.type = UG_PUBID_NONE;
    if (cfg->has_publisher_id)
        st = ps_pubid_copy(&r->pubid, &cfg->publisher_id);
    if (!ug_is_good(st)) {
        free(r);
        return st;
    }
    ps_comp_init(&r->comp, ps, UG_PS_DATASET_READER, &g->comp, cfg->name, &st);
    r->group = g;
    r->cfg = *cfg;
    r->cfg.name = r->comp.name;
    r->cfg.publisher_id = r->pubid;
    r->cfg.metadata = NULL;
    r->cfg.target_slots = NULL;
    ug_timer_init(&r->timeout, on_timeout, r);
    if (ug_is_good(st) && cfg->metadata)
        st = copy_md(r, cfg->metadata);
    if (ug_is_good(st) && r->has_md) {
        r->cfg.metadata = &r->md;
        r->layout = (ug_dsm_layout){.writer_id = cfg->writer_id,
                                    .configured_size = cfg->configured_size,
                                    .n_fields = r->md.n_fields,
                                    .fields = r->md.fields};
        r->slots = malloc(sizeof(uint32_t) * (r->md.n_fields ? (size_t)r->md.n_fields : 1));
        if (!r->slots)
            st = UG_STATUS_BADOUTOFMEMORY;
        for (int32_t i = 0; ug_is_good(st) && i < r->md.n_fields; i++) {
            r->slots[i] = UINT32_MAX;
            if (cfg->target_slots)
                r->slots[i] = cfg->target_slots[i];
            else if (cfg->mirror)
                st = ug_pubsub_store_add(ps, r->md.fields[i].builtin_type, &r->slots[i]);
        }
    }
    /* Room for the fields of a few such DataSetMessages (the first reader a
     * message matches decodes all of its DataSetMessages). */
    size_t want = PS_READER_ARENA;
    if (r->has_md && (size_t)r->md.n_fields * 4 * sizeof(ug_dsm_field) > want)
        want = (size_t)r->md.n_fields * 4 * sizeof(ug_dsm_field);
    uint32_t asz = cfg->arena_size ? cfg->arena_size
                                   : (uint32_t)(want > UINT32_MAX ? UINT32_MAX : want);
    r->arena_buf = ug_is_good(st) ? malloc(asz) : NULL;
    if (ug_is_good(st) && !r->arena_buf)
        st = UG_STATUS_BADOUTOFMEMORY;
    ug_arena_init(&r->arena, r->arena_buf, asz, false);
    if (!ug_is_good(st)) {
        ug_dataset_reader_remove(r);
        return st;
    }
    ps_conn_layouts_changed(g->conn);
    *out = r;
    return UG_STATUS_GOOD;
}

void ug_dataset_reader_remove(ug_dataset_reader *r)
{
    if (!r)
        return;
    ug_timer_stop(r->comp.ps->loop, &r->timeout);
    ug_ps_connection *c = r->group->conn;
    ps_comp_unlink(&r->comp);
    if (r->pubid.type == UG_PUBID_STRING)
        free((void *)r->pubid.str.data);
    free(r->md_fields);
    free(r->slots);
    free(r->arena_buf);
    free(r);
    ps_conn_layouts_changed(c);
}

ug_ps_comp *ug_dataset_reader_comp(ug_dataset_reader *r)
{
    return &r->comp;
}

uint32_t ug_dataset_reader_slot(const ug_dataset_reader *r, uint16_t field)
{
    if (!r->slots || field >= r->md.n_fields)
        return UINT32_MAX;
    return r->slots[field];
}

/* -------------------------------------------------------------- accept -- */

enum seq_verdict { SEQ_NEW, SEQ_DUP, SEQ_STALE };

/* Part 14 §7.2.2.3 (1.05): sequence numbers are compared in serial order
 * modulo 2^16; a difference in the lower quarter is newer, in the upper
 * quarter older. Anything in between cannot be ordered: the Publisher
 * restarted, so the record is resynchronised and the jump counted. A
 * keep-alive carries the next expected number (§7.2.4.5.8), so it is "new"
 * without advancing the record unless it shows a gap. */
static enum seq_verdict check_seq(ug_dataset_reader *r, uint16_t seq, bool keep_alive)
{
    if (!r->have_seq) {
        r->have_seq = true;
        r->last_seq = keep_alive ? (uint16_t)(seq - 1) : seq;
        return SEQ_NEW;
    }
    uint16_t d = (uint16_t)(seq - r->last_seq);
    if (keep_alive) {
        if (d == 0 || d >= 49152)
            return d == 0 ? SEQ_DUP : SEQ_STALE;
        if (d < 16384) {
            r->comp.diag.gaps += (uint64_t)(d - 1);
            r->last_seq = (uint16_t)(seq - 1);
        } else {
            r->comp.diag.seq_resets++;
            r->last_seq = (uint16_t)(seq - 1);
        }
        return SEQ_NEW;
    }
    if (d == 0)
        return SEQ_DUP;
    if (d >= 49152)
        return SEQ_STALE;
    if (d < 16384)
        r->comp.diag.gaps += (uint64_t)(d - 1);
    else
        r->comp.diag.seq_resets++;
    r->last_seq = seq;
    return SEQ_NEW;
}

static void store_field(ug_dataset_reader *r, const ug_dsm *d, const ug_dsm_field *f,
                        uint16_t index, int64_t rx_time_ns)
{
    if (!r->slots || index >= r->md.n_fields || r->slots[index] == UINT32_MAX)
        return;
    ug_datavalue dv = f->dv;
    if (d->field_encoding != UG_FE_DATAVALUE) {
        dv.mask = UG_DV_VALUE;
        if (d->has_timestamp) {
            dv.mask |= UG_DV_SOURCE_TIMESTAMP;
            dv.source_ts = d->timestamp;
        }
        if (d->has_status && d->status) {
            /* UADP carries the high half of the StatusCode (§7.2.4.5.4). */
            dv.mask |= UG_DV_STATUS;
            dv.status = (ug_status)d->status << 16;
        }
    }
    dv.mask |= UG_DV_SERVER_TIMESTAMP;
    dv.server_ts = ug_datetime_from_unix_ns(rx_time_ns);
    if (!ug_is_good(ug_pubsub_store_write(r->comp.ps, r->slots[index], &dv)))
        r->comp.diag.dropped[UG_PS_DROP_TYPE]++;
}

void ps_reader_accept(ug_dataset_reader *r, const ug_nm *nm, const ug_dsm *d, int64_t rx_time_ns)
{
    ug_ps_diag *dg = &r->comp.diag;
    if (!d->valid)
        return;
    /* Part 14 §6.2.3.2.4: a new MajorVersion means the fields changed, so a
     * DataSetMessage of another one cannot be read with this metadata. */
    if (r->has_md && r->md.cfg_major && d->has_cfg_major && d->cfg_major != r->md.cfg_major) {
        dg->dropped[UG_PS_DROP_VERSION]++;
        ps_comp_set_local(&r->comp, UG_PUBSUB_ERROR, UG_STATUS_BADCONFIGURATIONERROR);
        return;
    }
    /* Checked before the sequence number, so that a message this reader
     * cannot use does not advance its record. */
    if (r->has_md && d->type == UG_DSM_KEYFRAME && d->field_count &&
        d->field_count != r->md.n_fields) {
        dg->dropped[UG_PS_DROP_TYPE]++;
        return;
    }
    bool ka = d->type == UG_DSM_KEEPALIVE;
    bool has_seq = d->has_seq || (nm->has_group_header && nm->group.has_seq);
    uint16_t seq = d->has_seq ? d->seq : nm->group.seq;
    if (has_seq) {
        enum seq_verdict v = check_seq(r, seq, ka);
        if (v != SEQ_NEW) {
            dg->dropped[v == SEQ_DUP ? UG_PS_DROP_DUPLICATE : UG_PS_DROP_STALE]++;
            return;
        }
        dg->last_seq = ka ? (uint16_t)(seq - 1) : seq;
    }
    dg->received++;
    if (d->type == UG_DSM_KEYFRAME)
        for (uint16_t i = 0; i < d->field_count; i++)
            store_field(r, d, &d->fields[i], i, rx_time_ns);
    else if (d->type == UG_DSM_DELTAFRAME)
        for (uint16_t i = 0; i < d->field_count; i++)
            store_field(r, d, &d->fields[i], d->fields[i].index, rx_time_ns);
    /* §6.2.9.6: the timeout runs from the last new DataSetMessage. */
    if (r->cfg.receive_timeout_ns > 0)
        ug_timer_start_once(r->comp.ps->loop, &r->timeout,
                            ug_clock_mono_ns() + r->cfg.receive_timeout_ns);
    if (r->comp.local != UG_PUBSUB_OPERATIONAL)
        ps_comp_set_local(&r->comp, UG_PUBSUB_OPERATIONAL, UG_STATUS_GOOD);
    if (r->comp.ps->obs.on_received && d->type != UG_DSM_KEEPALIVE)
        r->comp.ps->obs.on_received(r->comp.ps->obs.ctx, r, d);
    if (r->cfg.on_values)
        r->cfg.on_values(r->cfg.cb_ctx, r, nm, d);
}
