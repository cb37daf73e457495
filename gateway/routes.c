/* routes — a reader's dataset feeding a published dataset.
 *
 * A routed field of a PublishedDataSet reads the value store slot that the
 * reader mirrors its field into: the bridge copies nothing per message, the
 * writer group samples the slot on its cycle like any other source. With
 * publishOnReceive, every DataSetMessage the reader accepts also publishes
 * the writer groups that write the routed dataset at once, so each received
 * value leaves exactly once, in order, without waiting for a cycle.
 */
#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "log.h"

uint32_t ug_gw_var_slot(gw *g, const char *name);

gw_reader *ug_gw_find_reader(gw *g, const char *name)
{
    const ug_cfg *cfg = g->cfg;
    for (size_t c = 0; cfg && c < cfg->n_conns; c++) {
        gw_conn *gc = g->conns[c];
        for (size_t r = 0; gc && r < cfg->conns[c].n_rgs; r++) {
            gw_rg *rg = gc->rgs[r];
            for (size_t i = 0; rg && i < rg->cfg->n_readers; i++)
                if (rg->readers[i] && strcmp(rg->cfg->readers[i].name, name) == 0)
                    return rg->readers[i];
        }
    }
    return NULL;
}

ug_status ug_gw_pds_fields(gw *g, const ug_cfg *cfg, size_t pds_index, ug_pds_field **out)
{
    const ug_cfg_pds *p = &cfg->pds[pds_index];
    ug_pds_field *f = calloc(p->n_fields + 1, sizeof *f);
    if (!f)
        return UG_STATUS_BADOUTOFMEMORY;
    for (size_t i = 0; i < p->n_fields; i++) {
        const ug_cfg_field *cf = &p->fields[i];
        f[i].name = cf->name;
        f[i].builtin_type = cf->type;
        f[i].max_string_len = cf->max_string_len;
        switch (cf->src) {
        case UG_CFG_SRC_VARIABLE:
            f[i].source.kind = UG_PS_SRC_STORE;
            f[i].source.slot = ug_gw_var_slot(g, cf->variable);
            break;
        case UG_CFG_SRC_SIM:
            f[i].source.kind = UG_PS_SRC_SIM;
            f[i].source.sim.shape = cf->sim.shape;
            f[i].source.sim.offset = cf->sim.offset;
            f[i].source.sim.amplitude = cf->sim.amplitude;
            f[i].source.sim.step = cf->sim.step;
            f[i].source.sim.period_ns = cf->sim.period_ns;
            f[i].source.sim.seed = cf->sim.seed;
            break;
        default:
            f[i].source.kind = UG_PS_SRC_STORE;
            f[i].source.slot = UINT32_MAX;
            break;
        }
    }
    /* Routed fields: the slot of the reader field mapped onto them. */
    for (size_t r = 0; r < cfg->n_routes; r++) {
        const ug_cfg_route *rt = &cfg->routes[r];
        if (rt->pds != pds_index)
            continue;
        gw_reader *rd = ug_gw_find_reader(g, rt->from);
        for (size_t m = 0; m < rt->n_maps; m++) {
            uint32_t slot = rd && rd->h ? ug_dataset_reader_slot(rd->h, (uint16_t)rt->maps[m].from_index)
                                        : UINT32_MAX;
            f[rt->maps[m].to_index].source.slot = slot;
        }
    }
    for (size_t i = 0; i < p->n_fields; i++)
        if (f[i].source.kind == UG_PS_SRC_STORE && f[i].source.slot == UINT32_MAX) {
            ug_log(UG_LOG_ERROR, "published dataset %s: field %s has no running source",
                   p->name, p->fields[i].name);
            free(f);
            return UG_STATUS_BADINVALIDSTATE;
        }
    *out = f;
    return UG_STATUS_GOOD;
}

bool ug_gw_pds_fields_equal(const ug_pds_field *a, const ug_pds_field *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(a[i].name, b[i].name) != 0 || a[i].builtin_type != b[i].builtin_type ||
            a[i].max_string_len != b[i].max_string_len ||
            a[i].source.kind != b[i].source.kind)
            return false;
        const ug_ps_source *x = &a[i].source, *y = &b[i].source;
        if (x->kind == UG_PS_SRC_STORE && x->slot != y->slot)
            return false;
        if (x->kind == UG_PS_SRC_SIM &&
            (x->sim.shape != y->sim.shape || x->sim.offset != y->sim.offset ||
             x->sim.amplitude != y->sim.amplitude || x->sim.step != y->sim.step ||
             x->sim.period_ns != y->sim.period_ns || x->sim.seed != y->sim.seed))
            return false;
    }
    return true;
}

static ug_status add_trigger(gw_reader *r, ug_writer_group *wg)
{
    for (size_t i = 0; i < r->n_triggers; i++)
        if (r->triggers[i] == wg)
            return UG_STATUS_GOOD;
    if (r->n_triggers == r->cap_triggers) {
        size_t cap = r->cap_triggers ? 2 * r->cap_triggers : 4;
        ug_writer_group **t = realloc(r->triggers, cap * sizeof *t);
        if (!t)
            return UG_STATUS_BADOUTOFMEMORY;
        r->triggers = t;
        r->cap_triggers = cap;
    }
    r->triggers[r->n_triggers++] = wg;
    return UG_STATUS_GOOD;
}

ug_status ug_gw_routes_bind(gw *g)
{
    const ug_cfg *cfg = g->cfg;
    for (size_t c = 0; c < cfg->n_conns; c++)
        for (size_t r = 0; g->conns[c] && r < cfg->conns[c].n_rgs; r++) {
            gw_rg *rg = g->conns[c]->rgs[r];
            for (size_t i = 0; rg && i < rg->cfg->n_readers; i++)
                if (rg->readers[i])
                    rg->readers[i]->n_triggers = 0;
        }
    for (size_t k = 0; k < cfg->n_routes; k++) {
        const ug_cfg_route *rt = &cfg->routes[k];
        if (!rt->publish_on_receive)
            continue;
        gw_reader *rd = ug_gw_find_reader(g, rt->from);
        if (!rd)
            continue;
        for (size_t c = 0; c < cfg->n_conns; c++)
            for (size_t w = 0; g->conns[c] && w < cfg->conns[c].n_wgs; w++) {
                const ug_cfg_wg *cw = &cfg->conns[c].wgs[w];
                gw_wg *wg = g->conns[c]->wgs[w];
                bool writes = false;
                for (size_t i = 0; i < cw->n_writers; i++)
                    writes = writes || cw->writers[i].pds_index == rt->pds;
                if (wg && writes) {
                    ug_status st = add_trigger(rd, wg->h);
                    if (st != UG_STATUS_GOOD)
                        return st;
                }
            }
    }
    return UG_STATUS_GOOD;
}

void ug_gw_on_values(void *ctx, ug_dataset_reader *r, const ug_nm *nm, const ug_dsm *dsm)
{
    (void)r;
    (void)nm;
    gw_reader *rd = ctx;
    if (dsm->type == UG_DSM_KEEPALIVE)
        return;
    for (size_t i = 0; i < rd->n_triggers; i++) {
        ug_status st = ug_writer_group_publish(rd->triggers[i]);
        /* A group that is not Operational yet (its transport still opening)
         * simply misses this value; anything else is worth a line. */
        if (st != UG_STATUS_GOOD && st != UG_STATUS_BADINVALIDSTATE)
            ug_log(UG_LOG_DEBUG, "route from %s: publish failed (%s)", rd->cfg->name,
                   ug_status_name(st));
    }
}
