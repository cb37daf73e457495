/* Client connect by host name (clientserver/conn_client.c, sockutil.c):
 * numeric addresses connect at once; a name is resolved on a worker thread
 * while the loop keeps running, the connect continues on the loop, a
 * failed lookup closes with BadNotConnected, and a conn closed while its
 * lookup runs cancels it by identity (ASan: no use-after-free, no leak).
 * Traffic only on loopback (listener on 127.0.0.1, port 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../clientserver/conn.h" /* internal header: tests/ has no clientserver/ include dir */
#include "harness.h"

struct ctx {
    ug_loop *loop;
    struct ug_timer tick;
    int ticks;
    int accepted, opened, closed;
    ug_status why;
    ug_conn *cli;
};

static void on_accept(ug_conn *c, void *data)
{
    (void)c;
    ((struct ctx *)data)->accepted++;
}

static void on_open(ug_conn *c, void *data)
{
    if (!ug_conn_is_server(c))
        ((struct ctx *)data)->opened++;
}

static void on_message(ug_conn *c, uint32_t request_id, uint32_t encoding_id, ug_rd *body,
                       void *data)
{
    (void)c;
    (void)request_id;
    (void)encoding_id;
    (void)body;
    (void)data;
}

static void on_closed(ug_conn *c, ug_status why, void *data)
{
    struct ctx *x = data;
    if (ug_conn_is_server(c))
        return;
    x->closed++;
    x->why = why;
    x->cli = NULL;
}

static const struct ug_conn_cbs cbs = {
    .on_accept = on_accept,
    .on_open = on_open,
    .on_message = on_message,
    .on_closed = on_closed,
};

static void tick_cb(ug_loop *loop, struct ug_timer *t)
{
    (void)loop;
    ((struct ctx *)t->data)->ticks++;
}

static void setup(struct ctx *x)
{
    memset(x, 0, sizeof *x);
    CU_ASSERT_EQUAL_FATAL(ug_loop_new(NULL, &x->loop), UG_STATUS_GOOD);
    ug_timer_init(&x->tick, tick_cb, x);
    ug_timer_start_cyclic(x->loop, &x->tick, 1000000, 0, UG_TIMER_CURRENT_TIME);
}

static void teardown(struct ctx *x)
{
    ug_timer_stop(x->loop, &x->tick);
    ug_loop_close(x->loop, -1);
}

/* Runs the loop until *flag >= want or 5 s pass. */
static bool run_until(ug_loop *loop, const int *flag, int want)
{
    int64_t end = ug_clock_mono_ns() + 5000000000LL;
    while (*flag < want && ug_clock_mono_ns() < end)
        ug_loop_run_once(loop, true);
    return *flag >= want;
}

static bool hosts_has_localhost(void)
{
    FILE *f = fopen("/etc/hosts", "r");
    if (!f)
        return false;
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        for (char *tok = strtok(line, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n"))
            if (strcmp(tok, "localhost") == 0)
                found = true;
    }
    fclose(f);
    return found;
}

/* A name resolves on a worker: ug_conn_connect returns before the lookup
 * ran (no peer address yet), the channel then opens over loopback. */
static void test_connect_localhost(void)
{
    if (!hosts_has_localhost()) {
        printf("\n  skipped: /etc/hosts has no localhost entry\n");
        return;
    }
    struct ctx x;
    setup(&x);
    ug_listener *l = NULL;
    CU_ASSERT_EQUAL_FATAL(
        ug_listener_start(x.loop, "127.0.0.1", 0, NULL, "urn:test:server", &cbs, &x, &l),
        UG_STATUS_GOOD);
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://localhost:%u/test", ug_listener_port(l));
    CU_ASSERT_EQUAL(ug_conn_connect(x.loop, url, NULL, &cbs, &x, &x.cli), UG_STATUS_GOOD);
    CU_ASSERT_STRING_EQUAL(ug_conn_peer_addr(x.cli), ""); /* not resolved on this thread */
    CU_ASSERT(run_until(x.loop, &x.opened, 1));
    CU_ASSERT_EQUAL(x.accepted, 1);
    CU_ASSERT_EQUAL(x.closed, 0);
    if (x.cli)
        CU_ASSERT_PTR_NOT_NULL(strstr(ug_conn_peer_addr(x.cli), "127.0.0.1"));
    ug_listener_free(l);
    CU_ASSERT(run_until(x.loop, &x.closed, 1));
    teardown(&x);
}

/* A numeric address needs no worker: the peer address is known at once. */
static void test_connect_numeric_at_once(void)
{
    struct ctx x;
    setup(&x);
    ug_listener *l = NULL;
    CU_ASSERT_EQUAL_FATAL(
        ug_listener_start(x.loop, "127.0.0.1", 0, NULL, "urn:test:server", &cbs, &x, &l),
        UG_STATUS_GOOD);
    char url[64];
    snprintf(url, sizeof url, "opc.tcp://127.0.0.1:%u", ug_listener_port(l));
    CU_ASSERT_EQUAL(ug_conn_connect(x.loop, url, NULL, &cbs, &x, &x.cli), UG_STATUS_GOOD);
    CU_ASSERT_PTR_NOT_NULL(strstr(ug_conn_peer_addr(x.cli), "127.0.0.1"));
    CU_ASSERT(run_until(x.loop, &x.opened, 1));
    ug_listener_free(l);
    CU_ASSERT(run_until(x.loop, &x.closed, 1));
    teardown(&x);
}

/* RFC 6761 ".invalid" never resolves: on_closed with BadNotConnected (what
 * the client's reconnect logic retries with backoff); the loop's timer
 * keeps firing while the worker waits for getaddrinfo. */
static void test_connect_unresolvable(void)
{
    struct ctx x;
    setup(&x);
    CU_ASSERT_EQUAL(ug_conn_connect(x.loop, "opc.tcp://nohost.invalid:4840", NULL, &cbs, &x,
                                    &x.cli),
                    UG_STATUS_GOOD);
    int64_t t0 = ug_clock_mono_ns();
    int ticks0 = x.ticks;
    if (!run_until(x.loop, &x.closed, 1)) {
        /* The resolver here waits on the network: closing cancels it. */
        printf("\n  skipped: getaddrinfo(nohost.invalid) takes over 5 s here\n");
        CU_ASSERT(x.ticks - ticks0 > 100); /* the loop ran meanwhile */
        ug_conn_close(x.cli);
        CU_ASSERT(run_until(x.loop, &x.closed, 1));
        teardown(&x);
        return;
    }
    int64_t ms = (ug_clock_mono_ns() - t0) / 1000000;
    CU_ASSERT_EQUAL(x.why, UG_STATUS_BADNOTCONNECTED);
    CU_ASSERT_EQUAL(x.opened, 0);
    /* A 1 ms timer: a lookup that lasted 5 ms or more must have seen ticks. */
    if (ms >= 5)
        CU_ASSERT(x.ticks - ticks0 >= 1);
    teardown(&x);
}

/* Closing while the lookup runs: on_closed once with the close's status,
 * no completion later (cancelled by identity), the worker's result freed. */
static void test_close_while_resolving(void)
{
    struct ctx x;
    setup(&x);
    const char *urls[] = {"opc.tcp://localhost:1", "opc.tcp://nohost.invalid:4840"};
    for (int i = 0; i < 2; i++) {
        x.closed = 0;
        CU_ASSERT_EQUAL(ug_conn_connect(x.loop, urls[i], NULL, &cbs, &x, &x.cli), UG_STATUS_GOOD);
        CU_ASSERT_STRING_EQUAL(ug_conn_peer_addr(x.cli), "");
        ug_conn_close(x.cli); /* the loop has not run: the lookup is pending */
        CU_ASSERT(run_until(x.loop, &x.closed, 1));
        CU_ASSERT_EQUAL(x.why, UG_STATUS_GOOD);
        /* Give the worker time to finish and post: nothing may arrive. */
        int64_t end = ug_clock_mono_ns() + 100000000LL;
        while (ug_clock_mono_ns() < end)
            ug_loop_run_once(x.loop, true);
        CU_ASSERT_EQUAL(x.closed, 1);
        CU_ASSERT_EQUAL(x.opened, 0);
    }
    teardown(&x);
}

/* The connect deadline covers the lookup: with a tiny hello_timeout the
 * conn closes with BadTimeout or, when the lookup wins, BadNotConnected. */
static void test_deadline_during_lookup(void)
{
    struct ctx x;
    setup(&x);
    struct ug_conn_limits lim;
    ug_conn_limits_init(&lim);
    lim.hello_timeout_ns = 1;
    CU_ASSERT_EQUAL(ug_conn_connect(x.loop, "opc.tcp://nohost.invalid:4840", &lim, &cbs, &x,
                                    &x.cli),
                    UG_STATUS_GOOD);
    CU_ASSERT(run_until(x.loop, &x.closed, 1));
    CU_ASSERT(x.why == UG_STATUS_BADTIMEOUT || x.why == UG_STATUS_BADNOTCONNECTED);
    int64_t end = ug_clock_mono_ns() + 100000000LL;
    while (ug_clock_mono_ns() < end)
        ug_loop_run_once(x.loop, true);
    CU_ASSERT_EQUAL(x.closed, 1);
    teardown(&x);
}

static CU_TestInfo tests[] = {
    {"connect by localhost", test_connect_localhost},
    {"numeric address at once", test_connect_numeric_at_once},
    {"unresolvable name", test_connect_unresolvable},
    {"close while resolving", test_close_while_resolving},
    {"deadline during lookup", test_deadline_during_lookup},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("connect", tests); }
