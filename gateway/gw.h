/* gw — the running gateway: a configuration applied to one PubSub engine.
 *
 * Role: turns a validated ug_cfg into engine components (ug_gw_apply), and
 * on reload applies only the difference between the running configuration
 * and the new one: connections, groups and datasets that did not change keep
 * running untouched (their handles, sequence numbers and counters survive).
 * Routes (routes.c) bind readers' mirrored fields to published dataset
 * fields; the status view (status.c) reads the engine's diagnostics.
 *
 * Threading: everything on the loop thread.
 *
 * Lifetime: the gw owns the ug_cfg it runs (ug_gw_apply takes it), and one
 * heap node per connection, group and reader, so a reader's callback
 * context stays valid across reloads that keep it.
 */
#ifndef UG_GATEWAY_GW_H
#define UG_GATEWAY_GW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "uagate/pubsub.h"

typedef struct gw gw;

typedef struct gw_rate {
    uint64_t last;  /* counter at the previous sample */
    double per_s;
} gw_rate;

typedef struct gw_reader {
    gw *gw;
    const ug_cfg_reader *cfg;
    ug_dataset_reader *h;
    /* Writer groups to publish at once when this reader accepts a
     * DataSetMessage (routes with publishOnReceive). */
    ug_writer_group **triggers;
    size_t n_triggers, cap_triggers;
    gw_rate rate;
} gw_reader;

typedef struct gw_rg {
    const ug_cfg_rg *cfg;
    ug_reader_group *h;
    gw_reader **readers;
} gw_rg;

typedef struct gw_wg {
    const ug_cfg_wg *cfg;
    ug_writer_group *h;
    ug_dataset_writer **writers;
    gw_rate rate;
} gw_wg;

typedef struct gw_conn {
    const ug_cfg_conn *cfg;
    ug_ps_connection *h;
    gw_wg **wgs;
    gw_rg **rgs;
    gw_rate rate;
} gw_conn;

typedef struct gw_pds {
    const ug_cfg_pds *cfg;
    ug_pds *h;
    ug_pds_field *fields; /* as last given to the engine */
} gw_pds;

typedef struct gw_var {
    char *name;
    uint8_t type;
    uint32_t slot;
} gw_var;

struct gw {
    ug_loop *loop;
    ug_pubsub *ps;
    ug_cfg *cfg;
    gw_conn **conns;    /* parallel to cfg->conns */
    gw_pds *pds;        /* parallel to cfg->pds */
    gw_var *vars;       /* every variable ever added (slots are never freed) */
    size_t n_vars;
    uint64_t reloads;
    int64_t started_ns;
    int64_t last_status_ns;
};

/* Creates the engine on loop. Good; the engine's statuses. */
ug_status ug_gw_new(ug_loop *loop, gw **out);
/* Applies cfg (taking ownership; the previous configuration is freed): the
 * first call builds everything, later calls change only what differs.
 * Returns Good, or the first engine status that failed (logged; the parts
 * applied before it stay). */
ug_status ug_gw_apply(gw *g, ug_cfg *cfg);
/* Removes everything and frees the engine (run the loop a little afterwards
 * so transports finish closing). NULL: no-op. */
void ug_gw_free(gw *g);

/* routes.c: the engine field list of a published dataset in cfg, with route
 * fields reading the mirror slots of their readers. *out is calloc'ed.
 * BadInvalidState when a routed reader does not exist in the engine. */
ug_status ug_gw_pds_fields(gw *g, const ug_cfg *cfg, size_t pds_index, ug_pds_field **out);
bool ug_gw_pds_fields_equal(const ug_pds_field *a, const ug_pds_field *b, size_t n);
/* Rebuilds every reader's trigger list from cfg->routes. */
ug_status ug_gw_routes_bind(gw *g);
/* The reader runtime node by name, NULL when none. */
gw_reader *ug_gw_find_reader(gw *g, const char *name);
/* The reader's on_values callback (publishes its triggered groups). */
void ug_gw_on_values(void *ctx, ug_dataset_reader *r, const ug_nm *nm, const ug_dsm *dsm);

/* status.c: prints the live status (per connection, group and reader:
 * state, rate, last sequence number, errors, last values) as text or one JSON
 * object per line; rates are over the time since the previous call. */
void ug_gw_status_print(gw *g, FILE *f, bool json);
/* Writes a scalar value of type into a text buffer ("3.25", "true"). */
void ug_gw_format_value(const ug_datavalue *dv, char *buf, size_t cap);

#endif
