/* No allocation per message in steady state (DESIGN.md): publishing through
 * the fixed-layout path, the general encoder with delta frames and
 * keep-alives, chunking and JSON, and receiving all of them, over the fake
 * link. malloc/calloc/realloc are counted by interposing them; under
 * AddressSanitizer (which owns the allocator) the program skips. */
#include "ps_test.h"

#ifndef __SANITIZE_ADDRESS__
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);

static volatile unsigned long n_allocs;

void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);

void *malloc(size_t n)
{
    n_allocs++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    n_allocs++;
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    n_allocs++;
    return __libc_realloc(p, n);
}
#endif

#define MS 1000000LL

#ifndef __SANITIZE_ADDRESS__
static ug_status drop(void *ctx, const uint8_t *m, size_t l)
{
    (void)ctx;
    (void)m;
    (void)l;
    return UG_STATUS_GOOD;
}
#endif

static void test_steady_state(void)
{
#ifndef __SANITIZE_ADDRESS__
    ug_loop *loop;
    ug_pubsub *ps;
    CU_ASSERT_FATAL(ug_loop_new(NULL, &loop) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_pubsub_new(loop, NULL, &ps) == UG_STATUS_GOOD);
    ps_fake *link = calloc(1, sizeof(*link));
    ug_ps_link sl = {.send = drop};
    ug_connection_config sc = {.name = "sub", .link = &sl};
    ug_ps_connection *sub, *pub;
    CU_ASSERT_FATAL(ug_pubsub_add_connection(ps, &sc, &sub) == UG_STATUS_GOOD);
    link->to = sub;
    ug_ps_link pl = {.send = ps_fake_send, .ctx = link};
    ug_connection_config pc = {.name = "pub", .publisher_id = {.type = UG_PUBID_BYTE, .u64 = 3},
                               .link = &pl};
    CU_ASSERT_FATAL(ug_pubsub_add_connection(ps, &pc, &pub) == UG_STATUS_GOOD);
    uint32_t slot;
    CU_ASSERT_FATAL(ug_pubsub_store_add(ps, UG_TYPE_FLOAT, &slot) == UG_STATUS_GOOD);
    enum { N = 100 };
    ug_pds_field f[N];
    for (int i = 0; i < N; i++)
        f[i] = (ug_pds_field){.name = "f", .builtin_type = UG_TYPE_DOUBLE,
                              .source = {.kind = UG_PS_SRC_SIM,
                                         .sim = {.shape = i % 2 ? UG_PS_SIM_SINE : UG_PS_SIM_SQUARE,
                                                 .amplitude = 1, .period_ns = 20 * MS}}};
    f[0] = (ug_pds_field){.name = "s", .builtin_type = UG_TYPE_FLOAT,
                          .source = {.kind = UG_PS_SRC_STORE, .slot = slot}};
    ug_pds_config small = {.name = "small", .n_fields = 1, .fields = f};
    ug_pds_config large = {.name = "large", .n_fields = N, .fields = f};
    ug_pds *ps_small, *ps_large;
    CU_ASSERT_FATAL(ug_pubsub_add_pds(ps, &small, &ps_small) == UG_STATUS_GOOD);
    CU_ASSERT_FATAL(ug_pubsub_add_pds(ps, &large, &ps_large) == UG_STATUS_GOOD);
    ug_reader_group *rg;
    CU_ASSERT_FATAL(ug_ps_connection_add_reader_group(sub, NULL, &rg) == UG_STATUS_GOOD);
    ug_ps_enable(ug_reader_group_comp(rg));
    /* Four groups: fixed, delta/keep-alive, chunked, JSON. */
    struct {
        uint16_t id;
        uint8_t enc;
        uint32_t kfc, max_nm;
        ug_pds *pds;
    } groups[] = {
        {1, UG_PS_UADP, 1, 0, ps_small},
        {2, UG_PS_UADP, 4, 0, ps_large},
        {3, UG_PS_UADP, 1, 300, ps_large},
        {4, UG_PS_JSON, 2, 0, ps_small},
    };
    ug_writer_group *wg[4];
    ug_dataset_reader *rd[4];
    for (int i = 0; i < 4; i++) {
        ug_writer_group_config gc = {.name = "g", .writer_group_id = groups[i].id,
                                     .publishing_interval_ns = 2 * MS, .encoding = groups[i].enc,
                                     .max_nm_size = groups[i].max_nm, .announce_metadata = true};
        CU_ASSERT_FATAL(ug_ps_connection_add_writer_group(pub, &gc, &wg[i]) == UG_STATUS_GOOD);
        ug_dataset_writer_config wc = {.name = "w", .writer_id = groups[i].id,
                                       .key_frame_count = groups[i].kfc, .pds = groups[i].pds};
        ug_dataset_writer *w;
        CU_ASSERT_FATAL(ug_writer_group_add_writer(wg[i], &wc, &w) == UG_STATUS_GOOD);
        ug_ps_enable(ug_dataset_writer_comp(w));
        ug_ps_enable(ug_writer_group_comp(wg[i]));
        ug_dataset_reader_config rc = {.name = "r", .writer_group_id = groups[i].enc == UG_PS_JSON ? 0 : groups[i].id,
                                       .writer_id = groups[i].id, .receive_timeout_ns = 500 * MS,
                                       .metadata = ug_pds_metadata(groups[i].pds), .mirror = true};
        CU_ASSERT_FATAL(ug_reader_group_add_reader(rg, &rc, &rd[i]) == UG_STATUS_GOOD);
        ug_ps_enable(ug_dataset_reader_comp(rd[i]));
    }
    ug_ps_enable(ug_ps_connection_comp(sub));
    ug_ps_enable(ug_ps_connection_comp(pub));
    ug_ps_enable(ug_pubsub_comp(ps));
    /* Warm-up: buffers sized, metadata announced, every reader fed. */
    PS_RUN_UNTIL(loop,
                 ug_ps_diag_of(ug_dataset_reader_comp(rd[0]))->received >= 3 &&
                     ug_ps_diag_of(ug_dataset_reader_comp(rd[1]))->received >= 3 &&
                     ug_ps_diag_of(ug_dataset_reader_comp(rd[2]))->received >= 3 &&
                     ug_ps_diag_of(ug_dataset_reader_comp(rd[3]))->received >= 3,
                 5000);
    CU_ASSERT_TRUE(ug_writer_group_is_fixed(wg[0]));
    uint64_t rx_before[4];
    for (int i = 0; i < 4; i++)
        rx_before[i] = ug_ps_diag_of(ug_dataset_reader_comp(rd[i]))->received;
    /* The counter sees the engine's allocations (set-up made many). */
    CU_ASSERT(n_allocs > 20);
    unsigned long before = n_allocs;
    ug_datavalue dv = {.mask = UG_DV_VALUE, .value = ug_variant_scalar(UG_TYPE_FLOAT)};
    const ug_ps_diag *d0 = ug_ps_diag_of(ug_dataset_reader_comp(rd[0]));
    for (int k = 0; k < 20; k++) {
        dv.value.u.v.f32 = (float)k;
        ug_pubsub_store_write(ps, slot, &dv);
        uint64_t n = d0->received;
        PS_RUN_UNTIL(loop, d0->received > n, 5000);
    }
    const ug_ps_diag *d2 = ug_ps_diag_of(ug_dataset_reader_comp(rd[2]));
    PS_RUN_UNTIL(loop, d2->received > rx_before[2] + 5, 5000);
    unsigned long used = n_allocs - before;
    CU_ASSERT_EQUAL(used, 0);
    for (int i = 0; i < 4; i++) {
        const ug_ps_diag *d = ug_ps_diag_of(ug_dataset_reader_comp(rd[i]));
        CU_ASSERT(d->received > rx_before[i] + 5);
        CU_ASSERT_EQUAL(d->decode_errors, 0);
        CU_ASSERT_EQUAL(ug_ps_state(ug_dataset_reader_comp(rd[i])), UG_PUBSUB_OPERATIONAL);
    }
    /* The chunked group really chunked. */
    CU_ASSERT(ug_ps_diag_of(ug_writer_group_comp(wg[2]))->chunks_sent > 0);
    ug_pubsub_free(ps);
    ug_loop_close(loop, -1);
    free(link);
#endif
}

int main(void)
{
#ifdef __SANITIZE_ADDRESS__
    puts("skipped: AddressSanitizer owns malloc, allocations cannot be counted");
    return 77;
#endif
    CU_TestInfo tests[] = {
        {"no allocation in steady state", test_steady_state},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("pubsub/alloc", tests);
}
