/* Publisher and subscriber over the real UDP transport on 127.0.0.1 (a free
 * port), in one loop: values arrive in order, a reader filters by ids,
 * chunked messages cross, and a removed group stops without disturbing the
 * other. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ps_test.h"

#define MS 1000000LL

/* A UDP port nobody uses right now on 127.0.0.1. */
static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof(a);
    uint16_t port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &l) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

typedef struct udp_bench {
    ug_loop *loop;
    ug_pubsub *ps;
    ug_ps_connection *pub, *sub;
    ug_reader_group *rg;
    ug_pds *pds, *big;
} udp_bench;

static int setup(udp_bench *b)
{
    memset(b, 0, sizeof(*b));
    uint16_t port = free_port();
    if (!port)
        return -1;
    char url[64];
    snprintf(url, sizeof(url), "opc.udp://127.0.0.1:%u", port);
    CU_ASSERT_FATAL(ug_loop_new(NULL, &b->loop) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_pubsub_new(b->loop, NULL, &b->ps) == UG_STATUS_GOOD);
    ug_connection_config sc = {.name = "sub", .url = url};
    sc.transport.mode = UG_TRANSPORT_RECV;
    sc.transport.max_msg = 2048;
    sc.transport.rcvbuf = 1 << 20;
    CU_ASSERT_FATAL(ug_pubsub_add_connection(b->ps, &sc, &b->sub) == UG_STATUS_GOOD);
    ug_connection_config pc = {.name = "pub", .url = url,
                               .publisher_id = {.type = UG_PUBID_UINT32, .u64 = 4711}};
    pc.transport.mode = UG_TRANSPORT_SEND;
    pc.transport.max_msg = 2048;
    CU_ASSERT_FATAL(ug_pubsub_add_connection(b->ps, &pc, &b->pub) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_ps_connection_add_reader_group(b->sub, NULL, &b->rg) == UG_STATUS_GOOD);
    ug_pds_field f[3] = {
        {.name = "counter", .builtin_type = UG_TYPE_UINT32,
         .source = {.kind = UG_PS_SRC_SIM, .sim = {.shape = UG_PS_SIM_COUNTER, .step = 1}}},
        {.name = "sine", .builtin_type = UG_TYPE_DOUBLE,
         .source = {.kind = UG_PS_SRC_SIM, .sim = {.shape = UG_PS_SIM_SINE, .amplitude = 10,
                                                   .period_ns = 100 * MS}}},
        {.name = "walk", .builtin_type = UG_TYPE_INT16,
         .source = {.kind = UG_PS_SRC_SIM, .sim = {.shape = UG_PS_SIM_RANDOM_WALK, .step = 1,
                                                   .amplitude = 100, .seed = 7}}},
    };
    ug_pds_config dc = {.name = "sim", .n_fields = 3, .fields = f};
    CU_ASSERT_FATAL(ug_pubsub_add_pds(b->ps, &dc, &b->pds) == UG_STATUS_GOOD);
    enum { N = 200 };
    static ug_pds_field bf[N];
    for (int i = 0; i < N; i++)
        bf[i] = (ug_pds_field){.name = "x", .builtin_type = UG_TYPE_DOUBLE,
                               .source = {.kind = UG_PS_SRC_SIM,
                                          .sim = {.shape = UG_PS_SIM_COUNTER, .offset = i}}};
    ug_pds_config bc = {.name = "big", .n_fields = N, .fields = bf};
    CU_ASSERT_FATAL(ug_pubsub_add_pds(b->ps, &bc, &b->big) == UG_STATUS_GOOD);
    ug_ps_enable(ug_pubsub_comp(b->ps));
    CU_ASSERT_EQUAL(ug_ps_enable(ug_ps_connection_comp(b->sub)), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_ps_enable(ug_ps_connection_comp(b->pub)), UG_STATUS_GOOD);
    ug_ps_enable(ug_reader_group_comp(b->rg));
    return 0;
}

static void teardown(udp_bench *b)
{
    ug_pubsub_free(b->ps);
    ps_run_for(b->loop, 5); /* let the transports finish closing */
    ug_loop_close(b->loop, -1);
}

static ug_writer_group *group(udp_bench *b, uint16_t wgid, uint16_t wid, ug_pds *pds,
                              uint32_t max_nm)
{
    ug_writer_group_config gc = {.name = "wg", .writer_group_id = wgid,
                                 .publishing_interval_ns = 2 * MS, .max_nm_size = max_nm};
    ug_writer_group *g;
    CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(b->pub, &gc, &g) == UG_STATUS_GOOD);
    ug_dataset_writer_config wc = {.name = "w", .writer_id = wid, .pds = pds};
    ug_dataset_writer *w;
    CU_ASSERT_FATAL(ug_writer_group_add_writer(g, &wc, &w) == UG_STATUS_GOOD);
    ug_ps_enable(ug_dataset_writer_comp(w));
    ug_ps_enable(ug_writer_group_comp(g));
    return g;
}

static ug_dataset_reader *reader(udp_bench *b, uint16_t wgid, uint16_t wid, ug_pds *pds)
{
    ug_dataset_reader_config rc = {.name = "r", .has_publisher_id = true,
                                   .publisher_id = {.type = UG_PUBID_UINT32, .u64 = 4711},
                                   .writer_group_id = wgid, .writer_id = wid,
                                   .receive_timeout_ns = 200 * MS,
                                   .metadata = ug_pds_metadata(pds), .mirror = true};
    ug_dataset_reader *r;
    CU_ASSERT_FATAL(ug_reader_group_add_reader(b->rg, &rc, &r) == UG_STATUS_GOOD);
    ug_ps_enable(ug_dataset_reader_comp(r));
    return r;
}

static void test_udp_loopback(void)
{
    udp_bench b;
    if (setup(&b) != 0) {
        CU_FAIL("no free UDP port on 127.0.0.1");
        return;
    }
    ug_writer_group *g1 = group(&b, 1, 1, b.pds, 0);
    ug_writer_group *g2 = group(&b, 2, 2, b.big, 512);
    ug_dataset_reader *r1 = reader(&b, 1, 1, b.pds);
    ug_dataset_reader *r2 = reader(&b, 2, 2, b.big);
    const ug_ps_diag *d1 = ug_ps_diag_of(ug_dataset_reader_comp(r1));
    const ug_ps_diag *d2 = ug_ps_diag_of(ug_dataset_reader_comp(r2));
    PS_RUN_UNTIL(b.loop, d1->received >= 20 && d2->received >= 3, 5000);
    CU_ASSERT_EQUAL(ug_ps_state(ug_ps_connection_comp(b.pub)), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_TRUE(ug_writer_group_is_fixed(g1));
    CU_ASSERT_FALSE(ug_writer_group_is_fixed(g2));
    CU_ASSERT_EQUAL(ug_ps_state(ug_dataset_reader_comp(r1)), UG_PUBSUB_OPERATIONAL);
    const ug_ps_diag *g1d = ug_ps_diag_of(ug_writer_group_comp(g1));
    /* Loopback may drop under load, but most arrive and none is reordered. */
    CU_ASSERT(d1->received >= 20);
    CU_ASSERT(d1->received * 2 >= g1d->sent);
    CU_ASSERT_EQUAL(d1->dropped[UG_PS_DROP_STALE], 0);
    CU_ASSERT(d2->received >= 3); /* chunked over 512-byte messages */
    CU_ASSERT(ug_ps_diag_of(ug_writer_group_comp(g2))->chunks_sent > 5);
    /* The counter field mirrors the writer's sequence: each key frame adds 1. */
    const ug_datavalue *c = ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r1, 0));
    CU_ASSERT_EQUAL(c->value.type, UG_TYPE_UINT32);
    CU_ASSERT(c->value.u.v.uint32 >= 10);
    CU_ASSERT_EQUAL(ug_pubsub_store_read(b.ps, ug_dataset_reader_slot(r2, 150))->value.u.v.f64,
                    150.0);
    /* Removing group 2 leaves group 1 alone; reader 2 times out. */
    ug_writer_group_remove(g2);
    uint64_t before = d1->received;
    ug_ps_comp *r2c = ug_dataset_reader_comp(r2);
    PS_RUN_UNTIL(b.loop, ug_ps_state(r2c) == UG_PUBSUB_ERROR && d1->received >= before + 20, 5000);
    CU_ASSERT(d1->received >= before + 20);
    CU_ASSERT_EQUAL(ug_ps_state(ug_dataset_reader_comp(r1)), UG_PUBSUB_OPERATIONAL);
    CU_ASSERT_EQUAL(ug_ps_state(ug_dataset_reader_comp(r2)), UG_PUBSUB_ERROR);
    CU_ASSERT_EQUAL(d2->timeouts, 1);
    /* A reader for another publisher sees nothing; the connection counts the
     * early drops of messages for nobody after removing reader 1. */
    ug_dataset_reader_remove(r1);
    ug_dataset_reader_remove(r2);
    const ug_ps_diag *cd = ug_ps_diag_of(ug_ps_connection_comp(b.sub));
    PS_RUN_UNTIL(b.loop, cd->dropped[UG_PS_DROP_NO_READER] >= 3, 5000);
    CU_ASSERT(cd->dropped[UG_PS_DROP_NO_READER] >= 3);
    teardown(&b);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"udp loopback", test_udp_loopback},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("pubsub/udp", tests);
}
