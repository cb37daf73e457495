/* interop_sub — the subscription half of uagate's client interop test
 * (tests/scripts/test_interop_client.sh): a ug_client subscribes to one node
 * of a third-party server (node-opcua's tests/interop/server.js) and waits for
 * data changes. The `uagate` CLI has no subscription command, so this small
 * program drives client.h directly.
 *
 *   interop_sub URL NODEID [--user U --password P] [--changes N] [--timeout S]
 *
 * CreateSubscription (100 ms), CreateMonitoredItems (Value, sampling 100 ms,
 * queue 10), then Publish until N (default 3) data changes with at least two
 * distinct values arrived, within S (default 10) seconds; then
 * DeleteSubscriptions and CloseSession (which must finish within 3 s). Prints "change K: VALUE" per data
 * change and "OK N changes, revised interval MS ms"; exit 0. Any failure:
 * "interop_sub: FAIL: <what>: <status>" on stderr, exit 1; usage: exit 2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uagate/client.h"
#include "uagate/rt.h"
#include "uagate/status.h"
#include "uagate/types.h"

#define MAX_SEEN 64

struct watch {
    unsigned changes;
    unsigned wanted;
    bool done;
    bool bad_status;
    ug_variant seen[MAX_SEEN]; /* scalars of fixed size only (numbers, Boolean) */
    unsigned distinct;
};

static void print_value(const ug_variant *v)
{
    if (ug_variant_is_array(v)) {
        printf("array of type %u, %" PRId32 " elements", v->type, v->array_len);
        return;
    }
    switch (v->type) {
    case UG_TYPE_BOOLEAN: printf("Boolean %s", v->u.v.boolean ? "true" : "false"); break;
    case UG_TYPE_INT32: printf("Int32 %" PRId32, v->u.v.int32); break;
    case UG_TYPE_UINT32: printf("UInt32 %" PRIu32, v->u.v.uint32); break;
    case UG_TYPE_INT64: printf("Int64 %" PRId64, v->u.v.int64); break;
    case UG_TYPE_UINT64: printf("UInt64 %" PRIu64, v->u.v.uint64); break;
    case UG_TYPE_DOUBLE: printf("Double %.17g", v->u.v.f64); break;
    case UG_TYPE_FLOAT: printf("Float %.9g", (double)v->u.v.f32); break;
    case UG_TYPE_DATETIME: printf("DateTime %" PRId64, v->u.v.datetime); break;
    case UG_TYPE_STRING:
        printf("String \"%.*s\"", v->u.v.string.len > 0 ? (int)v->u.v.string.len : 0,
               v->u.v.string.len > 0 ? (const char *)v->u.v.string.data : "");
        break;
    default: printf("type %u", v->type);
    }
}

static bool fixed_size(const ug_variant *v)
{
    return !ug_variant_is_array(v) &&
           ((v->type >= UG_TYPE_BOOLEAN && v->type <= UG_TYPE_DOUBLE) || v->type == UG_TYPE_DATETIME);
}

static void on_data(ug_client_mon *mon, const ug_datavalue *dv, void *ctx)
{
    (void)mon;
    struct watch *w = ctx;
    w->changes++;
    printf("change %u: ", w->changes);
    print_value(&dv->value);
    if ((dv->mask & UG_DV_STATUS) && dv->status != UG_STATUS_GOOD) {
        printf(" (status %s)", ug_status_name(dv->status));
        w->bad_status = true;
    }
    printf("\n");
    if (fixed_size(&dv->value)) {
        bool known = false;
        for (unsigned i = 0; i < w->distinct && !known; i++)
            known = ug_variant_eq(&w->seen[i], &dv->value);
        if (!known && w->distinct < MAX_SEEN)
            w->seen[w->distinct++] = dv->value;
    } else {
        w->distinct = 2; /* strings etc.: not compared */
    }
    if (w->changes >= w->wanted && w->distinct >= 2)
        w->done = true;
}

static void on_sub_status(ug_client_sub *sub, ug_status st, void *ctx)
{
    (void)sub;
    (void)ctx;
    if (st != UG_STATUS_GOOD)
        fprintf(stderr, "interop_sub: subscription status %s\n", ug_status_name(st));
}

static int failed(const char *what, ug_status st)
{
    fprintf(stderr, "interop_sub: FAIL: %s: %s\n", what, ug_status_name(st));
    return 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: interop_sub URL NODEID [--user U --password P] [--changes N] "
                    "[--timeout S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *node_text = NULL, *user = NULL, *password = NULL;
    unsigned wanted = 3;
    double timeout_s = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) == 0) {
            if (i + 1 >= argc)
                return usage();
            const char *v = argv[++i];
            if (strcmp(a, "--user") == 0)
                user = v;
            else if (strcmp(a, "--password") == 0)
                password = v;
            else if (strcmp(a, "--changes") == 0)
                wanted = (unsigned)atoi(v);
            else if (strcmp(a, "--timeout") == 0)
                timeout_s = atof(v);
            else
                return usage();
        } else if (!url) {
            url = a;
        } else if (!node_text) {
            node_text = a;
        } else {
            return usage();
        }
    }
    if (!url || !node_text || wanted < 1 || wanted > 1000 || timeout_s <= 0 || (!user != !password))
        return usage();
    ug_nodeid node;
    ug_status st = ug_nodeid_parse(node_text, strlen(node_text), &node, NULL);
    if (st != UG_STATUS_GOOD)
        return failed("NodeId", st);

    ug_loop *loop;
    st = ug_loop_new(NULL, &loop);
    if (st != UG_STATUS_GOOD)
        return failed("loop", st);
    struct ug_client_config cfg;
    ug_client_config_init(&cfg);
    cfg.endpoint_url = url;
    cfg.username = user;
    cfg.password = password;
    cfg.application_name = "uagate interop_sub";
    cfg.reconnect = false;
    ug_client *c;
    st = ug_client_new(loop, &cfg, &c);
    if (st != UG_STATUS_GOOD)
        return failed("client", st);
    int rc = 0;
    struct watch w = {.wanted = wanted};
    ug_client_sub *sub = NULL;
    double interval = 0;
    st = ug_client_connect(c);
    if (st != UG_STATUS_GOOD) {
        rc = failed("connect", st);
        goto out;
    }
    struct ug_client_sub_params sp = {.publishing_interval_ms = 100, .lifetime_count = 100,
                                      .max_keepalive_count = 10};
    st = ug_client_sub_create(c, &sp, on_sub_status, NULL, &sub);
    if (st != UG_STATUS_GOOD) {
        rc = failed("CreateSubscription", st);
        goto out;
    }
    struct ug_client_mon_params mp = {.node = node, .attribute_id = UG_ATTR_VALUE,
                                      .sampling_interval_ms = 100, .queue_size = 10,
                                      .discard_oldest = true, .cb = on_data, .ctx = &w};
    ug_client_mon *mon;
    st = ug_client_mon_create(sub, &mp, 1, &mon);
    if (st == UG_STATUS_GOOD)
        st = ug_client_mon_status(mon);
    if (st != UG_STATUS_GOOD) {
        rc = failed("CreateMonitoredItems", st);
        goto out;
    }
    st = ug_client_run_for(c, (int64_t)(timeout_s * 1e9), &w.done);
    if (st != UG_STATUS_GOOD) {
        rc = failed("Publish loop", st);
        goto out;
    }
    if (!w.done) {
        fprintf(stderr, "interop_sub: FAIL: %u data change(s), %u distinct value(s) in %.0f s (want %u)\n",
                w.changes, w.distinct, timeout_s, wanted);
        rc = 1;
        goto out;
    }
    if (w.bad_status) {
        fprintf(stderr, "interop_sub: FAIL: a data change carried a Bad status\n");
        rc = 1;
        goto out;
    }
    interval = ug_client_sub_interval_ms(sub);
    st = ug_client_sub_delete(sub);
    sub = NULL;
    if (st != UG_STATUS_GOOD) {
        rc = failed("DeleteSubscriptions", st);
        goto out;
    }
out:
    if (ug_client_state(c) == UG_CLIENT_SESSION_ACTIVATED) {
        /* CloseSession, CloseSecureChannel and the TCP close take a few
         * milliseconds on loopback; a slow goodbye is a bug too. */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = ug_client_disconnect(c);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        if (st != UG_STATUS_GOOD && rc == 0)
            rc = failed("CloseSession", st);
        else if (ms > 3000 && rc == 0) {
            fprintf(stderr, "interop_sub: FAIL: disconnect took %.0f ms\n", ms);
            rc = 1;
        }
    }
    ug_client_free(c);
    ug_loop_close(loop, -1);
    if (rc == 0)
        printf("OK %u changes, revised interval %.0f ms\n", w.changes, interval);
    return rc;
}
