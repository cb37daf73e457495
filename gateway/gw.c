/* gw — building the engine from a configuration, and reloading by difference.
 *
 * Apply order: variables; remove what left or changed (connections, then
 * groups inside kept connections); add reader groups (their mirror slots
 * must exist before routed datasets read them); add or update published
 * datasets; add writer groups; remove datasets nobody uses any more; bind
 * routes. Unchanged components are never touched.
 */
#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "log.h"

static void on_state(void *ctx, ug_ps_comp *c, enum ug_pubsub_state old_state,
                     enum ug_pubsub_state new_state, ug_status reason)
{
    (void)ctx;
    /* Errors and recoveries matter to an operator; start-up transitions do not. */
    enum ug_log_level lvl = new_state == UG_PUBSUB_ERROR   ? UG_LOG_WARN
                            : old_state == UG_PUBSUB_ERROR ? UG_LOG_INFO
                                                           : UG_LOG_DEBUG;
    const char *why = new_state == UG_PUBSUB_ERROR ? ug_ps_error_text(c) : "";
    if (reason != UG_STATUS_GOOD)
        ug_log(lvl, "%s: %s -> %s (%s%s%s)", ug_ps_name(c), ug_ps_state_name(old_state),
               ug_ps_state_name(new_state), ug_status_name(reason), why[0] ? ": " : "", why);
    else
        ug_log(lvl, "%s: %s -> %s", ug_ps_name(c), ug_ps_state_name(old_state),
               ug_ps_state_name(new_state));
}

/* Broker connection attempts and losses, with the transport's reason (never
 * a password). UDP/Ethernet send errors are only counted (status shows them):
 * one line each would flood the log. */
static void on_transport(void *ctx, ug_ps_connection *c, bool connected, ug_status why)
{
    (void)ctx;
    ug_transport *t = ug_ps_connection_transport(c);
    const char *name = ug_ps_name(ug_ps_connection_comp(c));
    enum ug_transport_kind kind = t ? ug_transport_kind_of(t) : UG_TRANSPORT_NONE;
    char reason[160] = "";
    ug_status last = why;
    uint32_t backoff_ms = 0;
    if (kind == UG_TRANSPORT_MQTT) {
        ug_mqtt_stats ms;
        if (ug_transport_mqtt_get_stats(t, &ms) == UG_STATUS_GOOD) {
            snprintf(reason, sizeof reason, "%s", ms.error);
            backoff_ms = ms.backoff_ms;
            if (!connected && ms.last_error != UG_STATUS_GOOD)
                last = ms.last_error;
        }
    } else if (kind == UG_TRANSPORT_AMQP) {
        ug_amqp_stats as;
        if (ug_transport_amqp_get_stats(t, &as) == UG_STATUS_GOOD) {
            snprintf(reason, sizeof reason, "%s", as.error);
            if (!connected && as.last_error != UG_STATUS_GOOD)
                last = as.last_error;
        }
    } else {
        if (!connected)
            ug_log(UG_LOG_DEBUG, "connection %s: transport error %s", name, ug_status_name(why));
        return;
    }
    if (connected) {
        ug_log(UG_LOG_INFO, "connection %s: broker connected", name);
    } else if (backoff_ms) {
        ug_log(UG_LOG_WARN, "connection %s: broker: %s%s%s; retrying in %u ms", name,
               ug_status_name(last), reason[0] ? ": " : "", reason, backoff_ms);
    } else {
        ug_log(UG_LOG_WARN, "connection %s: broker: %s%s%s; retrying", name,
               ug_status_name(last), reason[0] ? ": " : "", reason);
    }
}

ug_status ug_gw_new(ug_loop *loop, gw **out)
{
    gw *g = calloc(1, sizeof *g);
    if (!g)
        return UG_STATUS_BADOUTOFMEMORY;
    g->loop = loop;
    /* Slots are never given back (the store has no removal), and each reload
     * that re-creates a reader takes new mirror slots: room for many. */
    ug_pubsub_config pc = {.store_slots = 16384, .on_state = on_state, .cb_ctx = g,
                           .on_transport = on_transport};
    ug_status st = ug_pubsub_new(loop, &pc, &g->ps);
    if (st != UG_STATUS_GOOD) {
        free(g);
        return st;
    }
    g->started_ns = ug_loop_now(loop);
    g->last_status_ns = g->started_ns;
    *out = g;
    return UG_STATUS_GOOD;
}

/* ------------------------------------------------------------- variables -- */

static ug_status write_initial(gw *g, const gw_var *v, const ug_cfg_value *val)
{
    if (!val->present)
        return UG_STATUS_GOOD;
    ug_datavalue dv = {.mask = UG_DV_VALUE};
    dv.value.type = v->type;
    dv.value.array_len = UG_SCALAR;
    ug_scalar *s = &dv.value.u.v;
    switch (v->type) {
    case UG_TYPE_BOOLEAN: s->boolean = val->num != 0; break;
    case UG_TYPE_SBYTE: s->sbyte = (int8_t)val->i64; break;
    case UG_TYPE_BYTE: s->byte = (uint8_t)val->u64; break;
    case UG_TYPE_INT16: s->int16 = (int16_t)val->i64; break;
    case UG_TYPE_UINT16: s->uint16 = (uint16_t)val->u64; break;
    case UG_TYPE_INT32: s->int32 = (int32_t)val->i64; break;
    case UG_TYPE_UINT32: s->uint32 = (uint32_t)val->u64; break;
    case UG_TYPE_INT64: s->int64 = val->i64; break;
    case UG_TYPE_UINT64: s->uint64 = val->u64; break;
    case UG_TYPE_FLOAT: s->f32 = (float)val->num; break;
    case UG_TYPE_DOUBLE: s->f64 = val->num; break;
    case UG_TYPE_DATETIME: s->datetime = val->i64; break;
    case UG_TYPE_STATUSCODE: s->status = (ug_status)val->u64; break;
    default: s->string = ug_string_from(val->str); break;
    }
    return ug_pubsub_store_write(g->ps, v->slot, &dv);
}

static ug_status apply_vars(gw *g, const ug_cfg *cfg, const ug_cfg *old)
{
    for (size_t i = 0; i < cfg->n_vars; i++) {
        const ug_cfg_variable *cv = &cfg->vars[i];
        gw_var *v = NULL;
        for (size_t k = 0; k < g->n_vars && !v; k++)
            if (strcmp(g->vars[k].name, cv->name) == 0 && g->vars[k].type == cv->type)
                v = &g->vars[k];
        bool changed = true;
        if (v && old)
            for (size_t k = 0; k < old->n_vars; k++)
                if (strcmp(old->vars[k].name, cv->name) == 0)
                    changed = !ug_cfg_var_equal(&old->vars[k], cv);
        if (!v) {
            gw_var *nv = realloc(g->vars, (g->n_vars + 1) * sizeof *nv);
            if (!nv)
                return UG_STATUS_BADOUTOFMEMORY;
            g->vars = nv;
            v = &g->vars[g->n_vars];
            v->name = strdup(cv->name);
            v->type = cv->type;
            if (!v->name)
                return UG_STATUS_BADOUTOFMEMORY;
            ug_status st = ug_pubsub_store_add(g->ps, cv->type, &v->slot);
            if (st != UG_STATUS_GOOD) {
                free(v->name);
                return st;
            }
            g->n_vars++;
        }
        if (changed) {
            ug_status st = write_initial(g, v, &cv->value);
            if (st != UG_STATUS_GOOD)
                ug_log(UG_LOG_WARN, "variable %s: initial value not written (%s)", cv->name,
                       ug_status_name(st));
        }
    }
    return UG_STATUS_GOOD;
}

uint32_t ug_gw_var_slot(gw *g, const char *name);
uint32_t ug_gw_var_slot(gw *g, const char *name)
{
    for (size_t k = 0; k < g->n_vars; k++)
        if (strcmp(g->vars[k].name, name) == 0)
            return g->vars[k].slot;
    return UINT32_MAX;
}

/* ------------------------------------------------------------ components -- */

static void free_reader(gw_reader *r)
{
    if (!r)
        return;
    free(r->triggers);
    free(r);
}

static void free_rg(gw_rg *rg)
{
    if (!rg)
        return;
    for (size_t i = 0; rg->readers && i < rg->cfg->n_readers; i++)
        free_reader(rg->readers[i]);
    free(rg->readers);
    free(rg);
}

static void free_wg(gw_wg *wg)
{
    if (!wg)
        return;
    free(wg->writers);
    free(wg);
}

static void free_conn(gw_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->wgs && i < c->cfg->n_wgs; i++)
        free_wg(c->wgs[i]);
    for (size_t i = 0; c->rgs && i < c->cfg->n_rgs; i++)
        free_rg(c->rgs[i]);
    free(c->wgs);
    free(c->rgs);
    free(c);
}

static ug_status enable(ug_ps_comp *c, bool on)
{
    return on ? ug_ps_enable(c) : UG_STATUS_GOOD;
}

/* A connection only opens its socket for what it does: a sending-only
 * connection must not bind (and steal) the port its peer listens on. */
static unsigned conn_mode(const ug_cfg_conn *cc)
{
    unsigned m = (cc->n_wgs ? UG_TRANSPORT_SEND : 0u) | (cc->n_rgs ? UG_TRANSPORT_RECV : 0u);
    return m ? m : UG_TRANSPORT_SEND | UG_TRANSPORT_RECV;
}

static ug_status add_conn(gw *g, const ug_cfg_conn *cc, gw_conn **out)
{
    gw_conn *c = calloc(1, sizeof *c);
    if (!c)
        return UG_STATUS_BADOUTOFMEMORY;
    c->cfg = cc;
    c->wgs = calloc(cc->n_wgs + 1, sizeof *c->wgs);
    c->rgs = calloc(cc->n_rgs + 1, sizeof *c->rgs);
    if (!c->wgs || !c->rgs) {
        free_conn(c);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    ug_connection_config k = {.name = cc->name, .publisher_id = cc->publisher_id,
                              .url = cc->address};
    k.transport.mode = conn_mode(cc);
    k.transport.interface = cc->interface;
    k.transport.priority = cc->priority;
    k.transport.max_msg = cc->max_msg;
    k.transport.udp.ttl = cc->ttl;
    k.transport.udp.loopback = (enum ug_tristate)cc->loopback;
    k.transport.udp.reuse = cc->reuse;
    k.transport.udp.dscp = cc->dscp;
    ug_cfg_broker_transport_opts(cc, &k.transport);
    if (cc->publisher_id.type == UG_PUBID_NONE) {
        /* A connection that only subscribes needs no id; one that publishes
         * without one sends 0. */
        k.publisher_id.type = UG_PUBID_UINT16;
        k.publisher_id.u64 = 0;
    }
    ug_status st = ug_pubsub_add_connection(g->ps, &k, &c->h);
    if (st != UG_STATUS_GOOD) {
        free_conn(c);
        return st;
    }
    *out = c;
    return UG_STATUS_GOOD;
}

static ug_status add_rg(gw *g, gw_conn *c, const ug_cfg_rg *cr, gw_rg **out)
{
    gw_rg *rg = calloc(1, sizeof *rg);
    if (!rg)
        return UG_STATUS_BADOUTOFMEMORY;
    rg->cfg = cr;
    rg->readers = calloc(cr->n_readers + 1, sizeof *rg->readers);
    if (!rg->readers) {
        free(rg);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    ug_reader_group_config k = {.name = cr->name};
    ug_status st = ug_ps_connection_add_reader_group(c->h, &k, &rg->h);
    for (size_t i = 0; st == UG_STATUS_GOOD && i < cr->n_readers; i++) {
        const ug_cfg_reader *crd = &cr->readers[i];
        gw_reader *r = calloc(1, sizeof *r);
        if (!r) {
            st = UG_STATUS_BADOUTOFMEMORY;
            break;
        }
        r->gw = g;
        r->cfg = crd;
        rg->readers[i] = r;
        ug_field_meta *fm = calloc(crd->n_fields + 1, sizeof *fm);
        if (!fm) {
            st = UG_STATUS_BADOUTOFMEMORY;
            break;
        }
        for (size_t f = 0; f < crd->n_fields; f++) {
            fm[f].name = ug_string_from(crd->fields[f].name);
            fm[f].builtin_type = crd->fields[f].type;
            fm[f].data_type.id.numeric = crd->fields[f].type;
            fm[f].value_rank = -1;
            fm[f].n_array_dims = -1;
            fm[f].max_string_len = crd->fields[f].max_string_len;
        }
        ug_dataset_metadata md = {.name = ug_string_from(crd->name), .n_fields = (int32_t)crd->n_fields,
                                  .fields = fm, .cfg_major = crd->cfg_major};
        ug_dataset_reader_config rk = {.name = crd->name,
                                       .publisher_id = crd->publisher_id,
                                       .writer_group_id = crd->writer_group_id,
                                       .writer_id = crd->writer_id,
                                       .receive_timeout_ns = crd->timeout_ns,
                                       .metadata = crd->n_fields ? &md : NULL,
                                       .mirror = crd->n_fields > 0,
                                       .on_values = ug_gw_on_values,
                                       .cb_ctx = r};
        st = ug_reader_group_add_reader(rg->h, &rk, &r->h);
        free(fm);
        if (st == UG_STATUS_GOOD)
            st = enable(ug_dataset_reader_comp(r->h), crd->enabled);
    }
    if (st == UG_STATUS_GOOD)
        st = enable(ug_reader_group_comp(rg->h), cr->enabled);
    if (st != UG_STATUS_GOOD) {
        if (rg->h)
            ug_reader_group_remove(rg->h);
        free_rg(rg);
        return st;
    }
    *out = rg;
    return UG_STATUS_GOOD;
}

static ug_writer_group_config wg_config(const ug_cfg_wg *cw)
{
    return (ug_writer_group_config){.name = cw->name,
                                    .writer_group_id = cw->id,
                                    .publishing_interval_ns = cw->interval_ns,
                                    .publishing_offset_ns = cw->offset_ns,
                                    .keep_alive_ns = cw->keep_alive_ns,
                                    .priority = cw->priority,
                                    .max_nm_size = cw->max_nm_size,
                                    .encoding = cw->encoding,
                                    .uadp_nm_mask = cw->uadp_nm_mask,
                                    .json_nm_mask = cw->json_nm_mask,
                                    .group_version = cw->group_version};
}

static ug_status add_wg(gw *g, gw_conn *c, const ug_cfg_wg *cw, gw_wg **out)
{
    gw_wg *wg = calloc(1, sizeof *wg);
    if (!wg)
        return UG_STATUS_BADOUTOFMEMORY;
    wg->cfg = cw;
    wg->writers = calloc(cw->n_writers + 1, sizeof *wg->writers);
    if (!wg->writers) {
        free(wg);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    ug_writer_group_config k = wg_config(cw);
    ug_status st = ug_ps_connection_add_writer_group(c->h, &k, &wg->h);
    for (size_t i = 0; st == UG_STATUS_GOOD && i < cw->n_writers; i++) {
        const ug_cfg_writer *w = &cw->writers[i];
        ug_dataset_writer_config wk = {.name = w->name,
                                       .writer_id = w->id,
                                       .key_frame_count = w->key_frame_count,
                                       .field_mask = w->field_mask,
                                       .uadp_dsm_mask = w->uadp_dsm_mask,
                                       .json_dsm_mask = w->json_dsm_mask,
                                       .pds = g->pds[w->pds_index].h};
        st = ug_writer_group_add_writer(wg->h, &wk, &wg->writers[i]);
        if (st == UG_STATUS_GOOD)
            st = enable(ug_dataset_writer_comp(wg->writers[i]), w->enabled);
    }
    if (st == UG_STATUS_GOOD)
        st = enable(ug_writer_group_comp(wg->h), cw->enabled);
    if (st != UG_STATUS_GOOD) {
        if (wg->h)
            ug_writer_group_remove(wg->h);
        free_wg(wg);
        return st;
    }
    *out = wg;
    return UG_STATUS_GOOD;
}

/* ----------------------------------------------------------------- apply -- */

static gw_conn *take_conn(gw *g, const ug_cfg *old, const ug_cfg_conn *cc)
{
    for (size_t i = 0; old && i < old->n_conns; i++)
        if (g->conns[i] && strcmp(old->conns[i].name, cc->name) == 0 &&
            ug_cfg_conn_equal_own(&old->conns[i], cc) && conn_mode(&old->conns[i]) == conn_mode(cc)) {
            gw_conn *c = g->conns[i];
            g->conns[i] = NULL;
            return c;
        }
    return NULL;
}

/* Moves the groups of kept connection c (running old config oc) into the
 * layout of nc: equal groups keep running, the others are removed. */
static void diff_groups(gw_conn *c, const ug_cfg_conn *oc, const ug_cfg_conn *nc, gw_wg **wgs,
                        gw_rg **rgs)
{
    for (size_t i = 0; i < oc->n_wgs; i++) {
        size_t j = 0;
        while (j < nc->n_wgs && !(strcmp(nc->wgs[j].name, oc->wgs[i].name) == 0 &&
                                  ug_cfg_wg_equal(&nc->wgs[j], &oc->wgs[i])))
            j++;
        if (j == nc->n_wgs) {
            /* Same name, same writers, other group settings (interval,
             * masks, ...): changed in place, writers keep their sequence
             * numbers. */
            j = 0;
            while (j < nc->n_wgs && !(strcmp(nc->wgs[j].name, oc->wgs[i].name) == 0 &&
                                      ug_cfg_wg_writers_equal(&nc->wgs[j], &oc->wgs[i])))
                j++;
            if (j < nc->n_wgs && !wgs[j]) {
                ug_writer_group_config k = wg_config(&nc->wgs[j]);
                ug_status st = nc->wgs[j].enabled == oc->wgs[i].enabled &&
                                       nc->wgs[j].encoding == oc->wgs[i].encoding
                                   ? ug_writer_group_update(c->wgs[i]->h, &k)
                                   : UG_STATUS_BADINVALIDSTATE;
                if (st == UG_STATUS_GOOD)
                    ug_log(UG_LOG_INFO, "reload: writer group %s/%s updated in place", oc->name,
                           oc->wgs[i].name);
                else
                    j = nc->n_wgs;
            } else {
                j = nc->n_wgs;
            }
        }
        if (j < nc->n_wgs && !wgs[j]) {
            wgs[j] = c->wgs[i];
            wgs[j]->cfg = &nc->wgs[j];
        } else {
            ug_log(UG_LOG_INFO, "reload: writer group %s/%s changed or removed", oc->name,
                   oc->wgs[i].name);
            ug_writer_group_remove(c->wgs[i]->h);
            free_wg(c->wgs[i]);
        }
        c->wgs[i] = NULL;
    }
    for (size_t i = 0; i < oc->n_rgs; i++) {
        size_t j = 0;
        while (j < nc->n_rgs && !(strcmp(nc->rgs[j].name, oc->rgs[i].name) == 0 &&
                                  ug_cfg_rg_equal(&nc->rgs[j], &oc->rgs[i])))
            j++;
        if (j < nc->n_rgs && !rgs[j]) {
            rgs[j] = c->rgs[i];
            rgs[j]->cfg = &nc->rgs[j];
            for (size_t r = 0; r < nc->rgs[j].n_readers; r++)
                rgs[j]->readers[r]->cfg = &nc->rgs[j].readers[r];
        } else {
            ug_log(UG_LOG_INFO, "reload: reader group %s/%s changed or removed", oc->name,
                   oc->rgs[i].name);
            ug_reader_group_remove(c->rgs[i]->h);
            free_rg(c->rgs[i]);
        }
        c->rgs[i] = NULL;
    }
}

/* Remembers the first failure; later steps still run (an apply never stops
 * half-way on one bad part: the rest of the configuration still starts). */
static void keep(ug_status *first, ug_status st)
{
    if (st != UG_STATUS_GOOD && *first == UG_STATUS_GOOD)
        *first = st;
}

static bool promoted_equal(const ug_pds_field *a, const ug_pds_field *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].promoted != b[i].promoted)
            return false;
    return true;
}

static ug_status apply_pds(gw *g, const ug_cfg *cfg, const ug_cfg *old, gw_pds *npds)
{
    ug_status first = UG_STATUS_GOOD;
    for (size_t p = 0; p < cfg->n_pds; p++) {
        const ug_cfg_pds *cp = &cfg->pds[p];
        ug_pds_field *fields;
        ug_status st = ug_gw_pds_fields(g, cfg, p, &fields);
        if (st != UG_STATUS_GOOD) {
            keep(&first, st);
            continue;
        }
        npds[p].cfg = cp;
        npds[p].fields = fields;
        for (size_t f = 0; f < cp->n_fields; f++)
            fields[f].promoted = cp->fields[f].promoted;
        size_t o = 0;
        while (old && o < old->n_pds && !(g->pds[o].h && strcmp(old->pds[o].name, cp->name) == 0))
            o++;
        ug_pds_config k = {.name = cp->name, .n_fields = (uint16_t)cp->n_fields, .fields = fields};
        if (old && o < old->n_pds) {
            npds[p].h = g->pds[o].h;
            g->pds[o].h = NULL;
            if (g->pds[o].cfg->n_fields == cp->n_fields &&
                ug_gw_pds_fields_equal(g->pds[o].fields, fields, cp->n_fields) &&
                promoted_equal(g->pds[o].fields, fields, cp->n_fields))
                continue;
            ug_log(UG_LOG_INFO, "reload: published dataset %s changed", cp->name);
            st = ug_pds_update(npds[p].h, &k);
        } else {
            st = ug_pubsub_add_pds(g->ps, &k, &npds[p].h);
        }
        if (st != UG_STATUS_GOOD) {
            ug_log(UG_LOG_ERROR, "published dataset %s: %s", cp->name, ug_status_name(st));
            keep(&first, st);
        }
    }
    return first;
}

ug_status ug_gw_apply(gw *g, ug_cfg *cfg)
{
    ug_cfg *old = g->cfg;
    ug_status first = UG_STATUS_GOOD;
    keep(&first, apply_vars(g, cfg, old));

    gw_conn **nconns = calloc(cfg->n_conns + 1, sizeof *nconns);
    gw_pds *npds = calloc(cfg->n_pds + 1, sizeof *npds);
    if (!nconns || !npds) {
        free(nconns);
        free(npds);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    /* 1. Keep connections whose own settings are unchanged; diff their groups. */
    gw_wg ***nwgs = calloc(cfg->n_conns + 1, sizeof *nwgs);
    gw_rg ***nrgs = calloc(cfg->n_conns + 1, sizeof *nrgs);
    for (size_t i = 0; nwgs && nrgs && i < cfg->n_conns; i++) {
        nwgs[i] = calloc(cfg->conns[i].n_wgs + 1, sizeof **nwgs);
        nrgs[i] = calloc(cfg->conns[i].n_rgs + 1, sizeof **nrgs);
        gw_conn *c = take_conn(g, old, &cfg->conns[i]);
        if (!c || !nwgs[i] || !nrgs[i]) {
            if (c) { /* out of memory: restart it rather than leak */
                ug_ps_connection_remove(c->h);
                free_conn(c);
            }
            continue;
        }
        const ug_cfg_conn *oc = c->cfg;
        diff_groups(c, oc, &cfg->conns[i], nwgs[i], nrgs[i]);
        free(c->wgs);
        free(c->rgs);
        c->wgs = nwgs[i];
        c->rgs = nrgs[i];
        nwgs[i] = NULL;
        nrgs[i] = NULL;
        c->cfg = &cfg->conns[i];
        nconns[i] = c;
    }
    /* 2. Whatever is left of the old tree changed or left. */
    for (size_t i = 0; old && i < old->n_conns; i++)
        if (g->conns[i]) {
            ug_log(UG_LOG_INFO, "reload: connection %s changed or removed", old->conns[i].name);
            ug_ps_connection_remove(g->conns[i]->h);
            free_conn(g->conns[i]);
            g->conns[i] = NULL;
        }
    /* 3. New connections and reader groups. */
    for (size_t i = 0; i < cfg->n_conns; i++) {
        const ug_cfg_conn *cc = &cfg->conns[i];
        if (!nconns[i]) {
            ug_status st = add_conn(g, cc, &nconns[i]);
            if (st != UG_STATUS_GOOD) {
                ug_log(UG_LOG_ERROR, "connection %s: %s", cc->name, ug_status_name(st));
                keep(&first, st);
                continue;
            }
            if (nwgs && nwgs[i]) {
                free(nconns[i]->wgs);
                nconns[i]->wgs = nwgs[i];
                nwgs[i] = NULL;
            }
            if (nrgs && nrgs[i]) {
                free(nconns[i]->rgs);
                nconns[i]->rgs = nrgs[i];
                nrgs[i] = NULL;
            }
        }
        for (size_t r = 0; r < cc->n_rgs; r++)
            if (!nconns[i]->rgs[r]) {
                ug_status st = add_rg(g, nconns[i], &cc->rgs[r], &nconns[i]->rgs[r]);
                if (st != UG_STATUS_GOOD)
                    ug_log(UG_LOG_ERROR, "reader group %s/%s: %s", cc->name, cc->rgs[r].name,
                           ug_status_name(st));
                keep(&first, st);
            }
    }
    for (size_t i = 0; nwgs && nrgs && i < cfg->n_conns; i++) {
        free(nwgs[i]);
        free(nrgs[i]);
    }
    free(nwgs);
    free(nrgs);
    free(g->conns);
    g->conns = nconns;
    ug_cfg *prev = g->cfg;
    g->cfg = cfg;

    /* 4. Datasets (route fields now find their readers' slots). */
    keep(&first, apply_pds(g, cfg, prev, npds));
    /* 5. Writer groups. */
    gw_pds *opds = g->pds;
    g->pds = npds;
    for (size_t i = 0; i < cfg->n_conns; i++) {
        const ug_cfg_conn *cc = &cfg->conns[i];
        for (size_t w = 0; nconns[i] && w < cc->n_wgs; w++)
            if (!nconns[i]->wgs[w]) {
                bool ready = true;
                for (size_t k = 0; k < cc->wgs[w].n_writers; k++)
                    ready = ready && npds[cc->wgs[w].writers[k].pds_index].h;
                ug_status st = ready ? add_wg(g, nconns[i], &cc->wgs[w], &nconns[i]->wgs[w])
                                     : UG_STATUS_BADINVALIDSTATE;
                if (st != UG_STATUS_GOOD)
                    ug_log(UG_LOG_ERROR, "writer group %s/%s: %s", cc->name, cc->wgs[w].name,
                           ug_status_name(st));
                keep(&first, st);
            }
        if (nconns[i])
            keep(&first, enable(ug_ps_connection_comp(nconns[i]->h), cc->enabled));
    }
    /* 6. Datasets that left the configuration (their writers are gone). */
    for (size_t p = 0; prev && p < prev->n_pds; p++) {
        if (opds[p].h) {
            ug_status st = ug_pds_remove(opds[p].h);
            if (st != UG_STATUS_GOOD)
                ug_log(UG_LOG_WARN, "published dataset %s: not removed (%s)", prev->pds[p].name,
                       ug_status_name(st));
        }
        free(opds[p].fields);
    }
    free(opds);
    keep(&first, ug_gw_routes_bind(g));
    keep(&first, enable(ug_pubsub_comp(g->ps), cfg->enabled));
    if (!cfg->enabled)
        ug_ps_disable(ug_pubsub_comp(g->ps));
    ug_cfg_free(prev);
    if (prev)
        g->reloads++;
    return first;
}

void ug_gw_free(gw *g)
{
    if (!g)
        return;
    ug_pubsub_free(g->ps);
    for (size_t i = 0; g->cfg && i < g->cfg->n_conns; i++)
        free_conn(g->conns[i]);
    free(g->conns);
    for (size_t p = 0; g->cfg && p < g->cfg->n_pds; p++)
        free(g->pds[p].fields);
    free(g->pds);
    for (size_t k = 0; k < g->n_vars; k++)
        free(g->vars[k].name);
    free(g->vars);
    ug_cfg_free(g->cfg);
    free(g);
}
