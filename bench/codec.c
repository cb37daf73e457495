/* bench/codec — UADP (and JSON) NetworkMessage encode/decode cost.
 *
 * Reference messages (issue "Foundation"):
 *   R1  PublisherId UInt16, GroupHeader (WriterGroupId, SequenceNumber),
 *       PayloadHeader with one DataSetWriterId, one key frame with a sequence
 *       number, Variant field encoding, 10 Int32 fields.
 *   R2  the same header, 100 fields cycling Int32, Double, Float, Boolean,
 *       String (16 ASCII characters), DateTime.
 *   R3  R1 with RawData field encoding: encoded through the fixed-layout path
 *       (write seq numbers and 10 values into the prebuilt frame) and through
 *       the general encoder; decoded with the reader's layout.
 *   *.decode.fixed  the reader side of the fixed layout (ug_uadp_fixed_rx):
 *       match the frame's constant bytes, read seq number and 10 values.
 *
 * Each operation runs in a timed loop of `iters` iterations, `runs` times; the
 * median ns/op is printed with min and max, and the heap allocations per op
 * (malloc is interposed below and counted during the timed loops).
 *
 * usage: codec [--runs N] [--iters N] [--only NAME] [--list]
 *   --only runs one operation (no table), for callgrind: bench/callgrind.sh
 * Prints figures, asserts nothing (exit 1 only if an operation fails).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uagate/binary.h"
#include "uagate/uadp.h"
#ifdef UG_HAVE_JSON
#include "uagate/json.h"
#endif

/* ---- counting allocator: glibc's entry points wrapped ---- */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static unsigned long g_allocs;
void *malloc(size_t n)
{
    g_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
    g_allocs++;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
    g_allocs++;
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Keeps the compiler from dropping work whose result is unused. */
static volatile uint64_t g_sink;

/* ---- reference messages ---- */

#define R2_FIELDS 100
static ug_dsm_field r1_fields[10], r2_fields[R2_FIELDS], r3_fields[10];
static ug_dsm r1_dsm, r2_dsm, r3_dsm;
static ug_nm r1, r2, r3;
static ug_field_meta r3_meta[10];
static ug_dsm_layout r3_layout;
static const char r2_text[] = "sixteen-chars-ab"; /* 16 ASCII characters */

static void ref_header(ug_nm *nm, ug_dsm *dsm)
{
    ug_nm_init(nm);
    nm->publisher_id.type = UG_PUBID_UINT16;
    nm->publisher_id.u64 = 2234;
    nm->has_group_header = true;
    nm->group.has_writer_group_id = true;
    nm->group.writer_group_id = 100;
    nm->group.has_seq = true;
    nm->group.seq = 1;
    nm->has_payload_header = true;
    ug_dsm_init(dsm);
    dsm->writer_id = 62541;
    dsm->has_writer_id = true;
    dsm->has_seq = true;
    dsm->seq = 1;
    nm->n_dsm = 1;
    nm->dsm = dsm;
}

static void set_int32(ug_dsm_field *f, int32_t v)
{
    memset(f, 0, sizeof *f);
    f->dv.mask = UG_DV_VALUE;
    f->dv.value = ug_variant_scalar(UG_TYPE_INT32);
    f->dv.value.u.v.int32 = v;
}

static void build_refs(void)
{
    ref_header(&r1, &r1_dsm);
    for (int i = 0; i < 10; i++)
        set_int32(&r1_fields[i], 1000 + i);
    r1_dsm.field_count = 10;
    r1_dsm.fields = r1_fields;

    ref_header(&r2, &r2_dsm);
    for (int i = 0; i < R2_FIELDS; i++) {
        ug_dsm_field *f = &r2_fields[i];
        memset(f, 0, sizeof *f);
        f->dv.mask = UG_DV_VALUE;
        switch (i % 6) {
        case 0:
            f->dv.value = ug_variant_scalar(UG_TYPE_INT32);
            f->dv.value.u.v.int32 = -i * 1000;
            break;
        case 1:
            f->dv.value = ug_variant_scalar(UG_TYPE_DOUBLE);
            f->dv.value.u.v.f64 = i * 0.1;
            break;
        case 2:
            f->dv.value = ug_variant_scalar(UG_TYPE_FLOAT);
            f->dv.value.u.v.f32 = (float)i * 0.25f;
            break;
        case 3:
            f->dv.value = ug_variant_scalar(UG_TYPE_BOOLEAN);
            f->dv.value.u.v.boolean = (i & 1) != 0;
            break;
        case 4:
            f->dv.value = ug_variant_scalar(UG_TYPE_STRING);
            f->dv.value.u.v.string = ug_string_from(r2_text);
            break;
        default:
            f->dv.value = ug_variant_scalar(UG_TYPE_DATETIME);
            f->dv.value.u.v.datetime = 133000000000000000LL + i;
            break;
        }
    }
    r2_dsm.field_count = R2_FIELDS;
    r2_dsm.fields = r2_fields;

    ref_header(&r3, &r3_dsm);
    for (int i = 0; i < 10; i++) {
        set_int32(&r3_fields[i], 1000 + i);
        memset(&r3_meta[i], 0, sizeof r3_meta[i]);
        r3_meta[i].builtin_type = UG_TYPE_INT32;
        r3_meta[i].value_rank = -1;
        r3_meta[i].n_array_dims = -1;
    }
    r3_dsm.field_encoding = UG_FE_RAWDATA;
    r3_dsm.field_count = 10;
    r3_dsm.fields = r3_fields;
    r3_layout.writer_id = 62541;
    r3_layout.n_fields = 10;
    r3_layout.fields = r3_meta;
}

/* ---- operations ---- */

static uint8_t g_buf[1 << 16];
static uint8_t g_wire_r1[4096], g_wire_r2[8192], g_wire_r3[4096];
static size_t g_len_r1, g_len_r2, g_len_r3;
static uint8_t g_arena_mem[1 << 16];
static ug_arena g_arena;
static ug_uadp_fixed g_fixed;
static uint8_t g_fixed_frame[1024];
static int g_failed;

static void check(ug_status st, const char *what)
{
    if (st != UG_STATUS_GOOD && !g_failed) {
        fprintf(stderr, "codec: %s failed: %s\n", what, ug_status_name(st));
        g_failed = 1;
    }
}

static void op_encode(const ug_nm *nm, uint64_t iters)
{
    size_t len = 0;
    for (uint64_t i = 0; i < iters; i++) {
        ug_status st = ug_uadp_encode(nm, g_buf, sizeof g_buf, &len);
        if (st != UG_STATUS_GOOD)
            check(st, "encode");
        g_sink += len;
    }
}

static void op_decode(const uint8_t *wire, size_t wlen, const ug_uadp_decode_opts *o, uint64_t iters)
{
    ug_nm nm;
    for (uint64_t i = 0; i < iters; i++) {
        ug_arena_reset(&g_arena);
        ug_status st = ug_uadp_decode(wire, wlen, &nm, o, NULL);
        if (st != UG_STATUS_GOOD)
            check(st, "decode");
        g_sink += nm.n_dsm;
    }
}

static void r1_encode(uint64_t n) { op_encode(&r1, n); }
static void r2_encode(uint64_t n) { op_encode(&r2, n); }
static void r3_encode(uint64_t n) { op_encode(&r3, n); }

static void r1_decode(uint64_t n)
{
    ug_uadp_decode_opts o = {.arena = &g_arena};
    op_decode(g_wire_r1, g_len_r1, &o, n);
}

static void r2_decode(uint64_t n)
{
    ug_uadp_decode_opts o = {.arena = &g_arena};
    op_decode(g_wire_r2, g_len_r2, &o, n);
}

static void r3_decode(uint64_t n)
{
    ug_uadp_decode_opts o = {.arena = &g_arena, .layouts = &r3_layout, .n_layouts = 1};
    op_decode(g_wire_r3, g_len_r3, &o, n);
}

/* A publish on the fixed layout: new sequence numbers and 10 new values. */
static void r3_fixed_publish(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        ug_uadp_fixed_set_seq(&g_fixed, (uint16_t)i);
        for (unsigned k = 0; k < 10; k++) {
            int32_t v = (int32_t)(i + k);
            memcpy(ug_uadp_fixed_field_ptr(&g_fixed, 0, k), &v, 4);
        }
        g_sink += g_fixed.frame[g_fixed.len - 1];
    }
}

/* Reader side of the fixed layout: match the prebuilt frame's constant bytes,
 * then read the sequence number and 10 values at precomputed offsets. */
static ug_uadp_fixed_rx g_rx_r1, g_rx_r3;
static uint8_t g_rx_mem_r1[1024], g_rx_mem_r3[1024];
static uint32_t g_off_r1[10];

static void r1_decode_fixed(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        ug_status st = ug_uadp_fixed_rx_match(&g_rx_r1, g_wire_r1, g_len_r1);
        if (st != UG_STATUS_GOOD)
            check(st, "fixed rx match R1");
        uint16_t seq = 0;
        ug_uadp_fixed_rx_dsm_seq(&g_rx_r1, g_wire_r1, 0, &seq);
        int32_t v[10];
        for (unsigned k = 0; k < 10; k++)
            memcpy(&v[k], g_wire_r1 + g_off_r1[k], 4);
        uint64_t sum = seq;
        for (unsigned k = 0; k < 10; k++)
            sum += (uint32_t)v[k];
        g_sink += sum;
    }
}

static void r3_decode_fixed(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        ug_status st = ug_uadp_fixed_rx_match(&g_rx_r3, g_wire_r3, g_len_r3);
        if (st != UG_STATUS_GOOD)
            check(st, "fixed rx match R3");
        uint16_t seq = 0;
        ug_uadp_fixed_rx_dsm_seq(&g_rx_r3, g_wire_r3, 0, &seq);
        int32_t v[10];
        st = ug_uadp_fixed_rx_get_packed(&g_rx_r3, g_wire_r3, 0, v, sizeof v);
        if (st != UG_STATUS_GOOD)
            check(st, "fixed rx get R3");
        uint64_t sum = seq;
        for (unsigned k = 0; k < 10; k++)
            sum += (uint32_t)v[k];
        g_sink += sum;
    }
}

#ifdef UG_HAVE_JSON
static uint8_t g_json_r1[2][4096], g_json_r2[2][16384];
static size_t g_jlen_r1[2], g_jlen_r2[2];
static ug_json_enc_opts g_jopts[2];

static void json_encode(const ug_nm *nm, int form, uint64_t n)
{
    size_t len = 0;
    for (uint64_t i = 0; i < n; i++) {
        ug_status st = ug_json_encode_nm(g_buf, sizeof g_buf, nm, &g_jopts[form], &len);
        if (st != UG_STATUS_GOOD)
            check(st, "json encode");
        g_sink += len;
    }
}

static void json_decode(const uint8_t *text, size_t len, uint64_t n)
{
    ug_nm nm;
    for (uint64_t i = 0; i < n; i++) {
        ug_arena_reset(&g_arena);
        ug_status st = ug_json_decode_nm(text, len, &nm, &ug_json_dec_default, &g_arena, NULL);
        if (st != UG_STATUS_GOOD)
            check(st, "json decode");
        g_sink += nm.n_dsm;
    }
}

static void j_r1_enc_c(uint64_t n) { json_encode(&r1, UG_JSON_COMPACT, n); }
static void j_r1_enc_v(uint64_t n) { json_encode(&r1, UG_JSON_VERBOSE, n); }
static void j_r2_enc_c(uint64_t n) { json_encode(&r2, UG_JSON_COMPACT, n); }
static void j_r2_enc_v(uint64_t n) { json_encode(&r2, UG_JSON_VERBOSE, n); }
static void j_r1_dec_c(uint64_t n) { json_decode(g_json_r1[0], g_jlen_r1[0], n); }
static void j_r1_dec_v(uint64_t n) { json_decode(g_json_r1[1], g_jlen_r1[1], n); }
static void j_r2_dec_c(uint64_t n) { json_decode(g_json_r2[0], g_jlen_r2[0], n); }
static void j_r2_dec_v(uint64_t n) { json_decode(g_json_r2[1], g_jlen_r2[1], n); }
#endif

struct op {
    const char *name;
    void (*fn)(uint64_t);
    double target_ns; /* the target, 0 when none */
};

static const struct op ops[] = {
    {"uadp.r1.encode", r1_encode, 30},
    {"uadp.r1.decode", r1_decode, 45},
    {"uadp.r1.decode.fixed", r1_decode_fixed, 45},
    {"uadp.r2.encode", r2_encode, 300},
    {"uadp.r2.decode", r2_decode, 400},
    {"uadp.r3.encode.fixed", r3_fixed_publish, 10},
    {"uadp.r3.encode.general", r3_encode, 0},
    {"uadp.r3.decode", r3_decode, 30},
    {"uadp.r3.decode.fixed", r3_decode_fixed, 30},
#ifdef UG_HAVE_JSON
    {"json.r1.encode.compact", j_r1_enc_c, 170},
    {"json.r1.encode.verbose", j_r1_enc_v, 170},
    {"json.r1.decode.compact", j_r1_dec_c, 320},
    {"json.r1.decode.verbose", j_r1_dec_v, 320},
    {"json.r2.encode.compact", j_r2_enc_c, 2000},
    {"json.r2.encode.verbose", j_r2_enc_v, 2000},
    {"json.r2.decode.compact", j_r2_dec_c, 5000},
    {"json.r2.decode.verbose", j_r2_dec_v, 5000},
#endif
};
#define N_OPS (sizeof ops / sizeof ops[0])

static int prepare(void)
{
    build_refs();
    ug_arena_init(&g_arena, g_arena_mem, sizeof g_arena_mem, false);
    check(ug_uadp_encode(&r1, g_wire_r1, sizeof g_wire_r1, &g_len_r1), "encode R1");
    check(ug_uadp_encode(&r2, g_wire_r2, sizeof g_wire_r2, &g_len_r2), "encode R2");
    check(ug_uadp_encode(&r3, g_wire_r3, sizeof g_wire_r3, &g_len_r3), "encode R3");
    check(ug_uadp_fixed_init(&g_fixed, &r3, g_fixed_frame, sizeof g_fixed_frame), "fixed init R3");
    check(ug_uadp_fixed_rx_init(&g_rx_r1, &r1, g_rx_mem_r1, sizeof g_rx_mem_r1), "fixed rx init R1");
    check(ug_uadp_fixed_rx_init(&g_rx_r3, &r3, g_rx_mem_r3, sizeof g_rx_mem_r3), "fixed rx init R3");
    for (unsigned k = 0; k < 10; k++)
        g_off_r1[k] = ug_uadp_fixed_rx_field_off(&g_rx_r1, 0, k);
    if (!g_failed && (g_fixed.len != g_len_r3 || memcmp(g_fixed.frame, g_wire_r3, g_len_r3) != 0)) {
        fprintf(stderr, "codec: fixed frame differs from the general encoder\n");
        g_failed = 1;
    }
#ifdef UG_HAVE_JSON
    for (int form = 0; form < 2; form++) {
        g_jopts[form] = ug_json_enc_default;
        g_jopts[form].form = (uint8_t)form;
        check(ug_json_encode_nm(g_json_r1[form], sizeof g_json_r1[form], &r1, &g_jopts[form],
                                &g_jlen_r1[form]), "json encode R1");
        check(ug_json_encode_nm(g_json_r2[form], sizeof g_json_r2[form], &r2, &g_jopts[form],
                                &g_jlen_r2[form]), "json encode R2");
    }
#endif
    return g_failed ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = 7;
    uint64_t iters = 0;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
            iters = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--list")) {
            for (size_t k = 0; k < N_OPS; k++)
                puts(ops[k].name);
            return 0;
        } else {
            fprintf(stderr, "usage: codec [--runs N] [--iters N] [--only NAME] [--list]\n");
            return 2;
        }
    }
    if (runs < 1 || runs > 101)
        runs = 7;
    if (prepare() != 0)
        return 1;

    if (only) {
        for (size_t k = 0; k < N_OPS; k++)
            if (!strcmp(ops[k].name, only)) {
                ops[k].fn(iters ? iters : 1000);
                return g_failed;
            }
        fprintf(stderr, "codec: no operation %s (see --list)\n", only);
        return 2;
    }

    printf("message sizes: R1 %zu B, R2 %zu B, R3 %zu B (UADP)\n", g_len_r1, g_len_r2, g_len_r3);
#ifdef UG_HAVE_JSON
    printf("               R1 %zu/%zu B, R2 %zu/%zu B (JSON compact/verbose)\n", g_jlen_r1[0],
           g_jlen_r1[1], g_jlen_r2[0], g_jlen_r2[1]);
#endif
    printf("%-26s %10s %10s %10s %12s %10s\n", "operation", "median ns", "min ns", "max ns",
           "allocs/op", "target ns");
    for (size_t k = 0; k < N_OPS; k++) {
        /* calibrate: about 20 ms per run */
        uint64_t n = iters;
        if (!n) {
            n = 1000;
            for (;;) {
                uint64_t t0 = now_ns();
                ops[k].fn(n);
                uint64_t dt = now_ns() - t0;
                if (dt > 20000000 || n > (1ull << 30))
                    break;
                n *= dt < 2000000 ? 10 : 2;
            }
        }
        double per[101];
        unsigned long allocs = 0;
        for (int r = 0; r < runs; r++) {
            unsigned long a0 = g_allocs;
            uint64_t t0 = now_ns();
            ops[k].fn(n);
            uint64_t dt = now_ns() - t0;
            allocs += g_allocs - a0;
            per[r] = (double)dt / (double)n;
        }
        qsort(per, (size_t)runs, sizeof per[0], cmp_double);
        char target[16] = "-";
        if (ops[k].target_ns > 0)
            snprintf(target, sizeof target, "%.0f", ops[k].target_ns);
        printf("%-26s %10.1f %10.1f %10.1f %12.4f %10s\n", ops[k].name, per[runs / 2], per[0],
               per[runs - 1], (double)allocs / ((double)n * runs), target);
    }
    return g_failed;
}
