/* config_check — the checks that span sections: unique names and ids, the
 * dataset a writer writes, the variable a field reads, routes and their field
 * mapping, URLs and interfaces; and the comparisons a reload uses. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_broker.h"
#include "config_rd.h"
#include "config_server.h"

int ug_cfg_check_refs(cfg_rd *rd, ug_cfg *cfg);

static size_t find_pds(const ug_cfg *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_pds; i++)
        if (strcmp(cfg->pds[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static const ug_cfg_variable *find_var(const ug_cfg *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_vars; i++)
        if (strcmp(cfg->vars[i].name, name) == 0)
            return &cfg->vars[i];
    return NULL;
}

static size_t find_field(const ug_cfg_field *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* Reports each name of a list that an earlier element already has. The list
 * is an array of n structs of `stride` bytes with a char *name at name_off;
 * list_key names the member holding it, relative to the current path. */
static void check_unique(cfg_rd *rd, const void *arr, size_t n, size_t stride, size_t name_off,
                         const char *list_key, const char *what)
{
    const char *base = arr;
    for (size_t i = 0; i < n; i++) {
        const char *ni = *(char *const *)(base + i * stride + name_off);
        for (size_t j = 0; j < i; j++) {
            const char *nj = *(char *const *)(base + j * stride + name_off);
            if (strcmp(ni, nj) != 0)
                continue;
            size_t old = cfg_push_key(rd, list_key);
            cfg_push_index(rd, i);
            cfg_err(rd, "name", "%s \"%s\" is already defined at index %zu", what, ni, j);
            cfg_pop(rd, old);
            break;
        }
    }
}

#define CHECK_UNIQUE(rd, arr, n, list_key, what)                                              \
    check_unique(rd, arr, n, sizeof *(arr), offsetof(__typeof__(*(arr)), name), list_key, what)

static void check_fields_unique(cfg_rd *rd, const ug_cfg_field *f, size_t n)
{
    CHECK_UNIQUE(rd, f, n, "fields", "field");
}

static void check_pds(cfg_rd *rd, ug_cfg *cfg)
{
    CHECK_UNIQUE(rd, cfg->pds, cfg->n_pds, "publishedDataSets", "publishedDataSet");
    CHECK_UNIQUE(rd, cfg->vars, cfg->n_vars, "variables", "variable");
    size_t old = cfg_push_key(rd, "publishedDataSets");
    for (size_t p = 0; p < cfg->n_pds; p++) {
        size_t mid = cfg_push_index(rd, p);
        check_fields_unique(rd, cfg->pds[p].fields, cfg->pds[p].n_fields);
        for (size_t i = 0; i < cfg->pds[p].n_fields; i++) {
            const ug_cfg_field *f = &cfg->pds[p].fields[i];
            if (f->src != UG_CFG_SRC_VARIABLE)
                continue;
            size_t in = cfg_push_key(rd, "fields");
            cfg_push_index(rd, i);
            cfg_push_key(rd, "source");
            const ug_cfg_variable *v = find_var(cfg, f->variable);
            if (!v)
                cfg_err(rd, "variable", "no variable named \"%s\" (see $.variables)",
                        f->variable);
            else if (v->type != f->type)
                cfg_err(rd, "variable", "variable \"%s\" is %s, the field is %s", f->variable,
                        ug_type_name(v->type), ug_type_name(f->type));
            cfg_pop(rd, in);
        }
        cfg_pop(rd, mid);
    }
    cfg_pop(rd, old);
}

static void check_conn(cfg_rd *rd, ug_cfg *cfg, ug_cfg_conn *c)
{
    CHECK_UNIQUE(rd, c->wgs, c->n_wgs, "writerGroups", "writerGroup");
    CHECK_UNIQUE(rd, c->rgs, c->n_rgs, "readerGroups", "readerGroup");
    size_t old = cfg_push_key(rd, "writerGroups");
    for (size_t g = 0; g < c->n_wgs; g++) {
        ug_cfg_wg *wg = &c->wgs[g];
        size_t mid = cfg_push_index(rd, g);
        for (size_t h = 0; h < g; h++)
            if (c->wgs[h].id == wg->id) {
                cfg_err(rd, "writerGroupId", "%u is already used by writerGroup \"%s\"",
                        wg->id, c->wgs[h].name);
                break;
            }
        CHECK_UNIQUE(rd, wg->writers, wg->n_writers, "dataSetWriters", "dataSetWriter");
        for (size_t w = 0; w < wg->n_writers; w++) {
            ug_cfg_writer *wr = &wg->writers[w];
            size_t in = cfg_push_key(rd, "dataSetWriters");
            cfg_push_index(rd, w);
            for (size_t v = 0; v < w; v++)
                if (wg->writers[v].id == wr->id) {
                    cfg_err(rd, "dataSetWriterId", "%u is already used by dataSetWriter \"%s\"",
                            wr->id, wg->writers[v].name);
                    break;
                }
            wr->pds_index = find_pds(cfg, wr->dataset);
            if (wr->pds_index == SIZE_MAX)
                cfg_err(rd, "dataSetName", "no publishedDataSet named \"%s\"", wr->dataset);
            cfg_pop(rd, in);
        }
        cfg_pop(rd, mid);
    }
    cfg_pop(rd, old);
    old = cfg_push_key(rd, "readerGroups");
    for (size_t g = 0; g < c->n_rgs; g++) {
        size_t mid = cfg_push_index(rd, g);
        for (size_t r = 0; r < c->rgs[g].n_readers; r++) {
            size_t in = cfg_push_key(rd, "dataSetReaders");
            cfg_push_index(rd, r);
            cfg_push_key(rd, "dataSetMetaData");
            check_fields_unique(rd, c->rgs[g].readers[r].fields, c->rgs[g].readers[r].n_fields);
            cfg_pop(rd, in);
        }
        cfg_pop(rd, mid);
    }
    cfg_pop(rd, old);
}

/* Reader names are global (routes refer to them). */
static bool find_reader(const ug_cfg *cfg, const char *name, size_t *conn, size_t *rg,
                        size_t *rd_index)
{
    for (size_t c = 0; c < cfg->n_conns; c++)
        for (size_t g = 0; g < cfg->conns[c].n_rgs; g++)
            for (size_t r = 0; r < cfg->conns[c].rgs[g].n_readers; r++)
                if (strcmp(cfg->conns[c].rgs[g].readers[r].name, name) == 0) {
                    *conn = c;
                    *rg = g;
                    *rd_index = r;
                    return true;
                }
    return false;
}

static void check_reader_names(cfg_rd *rd, const ug_cfg *cfg)
{
    for (size_t c = 0; c < cfg->n_conns; c++)
        for (size_t g = 0; g < cfg->conns[c].n_rgs; g++)
            for (size_t r = 0; r < cfg->conns[c].rgs[g].n_readers; r++) {
                size_t fc, fg, fr;
                const ug_cfg_reader *rr = &cfg->conns[c].rgs[g].readers[r];
                if (find_reader(cfg, rr->name, &fc, &fg, &fr) && (fc != c || fg != g || fr != r)) {
                    size_t o = cfg_push_key(rd, "connections");
                    cfg_push_index(rd, c);
                    cfg_push_key(rd, "readerGroups");
                    cfg_push_index(rd, g);
                    cfg_push_key(rd, "dataSetReaders");
                    cfg_push_index(rd, r);
                    cfg_err(rd, "name", "dataSetReader \"%s\" is already defined at "
                                        "$.connections[%zu].readerGroups[%zu].dataSetReaders[%zu]",
                            rr->name, fc, fg, fr);
                    cfg_pop(rd, o);
                }
            }
}

static void check_route(cfg_rd *rd, ug_cfg *cfg, ug_cfg_route *rt, unsigned char **fed)
{
    const ug_cfg_reader *rr = NULL;
    if (!find_reader(cfg, rt->from, &rt->conn, &rt->rg, &rt->reader))
        cfg_err(rd, "from", "no dataSetReader named \"%s\"", rt->from);
    else
        rr = &cfg->conns[rt->conn].rgs[rt->rg].readers[rt->reader];
    rt->pds = find_pds(cfg, rt->to);
    if (rt->pds == SIZE_MAX)
        cfg_err(rd, "to", "no publishedDataSet named \"%s\"", rt->to);
    if (rr && rr->n_fields == 0)
        cfg_err(rd, "from", "dataSetReader \"%s\" has no dataSetMetaData fields to route",
                rt->from);
    if (!rr || rr->n_fields == 0 || rt->pds == SIZE_MAX)
        return;
    const ug_cfg_pds *p = &cfg->pds[rt->pds];
    if (rt->n_maps == 0) {
        /* No mapping: every reader field feeds the same-named field. */
        rt->maps = calloc(rr->n_fields, sizeof *rt->maps);
        for (size_t i = 0; rt->maps && i < rr->n_fields; i++)
            if (find_field(p->fields, p->n_fields, rr->fields[i].name) != SIZE_MAX) {
                rt->maps[rt->n_maps].from = strdup(rr->fields[i].name);
                rt->maps[rt->n_maps].to = strdup(rr->fields[i].name);
                rt->n_maps++;
            }
        if (rt->n_maps == 0)
            cfg_err(rd, "fields", "no field of dataSetReader \"%s\" has a namesake in "
                                  "publishedDataSet \"%s\": give the mapping",
                    rt->from, rt->to);
    }
    size_t old = cfg_push_key(rd, "fields");
    for (size_t m = 0; m < rt->n_maps; m++) {
        ug_cfg_map *mp = &rt->maps[m];
        size_t mid = cfg_push_index(rd, m);
        mp->from_index = find_field(rr->fields, rr->n_fields, mp->from);
        mp->to_index = find_field(p->fields, p->n_fields, mp->to);
        if (mp->from_index == SIZE_MAX)
            cfg_err(rd, "from", "dataSetReader \"%s\" has no field \"%s\"", rt->from, mp->from);
        if (mp->to_index == SIZE_MAX)
            cfg_err(rd, "to", "publishedDataSet \"%s\" has no field \"%s\"", rt->to, mp->to);
        if (mp->from_index != SIZE_MAX && mp->to_index != SIZE_MAX) {
            const ug_cfg_field *src = &rr->fields[mp->from_index];
            const ug_cfg_field *dst = &p->fields[mp->to_index];
            if (src->type != dst->type)
                cfg_err(rd, NULL, "reader field \"%s\" is %s but published field \"%s\" is %s", mp->from,
                        ug_type_name(src->type), mp->to, ug_type_name(dst->type));
            else if (dst->src != UG_CFG_SRC_ROUTE)
                cfg_err(rd, "to", "field \"%s\" of \"%s\" has its own source; a routed field "
                                  "has no \"source\"", mp->to, rt->to);
            else if (fed[rt->pds][mp->to_index]++)
                cfg_err(rd, "to", "field \"%s\" of \"%s\" is already fed by another route",
                        mp->to, rt->to);
        }
        cfg_pop(rd, mid);
    }
    cfg_pop(rd, old);
}

int ug_cfg_check_refs(cfg_rd *rd, ug_cfg *cfg)
{
    check_pds(rd, cfg);
    CHECK_UNIQUE(rd, cfg->conns, cfg->n_conns, "connections", "connection");
    size_t old = cfg_push_key(rd, "connections");
    for (size_t c = 0; c < cfg->n_conns; c++) {
        size_t mid = cfg_push_index(rd, c);
        check_conn(rd, cfg, &cfg->conns[c]);
        cfg_pop(rd, mid);
    }
    cfg_pop(rd, old);
    check_reader_names(rd, cfg);
    CHECK_UNIQUE(rd, cfg->routes, cfg->n_routes, "routes", "route");

    /* fed[p][f]: how many route mappings feed field f of dataset p. */
    unsigned char **fed = calloc(cfg->n_pds + 1, sizeof *fed);
    for (size_t p = 0; fed && p < cfg->n_pds; p++)
        fed[p] = calloc(cfg->pds[p].n_fields + 1, 1);
    old = cfg_push_key(rd, "routes");
    for (size_t r = 0; fed && r < cfg->n_routes; r++) {
        size_t mid = cfg_push_index(rd, r);
        check_route(rd, cfg, &cfg->routes[r], fed);
        cfg_pop(rd, mid);
    }
    cfg_pop(rd, old);
    old = cfg_push_key(rd, "publishedDataSets");
    for (size_t p = 0; fed && p < cfg->n_pds; p++)
        for (size_t f = 0; fed[p] && f < cfg->pds[p].n_fields; f++)
            if (cfg->pds[p].fields[f].src == UG_CFG_SRC_ROUTE && !fed[p][f]) {
                size_t mid = cfg_push_index(rd, p);
                cfg_push_key(rd, "fields");
                cfg_push_index(rd, f);
                cfg_err(rd, NULL, "field \"%s\" has no source: give \"source\" or feed it "
                                  "from a route", cfg->pds[p].fields[f].name);
                cfg_pop(rd, mid);
            }
    cfg_pop(rd, old);
    for (size_t p = 0; fed && p < cfg->n_pds; p++)
        free(fed[p]);
    free(fed);
    return rd->errors;
}

/* ------------------------------------------------------------ comparison -- */

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool pubid_eq(const ug_publisher_id *a, const char *as, const ug_publisher_id *b,
                     const char *bs)
{
    return a->type == b->type && a->u64 == b->u64 && str_eq(as, bs);
}

static bool fields_eq(const ug_cfg_field *a, const ug_cfg_field *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!str_eq(a[i].name, b[i].name) || a[i].type != b[i].type ||
            a[i].max_string_len != b[i].max_string_len || a[i].src != b[i].src ||
            a[i].promoted != b[i].promoted ||
            !str_eq(a[i].variable, b[i].variable) ||
            !cfg_opcua_source_equal(&a[i].opcua, &b[i].opcua))
            return false;
        if (a[i].src == UG_CFG_SRC_SIM &&
            (a[i].sim.shape != b[i].sim.shape || a[i].sim.offset != b[i].sim.offset ||
             a[i].sim.amplitude != b[i].sim.amplitude || a[i].sim.step != b[i].sim.step ||
             a[i].sim.period_ns != b[i].sim.period_ns || a[i].sim.seed != b[i].sim.seed))
            return false;
    }
    return true;
}

bool ug_cfg_pds_equal(const ug_cfg_pds *a, const ug_cfg_pds *b)
{
    return str_eq(a->name, b->name) && a->n_fields == b->n_fields &&
           fields_eq(a->fields, b->fields, a->n_fields);
}

bool ug_cfg_var_equal(const ug_cfg_variable *a, const ug_cfg_variable *b)
{
    return str_eq(a->name, b->name) && a->type == b->type && a->hidden == b->hidden &&
           a->value.present == b->value.present && a->value.num == b->value.num &&
           a->value.i64 == b->value.i64 && str_eq(a->value.str, b->value.str);
}

bool ug_cfg_wg_equal(const ug_cfg_wg *a, const ug_cfg_wg *b)
{
    return a->enabled == b->enabled && a->interval_ns == b->interval_ns &&
           a->offset_ns == b->offset_ns && a->keep_alive_ns == b->keep_alive_ns &&
           a->priority == b->priority && a->max_nm_size == b->max_nm_size &&
           a->encoding == b->encoding && a->uadp_nm_mask == b->uadp_nm_mask &&
           a->json_nm_mask == b->json_nm_mask && a->group_version == b->group_version &&
           ug_cfg_wg_writers_equal(a, b);
}

bool ug_cfg_wg_writers_equal(const ug_cfg_wg *a, const ug_cfg_wg *b)
{
    /* The WriterGroupId names the group on the wire: a new id is a new group. */
    if (!str_eq(a->name, b->name) || a->id != b->id || a->n_writers != b->n_writers)
        return false;
    for (size_t i = 0; i < a->n_writers; i++) {
        const ug_cfg_writer *x = &a->writers[i], *y = &b->writers[i];
        if (!str_eq(x->name, y->name) || x->enabled != y->enabled || x->id != y->id ||
            x->key_frame_count != y->key_frame_count || x->field_mask != y->field_mask ||
            x->uadp_dsm_mask != y->uadp_dsm_mask || x->json_dsm_mask != y->json_dsm_mask ||
            !str_eq(x->dataset, y->dataset))
            return false;
    }
    return true;
}

bool ug_cfg_rg_equal(const ug_cfg_rg *a, const ug_cfg_rg *b)
{
    if (!str_eq(a->name, b->name) || a->enabled != b->enabled || a->n_readers != b->n_readers)
        return false;
    for (size_t i = 0; i < a->n_readers; i++) {
        const ug_cfg_reader *x = &a->readers[i], *y = &b->readers[i];
        if (!str_eq(x->name, y->name) || x->enabled != y->enabled ||
            !pubid_eq(&x->publisher_id, x->publisher_id_str, &y->publisher_id,
                      y->publisher_id_str) ||
            x->writer_group_id != y->writer_group_id || x->writer_id != y->writer_id ||
            x->timeout_ns != y->timeout_ns || x->n_fields != y->n_fields ||
            x->cfg_major != y->cfg_major || !fields_eq(x->fields, y->fields, x->n_fields))
            return false;
    }
    return true;
}

bool ug_cfg_conn_equal_own(const ug_cfg_conn *a, const ug_cfg_conn *b)
{
    return str_eq(a->name, b->name) && a->enabled == b->enabled &&
           pubid_eq(&a->publisher_id, a->publisher_id_str, &b->publisher_id,
                    b->publisher_id_str) &&
           str_eq(a->address, b->address) && str_eq(a->interface, b->interface) &&
           a->ttl == b->ttl && a->loopback == b->loopback && a->reuse == b->reuse &&
           a->dscp == b->dscp && a->priority == b->priority && a->max_msg == b->max_msg &&
           cfg_broker_equal(&a->broker, &b->broker);
}
