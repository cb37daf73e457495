/* server_bridge — the running gateway as OPC UA nodes (issue 7 item 6).
 *
 * Build (ug_gw_srv_new, again on each reload): the Gateway folder under
 * Objects, its Variables folder (one writable variable per configuration
 * variable, whose value source is the engine's value store slot: a Write is a
 * store write, so "source": {"variable": ...} fields publish it from the next
 * cycle), the Echo method, and per connection, group, writer and reader an
 * object with a Status object (State, Enable, Disable; Part 14 §9.1.10
 * PubSubStatusType) and, for writers and readers, one variable per dataset
 * field. PublishSubscribe (i=14443) gets a HasPubSubConnection reference to
 * each connection object (Part 14 §9.1.3).
 *
 * Live values: the engine's observer (pubsub.h) reports each DataSetMessage
 * a writer sent (the values it sampled) and each one a reader accepted (its
 * slots); the bridge writes the changed fields into their variables, which
 * notifies the subscriptions. Each component's user pointer is its
 * srv_comp, so the hot path is a pointer dereference, no lookup by name.
 * State changes come through the same observer.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server_bridge.h"
#include "server_bridge_nodes.h"
#include "uagate/server.h"
#include "uagate/ua_nodeids.h"

uint32_t ug_gw_var_slot(gw *g, const char *name);

typedef struct srv_comp {
    gw_srv *srv;
    ug_ps_comp *comp;
    char *id;               /* NodeId string of the object ("Gateway/c/g/w") */
    char *state_id;         /* id + "/Status/State" */
    int32_t state;          /* last value written to State */
    bool is_conn;           /* also referenced by PublishSubscribe */
    /* writers and readers */
    ug_dataset_writer *writer;
    ug_dataset_reader *reader;
    uint16_t n_fields;
    char **field_ids;
    ug_nodeid *field_nids;  /* views of field_ids: no strlen per update */
} srv_comp;

typedef struct srv_var {
    gw_srv *srv;
    uint32_t slot;
    uint8_t type;
} srv_var;

struct gw_srv {
    gw *g;
    ug_server *server;
    gw_nodes nodes;
    char url[320];
    srv_comp **comps;
    size_t n_comps, cap_comps;
    srv_var *vars;
    size_t n_vars;
};

/* ------------------------------------------------------------ observer -- */

static void on_written(void *ctx, ug_dataset_writer *w, const bool *changed)
{
    (void)ctx;
    srv_comp *sc = ug_ps_comp_user(ug_dataset_writer_comp(w));
    if (!sc)
        return;
    for (uint16_t i = 0; i < sc->n_fields; i++) {
        if (!changed[i])
            continue;
        const ug_datavalue *dv = ug_dataset_writer_value(w, i);
        if (dv)
            ug_nodes_write_value(sc->srv->nodes.as, &sc->field_nids[i], dv);
    }
}

static void on_received(void *ctx, ug_dataset_reader *r, const ug_dsm *dsm)
{
    (void)ctx;
    srv_comp *sc = ug_ps_comp_user(ug_dataset_reader_comp(r));
    if (!sc)
        return;
    gw_srv *s = sc->srv;
    /* A delta frame names the fields it carries; a key frame carries all. */
    if (dsm->type == UG_DSM_DELTAFRAME) {
        for (uint16_t k = 0; k < dsm->field_count; k++) {
            uint16_t i = dsm->fields[k].index;
            if (i < sc->n_fields) {
                const ug_datavalue *dv = ug_pubsub_store_read(s->g->ps, ug_dataset_reader_slot(r, i));
                if (dv)
                    ug_nodes_write_value(s->nodes.as, &sc->field_nids[i], dv);
            }
        }
        return;
    }
    for (uint16_t i = 0; i < sc->n_fields; i++) {
        const ug_datavalue *dv = ug_pubsub_store_read(s->g->ps, ug_dataset_reader_slot(r, i));
        if (dv)
            ug_nodes_write_value(s->nodes.as, &sc->field_nids[i], dv);
    }
}

static void write_state(srv_comp *sc, enum ug_pubsub_state st)
{
    ug_datavalue dv = {.mask = UG_DV_VALUE};
    dv.value = ug_variant_scalar(UG_TYPE_INT32);
    dv.value.u.v.int32 = (int32_t)st;
    sc->state = (int32_t)st;
    gw_nodes_set_value(&sc->srv->nodes, sc->state_id, &dv);
}

static void on_comp_state(void *ctx, ug_ps_comp *c, enum ug_pubsub_state new_state)
{
    (void)ctx;
    srv_comp *sc = ug_ps_comp_user(c);
    if (sc && sc->state != (int32_t)new_state)
        write_state(sc, new_state);
}

/* ------------------------------------------------------------- methods -- */

/* PubSubStatusType Enable/Disable (Part 14 §9.1.10.3-4): Enable on an
 * enabled component and Disable on a disabled one are BadInvalidState. */
static ug_status call_enable(void *ctx, bool on)
{
    srv_comp *sc = ctx;
    bool disabled = ug_ps_state(sc->comp) == UG_PUBSUB_DISABLED;
    if (on != disabled)
        return UG_STATUS_BADINVALIDSTATE;
    ug_log(UG_LOG_INFO, "OPC UA: %s %s", on ? "Enable" : "Disable", sc->id);
    ug_status st = on ? ug_ps_enable(sc->comp) : ug_ps_disable(sc->comp);
    /* A connection whose transport cannot open is enabled but in Error:
     * the call did what it was asked; State says the rest. */
    return on && st != UG_STATUS_GOOD && ug_ps_state(sc->comp) == UG_PUBSUB_ERROR
               ? UG_STATUS_GOOD
               : st;
}

static ug_status method_enable(void *ctx, const ug_nodeid *object, size_t n_in,
                               const ug_variant *in, size_t *n_out, ug_variant **out,
                               ug_arena *arena)
{
    (void)object, (void)n_in, (void)in, (void)out, (void)arena;
    *n_out = 0;
    return call_enable(ctx, true);
}

static ug_status method_disable(void *ctx, const ug_nodeid *object, size_t n_in,
                                const ug_variant *in, size_t *n_out, ug_variant **out,
                                ug_arena *arena)
{
    (void)object, (void)n_in, (void)in, (void)out, (void)arena;
    *n_out = 0;
    return call_enable(ctx, false);
}

/* Gateway/Echo: String in, the same String out (for call tests). */
static ug_status method_echo(void *ctx, const ug_nodeid *object, size_t n_in,
                             const ug_variant *in, size_t *n_out, ug_variant **out,
                             ug_arena *arena)
{
    (void)ctx, (void)object;
    if (n_in != 1)
        return UG_STATUS_BADARGUMENTSMISSING;
    ug_variant *v = ug_arena_alloc(arena, sizeof *v);
    if (!v)
        return UG_STATUS_BADOUTOFMEMORY;
    *v = in[0]; /* the request's storage outlives the response's encoding */
    *out = v;
    *n_out = 1;
    return UG_STATUS_GOOD;
}

/* --------------------------------------------------- config variables -- */

static ug_status var_read(void *ctx, const ug_node *n, ug_datavalue *out, ug_arena *arena)
{
    (void)n;
    srv_var *v = ctx;
    const ug_datavalue *dv = ug_pubsub_store_read(v->srv->g->ps, v->slot);
    if (!dv)
        return UG_STATUS_BADINTERNALERROR;
    *out = *dv;
    /* The slot's string changes with the next store write: copy it. */
    const ug_string *str = &dv->value.u.v.string;
    if ((dv->mask & UG_DV_VALUE) && !ug_variant_is_array(&dv->value) &&
        (dv->value.type == UG_TYPE_STRING || dv->value.type == UG_TYPE_BYTESTRING) &&
        str->len > 0) {
        uint8_t *copy = ug_arena_alloc(arena, (size_t)str->len);
        if (!copy)
            return UG_STATUS_BADOUTOFMEMORY;
        memcpy(copy, str->data, (size_t)str->len);
        out->value.u.v.string.data = copy;
    }
    return UG_STATUS_GOOD;
}

static ug_status var_write(void *ctx, const ug_node *n, const ug_datavalue *in)
{
    (void)n;
    srv_var *v = ctx;
    if (!(in->mask & UG_DV_VALUE) || ug_variant_is_array(&in->value))
        return UG_STATUS_BADTYPEMISMATCH;
    if (in->value.type != v->type)
        return UG_STATUS_BADTYPEMISMATCH;
    ug_datavalue dv = {.mask = UG_DV_VALUE | UG_DV_SOURCE_TIMESTAMP, .value = in->value};
    dv.source_ts = (in->mask & UG_DV_SOURCE_TIMESTAMP) ? in->source_ts : ug_datetime_now();
    if (in->mask & UG_DV_STATUS) {
        dv.mask |= UG_DV_STATUS;
        dv.status = in->status;
    }
    return ug_pubsub_store_write(v->srv->g->ps, v->slot, &dv);
}

/* ---------------------------------------------------------------- build -- */

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (s) {
        memcpy(s, a, la);
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    }
    return s;
}

static void comp_free(srv_comp *sc)
{
    if (!sc)
        return;
    for (uint16_t i = 0; sc->field_ids && i < sc->n_fields; i++)
        free(sc->field_ids[i]);
    free(sc->field_ids);
    free(sc->field_nids);
    free(sc->id);
    free(sc->state_id);
    free(sc);
}

/* Forgets every component's srv_comp: the components of g now (after a
 * reload some are new, some gone: never touch a srv_comp's old handle). */
static void reset_users(gw *g)
{
    const ug_cfg *cfg = g->cfg;
    for (size_t c = 0; cfg && c < cfg->n_conns; c++) {
        gw_conn *gc = g->conns[c];
        if (!gc)
            continue;
        ug_ps_comp_set_user(ug_ps_connection_comp(gc->h), NULL);
        for (size_t w = 0; w < cfg->conns[c].n_wgs; w++) {
            gw_wg *wg = gc->wgs[w];
            if (!wg)
                continue;
            ug_ps_comp_set_user(ug_writer_group_comp(wg->h), NULL);
            for (size_t k = 0; k < wg->cfg->n_writers; k++)
                if (wg->writers[k])
                    ug_ps_comp_set_user(ug_dataset_writer_comp(wg->writers[k]), NULL);
        }
        for (size_t r = 0; r < cfg->conns[c].n_rgs; r++) {
            gw_rg *rg = gc->rgs[r];
            if (!rg)
                continue;
            ug_ps_comp_set_user(ug_reader_group_comp(rg->h), NULL);
            for (size_t k = 0; k < rg->cfg->n_readers; k++)
                if (rg->readers[k] && rg->readers[k]->h)
                    ug_ps_comp_set_user(ug_dataset_reader_comp(rg->readers[k]->h), NULL);
        }
    }
}

static void clear(gw_srv *s)
{
    reset_users(s->g);
    for (size_t i = 0; i < s->n_comps; i++)
        comp_free(s->comps[i]);
    s->n_comps = 0;
    free(s->vars);
    s->vars = NULL;
    s->n_vars = 0;
}

/* Adds the object of a component under parent (ref: the reference type from
 * the parent) with its Status object, State and the two methods. */
static ug_status add_comp(gw_srv *s, const char *parent, uint32_t ref, const char *name,
                          uint32_t type, ug_ps_comp *comp, srv_comp **out)
{
    *out = NULL;
    if (s->n_comps == s->cap_comps) {
        size_t cap = s->cap_comps ? 2 * s->cap_comps : 16;
        srv_comp **nc = realloc(s->comps, cap * sizeof *nc);
        if (!nc)
            return UG_STATUS_BADOUTOFMEMORY;
        s->comps = nc;
        s->cap_comps = cap;
    }
    srv_comp *sc = calloc(1, sizeof *sc);
    if (!sc)
        return UG_STATUS_BADOUTOFMEMORY;
    s->comps[s->n_comps++] = sc;
    sc->srv = s;
    sc->comp = comp;
    sc->id = join(parent, name);
    char *status_id = sc->id ? join(sc->id, "Status") : NULL;
    sc->state_id = status_id ? join(status_id, "State") : NULL;
    char *en = status_id ? join(status_id, "Enable") : NULL;
    char *dis = status_id ? join(status_id, "Disable") : NULL;
    ug_status st = sc->state_id && en && dis ? UG_STATUS_GOOD : UG_STATUS_BADOUTOFMEMORY;
    if (st == UG_STATUS_GOOD)
        st = gw_nodes_add_object(&s->nodes, parent, ref, sc->id, name, type);
    if (st == UG_STATUS_GOOD)
        st = gw_nodes_add_object(&s->nodes, sc->id, UG_NS0_HAS_COMPONENT, status_id, "Status",
                                 UG_NS0_PUB_SUB_STATUS_TYPE);
    if (st == UG_STATUS_GOOD) {
        ug_datavalue dv = {.mask = UG_DV_VALUE};
        dv.value = ug_variant_scalar(UG_TYPE_INT32);
        dv.value.u.v.int32 = sc->state = (int32_t)ug_ps_state(comp);
        st = gw_nodes_add_variable(&s->nodes, status_id, UG_NS0_HAS_COMPONENT, sc->state_id,
                                   "State", UG_NS0_PUB_SUB_STATE, false, &dv);
    }
    if (st == UG_STATUS_GOOD)
        st = gw_nodes_add_method(&s->nodes, status_id, en, "Enable", NULL, NULL, method_enable, sc);
    if (st == UG_STATUS_GOOD)
        st = gw_nodes_add_method(&s->nodes, status_id, dis, "Disable", NULL, NULL, method_disable,
                                 sc);
    free(status_id);
    free(en);
    free(dis);
    if (st == UG_STATUS_GOOD)
        ug_ps_comp_set_user(comp, sc);
    *out = sc;
    return st;
}

/* One read-only variable per field under the writer/reader object. */
static ug_status add_fields(gw_srv *s, srv_comp *sc, const ug_cfg_field *f, size_t n)
{
    sc->field_ids = calloc(n + 1, sizeof *sc->field_ids);
    sc->field_nids = calloc(n + 1, sizeof *sc->field_nids);
    if (!sc->field_ids || !sc->field_nids)
        return UG_STATUS_BADOUTOFMEMORY;
    sc->n_fields = (uint16_t)n;
    for (size_t i = 0; i < n; i++) {
        sc->field_ids[i] = join(sc->id, f[i].name);
        if (!sc->field_ids[i])
            return UG_STATUS_BADOUTOFMEMORY;
        sc->field_nids[i] = gw_nodes_id(&s->nodes, sc->field_ids[i]);
        /* The value the engine has now (after a reload the component may
         * have run for a while): later updates only carry changes. */
        ug_datavalue dv = {.mask = UG_DV_STATUS, .status = UG_STATUS_BADWAITINGFORINITIALDATA};
        const ug_datavalue *now = NULL;
        if (sc->writer)
            now = ug_dataset_writer_value(sc->writer, (uint16_t)i);
        else if (sc->reader)
            now = ug_pubsub_store_read(s->g->ps, ug_dataset_reader_slot(sc->reader, (uint16_t)i));
        ug_status st = gw_nodes_add_variable(&s->nodes, sc->id, UG_NS0_HAS_COMPONENT,
                                             sc->field_ids[i], f[i].name, f[i].type, false,
                                             now ? now : &dv);
        if (st != UG_STATUS_GOOD)
            return st;
    }
    return UG_STATUS_GOOD;
}

/* Remembers the first failure and goes on (one bad name must not hide the
 * rest of the gateway). */
static void keep(ug_status *first, ug_status st, const char *what)
{
    if (st == UG_STATUS_GOOD)
        return;
    ug_log(UG_LOG_WARN, "OPC UA: %s: %s", what, ug_status_name(st));
    if (*first == UG_STATUS_GOOD)
        *first = st;
}

static ug_status build_conn(gw_srv *s, const ug_cfg_conn *cc, gw_conn *gc)
{
    ug_status first = UG_STATUS_GOOD;
    srv_comp *c;
    keep(&first, add_comp(s, "Gateway", UG_NS0_ORGANIZES, cc->name, UG_NS0_PUB_SUB_CONNECTION_TYPE,
                          ug_ps_connection_comp(gc->h), &c), cc->name);
    if (!c || !c->id)
        return first;
    c->is_conn = true;
    keep(&first, gw_nodes_add_ref_from_ns0(&s->nodes, UG_NS0_PUBLISH_SUBSCRIBE,
                                           UG_NS0_HAS_PUB_SUB_CONNECTION, c->id), c->id);
    for (size_t w = 0; w < cc->n_wgs; w++) {
        const ug_cfg_wg *cw = &cc->wgs[w];
        gw_wg *wg = gc->wgs[w];
        srv_comp *g;
        if (!wg)
            continue;
        keep(&first, add_comp(s, c->id, UG_NS0_HAS_WRITER_GROUP, cw->name,
                              UG_NS0_WRITER_GROUP_TYPE, ug_writer_group_comp(wg->h), &g), cw->name);
        if (!g || !g->id)
            continue;
        for (size_t k = 0; k < cw->n_writers; k++) {
            srv_comp *wc;
            if (!wg->writers[k])
                continue;
            keep(&first, add_comp(s, g->id, UG_NS0_HAS_DATA_SET_WRITER, cw->writers[k].name,
                                  UG_NS0_DATA_SET_WRITER_TYPE,
                                  ug_dataset_writer_comp(wg->writers[k]), &wc),
                 cw->writers[k].name);
            if (!wc || !wc->id)
                continue;
            const ug_cfg_pds *p = &s->g->cfg->pds[cw->writers[k].pds_index];
            wc->writer = wg->writers[k];
            keep(&first, add_fields(s, wc, p->fields, p->n_fields), wc->id);
        }
    }
    for (size_t r = 0; r < cc->n_rgs; r++) {
        const ug_cfg_rg *cr = &cc->rgs[r];
        gw_rg *rg = gc->rgs[r];
        srv_comp *g;
        if (!rg)
            continue;
        keep(&first, add_comp(s, c->id, UG_NS0_HAS_READER_GROUP, cr->name,
                              UG_NS0_READER_GROUP_TYPE, ug_reader_group_comp(rg->h), &g), cr->name);
        if (!g || !g->id)
            continue;
        for (size_t k = 0; k < cr->n_readers; k++) {
            srv_comp *rc;
            if (!rg->readers[k] || !rg->readers[k]->h)
                continue;
            keep(&first, add_comp(s, g->id, UG_NS0_HAS_DATA_SET_READER, cr->readers[k].name,
                                  UG_NS0_DATA_SET_READER_TYPE,
                                  ug_dataset_reader_comp(rg->readers[k]->h), &rc),
                 cr->readers[k].name);
            if (!rc || !rc->id)
                continue;
            rc->reader = rg->readers[k]->h;
            keep(&first, add_fields(s, rc, cr->readers[k].fields, cr->readers[k].n_fields),
                 rc->id);
        }
    }
    return first;
}

static ug_status build_vars(gw_srv *s)
{
    const ug_cfg *cfg = s->g->cfg;
    ug_status first = UG_STATUS_GOOD;
    s->vars = calloc(cfg->n_vars + 1, sizeof *s->vars);
    if (!s->vars)
        return UG_STATUS_BADOUTOFMEMORY;
    keep(&first, gw_nodes_add_object(&s->nodes, "Gateway", UG_NS0_ORGANIZES, "Gateway/Variables",
                                     "Variables", UG_NS0_FOLDER_TYPE), "Gateway/Variables");
    for (size_t i = 0; i < cfg->n_vars; i++) {
        const ug_cfg_variable *cv = &cfg->vars[i];
        if (cv->hidden)
            continue;
        srv_var *v = &s->vars[s->n_vars++];
        v->srv = s;
        v->type = cv->type;
        v->slot = ug_gw_var_slot(s->g, cv->name);
        char *id = join("Gateway/Variables", cv->name);
        struct ug_value_callbacks cb = {.read = var_read, .write = var_write, .ctx = v};
        ug_status st = id ? gw_nodes_add_callback_variable(&s->nodes, "Gateway/Variables", id,
                                                           cv->name, cv->type, &cb)
                          : UG_STATUS_BADOUTOFMEMORY;
        keep(&first, st, cv->name);
        free(id);
    }
    return first;
}

static ug_status build(gw_srv *s)
{
    ug_status first = UG_STATUS_GOOD;
    keep(&first, gw_nodes_add_object(&s->nodes, NULL, UG_NS0_ORGANIZES, "Gateway", "Gateway",
                                     UG_NS0_FOLDER_TYPE), "Gateway");
    if (first != UG_STATUS_GOOD)
        return first;
    static const char *const echo_in[] = {"text", NULL}, *const echo_out[] = {"text", NULL};
    keep(&first, gw_nodes_add_method(&s->nodes, "Gateway", "Gateway/Echo", "Echo", echo_in,
                                     echo_out, method_echo, NULL),
         "Gateway/Echo");
    keep(&first, build_vars(s), "variables");
    const ug_cfg *cfg = s->g->cfg;
    for (size_t i = 0; i < cfg->n_conns; i++)
        if (s->g->conns[i])
            keep(&first, build_conn(s, &cfg->conns[i], s->g->conns[i]), cfg->conns[i].name);
    return first;
}

/* ------------------------------------------------------------- public -- */

static void set_observer(gw_srv *s)
{
    ug_ps_observer obs = {.on_written = on_written, .on_received = on_received,
                          .on_state = on_comp_state, .ctx = s};
    ug_pubsub_set_observer(s->g->ps, &obs);
}

ug_status ug_gw_srv_new(gw *g, gw_srv **out)
{
    *out = NULL;
    const ug_cfg_server *sc = &g->cfg->server;
    if (!sc->enabled)
        return UG_STATUS_GOOD;
    gw_srv *s = calloc(1, sizeof *s);
    if (!s)
        return UG_STATUS_BADOUTOFMEMORY;
    s->g = g;
    struct ug_server_config c;
    ug_server_config_init(&c);
    char app_uri[300];
    snprintf(app_uri, sizeof app_uri, "urn:uagate:%s", g->cfg->name ? g->cfg->name : "uagate");
    c.endpoint_url = sc->url;
    c.application_uri = app_uri;
    c.application_name = g->cfg->name ? g->cfg->name : "uagate";
    c.allow_anonymous = sc->allow_anonymous;
    struct ug_server_user *users = calloc(sc->n_users + 1, sizeof *users);
    if (!users) {
        free(s);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    for (size_t i = 0; i < sc->n_users; i++)
        users[i] = (struct ug_server_user){sc->users[i].name, sc->users[i].password_hash};
    c.users = users;
    c.n_users = sc->n_users;
    if (sc->max_sessions)
        c.limits.max_sessions = sc->max_sessions;
    if (sc->session_timeout_ns)
        c.limits.max_session_timeout_ms = (double)sc->session_timeout_ns / 1e6;
    if (sc->hello_timeout_ns)
        c.hello_timeout_ms = (uint32_t)(sc->hello_timeout_ns / 1000000);
    if (c.min_session_timeout_ms > c.limits.max_session_timeout_ms)
        c.min_session_timeout_ms = c.limits.max_session_timeout_ms;
    ug_status st = ug_server_new(g->loop, &c, &s->server);
    free(users);
    if (st == UG_STATUS_GOOD)
        st = gw_nodes_init(&s->nodes, ug_server_aspace(s->server));
    if (st == UG_STATUS_GOOD)
        st = ug_server_start(s->server);
    if (st != UG_STATUS_GOOD) {
        ug_server_free(s->server);
        free(s);
        return st;
    }
    bool v6 = strchr(sc->host, ':') != NULL;
    snprintf(s->url, sizeof s->url, "opc.tcp://%s%s%s:%u", v6 ? "[" : "", sc->host, v6 ? "]" : "",
             ug_server_port(s->server));
    /* The contract with scripts and the interop tests: this exact line. */
    fprintf(stderr, "opc.tcp listening on %s\n", s->url);
    fflush(stderr);
    st = build(s);
    if (st != UG_STATUS_GOOD)
        ug_log(UG_LOG_WARN, "OPC UA: the Gateway nodes are incomplete (%s)", ug_status_name(st));
    set_observer(s);
    *out = s;
    return UG_STATUS_GOOD;
}

ug_status ug_gw_srv_rebuild(gw_srv *s)
{
    if (!s)
        return UG_STATUS_GOOD;
    ug_pubsub_set_observer(s->g->ps, NULL);
    /* A connection object has two parents (Gateway, PublishSubscribe): a
     * recursive delete of the folder would keep it. */
    for (size_t i = 0; i < s->n_comps; i++)
        if (s->comps[i]->is_conn && s->comps[i]->id)
            gw_nodes_delete_tree(&s->nodes, s->comps[i]->id);
    gw_nodes_delete_tree(&s->nodes, "Gateway");
    clear(s);
    ug_status st = build(s);
    set_observer(s);
    return st;
}

void ug_gw_srv_status_print(gw_srv *s, FILE *f, bool json)
{
    if (!s)
        return;
    struct ug_server_stats st;
    ug_server_get_stats(s->server, &st);
    if (json)
        /* The URL is ours (opc.tcp://HOST:PORT, HOST without quotes or
         * control characters: checked when the file was read). */
        fprintf(f, "{\"opcuaServer\":{\"url\":\"%s\",\"sessions\":%u,\"channels\":%u,"
                   "\"sessionsCreated\":%llu,\"requests\":%llu,\"faults\":%llu}}\n",
                s->url, st.sessions, st.channels, (unsigned long long)st.sessions_created,
                (unsigned long long)st.requests, (unsigned long long)st.faults);
    else
        fprintf(f, "opc.tcp %s: %u session%s, %u channel%s, %llu requests, %llu faults\n",
                s->url, st.sessions, st.sessions == 1 ? "" : "s", st.channels,
                st.channels == 1 ? "" : "s", (unsigned long long)st.requests,
                (unsigned long long)st.faults);
    fflush(f);
}

void ug_gw_srv_free(gw_srv *s)
{
    if (!s)
        return;
    ug_pubsub_set_observer(s->g->ps, NULL);
    clear(s);
    free(s->comps);
    ug_server_free(s->server);
    free(s);
}
