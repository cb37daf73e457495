/* Helpers shared by the tests/uadp suites (header-only, static): deep
 * comparison of two NetworkMessages, the round trip encode -> decode ->
 * compare -> re-encode, and the truncation sweep over guarded buffers. */
#ifndef UG_TESTS_UADP_CHECK_H
#define UG_TESTS_UADP_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/uadp.h"

#define CHECK_ARENA_SIZE (1u << 20)

static _Alignas(8) uint8_t check_arena_buf[CHECK_ARENA_SIZE];

static inline void check_arena(ug_arena *a)
{
    ug_arena_init(a, check_arena_buf, sizeof check_arena_buf, false);
}

/* ug_test_guard_free reads the page at p to find its header; for a zero-length
 * copy p is the PROT_NONE page itself, so hand it a byte of the mapping. */
static inline void check_guard_free(uint8_t *p, size_t len)
{
    ug_test_guard_free(len ? p : p - 1);
}

#define EQ(what, cond)                                                                   \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "  mismatch: %s\n", what);                                  \
            return false;                                                                \
        }                                                                                \
    } while (0)

static inline bool check_bytes_eq(ug_bytes a, ug_bytes b)
{
    int32_t la = a.len < 0 ? -1 : a.len, lb = b.len < 0 ? -1 : b.len;
    return la == lb && (la <= 0 || memcmp(a.data, b.data, (size_t)la) == 0);
}

static inline bool check_field_eq(const ug_dsm *d, const ug_dsm_field *a, const ug_dsm_field *b)
{
    if (d->type == UG_DSM_DELTAFRAME)
        EQ("field index", a->index == b->index);
    if (d->field_encoding == UG_FE_RAWDATA)
        EQ("raw_padded_to", a->raw_padded_to == b->raw_padded_to);
    if (d->field_encoding == UG_FE_DATAVALUE)
        EQ("datavalue", ug_datavalue_eq(&a->dv, &b->dv));
    else
        EQ("variant", ug_variant_eq(&a->dv.value, &b->dv.value));
    return true;
}

static inline bool check_dsm_eq(const ug_dsm *a, const ug_dsm *b, bool ids)
{
    if (ids)
        EQ("dsm writer_id", a->writer_id == b->writer_id);
    EQ("dsm valid", a->valid == b->valid);
    EQ("dsm encoding", a->field_encoding == b->field_encoding);
    EQ("dsm type", a->type == b->type);
    EQ("dsm has_seq", a->has_seq == b->has_seq && (!a->has_seq || a->seq == b->seq));
    EQ("dsm timestamp",
       a->has_timestamp == b->has_timestamp && (!a->has_timestamp || a->timestamp == b->timestamp));
    EQ("dsm picoseconds", a->has_picoseconds == b->has_picoseconds &&
                              (!a->has_picoseconds || a->picoseconds == b->picoseconds));
    EQ("dsm status", a->has_status == b->has_status && (!a->has_status || a->status == b->status));
    EQ("dsm cfg major",
       a->has_cfg_major == b->has_cfg_major && (!a->has_cfg_major || a->cfg_major == b->cfg_major));
    EQ("dsm cfg minor",
       a->has_cfg_minor == b->has_cfg_minor && (!a->has_cfg_minor || a->cfg_minor == b->cfg_minor));
    EQ("dsm field_count", a->field_count == b->field_count);
    for (unsigned i = 0; i < a->field_count; i++)
        if (!check_field_eq(a, &a->fields[i], &b->fields[i]))
            return false;
    return true;
}

static inline bool check_nm_eq(const ug_nm *a, const ug_nm *b)
{
    EQ("version", a->version == b->version);
    EQ("type", a->type == b->type);
    EQ("publisher id type", a->publisher_id.type == b->publisher_id.type);
    if (a->publisher_id.type == UG_PUBID_STRING)
        EQ("publisher id", check_bytes_eq(a->publisher_id.str, b->publisher_id.str));
    else if (a->publisher_id.type != UG_PUBID_NONE)
        EQ("publisher id", a->publisher_id.u64 == b->publisher_id.u64);
    EQ("class id", a->has_class_id == b->has_class_id &&
                       (!a->has_class_id || ug_guid_eq(&a->class_id, &b->class_id)));
    EQ("group header", a->has_group_header == b->has_group_header);
    if (a->has_group_header) {
        const ug_group_header *x = &a->group, *y = &b->group;
        EQ("wgid", x->has_writer_group_id == y->has_writer_group_id &&
                       (!x->has_writer_group_id || x->writer_group_id == y->writer_group_id));
        EQ("group version", x->has_group_version == y->has_group_version &&
                                (!x->has_group_version || x->group_version == y->group_version));
        EQ("nm number",
           x->has_nm_number == y->has_nm_number && (!x->has_nm_number || x->nm_number == y->nm_number));
        EQ("group seq", x->has_seq == y->has_seq && (!x->has_seq || x->seq == y->seq));
    }
    EQ("payload header", a->has_payload_header == b->has_payload_header);
    EQ("timestamp",
       a->has_timestamp == b->has_timestamp && (!a->has_timestamp || a->timestamp == b->timestamp));
    EQ("picoseconds", a->has_picoseconds == b->has_picoseconds &&
                          (!a->has_picoseconds || a->picoseconds == b->picoseconds));
    EQ("n_promoted", a->n_promoted == b->n_promoted);
    for (unsigned i = 0; i < a->n_promoted; i++)
        EQ("promoted", ug_variant_eq(&a->promoted[i], &b->promoted[i]));
    EQ("security", a->has_security == b->has_security);
    if (a->has_security) {
        const ug_security_header *x = &a->security, *y = &b->security;
        EQ("sec flags", x->flags == y->flags);
        EQ("sec token", x->token_id == y->token_id);
        EQ("sec nonce", (x->nonce.len <= 0 && y->nonce.len <= 0) || check_bytes_eq(x->nonce, y->nonce));
        EQ("sec footer size", x->footer_size == y->footer_size);
    }
    EQ("chunk", a->is_chunk == b->is_chunk);
    if (a->is_chunk) {
        EQ("chunk writer", a->chunk.writer_id == b->chunk.writer_id || !a->has_payload_header);
        EQ("chunk seq", a->chunk.msg_seq == b->chunk.msg_seq);
        EQ("chunk offset", a->chunk.offset == b->chunk.offset);
        EQ("chunk total", a->chunk.total_size == b->chunk.total_size);
        EQ("chunk data", check_bytes_eq(a->chunk.data, b->chunk.data));
        return true;
    }
    if (a->type == UG_NM_DISCOVERY_REQUEST) {
        const ug_discovery_request *x = &a->disc_req, *y = &b->disc_req;
        EQ("req type", x->request_type == y->request_type);
        EQ("info type", x->information_type == y->information_type);
        if (x->information_type != 1) {
            EQ("n writer ids", x->n_writer_ids == y->n_writer_ids);
            for (int32_t i = 0; i < x->n_writer_ids; i++)
                EQ("writer ids", x->writer_ids[i] == y->writer_ids[i]);
        }
        return true;
    }
    if (a->type == UG_NM_DISCOVERY_RESPONSE) {
        const ug_discovery_response *x = &a->disc_resp, *y = &b->disc_resp;
        EQ("resp type", x->response_type == y->response_type);
        EQ("resp seq", x->seq == y->seq);
        if (x->response_type == UG_DISC_DATASET_METADATA) {
            EQ("resp writer", x->writer_id == y->writer_id);
            EQ("resp status", x->status == y->status);
            EQ("md name", check_bytes_eq(x->metadata.name, y->metadata.name));
            EQ("md fields", x->metadata.n_fields == y->metadata.n_fields);
            EQ("md cfg", x->metadata.cfg_major == y->metadata.cfg_major &&
                             x->metadata.cfg_minor == y->metadata.cfg_minor);
        } else {
            EQ("resp body", check_bytes_eq(x->body, y->body));
        }
        return true;
    }
    EQ("n_dsm", a->n_dsm == b->n_dsm);
    for (unsigned i = 0; i < a->n_dsm; i++)
        if (!check_dsm_eq(&a->dsm[i], &b->dsm[i], a->has_payload_header))
            return false;
    return true;
}
#undef EQ

/* encode -> decode (guarded) -> compare -> re-encode identical. Returns the
 * number of failures (0 = good) and prints what went wrong. */
static inline int check_roundtrip(const ug_nm *nm, const ug_uadp_decode_opts *opts_in,
                                  const char *what)
{
    static uint8_t buf[1 << 16], buf2[1 << 16];
    size_t n = 0, n2 = 0, err = 0;
    ug_status s = ug_uadp_encode(nm, buf, sizeof buf, &n);
    if (s != UG_STATUS_GOOD) {
        fprintf(stderr, "%s: encode: %s\n", what, ug_status_name(s));
        return 1;
    }
    size_t need = 0;
    if (ug_uadp_encode(nm, NULL, 0, &need) != UG_STATUS_BADENCODINGLIMITSEXCEEDED || need != n ||
        ug_uadp_encoded_size(nm) != n) {
        fprintf(stderr, "%s: count mode says %zu, wrote %zu\n", what, need, n);
        return 1;
    }
    if (n > 0 && (ug_uadp_encode(nm, buf2, n - 1, &need) != UG_STATUS_BADENCODINGLIMITSEXCEEDED ||
                  need != n)) {
        fprintf(stderr, "%s: short buffer not reported\n", what);
        return 1;
    }
    uint8_t *g = ug_test_guard(buf, n);
    ug_arena a;
    check_arena(&a);
    ug_uadp_decode_opts opts = opts_in ? *opts_in : (ug_uadp_decode_opts){0};
    opts.arena = &a;
    ug_nm out;
    s = ug_uadp_decode(g, n, &out, &opts, &err);
    int bad = 0;
    if (s != UG_STATUS_GOOD) {
        fprintf(stderr, "%s: decode: %s at %zu (len %zu)\n", what, ug_status_name(s), err, n);
        bad = 1;
    } else if (!check_nm_eq(nm, &out)) {
        fprintf(stderr, "%s: decoded message differs\n", what);
        bad = 1;
    } else if (ug_uadp_encode(&out, buf2, sizeof buf2, &n2) != UG_STATUS_GOOD || n2 != n ||
               memcmp(buf, buf2, n) != 0) {
        fprintf(stderr, "%s: re-encoding differs\n", what);
        bad = 1;
    }
    check_guard_free(g, n);
    return bad;
}

/* Every prefix of `msg` either fails cleanly or is itself a valid message
 * that re-encodes to exactly that prefix. Over-reads crash (guard page). */
static inline int check_truncations(const uint8_t *msg, size_t len, const ug_uadp_decode_opts *o,
                                    const char *what)
{
    static uint8_t re[1 << 16];
    int bad = 0;
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *g = ug_test_guard(msg, cut);
        ug_arena a;
        check_arena(&a);
        ug_uadp_decode_opts opts = o ? *o : (ug_uadp_decode_opts){0};
        opts.arena = &a;
        ug_nm out;
        size_t err = 0, n = 0;
        ug_status s = ug_uadp_decode(g, cut, &out, &opts, &err);
        if (s == UG_STATUS_GOOD) {
            if (ug_uadp_encode(&out, re, sizeof re, &n) != UG_STATUS_GOOD || n != cut ||
                memcmp(re, msg, cut) != 0) {
                fprintf(stderr, "%s: prefix %zu accepted but not a message\n", what, cut);
                bad++;
            }
        } else if (!ug_is_bad(s) || err > cut) {
            fprintf(stderr, "%s: prefix %zu: status %08x err_offset %zu\n", what, cut, s, err);
            bad++;
        }
        check_guard_free(g, cut);
    }
    return bad;
}

#endif
