/* client_source — published fields fed by monitored items on field OPC UA
 * servers (issue 7 item 7: what cloud publishers do).
 *
 * A field with "source": {"opcua": {url, nodeId, samplingInterval}} reads a
 * hidden value store slot (config_server.c makes it); here one ug_client per
 * distinct URL and credentials connects (retrying, and reconnecting on its
 * own with its subscriptions moved or re-created), creates one subscription
 * whose publishing interval is the fastest sampling interval of its items,
 * and one monitored item per field. Each data change is written into the
 * field's slot: the writer group publishes it at its next cycle, like any
 * variable. A value of another numeric type is converted when it fits; one
 * that does not is stored as BadTypeMismatch. While the server is unreachable
 * the slot carries BadCommunicationError (subscribers see the value is stale).
 *
 * Cost per data change: one conversion and one store write, no allocation.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "print.h"
#include "server_bridge.h"
#include "uagate/client.h"

uint32_t ug_gw_var_slot(gw *g, const char *name);

typedef struct csrc_client csrc_client;

typedef struct csrc_item {
    csrc_client *cl;
    uint32_t slot;
    uint8_t type;
    char *label;     /* "<dataset>/<field>" for logs and status */
    char *node_text; /* owned: the parsed NodeId's string views point here */
    ug_nodeid node;
    double sampling_ms;
    ug_client_mon *mon;
    uint64_t changes;
    ug_status last;  /* status of the last data change, or of the item */
} csrc_item;

struct csrc_client {
    gw_csrc *owner;
    char *url, *username, *password;
    ug_client *c;
    ug_client_sub *sub;
    bool sub_pending;
    enum ug_client_state state;
    ug_status why;
    struct ug_timer retry;
    bool retry_armed;
    csrc_item *items;
    size_t n_items;
    uint8_t arena_buf[128]; /* opaque NodeIds (b=) of the items */
    ug_arena arena;
};

struct gw_csrc {
    gw *g;
    csrc_client **clients;
    size_t n_clients;
};

/* ---------------------------------------------------------- conversion -- */

static bool as_double(const ug_variant *v, double *out)
{
    const ug_scalar *s = &v->u.v;
    switch (v->type) {
    case UG_TYPE_BOOLEAN: *out = s->boolean; return true;
    case UG_TYPE_SBYTE: *out = s->sbyte; return true;
    case UG_TYPE_BYTE: *out = s->byte; return true;
    case UG_TYPE_INT16: *out = s->int16; return true;
    case UG_TYPE_UINT16: *out = s->uint16; return true;
    case UG_TYPE_INT32: *out = s->int32; return true;
    case UG_TYPE_UINT32: *out = s->uint32; return true;
    case UG_TYPE_INT64: *out = (double)s->int64; return true;
    case UG_TYPE_UINT64: *out = (double)s->uint64; return true;
    case UG_TYPE_FLOAT: *out = s->f32; return true;
    case UG_TYPE_DOUBLE: *out = s->f64; return true;
    default: return false;
    }
}

/* Converts a scalar into the field's type. Integers need an integral value
 * in range (Part 4 §7.39 leaves conversion to the client; we refuse to
 * round or wrap silently). */
static bool convert(const ug_variant *in, uint8_t type, ug_variant *out)
{
    if (ug_variant_is_array(in))
        return false;
    if (in->type == type) {
        *out = *in;
        return true;
    }
    double d;
    if (!as_double(in, &d))
        return false;
    *out = ug_variant_scalar(type);
    ug_scalar *s = &out->u.v;
    bool integral = d == floor(d);
    switch (type) {
    case UG_TYPE_BOOLEAN: s->boolean = d != 0; return true;
    case UG_TYPE_FLOAT: s->f32 = (float)d; return !isfinite(d) || fabs(d) <= FLT_MAX;
    case UG_TYPE_DOUBLE: s->f64 = d; return true;
    case UG_TYPE_SBYTE: s->sbyte = (int8_t)d; return integral && d >= -128 && d <= 127;
    case UG_TYPE_BYTE: s->byte = (uint8_t)d; return integral && d >= 0 && d <= 255;
    case UG_TYPE_INT16: s->int16 = (int16_t)d; return integral && d >= -32768 && d <= 32767;
    case UG_TYPE_UINT16: s->uint16 = (uint16_t)d; return integral && d >= 0 && d <= 65535;
    case UG_TYPE_INT32:
        s->int32 = (int32_t)d;
        return integral && d >= -2147483648.0 && d <= 2147483647.0;
    case UG_TYPE_UINT32: s->uint32 = (uint32_t)d; return integral && d >= 0 && d <= 4294967295.0;
    case UG_TYPE_INT64:
        if (in->type == UG_TYPE_UINT64)
            return (s->int64 = (int64_t)in->u.v.uint64) >= 0;
        s->int64 = (int64_t)d;
        return integral && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
    case UG_TYPE_UINT64:
        if (in->type == UG_TYPE_INT64)
            return (s->uint64 = (uint64_t)in->u.v.int64, in->u.v.int64 >= 0);
        s->uint64 = (uint64_t)d;
        return integral && d >= 0 && d < 18446744073709551616.0;
    default: return false;
    }
}

static void store_status(gw_csrc *cs, csrc_item *it, ug_status st)
{
    ug_datavalue dv = {.mask = UG_DV_STATUS, .status = st};
    dv.value = ug_variant_scalar(UG_TYPE_NULL);
    it->last = st;
    ug_pubsub_store_write(cs->g->ps, it->slot, &dv);
}

static void on_data(ug_client_mon *mon, const ug_datavalue *value, void *ctx)
{
    (void)mon;
    csrc_item *it = ctx;
    gw_csrc *cs = it->cl->owner;
    ug_datavalue dv = *value;
    bool has_value = (value->mask & UG_DV_VALUE) && value->value.type != UG_TYPE_NULL;
    if (has_value && !convert(&value->value, it->type, &dv.value)) {
        dv.mask = (uint8_t)((dv.mask | UG_DV_STATUS) & ~UG_DV_VALUE);
        dv.status = UG_STATUS_BADTYPEMISMATCH;
        dv.value = ug_variant_scalar(UG_TYPE_NULL);
        if (it->last != UG_STATUS_BADTYPEMISMATCH)
            ug_log(UG_LOG_WARN, "opcua source %s: %s value does not fit %s", it->label,
                   ug_type_name(value->value.type), ug_type_name(it->type));
    }
    ug_status st = ug_pubsub_store_write(cs->g->ps, it->slot, &dv);
    if (st != UG_STATUS_GOOD) /* a string over the store's capacity */
        store_status(cs, it, st);
    else
        it->last = (dv.mask & UG_DV_STATUS) ? dv.status : UG_STATUS_GOOD;
    it->changes++;
}

/* ------------------------------------------------------- subscriptions -- */

static void create_sub(csrc_client *cl);

static void on_retry(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    csrc_client *cl = t->data;
    cl->retry_armed = false;
    if (!cl->sub && !cl->sub_pending && cl->state == UG_CLIENT_SESSION_ACTIVATED)
        create_sub(cl);
}

static void retry_later(csrc_client *cl)
{
    if (cl->retry_armed)
        return;
    ug_loop *loop = cl->owner->g->loop;
    cl->retry_armed = true;
    ug_timer_start_once(loop, &cl->retry, ug_loop_now(loop) + 2000000000LL);
}

static void on_mons_done(ug_client *c, ug_status status, void *ctx)
{
    (void)c;
    csrc_client *cl = ctx;
    for (size_t i = 0; i < cl->n_items; i++) {
        csrc_item *it = &cl->items[i];
        ug_status st = status != UG_STATUS_GOOD ? status : ug_client_mon_status(it->mon);
        if (st != UG_STATUS_GOOD) {
            ug_log(UG_LOG_WARN, "opcua source %s: monitored item %s on %s: %s", it->label,
                   it->node_text, cl->url, ug_status_name(st));
            store_status(cl->owner, it, st);
        }
    }
}

static void on_sub_status(ug_client_sub *sub, ug_status status, void *ctx)
{
    (void)sub;
    csrc_client *cl = ctx;
    if (status != UG_STATUS_GOOD)
        ug_log(UG_LOG_WARN, "opcua sources on %s: subscription: %s", cl->url,
               ug_status_name(status));
}

static void on_sub_done(ug_client *c, ug_status status, void *ctx)
{
    (void)c;
    csrc_client *cl = ctx;
    cl->sub_pending = false;
    if (status != UG_STATUS_GOOD) {
        /* The client frees the subscription when done returns. */
        ug_log(UG_LOG_WARN, "opcua sources on %s: CreateSubscription: %s; retrying", cl->url,
               ug_status_name(status));
        cl->sub = NULL;
        retry_later(cl);
        return;
    }
    struct ug_client_mon_params *p = calloc(cl->n_items, sizeof *p);
    ug_client_mon **mons = calloc(cl->n_items, sizeof *mons);
    ug_status st = p && mons ? UG_STATUS_GOOD : UG_STATUS_BADOUTOFMEMORY;
    for (size_t i = 0; p && i < cl->n_items; i++) {
        p[i] = (struct ug_client_mon_params){.node = cl->items[i].node,
                                             .sampling_interval_ms = cl->items[i].sampling_ms,
                                             .queue_size = 1,
                                             .discard_oldest = true,
                                             .cb = on_data,
                                             .ctx = &cl->items[i]};
    }
    if (st == UG_STATUS_GOOD)
        st = ug_client_mon_create_async(cl->sub, p, cl->n_items, mons, on_mons_done, cl);
    for (size_t i = 0; st == UG_STATUS_GOOD && i < cl->n_items; i++)
        cl->items[i].mon = mons[i];
    free(p);
    free(mons);
    if (st != UG_STATUS_GOOD) {
        ug_log(UG_LOG_WARN, "opcua sources on %s: CreateMonitoredItems: %s; retrying", cl->url,
               ug_status_name(st));
        ug_client_sub_delete_async(cl->sub, NULL, NULL);
        cl->sub = NULL;
        retry_later(cl);
    }
}

static void create_sub(csrc_client *cl)
{
    double interval = 1000;
    for (size_t i = 0; i < cl->n_items; i++)
        if (cl->items[i].sampling_ms < interval)
            interval = cl->items[i].sampling_ms;
    struct ug_client_sub_params sp = {.publishing_interval_ms = interval > 10 ? interval : 10};
    cl->sub_pending = true;
    ug_status st = ug_client_sub_create_async(cl->c, &sp, on_sub_status, cl, on_sub_done, cl,
                                              &cl->sub);
    if (st != UG_STATUS_GOOD) {
        cl->sub_pending = false;
        cl->sub = NULL;
        ug_log(UG_LOG_WARN, "opcua sources on %s: CreateSubscription: %s; retrying", cl->url,
               ug_status_name(st));
        retry_later(cl);
    }
}

static void on_state(ug_client *c, enum ug_client_state state, ug_status status, void *ctx)
{
    (void)c;
    csrc_client *cl = ctx;
    enum ug_client_state old = cl->state;
    cl->state = state;
    cl->why = status;
    if (state == UG_CLIENT_SESSION_ACTIVATED) {
        if (old != UG_CLIENT_SESSION_ACTIVATED)
            ug_log(UG_LOG_INFO, "opcua sources: connected to %s", cl->url);
        /* After a reconnect the client moves or re-creates its subscription
         * itself; only the first one is ours to create. */
        if (!cl->sub && !cl->sub_pending)
            create_sub(cl);
    } else if (state == UG_CLIENT_RECONNECTING || state == UG_CLIENT_DISCONNECTED) {
        if (old == UG_CLIENT_SESSION_ACTIVATED || old == UG_CLIENT_CONNECTING)
            ug_log(old == UG_CLIENT_SESSION_ACTIVATED ? UG_LOG_WARN : UG_LOG_DEBUG,
                   "opcua sources: %s: %s; retrying", cl->url, ug_status_name(status));
        for (size_t i = 0; i < cl->n_items; i++)
            if (cl->items[i].last != UG_STATUS_BADCOMMUNICATIONERROR)
                store_status(cl->owner, &cl->items[i], UG_STATUS_BADCOMMUNICATIONERROR);
    }
}

/* -------------------------------------------------------------- build -- */

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void client_free(csrc_client *cl)
{
    if (!cl)
        return;
    if (cl->retry_armed)
        ug_timer_stop(cl->owner->g->loop, &cl->retry);
    ug_client_free(cl->c); /* frees its subscription and items too */
    for (size_t i = 0; i < cl->n_items; i++) {
        free(cl->items[i].label);
        free(cl->items[i].node_text);
    }
    free(cl->items);
    ug_arena_free(&cl->arena);
    free(cl->url);
    free(cl->username);
    if (cl->password)
        memset(cl->password, 0, strlen(cl->password));
    free(cl->password);
    free(cl);
}

static csrc_client *find_or_add(gw_csrc *cs, const ug_cfg_opcua_src *o)
{
    for (size_t i = 0; i < cs->n_clients; i++) {
        csrc_client *cl = cs->clients[i];
        if (strcmp(cl->url, o->url) == 0 && str_eq(cl->username, o->username) &&
            str_eq(cl->password, o->password))
            return cl;
    }
    csrc_client **nc = realloc(cs->clients, (cs->n_clients + 1) * sizeof *nc);
    if (!nc)
        return NULL;
    cs->clients = nc;
    csrc_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    cl->owner = cs;
    cl->url = strdup(o->url);
    cl->username = o->username ? strdup(o->username) : NULL;
    cl->password = o->password ? strdup(o->password) : NULL;
    ug_arena_init(&cl->arena, cl->arena_buf, sizeof cl->arena_buf, true);
    ug_timer_init(&cl->retry, on_retry, cl);
    cs->clients[cs->n_clients++] = cl;
    if (!cl->url || (o->username && !cl->username) || (o->password && !cl->password))
        return NULL;
    return cl;
}

static ug_status add_item(gw_csrc *cs, const ug_cfg_pds *p, const ug_cfg_field *f)
{
    csrc_client *cl = find_or_add(cs, &f->opcua);
    if (!cl)
        return UG_STATUS_BADOUTOFMEMORY;
    csrc_item *ni = realloc(cl->items, (cl->n_items + 1) * sizeof *ni);
    if (!ni)
        return UG_STATUS_BADOUTOFMEMORY;
    cl->items = ni;
    csrc_item *it = &cl->items[cl->n_items];
    memset(it, 0, sizeof *it);
    size_t len = strlen(p->name) + strlen(f->name) + 2;
    it->label = malloc(len);
    it->node_text = strdup(f->opcua.node_id);
    if (!it->label || !it->node_text) {
        free(it->label);
        free(it->node_text);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    snprintf(it->label, len, "%s/%s", p->name, f->name);
    cl->n_items++;
    it->cl = cl;
    it->type = f->type;
    it->sampling_ms = (double)f->opcua.sampling_ns / 1e6;
    it->slot = ug_gw_var_slot(cs->g, f->variable);
    it->last = UG_STATUS_BADWAITINGFORINITIALDATA;
    if (it->slot == UINT32_MAX)
        return UG_STATUS_BADINVALIDSTATE;
    /* Checked by the loader; parsed again for the views into node_text. */
    return ug_nodeid_parse(it->node_text, strlen(it->node_text), &it->node, &cl->arena);
}

static ug_status start_client(csrc_client *cl)
{
    struct ug_client_config cc;
    ug_client_config_init(&cc);
    cc.endpoint_url = cl->url;
    cc.username = cl->username;
    cc.password = cl->password;
    cc.application_uri = "urn:uagate:gateway:opcua-source";
    cc.session_name = "uagate opcua source";
    cc.reconnect = true;
    cc.retry_first_connect = true; /* the field server may start after us */
    ug_status st = ug_client_new(cl->owner->g->loop, &cc, &cl->c);
    if (st == UG_STATUS_GOOD)
        st = ug_client_connect_async(cl->c, on_state, cl);
    return st;
}

ug_status ug_gw_csrc_new(gw *g, gw_csrc **out)
{
    *out = NULL;
    const ug_cfg *cfg = g->cfg;
    gw_csrc *cs = calloc(1, sizeof *cs);
    if (!cs)
        return UG_STATUS_BADOUTOFMEMORY;
    cs->g = g;
    ug_status st = UG_STATUS_GOOD;
    for (size_t p = 0; st == UG_STATUS_GOOD && p < cfg->n_pds; p++)
        for (size_t i = 0; st == UG_STATUS_GOOD && i < cfg->pds[p].n_fields; i++)
            if (cfg->pds[p].fields[i].opcua.url)
                st = add_item(cs, &cfg->pds[p], &cfg->pds[p].fields[i]);
    for (size_t i = 0; st == UG_STATUS_GOOD && i < cs->n_clients; i++) {
        st = start_client(cs->clients[i]);
        if (st != UG_STATUS_GOOD)
            ug_log(UG_LOG_ERROR, "opcua sources: client for %s: %s", cs->clients[i]->url,
                   ug_status_name(st));
    }
    if (st != UG_STATUS_GOOD || cs->n_clients == 0) {
        ug_gw_csrc_free(cs);
        return st;
    }
    ug_log(UG_LOG_INFO, "opcua sources: %zu server%s", cs->n_clients,
           cs->n_clients == 1 ? "" : "s");
    *out = cs;
    return UG_STATUS_GOOD;
}

/* Whether the running clients serve exactly the opcua fields of g's
 * configuration (same slots, nodes and settings, same order). */
static bool same_sources(const gw_csrc *cs, gw *g)
{
    size_t seen = 0, total = 0;
    for (size_t i = 0; cs && i < cs->n_clients; i++)
        total += cs->clients[i]->n_items;
    const ug_cfg *cfg = g->cfg;
    for (size_t p = 0; p < cfg->n_pds; p++)
        for (size_t f = 0; f < cfg->pds[p].n_fields; f++) {
            const ug_cfg_field *fl = &cfg->pds[p].fields[f];
            if (!fl->opcua.url)
                continue;
            bool found = false;
            for (size_t i = 0; cs && !found && i < cs->n_clients; i++) {
                const csrc_client *cl = cs->clients[i];
                if (strcmp(cl->url, fl->opcua.url) != 0 || !str_eq(cl->username, fl->opcua.username) ||
                    !str_eq(cl->password, fl->opcua.password))
                    continue;
                for (size_t k = 0; k < cl->n_items; k++)
                    if (cl->items[k].slot == ug_gw_var_slot(g, fl->variable) &&
                        strcmp(cl->items[k].node_text, fl->opcua.node_id) == 0 &&
                        cl->items[k].sampling_ms == (double)fl->opcua.sampling_ns / 1e6)
                        found = true;
            }
            if (!found)
                return false;
            seen++;
        }
    return seen == total;
}

ug_status ug_gw_csrc_rebuild(gw_csrc **s, gw *g)
{
    if (same_sources(*s, g))
        return UG_STATUS_GOOD;
    ug_gw_csrc_free(*s);
    *s = NULL;
    return ug_gw_csrc_new(g, s);
}

void ug_gw_csrc_status_print(gw_csrc *s, FILE *f, bool json)
{
    if (!s)
        return;
    if (json)
        fprintf(f, "{\"opcuaSources\":[");
    for (size_t i = 0; i < s->n_clients; i++) {
        const csrc_client *cl = s->clients[i];
        uint64_t changes = 0;
        for (size_t k = 0; k < cl->n_items; k++)
            changes += cl->items[k].changes;
        if (json) {
            fprintf(f, "%s{\"url\":", i ? "," : "");
            ug_print_json_string(f, (const uint8_t *)cl->url, strlen(cl->url));
            fprintf(f, ",\"state\":\"%s\",\"items\":%zu,\"changes\":%llu,\"reconnects\":%u}",
                    ug_client_state_name(cl->state), cl->n_items, (unsigned long long)changes,
                    cl->c ? ug_client_reconnects(cl->c) : 0);
        } else
            fprintf(f, "opcua source %s: %s, %zu item%s, %llu data changes, %u reconnects\n",
                    cl->url, ug_client_state_name(cl->state), cl->n_items,
                    cl->n_items == 1 ? "" : "s", (unsigned long long)changes,
                    cl->c ? ug_client_reconnects(cl->c) : 0);
    }
    if (json)
        fprintf(f, "]}\n");
    fflush(f);
}

void ug_gw_csrc_free(gw_csrc *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_clients; i++)
        client_free(s->clients[i]);
    free(s->clients);
    free(s);
}
