/* UADP chunking (uadp/chunk.c): split over many sizes, reassembly in every
 * order, duplicates, losses, inconsistent chunks, limits, eviction, and the
 * reassembled DataSetMessage decoding to the original fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/uadp.h"
#include "uagate/uadp_ext.h"

/* ---- messages to split ---- */

#define MAX_DSM 8

typedef struct tmsg {
    ug_nm nm;
    ug_dsm dsm[MAX_DSM];
    ug_dsm_field fields[MAX_DSM][2];
    uint8_t *blob[MAX_DSM];
    size_t size[MAX_DSM];
} tmsg;

static uint8_t pattern(size_t dsm, size_t k) { return (uint8_t)(dsm * 37 + k * 31 + (k >> 8)); }

/* n DataSetMessages (writer ids 100+i, sequence 500+i); DataSetMessage i has
 * an Int32 field and a ByteString field of sizes[i] bytes. */
static void tmsg_build(tmsg *t, size_t n, const size_t *sizes, bool sign)
{
    static const uint8_t nonce[8] = {1, 2, 3, 4, 0, 0, 0, 1};
    memset(t, 0, sizeof *t);
    ug_nm_init(&t->nm);
    t->nm.publisher_id.type = UG_PUBID_UINT16;
    t->nm.publisher_id.u64 = 1000;
    t->nm.has_group_header = true;
    t->nm.group.has_writer_group_id = true;
    t->nm.group.writer_group_id = 100;
    t->nm.group.has_seq = true;
    t->nm.group.seq = 42;
    t->nm.has_payload_header = true;
    if (sign) {
        t->nm.has_security = true;
        t->nm.security.flags = UG_SEC_SIGNED | UG_SEC_ENCRYPTED;
        t->nm.security.token_id = 1;
        t->nm.security.nonce = (ug_bytes){nonce, 8};
    }
    for (size_t i = 0; i < n; i++) {
        t->size[i] = sizes[i];
        t->blob[i] = malloc(sizes[i] ? sizes[i] : 1);
        for (size_t k = 0; k < sizes[i]; k++)
            t->blob[i][k] = pattern(i, k);
        ug_dsm *d = &t->dsm[i];
        ug_dsm_init(d);
        d->writer_id = (uint16_t)(100 + i);
        d->has_seq = true;
        d->seq = (uint16_t)(500 + i);
        t->fields[i][0].dv.mask = UG_DV_VALUE;
        t->fields[i][0].dv.value = ug_variant_scalar(UG_TYPE_INT32);
        t->fields[i][0].dv.value.u.v.int32 = (int32_t)(i * 7 - 3);
        t->fields[i][1].dv.mask = UG_DV_VALUE;
        t->fields[i][1].dv.value = ug_variant_scalar(UG_TYPE_BYTESTRING);
        t->fields[i][1].dv.value.u.v.string = (ug_bytes){t->blob[i], (int32_t)sizes[i]};
        d->field_count = 2;
        d->fields = t->fields[i];
    }
    t->nm.n_dsm = (uint16_t)n;
    t->nm.dsm = t->dsm;
}

static void tmsg_free(tmsg *t)
{
    for (size_t i = 0; i < MAX_DSM; i++)
        free(t->blob[i]);
}

/* The decoded DataSetMessage is DataSetMessage i of t. */
static bool dsm_matches(const tmsg *t, size_t i, const ug_dsm *d)
{
    if (d->writer_id != t->dsm[i].writer_id || !d->has_seq || d->seq != t->dsm[i].seq ||
        d->field_count != 2)
        return false;
    const ug_variant *a = &d->fields[0].dv.value, *b = &d->fields[1].dv.value;
    return a->type == UG_TYPE_INT32 && a->u.v.int32 == t->fields[i][0].dv.value.u.v.int32 &&
           b->type == UG_TYPE_BYTESTRING && b->u.v.string.len == (int32_t)t->size[i] &&
           (t->size[i] == 0 || memcmp(b->u.v.string.data, t->blob[i], t->size[i]) == 0);
}

/* ---- what ug_uadp_split emits ---- */

#define SINK_MAX 8192

typedef struct sink {
    size_t n;
    uint8_t *msg[SINK_MAX];
    size_t len[SINK_MAX];
    size_t max_size;
    size_t room;    /* signature room the template needs */
    size_t fail_at; /* 1-based call that fails, 0 never */
    ug_uadp_crypto *crypto;
    const ug_uadp_keys *keys;
    bool bad;
} sink;

static ug_status collect(void *ctx, uint8_t *m, size_t len, size_t cap)
{
    sink *s = ctx;
    if (s->fail_at && s->n + 1 == s->fail_at)
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    if (s->n == SINK_MAX || len + s->room > s->max_size || cap < len + s->room) {
        s->bad = true;
        return UG_STATUS_BADINTERNALERROR;
    }
    if (s->crypto) {
        uint8_t nonce[8] = {0xA0, 0, 0, 0};
        uint32_t seq = (uint32_t)s->n + 1;
        memcpy(nonce + 4, &seq, 4);
        if (ug_uadp_set_nonce(m, len, nonce, 8) != UG_STATUS_GOOD ||
            ug_uadp_secure(s->crypto, m, len, cap, s->keys, &len) != UG_STATUS_GOOD ||
            len > s->max_size) {
            s->bad = true;
            return UG_STATUS_BADINTERNALERROR;
        }
    }
    s->msg[s->n] = malloc(len);
    memcpy(s->msg[s->n], m, len);
    s->len[s->n++] = len;
    return UG_STATUS_GOOD;
}

static void sink_free(sink *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->msg[i]);
    s->n = 0;
}

static void shuffle(size_t *a, size_t n, unsigned *seed)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rand_r(seed) % i;
        size_t x = a[i - 1];
        a[i - 1] = a[j];
        a[j] = x;
    }
}

enum order { IN_ORDER, REVERSE, RANDOM, DUPLICATED, N_ORDERS };

typedef struct decoded {
    size_t n;
    ug_nm nm[SINK_MAX];
} decoded;

static decoded dec;
static _Alignas(8) uint8_t arena_buf[8u << 20];

/* Decode everything emitted, feed the chunks to a reassembler in `order`,
 * and check that each DataSetMessage of t comes out exactly once, whole and
 * equal, either in a plain NetworkMessage or reassembled. */
static void verify(const tmsg *t, sink *s, enum order order, unsigned seed)
{
    ug_arena a;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    ug_limits lim = ug_limits_default;
    lim.max_string_len = 1u << 20; /* the 70000-byte ByteString */
    ug_uadp_decode_opts o = {.arena = &a, .limits = &lim};
    bool seen[MAX_DSM] = {0};
    size_t idx[2 * SINK_MAX], n_chunks = 0;
    size_t chunk_len_first = 0;
    dec.n = 0;
    for (size_t i = 0; i < s->n; i++) {
        ug_nm *nm = &dec.nm[dec.n++];
        size_t len = s->len[i];
        if (s->crypto) {
            CU_ASSERT_EQUAL_FATAL(ug_uadp_unsecure(s->crypto, s->msg[i], len, s->keys, &len),
                                  UG_STATUS_GOOD);
            CU_ASSERT_EQUAL_FATAL(ug_uadp_decode_plain(s->msg[i], len, nm, &o, NULL),
                                  UG_STATUS_GOOD);
        } else {
            CU_ASSERT_EQUAL_FATAL(ug_uadp_decode(s->msg[i], len, nm, &o, NULL), UG_STATUS_GOOD);
        }
        CU_ASSERT_EQUAL(nm->publisher_id.u64, 1000);
        CU_ASSERT_EQUAL(nm->group.writer_group_id, 100);
        if (!nm->is_chunk) {
            for (size_t k = 0; k < nm->n_dsm; k++) {
                size_t which = nm->dsm[k].writer_id - 100u;
                CU_ASSERT_FATAL(which < MAX_DSM);
                CU_ASSERT_FALSE(seen[which]);
                seen[which] = true;
                CU_ASSERT(dsm_matches(t, which, &nm->dsm[k]));
            }
            continue;
        }
        /* Part 14 Table 159: all chunks but the last have the same size. */
        const ug_chunk *c = &nm->chunk;
        if (c->offset == 0)
            chunk_len_first = (size_t)c->data.len;
        else if (c->offset + (size_t)c->data.len < c->total_size)
            CU_ASSERT_EQUAL(c->offset % chunk_len_first, 0);
        idx[n_chunks++] = dec.n - 1;
    }
    if (order == REVERSE)
        for (size_t i = 0; i < n_chunks / 2; i++) {
            size_t x = idx[i];
            idx[i] = idx[n_chunks - 1 - i];
            idx[n_chunks - 1 - i] = x;
        }
    if (order == DUPLICATED) {
        memcpy(idx + n_chunks, idx, n_chunks * sizeof idx[0]);
        n_chunks *= 2;
    }
    if (order == RANDOM || order == DUPLICATED)
        shuffle(idx, n_chunks, &seed);

    ug_uadp_reasm r;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_init(&r, NULL), UG_STATUS_GOOD);
    for (size_t i = 0; i < n_chunks; i++) {
        ug_uadp_reasm_msg m;
        bool done = false;
        CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_add_nm(&r, &dec.nm[idx[i]], &m, &done), UG_STATUS_GOOD);
        if (!done)
            continue;
        size_t which = m.writer_id - 100u;
        CU_ASSERT_FATAL(which < MAX_DSM);
        CU_ASSERT_FALSE(seen[which]);
        seen[which] = true;
        CU_ASSERT_EQUAL(m.msg_seq, 7);
        CU_ASSERT_EQUAL(m.writer_group_id, 100);
        CU_ASSERT_EQUAL(m.publisher_id.u64, 1000);
        ug_dsm d;
        ug_status ds = ug_uadp_reasm_decode(&m, &o, &d);
        if (ds != UG_STATUS_GOOD)
            fprintf(stderr, "reasm_decode writer %u len %zu -> 0x%08X\n", m.writer_id, m.len, ds);
        CU_ASSERT_EQUAL_FATAL(ds, UG_STATUS_GOOD);
        CU_ASSERT(dsm_matches(t, which, &d));
    }
    for (size_t i = 0; i < t->nm.n_dsm; i++)
        CU_ASSERT_TRUE(seen[i]);
    CU_ASSERT_EQUAL(r.stats.rejected, 0);
    CU_ASSERT_EQUAL(r.stats.evicted, 0);
    if (order == DUPLICATED)
        CU_ASSERT_EQUAL(r.stats.duplicates, n_chunks / 2);
    ug_uadp_reasm_free(&r);
}

static uint8_t scratch[(1u << 20) + 65536];

static void run_split(size_t n, const size_t *sizes, size_t max_size, bool sign)
{
    tmsg t;
    tmsg_build(&t, n, sizes, sign);
    static sink s;
    memset(&s, 0, sizeof s);
    s.max_size = max_size;
    s.room = sign ? UG_UADP_SIGNATURE_LEN : 0;
    ug_uadp_keys k = {.policy = UG_UADP_POLICY_AES256_CTR};
    memset(k.signing_key, 0x11, sizeof k.signing_key);
    memset(k.encrypting_key, 0x22, sizeof k.encrypting_key);
    if (sign) {
        CU_ASSERT_EQUAL_FATAL(ug_uadp_crypto_new(&s.crypto), UG_STATUS_GOOD);
        s.keys = &k;
    }
    ug_status st = ug_uadp_split(&t.nm, max_size, 7, scratch, sizeof scratch, collect, &s);
    CU_ASSERT_FALSE(s.bad);
    if (st != UG_STATUS_GOOD)
        fprintf(stderr, "split n=%zu size0=%zu max=%zu -> 0x%08X\n", n, sizes[0], max_size, st);
    CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
    CU_ASSERT_FATAL(s.n > 0);
    size_t whole = ug_uadp_encoded_size(&t.nm) + s.room;
    CU_ASSERT_EQUAL(s.n == 1, whole <= max_size);
    /* Each order on its own copy: unsecure decrypts in place. */
    for (int order = 0; order < N_ORDERS; order++) {
        sink copy = s;
        for (size_t i = 0; i < s.n; i++) {
            copy.msg[i] = malloc(s.len[i]);
            memcpy(copy.msg[i], s.msg[i], s.len[i]);
        }
        verify(&t, &copy, (enum order)order, (unsigned)(order * 131 + max_size));
        sink_free(&copy);
    }
    sink_free(&s);
    ug_uadp_crypto_free(s.crypto);
    tmsg_free(&t);
}

static void test_split_sizes(void)
{
    static const size_t sizes[] = {0, 1, 10, 100, 999, 5000, 70000};
    static const size_t maxes[] = {48, 49, 64, 100, 128, 500, 1400, 9000, 65535};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t j = 0; j < sizeof maxes / sizeof maxes[0]; j++) {
            if (sizes[i] / maxes[j] > 1500)
                continue; /* keeps the chunk count within the sink */
            run_split(1, &sizes[i], maxes[j], false);
        }
}

static void test_split_signed(void)
{
    static const size_t sizes[] = {3, 200, 4000};
    static const size_t maxes[] = {90, 300, 1400};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            run_split(1, &sizes[i], maxes[j], true);
}

/* Several DataSetMessages: those that fit are packed, the big one chunked. */
static void test_split_packing(void)
{
    static const size_t mixed[] = {300, 300, 5000, 300, 300, 10};
    run_split(6, mixed, 700, false);
    run_split(6, mixed, 1400, true);

    static const size_t five[] = {300, 300, 300, 300, 300};
    tmsg t;
    tmsg_build(&t, 5, five, false);
    t.nm.group.has_nm_number = true;
    t.nm.group.nm_number = 10;
    static sink s;
    memset(&s, 0, sizeof s);
    s.max_size = 700;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_split(&t.nm, 700, 0, scratch, sizeof scratch, collect, &s),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL_FATAL(s.n, 3);
    ug_arena a;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    ug_uadp_decode_opts o = {.arena = &a};
    static const uint16_t per_msg[] = {2, 2, 1};
    size_t next = 0;
    for (size_t i = 0; i < 3; i++) {
        ug_nm nm;
        CU_ASSERT_EQUAL_FATAL(ug_uadp_decode(s.msg[i], s.len[i], &nm, &o, NULL), UG_STATUS_GOOD);
        CU_ASSERT_FALSE(nm.is_chunk);
        CU_ASSERT_EQUAL(nm.group.nm_number, 10 + i); /* NetworkMessageNumber counts up */
        CU_ASSERT_EQUAL(nm.group.seq, 42);
        CU_ASSERT_EQUAL_FATAL(nm.n_dsm, per_msg[i]);
        for (size_t k = 0; k < nm.n_dsm; k++)
            CU_ASSERT(dsm_matches(&t, next++, &nm.dsm[k]));
    }
    sink_free(&s);
    tmsg_free(&t);
}

static void test_split_errors(void)
{
    static const size_t big[] = {5000};
    tmsg t;
    tmsg_build(&t, 1, big, false);
    static sink s;
    memset(&s, 0, sizeof s);
    s.max_size = 100000;

    /* max_size below the chunk header (+ 1 byte of data): a clear error, nothing emitted. */
    size_t head_fail = 0;
    for (size_t m = 1; m < 64; m++) {
        s.max_size = m;
        ug_status st = ug_uadp_split(&t.nm, m, 1, scratch, sizeof scratch, collect, &s);
        if (st == UG_STATUS_BADENCODINGLIMITSEXCEEDED) {
            CU_ASSERT_EQUAL(s.n, 0);
            head_fail = m;
        } else {
            CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
            CU_ASSERT_EQUAL(head_fail + 1, m); /* fails below a threshold, works from it */
            break;
        }
        sink_free(&s);
    }
    CU_ASSERT(head_fail >= 20);
    sink_free(&s);

    /* Scratch without room for the DataSetMessage to chunk. */
    s.max_size = 1000;
    CU_ASSERT_EQUAL(ug_uadp_split(&t.nm, 1000, 1, scratch, 1000 + 4000, collect, &s),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(s.n, 0);
    CU_ASSERT_EQUAL(ug_uadp_split(&t.nm, 1000, 1, scratch, 999, collect, &s),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);

    /* A failing emit stops the split with its status. */
    s.fail_at = 3;
    CU_ASSERT_EQUAL(ug_uadp_split(&t.nm, 1000, 1, scratch, sizeof scratch, collect, &s),
                    UG_STATUS_BADRESOURCEUNAVAILABLE);
    CU_ASSERT_EQUAL(s.n, 2);
    sink_free(&s);
    s.fail_at = 0;

    /* Arguments. */
    CU_ASSERT_EQUAL(ug_uadp_split(NULL, 1000, 1, scratch, sizeof scratch, collect, &s),
                    UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_uadp_split(&t.nm, 1000, 1, scratch, sizeof scratch, NULL, &s),
                    UG_STATUS_BADINVALIDARGUMENT);
    t.nm.is_chunk = true;
    CU_ASSERT_EQUAL(ug_uadp_split(&t.nm, 1000, 1, scratch, sizeof scratch, collect, &s),
                    UG_STATUS_BADINVALIDARGUMENT);
    t.nm.is_chunk = false;

    /* A discovery message over the size is not chunked. */
    ug_nm d;
    ug_nm_init(&d);
    d.type = UG_NM_DISCOVERY_RESPONSE;
    d.disc_resp.response_type = UG_DISC_PUBLISHER_ENDPOINTS;
    d.disc_resp.body = (ug_bytes){t.blob[0], 5000};
    CU_ASSERT_EQUAL(ug_uadp_split(&d, 1000, 1, scratch, sizeof scratch, collect, &s),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(s.n, 0);
    tmsg_free(&t);
}

/* A RawData DataSetMessage (padded to ConfiguredSize) chunked and put back
 * together decodes with its layout, picked out of several by DataSetWriterId. */
static void test_rawdata_roundtrip(void)
{
    enum { NF = 500 };
    static ug_dsm_field f[NF];
    static ug_field_meta meta[NF];
    for (int i = 0; i < NF; i++) {
        memset(&f[i], 0, sizeof f[i]);
        f[i].dv.mask = UG_DV_VALUE;
        f[i].dv.value = ug_variant_scalar(UG_TYPE_UINT32);
        f[i].dv.value.u.v.uint32 = 0xC0DE0000u + (uint32_t)i;
        memset(&meta[i], 0, sizeof meta[i]);
        meta[i].name = UG_NULL_BYTES;
        meta[i].builtin_type = UG_TYPE_UINT32;
        meta[i].value_rank = -1;
        meta[i].n_array_dims = -1;
    }
    ug_nm nm;
    ug_nm_init(&nm);
    nm.publisher_id.type = UG_PUBID_UINT16;
    nm.publisher_id.u64 = 1000;
    nm.has_group_header = true;
    nm.group.has_writer_group_id = true;
    nm.group.writer_group_id = 100;
    ug_dsm d;
    ug_dsm_init(&d);
    d.writer_id = 33;
    d.field_encoding = UG_FE_RAWDATA;
    d.configured_size = 2100;
    d.field_count = NF;
    d.fields = f;
    nm.n_dsm = 1;
    nm.dsm = &d;

    static sink s;
    memset(&s, 0, sizeof s);
    s.max_size = 300;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_split(&nm, 300, 77, scratch, sizeof scratch, collect, &s),
                          UG_STATUS_GOOD);
    CU_ASSERT(s.n >= 8);
    size_t idx[64];
    for (size_t i = 0; i < s.n; i++)
        idx[i] = i;
    unsigned seed = 5;
    shuffle(idx, s.n, &seed);

    ug_arena a;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    ug_dsm_layout layouts[2] = {
        {.writer_id = 32, .configured_size = 8, .n_fields = 1, .fields = meta},
        {.writer_id = 33, .configured_size = 2100, .n_fields = NF, .fields = meta},
    };
    ug_uadp_decode_opts o = {.arena = &a, .layouts = layouts, .n_layouts = 2};
    ug_uadp_reasm r;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_init(&r, NULL), UG_STATUS_GOOD);
    size_t completed = 0;
    for (size_t i = 0; i < s.n; i++) {
        ug_nm c;
        CU_ASSERT_EQUAL_FATAL(ug_uadp_decode(s.msg[idx[i]], s.len[idx[i]], &c, &o, NULL),
                              UG_STATUS_GOOD);
        CU_ASSERT_TRUE_FATAL(c.is_chunk);
        CU_ASSERT_EQUAL(c.chunk.writer_id, 33);
        CU_ASSERT_EQUAL(c.chunk.total_size, 2100); /* padded to ConfiguredSize */
        ug_uadp_reasm_msg m;
        bool done;
        CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_add_nm(&r, &c, &m, &done), UG_STATUS_GOOD);
        if (!done)
            continue;
        completed++;
        CU_ASSERT_EQUAL(m.msg_seq, 77);
        ug_dsm out;
        CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_decode(&m, &o, &out), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(out.writer_id, 33);
        CU_ASSERT_EQUAL(out.field_encoding, UG_FE_RAWDATA);
        CU_ASSERT_EQUAL_FATAL(out.field_count, NF);
        for (int k = 0; k < NF; k++)
            CU_ASSERT_EQUAL(out.fields[k].dv.value.u.v.uint32, 0xC0DE0000u + (uint32_t)k);
        /* Without its layout the fields stay undecoded (a view), not an error. */
        ug_uadp_decode_opts no_layout = {.arena = &a};
        CU_ASSERT_EQUAL(ug_uadp_reasm_decode(&m, &no_layout, &out), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(out.field_count, 0);
        CU_ASSERT(out.raw.len > 0);
    }
    CU_ASSERT_EQUAL(completed, 1);
    ug_uadp_reasm_free(&r);
    sink_free(&s);
}

/* ---- the reassembler on its own ---- */

static ug_publisher_id pub16(uint64_t v)
{
    ug_publisher_id p = {.type = UG_PUBID_UINT16, .u64 = v, .str = UG_NULL_BYTES};
    return p;
}

static uint8_t ref[1u << 16];

static ug_status add(ug_uadp_reasm *r, const ug_publisher_id *p, uint16_t writer, uint16_t seq,
                     uint32_t off, uint32_t total, size_t len, ug_uadp_reasm_msg *m, bool *done)
{
    ug_chunk c = {.writer_id = writer,
                  .msg_seq = seq,
                  .offset = off,
                  .total_size = total,
                  .data = {ref + (off < sizeof ref / 2 ? off : 0), (int32_t)len}};
    return ug_uadp_reasm_add(r, p, 7, &c, m, done);
}

static void fill_ref(unsigned seed)
{
    for (size_t i = 0; i < sizeof ref; i++)
        ref[i] = (uint8_t)(i * 131 + seed);
}

static void test_reasm_orders(void)
{
    static const uint32_t totals[] = {1, 99, 1000, 1003, 4096};
    static const uint32_t pieces[] = {1, 7, 100, 4096};
    fill_ref(3);
    ug_publisher_id p = pub16(5);
    for (size_t ti = 0; ti < 5; ti++)
        for (size_t pi = 0; pi < 4; pi++)
            for (int order = 0; order < N_ORDERS; order++) {
                uint32_t total = totals[ti], piece = pieces[pi];
                size_t n = (total + piece - 1) / piece;
                size_t idx[8192];
                for (size_t i = 0; i < n; i++)
                    idx[i] = i;
                if (order == REVERSE)
                    for (size_t i = 0; i < n; i++)
                        idx[i] = n - 1 - i;
                if (order == DUPLICATED) {
                    for (size_t i = 0; i < n; i++)
                        idx[n + i] = i;
                }
                size_t steps = order == DUPLICATED ? 2 * n : n;
                unsigned seed = (unsigned)(ti * 100 + pi * 10 + (unsigned)order);
                if (order >= RANDOM)
                    shuffle(idx, steps, &seed);
                ug_uadp_reasm r;
                CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_init(&r, NULL), UG_STATUS_GOOD);
                size_t completions = 0;
                for (size_t s = 0; s < steps; s++) {
                    uint32_t off = (uint32_t)(idx[s] * piece);
                    size_t len = total - off < piece ? total - off : piece;
                    ug_uadp_reasm_msg m;
                    bool done;
                    CU_ASSERT_EQUAL_FATAL(add(&r, &p, 1, 9, off, total, len, &m, &done),
                                          UG_STATUS_GOOD);
                    if (done) {
                        completions++;
                        CU_ASSERT(m.len == total && memcmp(m.data, ref, total) == 0);
                        CU_ASSERT(m.writer_id == 1 && m.msg_seq == 9 && m.writer_group_id == 7);
                    }
                }
                CU_ASSERT_EQUAL(completions, 1);
                CU_ASSERT_EQUAL(r.stats.completed, 1);
                CU_ASSERT_EQUAL(r.stats.duplicates, steps - n);
                ug_uadp_reasm_free(&r);
            }
}

static void test_reasm_lost_chunk_evicted(void)
{
    fill_ref(5);
    ug_uadp_reasm_limits lim = {.max_messages = 4};
    ug_uadp_reasm r;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_init(&r, &lim), UG_STATUS_GOOD);
    ug_publisher_id p = pub16(1);
    ug_uadp_reasm_msg m;
    bool done;
    /* Writer 1: chunk 2 of 4 lost. */
    for (uint32_t i = 0; i < 4; i++)
        if (i != 2)
            CU_ASSERT_EQUAL(add(&r, &p, 1, 1, i * 10, 40, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(done);
    /* Writers 2..4 partial, writer 5 makes the fifth: writer 1 (oldest) goes. */
    for (uint16_t w = 2; w <= 5; w++)
        CU_ASSERT_EQUAL(add(&r, &p, w, 1, 0, 40, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.stats.evicted, 1);
    CU_ASSERT_EQUAL(r.n_partial, 4);
    /* The lost chunk arrives late: it starts over, nothing completes. */
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 20, 40, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(done);
    CU_ASSERT_EQUAL(r.stats.evicted, 2); /* writer 2 made room */
    CU_ASSERT_EQUAL(r.stats.completed, 0);
    /* Writer 3 still completes. */
    for (uint32_t i = 1; i < 4; i++)
        CU_ASSERT_EQUAL(add(&r, &p, 3, 1, i * 10, 40, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(done);
    CU_ASSERT(m.writer_id == 3 && memcmp(m.data, ref, 40) == 0);
    ug_uadp_reasm_reset(&r);
    CU_ASSERT_EQUAL(r.n_partial, 0);
    CU_ASSERT_EQUAL(add(&r, &p, 4, 1, 10, 40, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(done); /* writer 4's first chunk was dropped by the reset */
    ug_uadp_reasm_free(&r);
}

static void test_reasm_inconsistent(void)
{
    fill_ref(9);
    ug_uadp_reasm r;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_init(&r, NULL), UG_STATUS_GOOD);
    ug_publisher_id p = pub16(1);
    ug_uadp_reasm_msg m;
    bool done;
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 0, 100, 20, &m, &done), UG_STATUS_GOOD);
    /* TotalSize differs from the first chunk's. */
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 20, 101, 20, &m, &done), UG_STATUS_BADDECODINGERROR);
    /* Beyond TotalSize: offset at/after the end, or data running past it. */
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 100, 100, 1, &m, &done), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 0xFFFFFFF0u, 100, 20, &m, &done), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 90, 100, 11, &m, &done), UG_STATUS_BADDECODINGERROR);
    /* Empty chunk, TotalSize 0. */
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 20, 100, 0, &m, &done), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(add(&r, &p, 2, 1, 0, 0, 0, &m, &done), UG_STATUS_BADDECODINGERROR);
    /* Overlapping a received chunk without being it. */
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 10, 100, 20, &m, &done), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 0, 100, 10, &m, &done),
                    UG_STATUS_GOOD); /* inside, same bytes */
    CU_ASSERT_EQUAL(r.stats.duplicates, 1);
    /* Same range, other bytes. */
    ug_chunk c = {
        .writer_id = 1, .msg_seq = 1, .offset = 0, .total_size = 100, .data = {ref + 1, 20}};
    CU_ASSERT_EQUAL(ug_uadp_reasm_add(&r, &p, 7, &c, &m, &done), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(r.stats.rejected, 8);
    /* None of that disturbed the message: it still completes correctly. */
    for (uint32_t off = 20; off < 100; off += 20)
        CU_ASSERT_EQUAL(add(&r, &p, 1, 1, off, 100, 20, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(done);
    CU_ASSERT(m.len == 100 && memcmp(m.data, ref, 100) == 0);
    /* Not a chunk message. */
    ug_nm nm;
    ug_nm_init(&nm);
    CU_ASSERT_EQUAL(ug_uadp_reasm_add_nm(&r, &nm, &m, &done), UG_STATUS_BADINVALIDARGUMENT);
    ug_uadp_reasm_free(&r);
}

static void test_reasm_limits(void)
{
    fill_ref(11);
    ug_uadp_reasm_limits bad = {.max_total_size = 5000, .max_buffered = 4000};
    ug_uadp_reasm r;
    CU_ASSERT_EQUAL(ug_uadp_reasm_init(&r, &bad), UG_STATUS_BADINVALIDARGUMENT);

    ug_uadp_reasm_limits lim = {
        .max_messages = 8, .max_total_size = 1500, .max_buffered = 3000, .max_pubid_len = 4};
    CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_init(&r, &lim), UG_STATUS_GOOD);
    ug_publisher_id p = pub16(1);
    ug_uadp_reasm_msg m;
    bool done;
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 0, 1501, 10, &m, &done), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 0, 1000, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add(&r, &p, 2, 1, 0, 1000, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.stats.evicted, 0);
    CU_ASSERT_EQUAL(add(&r, &p, 3, 1, 0, 1500, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.stats.evicted, 1); /* 3500 > 3000: writer 1 went */
    CU_ASSERT_EQUAL(r.buffered, 2500);
    CU_ASSERT_EQUAL(add(&r, &p, 1, 1, 10, 1000, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.stats.evicted, 2); /* writer 1 again: writer 2 goes */

    /* String PublisherIds key apart; one over max_pubid_len is refused. */
    ug_publisher_id a = {.type = UG_PUBID_STRING, .str = ug_string_from("pubA")};
    ug_publisher_id b = {.type = UG_PUBID_STRING, .str = ug_string_from("pubB")};
    ug_publisher_id l = {.type = UG_PUBID_STRING, .str = ug_string_from("pubXL")};
    ug_uadp_reasm_reset(&r);
    CU_ASSERT_EQUAL(add(&r, &a, 1, 1, 0, 20, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add(&r, &b, 1, 1, 10, 20, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(done);
    CU_ASSERT_EQUAL(add(&r, &l, 1, 1, 10, 20, 10, &m, &done), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(add(&r, &a, 1, 1, 10, 20, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(done);
    CU_ASSERT(m.publisher_id.type == UG_PUBID_STRING && m.publisher_id.str.len == 4 &&
              memcmp(m.publisher_id.str.data, "pubA", 4) == 0);
    /* Numeric id types do not mix either: Byte 1 is not UInt16 1. */
    ug_publisher_id p8 = {.type = UG_PUBID_BYTE, .u64 = 1, .str = UG_NULL_BYTES};
    CU_ASSERT_EQUAL(add(&r, &p, 9, 1, 0, 20, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add(&r, &p8, 9, 1, 10, 20, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(done);
    ug_publisher_id bad_type = {.type = 9};
    CU_ASSERT_EQUAL(add(&r, &bad_type, 9, 1, 10, 20, 10, &m, &done), UG_STATUS_BADINVALIDARGUMENT);
    ug_uadp_reasm_free(&r);
}

static void test_reasm_sequence_numbers(void)
{
    fill_ref(13);
    ug_uadp_reasm r;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_init(&r, NULL), UG_STATUS_GOOD);
    ug_publisher_id p = pub16(1);
    ug_uadp_reasm_msg m;
    bool done;
    CU_ASSERT_EQUAL(add(&r, &p, 1, 5, 0, 30, 10, &m, &done), UG_STATUS_GOOD);
    /* Newer payload: the partial seq 5 is abandoned. */
    CU_ASSERT_EQUAL(add(&r, &p, 1, 6, 10, 30, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.stats.abandoned, 1);
    /* Older payload: ignored. */
    CU_ASSERT_EQUAL(add(&r, &p, 1, 5, 10, 30, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.stats.stale, 1);
    CU_ASSERT_EQUAL(add(&r, &p, 1, 6, 0, 30, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add(&r, &p, 1, 6, 20, 30, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(done);
    CU_ASSERT_EQUAL(m.msg_seq, 6);
    /* A late repeat of the completed message is recognised. */
    CU_ASSERT_EQUAL(add(&r, &p, 1, 6, 10, 30, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_FALSE(done);
    CU_ASSERT_EQUAL(r.stats.duplicates, 1);
    CU_ASSERT_EQUAL(r.n_partial, 0);
    /* Serial order wraps: 65535 then 0 is newer. */
    CU_ASSERT_EQUAL(add(&r, &p, 2, 65535, 0, 30, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(add(&r, &p, 2, 0, 0, 30, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.stats.abandoned, 2);
    CU_ASSERT_EQUAL(add(&r, &p, 2, 65535, 10, 30, 10, &m, &done), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.stats.stale, 2);
    CU_ASSERT_EQUAL(r.stats.completed, 1);
    ug_uadp_reasm_free(&r);
}

/* Many messages interleaved at random under a tight byte budget: placement
 * and compaction must never corrupt a message that completes. */
static void test_reasm_stress(void)
{
    fill_ref(17);
    ug_uadp_reasm_limits lim = {.max_messages = 6, .max_total_size = 6000, .max_buffered = 12000};
    ug_uadp_reasm r;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_reasm_init(&r, &lim), UG_STATUS_GOOD);
    ug_publisher_id p = pub16(3);
    enum { ACTIVE = 8 };
    struct act {
        uint16_t writer, seq;
        uint32_t total, piece, next; /* chunks sent in order of a random start */
        uint32_t n, sent;
        uint32_t perm_seed;
    } act[ACTIVE];
    unsigned seed = 12345;
    memset(act, 0, sizeof act);
    for (int i = 0; i < ACTIVE; i++) {
        act[i].writer = (uint16_t)i;
        act[i].seq = 0;
        act[i].total = 0;
    }
    uint64_t done_count = 0;
    for (int step = 0; step < 200000; step++) {
        struct act *a = &act[rand_r(&seed) % ACTIVE];
        if (a->sent == a->n) { /* start the writer's next message */
            a->seq++;
            a->total = 1 + (uint32_t)rand_r(&seed) % 6000;
            a->piece = 1 + (uint32_t)rand_r(&seed) % 1500;
            a->n = (a->total + a->piece - 1) / a->piece;
            a->sent = 0;
            a->next = (uint32_t)rand_r(&seed) % a->n;
        }
        uint32_t i =
            (a->next + a->sent * 7919u) % a->n; /* a permutation: 7919 is prime, n < 7919 */
        a->sent++;
        uint32_t off = i * a->piece;
        uint32_t len = a->total - off < a->piece ? a->total - off : a->piece;
        ug_chunk c = {.writer_id = a->writer,
                      .msg_seq = a->seq,
                      .offset = off,
                      .total_size = a->total,
                      .data = {ref + off + a->seq % 251, (int32_t)len}};
        ug_uadp_reasm_msg m;
        bool done;
        ug_status st = ug_uadp_reasm_add(&r, &p, 1, &c, &m, &done);
        if (st != UG_STATUS_GOOD)
            fprintf(stderr, "step %d writer %u seq %u off %u len %u total %u -> 0x%08X\n", step,
                    a->writer, a->seq, off, len, a->total, st);
        CU_ASSERT_EQUAL_FATAL(st, UG_STATUS_GOOD);
        if (done) {
            done_count++;
            CU_ASSERT_EQUAL_FATAL(m.len, a->total);
            CU_ASSERT_FATAL(memcmp(m.data, ref + a->seq % 251, m.len) == 0);
            CU_ASSERT_EQUAL(m.data[-1], 0x01);
        }
        CU_ASSERT_FATAL(r.buffered <= lim.max_buffered && r.n_partial <= lim.max_messages);
    }
    CU_ASSERT(done_count > 1000);
    CU_ASSERT(r.stats.evicted > 0);
    CU_ASSERT_EQUAL(r.stats.completed, done_count);
    CU_ASSERT_EQUAL(r.stats.rejected, 0);
    ug_uadp_reasm_free(&r);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"split: sizes x max sizes, all orders", test_split_sizes},
        {"split: signed and encrypted chunks", test_split_signed},
        {"split: packing several DataSetMessages", test_split_packing},
        {"split: errors", test_split_errors},
        {"split + reasm: RawData with layout", test_rawdata_roundtrip},
        {"reasm: orders and duplicates", test_reasm_orders},
        {"reasm: lost chunk, eviction, reset", test_reasm_lost_chunk_evicted},
        {"reasm: inconsistent chunks", test_reasm_inconsistent},
        {"reasm: limits and publisher ids", test_reasm_limits},
        {"reasm: sequence numbers", test_reasm_sequence_numbers},
        {"reasm: random interleaving", test_reasm_stress},
        CU_TEST_INFO_NULL,
    };
    return ug_test_main("uadp/chunk", tests);
}
