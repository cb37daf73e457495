/* UADP chunk NetworkMessages, Part 14 §7.2.4.4.4 (1.05; §7.2.2.2.4 in 1.04):
 * splitting a NetworkMessage that is over a transport's size, and putting
 * the chunks of a DataSetMessage back together.
 *
 * The reassembler keeps every partial message in one pool allocated at init.
 * A message's region is [8-byte prefix][data, TotalSize rounded to 8][one bit
 * per data byte received]. The prefix ends with the byte 0x01 (UADPVersion 1,
 * no flags), so a completed DataSetMessage preceded by it is a complete
 * NetworkMessage that ug_uadp_decode reads without a copy. Regions are placed
 * first-fit and compacted when the free space is fragmented; the sum of
 * TotalSize is bounded by max_buffered, so the pool never runs out.
 */
#include <stdlib.h>
#include <string.h>

#include "uagate/uadp.h"
#include "uagate/uadp_ext.h"

/* ====================================================================== */
/* Split                                                                  */
/* ====================================================================== */

/* Size of nm's encoding; a Bad status only for errors other than space. */
static ug_status measure(const ug_nm *nm, size_t *len)
{
    *len = 0;
    ug_status s = ug_uadp_encode(nm, NULL, 0, len);
    if (s == UG_STATUS_BADENCODINGLIMITSEXCEEDED && *len > 0)
        return UG_STATUS_GOOD;
    return s;
}

struct splitter {
    ug_nm t;       /* the template, modified per message emitted */
    bool count_nm; /* GroupHeader NetworkMessageNumber counts up per message */
    uint8_t *out;  /* scratch[0..max_size) */
    size_t max_size;
    size_t limit;     /* max_size minus the signature */
    uint8_t *dsm_buf; /* scratch[max_size..) */
    size_t dsm_cap;
    ug_uadp_emit_fn emit;
    void *ctx;
};

static ug_status emit_one(struct splitter *sp)
{
    size_t len = 0;
    ug_status s = ug_uadp_encode(&sp->t, sp->out, sp->limit, &len);
    if (s != UG_STATUS_GOOD)
        return s;
    if (sp->count_nm)
        sp->t.group.nm_number++;
    return sp->emit(sp->ctx, sp->out, len, sp->max_size);
}

/* One DataSetMessage too large for a NetworkMessage of its own: encode it
 * alone, then send it in slices of equal size (the last one shorter). */
static ug_status split_dsm(struct splitter *sp, const ug_dsm *dsm, uint16_t msg_seq)
{
    ug_nm m;
    ug_nm_init(&m);
    m.n_dsm = 1;
    m.dsm = (ug_dsm *)dsm; /* the encoder only reads it */
    ug_uadp_frame fr;
    size_t mlen = 0;
    ug_status s = ug_uadp_encode_frame(&m, sp->dsm_buf, sp->dsm_cap, &mlen, &fr);
    if (s != UG_STATUS_GOOD)
        return s; /* BadEncodingLimitsExceeded: scratch too small */
    const uint8_t *data = sp->dsm_buf + fr.payload_off;
    size_t total = fr.payload_end - fr.payload_off;
    if (total == 0 || total > UINT32_MAX)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;

    ug_nm saved = sp->t;
    ug_nm *c = &sp->t;
    c->is_chunk = true;
    c->has_payload_header = true; /* Table 158: the chunk's DataSetWriterId */
    c->n_dsm = 0;
    c->dsm = NULL;
    c->chunk.writer_id = dsm->writer_id;
    c->chunk.msg_seq = msg_seq;
    c->chunk.offset = 0;
    c->chunk.total_size = (uint32_t)total;
    c->chunk.data = (ug_bytes){data, 0};

    size_t head = 0;
    s = measure(c, &head);
    if (s == UG_STATUS_GOOD && head >= sp->limit)
        s = UG_STATUS_BADENCODINGLIMITSEXCEEDED; /* not even one byte of ChunkData fits */
    size_t per = sp->limit - head;
    if (per > INT32_MAX)
        per = INT32_MAX;
    for (size_t off = 0; s == UG_STATUS_GOOD && off < total; off += per) {
        size_t n = total - off < per ? total - off : per;
        c->chunk.offset = (uint32_t)off;
        c->chunk.data = (ug_bytes){data + off, (int32_t)n};
        s = emit_one(sp);
    }
    uint16_t nm_number = sp->t.group.nm_number;
    sp->t = saved;
    sp->t.group.nm_number = nm_number;
    return s;
}

ug_status ug_uadp_split(const ug_nm *nm, size_t max_size, uint16_t msg_seq, uint8_t *scratch,
                        size_t scratch_cap, ug_uadp_emit_fn emit, void *ctx)
{
    if (!nm || !scratch || !emit || nm->is_chunk)
        return UG_STATUS_BADINVALIDARGUMENT;
    size_t sig =
        nm->has_security && (nm->security.flags & UG_SEC_SIGNED) ? UG_UADP_SIGNATURE_LEN : 0;
    if (max_size <= sig || scratch_cap < max_size)
        return UG_STATUS_BADENCODINGLIMITSEXCEEDED;

    struct splitter sp = {
        .t = *nm,
        .count_nm = nm->has_group_header && nm->group.has_nm_number,
        .out = scratch,
        .max_size = max_size,
        .limit = max_size - sig,
        .dsm_buf = scratch + max_size,
        .dsm_cap = scratch_cap - max_size,
        .emit = emit,
        .ctx = ctx,
    };
    sp.t.security.signature = UG_NULL_BYTES; /* appended by ug_uadp_secure */

    size_t len = 0;
    ug_status s = ug_uadp_encode(&sp.t, sp.out, sp.limit, &len);
    if (s == UG_STATUS_GOOD)
        return emit(ctx, sp.out, len, max_size);
    if (s != UG_STATUS_BADENCODINGLIMITSEXCEEDED || nm->type != UG_NM_DATASET || nm->n_dsm == 0)
        return s;

    /* Part 14 Table 161 (Sizes): DataSetMessages that do not fit go to
     * separate NetworkMessages; only one that is too large on its own is
     * chunked. Packing measures each candidate group; this path runs only
     * for oversized messages. */
    size_t i = 0;
    while (i < nm->n_dsm) {
        sp.t.dsm = &nm->dsm[i];
        sp.t.n_dsm = 1;
        s = measure(&sp.t, &len);
        if (s != UG_STATUS_GOOD)
            return s;
        if (len > sp.limit) {
            s = split_dsm(&sp, &nm->dsm[i], msg_seq);
            if (s != UG_STATUS_GOOD)
                return s;
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < nm->n_dsm && j - i < UG_UADP_MAX_DSM) {
            sp.t.n_dsm = (uint16_t)(j - i + 1);
            s = measure(&sp.t, &len);
            if (s != UG_STATUS_GOOD)
                return s;
            if (len > sp.limit)
                break;
            j++;
        }
        sp.t.n_dsm = (uint16_t)(j - i);
        s = emit_one(&sp);
        if (s != UG_STATUS_GOOD)
            return s;
        i = j;
    }
    return UG_STATUS_GOOD;
}

/* ====================================================================== */
/* Reassembly                                                             */
/* ====================================================================== */

enum { SLOT_FREE = 0, SLOT_PARTIAL, SLOT_DONE };
enum { PREFIX = 8 };

struct ug_uadp_reasm_slot {
    uint8_t state;
    uint8_t pub_type;
    uint16_t pub_len; /* String PublisherId bytes in the key store */
    uint16_t wg_id;
    uint16_t writer_id;
    uint16_t seq;
    uint64_t pub_u64;
    uint32_t total;
    uint32_t received;
    size_t off;    /* region in the pool */
    size_t region; /* region bytes */
    uint64_t stamp;
};

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }
static size_t region_size(uint32_t total) { return PREFIX + round8(total) + round8(total) / 8; }

static uint8_t *slot_data(const ug_uadp_reasm *r, const struct ug_uadp_reasm_slot *s)
{
    return r->pool + s->off + PREFIX;
}

static uint8_t *slot_bits(const ug_uadp_reasm *r, const struct ug_uadp_reasm_slot *s)
{
    return slot_data(r, s) + round8(s->total);
}

static uint8_t *slot_key(const ug_uadp_reasm *r, const struct ug_uadp_reasm_slot *s)
{
    return r->keys + (size_t)(s - r->slots) * r->lim.max_pubid_len;
}

ug_status ug_uadp_reasm_init(ug_uadp_reasm *r, const ug_uadp_reasm_limits *lim)
{
    if (!r)
        return UG_STATUS_BADINVALIDARGUMENT;
    memset(r, 0, sizeof *r);
    ug_uadp_reasm_limits l = lim ? *lim : (ug_uadp_reasm_limits){0};
    if (!l.max_messages)
        l.max_messages = 16;
    if (!l.max_total_size)
        l.max_total_size = 1u << 20;
    if (!l.max_buffered)
        l.max_buffered = (size_t)4 << 20;
    if (!l.max_pubid_len)
        l.max_pubid_len = 64;
    if (l.max_total_size > l.max_buffered || l.max_messages > 65536 ||
        l.max_buffered > SIZE_MAX / 4 || l.max_pubid_len > UINT16_MAX)
        return UG_STATUS_BADINVALIDARGUMENT;
    r->lim = l;
    /* Twice the partial-message limit: the extra slots remember messages just
     * completed, so late duplicates of their chunks are recognised. */
    r->n_slots = 2 * l.max_messages;
    r->pool_cap = l.max_buffered + l.max_buffered / 8 + 1 + (size_t)16 * l.max_messages;
    r->slots = calloc(r->n_slots, sizeof *r->slots);
    r->order = calloc(l.max_messages, sizeof *r->order);
    r->keys = calloc(r->n_slots, l.max_pubid_len);
    r->pool = malloc(r->pool_cap);
    if (!r->slots || !r->order || !r->keys || !r->pool) {
        ug_uadp_reasm_free(r);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    return UG_STATUS_GOOD;
}

void ug_uadp_reasm_free(ug_uadp_reasm *r)
{
    if (!r)
        return;
    free(r->slots);
    free(r->order);
    free(r->keys);
    free(r->pool);
    ug_uadp_reasm_stats st = r->stats;
    memset(r, 0, sizeof *r);
    r->stats = st;
}

void ug_uadp_reasm_reset(ug_uadp_reasm *r)
{
    if (!r || !r->slots)
        return;
    for (uint32_t i = 0; i < r->n_slots; i++)
        r->slots[i].state = SLOT_FREE;
    r->n_partial = 0;
    r->buffered = 0;
}

static void drop_partial(ug_uadp_reasm *r, struct ug_uadp_reasm_slot *s)
{
    s->state = SLOT_FREE;
    r->n_partial--;
    r->buffered -= s->total;
}

static struct ug_uadp_reasm_slot *oldest(ug_uadp_reasm *r, uint8_t state)
{
    struct ug_uadp_reasm_slot *best = NULL;
    for (uint32_t i = 0; i < r->n_slots; i++) {
        struct ug_uadp_reasm_slot *s = &r->slots[i];
        if (s->state == state && (!best || s->stamp < best->stamp))
            best = s;
    }
    return best;
}

static bool key_eq(const ug_uadp_reasm *r, const struct ug_uadp_reasm_slot *s,
                   const ug_publisher_id *pub, size_t pub_len, uint16_t wg, uint16_t writer)
{
    if (s->wg_id != wg || s->writer_id != writer || s->pub_type != pub->type)
        return false;
    if (pub->type == UG_PUBID_STRING)
        return s->pub_len == pub_len &&
               (pub_len == 0 || memcmp(slot_key(r, s), pub->str.data, pub_len) == 0);
    return pub->type == UG_PUBID_NONE || s->pub_u64 == pub->u64;
}

static int cmp_off(const void *a, const void *b)
{
    const struct ug_uadp_reasm_slot *x = *(struct ug_uadp_reasm_slot *const *)a;
    const struct ug_uadp_reasm_slot *y = *(struct ug_uadp_reasm_slot *const *)b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* First fit among the partial regions, compacting them when no gap is large
 * enough. Callers keep the sum of regions within pool_cap. */
static size_t place(ug_uadp_reasm *r, size_t need)
{
    struct ug_uadp_reasm_slot **order = r->order;
    size_t n = 0;
    for (uint32_t i = 0; i < r->n_slots; i++)
        if (r->slots[i].state == SLOT_PARTIAL)
            order[n++] = &r->slots[i];
    qsort(order, n, sizeof order[0], cmp_off);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (order[i]->off - at >= need)
            return at;
        at = order[i]->off + order[i]->region;
    }
    if (r->pool_cap - at >= need)
        return at;
    at = 0;
    for (size_t i = 0; i < n; i++) {
        if (order[i]->off != at)
            memmove(r->pool + at, r->pool + order[i]->off, order[i]->region);
        order[i]->off = at;
        at += order[i]->region;
    }
    return at;
}

/* 0: no bit set in [off, off+n); 1: all set; 2: some. */
static int bits_state(const uint8_t *bm, size_t off, size_t n)
{
    bool set = false, clear = false;
    size_t i = off, end = off + n;
    for (; i < end && (i & 7); i++)
        (bm[i >> 3] >> (i & 7) & 1) ? (set = true) : (clear = true);
    for (; end - i >= 8; i += 8) {
        uint8_t b = bm[i >> 3];
        set |= b != 0;
        clear |= b != 0xFF;
        if (set && clear)
            return 2;
    }
    for (; i < end; i++)
        (bm[i >> 3] >> (i & 7) & 1) ? (set = true) : (clear = true);
    return set && clear ? 2 : set ? 1 : 0;
}

static void bits_set(uint8_t *bm, size_t off, size_t n)
{
    size_t i = off, end = off + n;
    for (; i < end && (i & 7); i++)
        bm[i >> 3] |= (uint8_t)(1u << (i & 7));
    if (end - i >= 8) {
        memset(bm + (i >> 3), 0xFF, (end - i) >> 3);
        i += (end - i) & ~(size_t)7;
    }
    for (; i < end; i++)
        bm[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static ug_status reject(ug_uadp_reasm *r, ug_status s)
{
    r->stats.rejected++;
    return s;
}

/* Start a message in slot s (not partial), making room by evicting the
 * oldest partial messages. */
static void start(ug_uadp_reasm *r, struct ug_uadp_reasm_slot *s, const ug_publisher_id *pub,
                  size_t pub_len, uint16_t wg, const ug_chunk *c)
{
    while (r->n_partial >= r->lim.max_messages ||
           r->buffered + c->total_size > r->lim.max_buffered) {
        struct ug_uadp_reasm_slot *old = oldest(r, SLOT_PARTIAL);
        if (!old)
            break; /* cannot happen: max_total_size <= max_buffered */
        drop_partial(r, old);
        r->stats.evicted++;
    }
    s->pub_type = pub->type;
    s->pub_u64 = pub->type == UG_PUBID_STRING || pub->type == UG_PUBID_NONE ? 0 : pub->u64;
    s->pub_len = (uint16_t)pub_len;
    if (pub_len)
        memcpy(slot_key(r, s), pub->str.data, pub_len);
    s->wg_id = wg;
    s->writer_id = c->writer_id;
    s->seq = c->msg_seq;
    s->total = c->total_size;
    s->received = 0;
    s->region = region_size(c->total_size);
    s->stamp = ++r->clock;
    s->off = place(r, s->region); /* s is not partial yet: place() ignores it */
    s->state = SLOT_PARTIAL;
    r->n_partial++;
    r->buffered += c->total_size;
    uint8_t *p = r->pool + s->off;
    memset(p, 0, PREFIX);
    p[PREFIX - 1] = 0x01; /* UADPVersion 1, no flags: see the file comment */
    memset(slot_bits(r, s), 0, round8(s->total) / 8);
}

ug_status ug_uadp_reasm_add(ug_uadp_reasm *r, const ug_publisher_id *pub, uint16_t writer_group_id,
                            const ug_chunk *c, ug_uadp_reasm_msg *out, bool *complete)
{
    if (complete)
        *complete = false;
    if (!r || !r->slots || !pub || !c || !out || !complete)
        return UG_STATUS_BADINVALIDARGUMENT;
    size_t pub_len = 0;
    if (pub->type == UG_PUBID_STRING) {
        pub_len = pub->str.len > 0 ? (size_t)pub->str.len : 0;
        if (pub_len > r->lim.max_pubid_len)
            return reject(r, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        if (pub_len && !pub->str.data)
            return reject(r, UG_STATUS_BADINVALIDARGUMENT);
    } else if (pub->type > UG_PUBID_UINT64 && pub->type != UG_PUBID_NONE) {
        return reject(r, UG_STATUS_BADINVALIDARGUMENT);
    }
    /* Part 14 Table 159: ChunkOffset plus the chunk's size never passes TotalSize. */
    if (c->total_size == 0 || c->data.len <= 0 || !c->data.data)
        return reject(r, UG_STATUS_BADDECODINGERROR);
    if (c->total_size > r->lim.max_total_size)
        return reject(r, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    size_t n = (size_t)c->data.len;
    if (c->offset >= c->total_size || n > c->total_size - c->offset)
        return reject(r, UG_STATUS_BADDECODINGERROR);

    struct ug_uadp_reasm_slot *s = NULL;
    for (uint32_t i = 0; i < r->n_slots && !s; i++)
        if (r->slots[i].state != SLOT_FREE &&
            key_eq(r, &r->slots[i], pub, pub_len, writer_group_id, c->writer_id))
            s = &r->slots[i];

    if (s && s->seq != c->msg_seq) {
        /* Part 14 Table 159: chunks of a newer payload make the older
         * incomplete one obsolete; UInt16 serial-number order. */
        if ((uint16_t)(c->msg_seq - s->seq) >= 0x8000) {
            r->stats.stale++;
            return UG_STATUS_GOOD;
        }
        if (s->state == SLOT_PARTIAL) {
            drop_partial(r, s);
            r->stats.abandoned++;
        }
        s->state = SLOT_FREE;
        start(r, s, pub, pub_len, writer_group_id, c);
    } else if (s && s->state == SLOT_DONE) {
        r->stats.duplicates++;
        return UG_STATUS_GOOD;
    } else if (s) {
        if (c->total_size != s->total)
            return reject(r, UG_STATUS_BADDECODINGERROR);
    } else {
        s = oldest(r, SLOT_FREE);
        if (!s)
            s = oldest(r, SLOT_DONE);
        if (!s) /* cannot happen: at most half the slots are partial */
            return reject(r, UG_STATUS_BADINTERNALERROR);
        s->state = SLOT_FREE;
        start(r, s, pub, pub_len, writer_group_id, c);
    }

    uint8_t *data = slot_data(r, s);
    uint8_t *bits = slot_bits(r, s);
    switch (bits_state(bits, c->offset, n)) {
    case 0: break;
    case 1:
        if (memcmp(data + c->offset, c->data.data, n) == 0) {
            r->stats.duplicates++;
            return UG_STATUS_GOOD;
        }
        return reject(r, UG_STATUS_BADDECODINGERROR);
    default: return reject(r, UG_STATUS_BADDECODINGERROR);
    }
    memcpy(data + c->offset, c->data.data, n);
    bits_set(bits, c->offset, n);
    s->received += (uint32_t)n;
    if (s->received < s->total)
        return UG_STATUS_GOOD;

    /* Whole: the region is free from now on but keeps its bytes until the
     * next call places something over them. */
    drop_partial(r, s);
    s->state = SLOT_DONE;
    s->stamp = ++r->clock;
    r->stats.completed++;
    out->publisher_id.type = s->pub_type;
    out->publisher_id.u64 = s->pub_u64;
    out->publisher_id.str = s->pub_type == UG_PUBID_STRING
                                ? (ug_string){slot_key(r, s), (int32_t)s->pub_len}
                                : UG_NULL_BYTES;
    out->writer_group_id = s->wg_id;
    out->writer_id = s->writer_id;
    out->msg_seq = s->seq;
    out->data = data;
    out->len = s->total;
    *complete = true;
    return UG_STATUS_GOOD;
}

ug_status ug_uadp_reasm_add_nm(ug_uadp_reasm *r, const ug_nm *nm, ug_uadp_reasm_msg *out,
                               bool *complete)
{
    if (complete)
        *complete = false;
    if (!nm || !nm->is_chunk)
        return UG_STATUS_BADINVALIDARGUMENT;
    uint16_t wg =
        nm->has_group_header && nm->group.has_writer_group_id ? nm->group.writer_group_id : 0;
    return ug_uadp_reasm_add(r, &nm->publisher_id, wg, &nm->chunk, out, complete);
}

ug_status ug_uadp_reasm_decode(const ug_uadp_reasm_msg *m, const ug_uadp_decode_opts *opts,
                               ug_dsm *out)
{
    if (!m || !m->data || !out || m->len == 0 || m->data[-1] != 0x01)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_uadp_decode_opts o;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    o.signature_len = 0;
    o.max_dsm = 1;
    /* Without a PayloadHeader, layouts match by position: pass only ours. */
    o.layouts = NULL;
    o.n_layouts = 0;
    for (size_t i = 0; opts && i < opts->n_layouts; i++) {
        if (opts->layouts[i].writer_id == m->writer_id) {
            o.layouts = &opts->layouts[i];
            o.n_layouts = 1;
            break;
        }
    }
    ug_nm nm;
    ug_status s = ug_uadp_decode(m->data - 1, m->len + 1, &nm, &o, NULL);
    if (s != UG_STATUS_GOOD)
        return s;
    if (nm.n_dsm != 1 || !nm.dsm)
        return UG_STATUS_BADDECODINGERROR;
    *out = nm.dsm[0];
    out->writer_id = m->writer_id;
    out->has_writer_id = true;
    return UG_STATUS_GOOD;
}
