/* clientserver/aspace_int.h — the inside of the address space, shared by
 * aspace*.c, nodes.c and the services svc_attribute.c / svc_view.c.
 *
 * Lifetime: as in aspace.h. A node's strings, ids, dims and value are its own
 * unless the corresponding UG_OWN_* bit is clear (then they point into the
 * generated ns0 pool, or are empty).
 */
#ifndef UG_CLIENTSERVER_ASPACE_INT_H
#define UG_CLIENTSERVER_ASPACE_INT_H

#include "aspace.h"
#include "aspace_ns0.h"

/* node flags */
enum {
    UG_NF_NS0 = 0x01,       /* lives in the ns0 block, not malloc'ed alone */
    UG_NF_ABSTRACT = 0x02,
    UG_NF_SYMMETRIC = 0x04,
    UG_NF_EXECUTABLE = 0x08,
    UG_NF_HISTORIZING = 0x10,
    UG_NF_NO_LOOPS = 0x20,
    UG_NF_DELETED = 0x40,
    UG_NF_NAMES = 0x80,     /* its children are in the browse-name index */
};

/* which members the node owns (malloc'ed) */
enum {
    UG_OWN_ID = 0x01,
    UG_OWN_BNAME = 0x02,
    UG_OWN_DNAME = 0x04,
    UG_OWN_DESC = 0x08,
    UG_OWN_INVNAME = 0x10,
    UG_OWN_DIMS = 0x20,
    UG_OWN_DTYPE = 0x40,
};

enum ug_vsrc {
    UG_VSRC_STORED = 0,
    UG_VSRC_CALLBACKS = 1,
    UG_VSRC_ASYNC = 2,
};

struct ug_ref_entry {
    ug_node *target;
    ug_node *type;
    bool is_forward;
};

/* What only some nodes need, allocated on first use. */
struct ug_node_ext {
    struct ug_value_callbacks cb;
    struct ug_value_async async;
    struct ug_method_impl method;
    void *context;
    uint32_t inflight; /* async operations not yet completed */
    /* rare texts: most nodes (all of ns0 but the reference types) have none */
    ug_localized_text description;
    ug_localized_text inverse_name;
    /* a DisplayName other than the browse name without locale */
    ug_localized_text display_name;
    bool has_display_name;
};

struct ug_node {
    ug_node *hnext;          /* hash chain */
    ug_nodeid id;
    uint8_t node_class;      /* enum ug_nodeclass */
    uint8_t flags;           /* UG_NF_* */
    uint8_t own;             /* UG_OWN_* */
    uint8_t access_level;
    uint8_t event_notifier;
    uint8_t vsrc;            /* enum ug_vsrc */
    uint16_t reserved;
    int32_t value_rank;
    uint32_t write_mask;
    uint32_t n_dims;
    const uint32_t *dims;
    double min_sampling;
    ug_qualified_name browse_name; /* also the DisplayName unless ext has one */
    ug_nodeid data_type;
    /* references: the generated ones first (until changed), then these */
    const struct ug_ns0_ref *srefs;
    uint32_t n_srefs;
    uint32_t n_refs, cap_refs;
    struct ug_ref_entry *refs;
    /* value: a boxed deep copy (the DataValue and what it refers to in one
     * malloc'ed block, ug_datavalue_box), NULL when there is none */
    ug_datavalue *value;
    struct ug_node_ext *ext;
};

struct ug_async_op;

struct ug_aspace {
    ug_node **buckets;
    uint32_t n_buckets;
    uint32_t count;
    ug_node *ns0;            /* the ns0 block, one node per table row */
    uint32_t n_ns0;
    ug_string *ns_uris;      /* owned copies (ns0 points to a literal) */
    uint16_t n_ns;
    uint32_t next_id;        /* fresh numeric ids */
    ug_loop *loop;
    ug_pool *pool;
    /* value-change listeners; fn NULL: removed during a notification, the
     * slot is compacted away when the outermost notification ends */
    struct ug_change_listener {
        ug_value_change_fn fn;
        void *ctx;
    } *listeners;
    uint32_t n_listeners, cap_listeners;
    uint32_t notifying; /* nesting depth of ug_aspace_notify */
    bool listeners_holes;
    struct ug_cp_store cps;  /* for sessionless contexts (tests) */
    /* (parent, browse name) index of big parents (aspace_names.c) */
    struct ug_name_ent **names;
    uint32_t n_names_buckets, n_names;
    struct ug_async_op *ops; /* in-flight asynchronous operations */
    struct ug_async_op *abandoned; /* cancelled, the worker still has them */
    /* cached reference types */
    ug_node *rt_hassubtype, *rt_hierarchical, *rt_hastypedef, *rt_hasmodellingrule,
        *rt_hasproperty, *rt_hascomponent, *rt_organizes, *rt_references;
};

/* aspace.c */
ug_status ug_aspace_hash_insert(ug_aspace *as, ug_node *n);
void ug_aspace_hash_remove(ug_aspace *as, ug_node *n);
ug_status ug_nodeid_dup(ug_nodeid *dst, const ug_nodeid *src);
void ug_nodeid_release(ug_nodeid *id);
ug_status ug_str_dup(ug_string *dst, ug_string src);
struct ug_node_ext *ug_node_ext_get(ug_node *n);
/* Description and InverseName (null texts when the node has none). */
ug_localized_text ug_node_description(const ug_node *n);
ug_localized_text ug_node_inverse_name(const ug_node *n);
/* calls the change listeners for a variable */
void ug_aspace_notify(ug_aspace *as, const ug_node *n);
/* frees a node's storage after it was unlinked (ns0 nodes: marks them deleted) */
void ug_node_destroy(ug_node *n);

/* aspace_names.c: keep the browse-name index in step. A forward reference
 * src -> target was added / removed (any type: non-hierarchical ones are
 * ignored); n is about to be deleted; n is about to get a new browse name;
 * the aspace is freed. */
void ug_names_ref_added(ug_aspace *as, ug_node *src, const ug_node *type, const ug_node *target);
void ug_names_ref_removed(ug_aspace *as, ug_node *src, const ug_node *type, const ug_node *target);
void ug_names_node_gone(ug_aspace *as, ug_node *n);
void ug_names_renaming(ug_aspace *as, ug_node *n);
void ug_names_free(ug_aspace *as);

/* aspace_refs.c */
ug_status ug_node_refs_materialise(ug_aspace *as, ug_node *n);
ug_status ug_node_ref_push(ug_node *n, ug_node *type, ug_node *target, bool fwd);
bool ug_node_ref_remove(ug_aspace *as, ug_node *n, const ug_node *type, const ug_node *target,
                        bool fwd);
void ug_node_ref_at(const ug_aspace *as, const ug_node *n, uint32_t i, struct ug_ref_view *out);
static inline uint32_t ug_node_ref_count(const ug_node *n) { return n->n_srefs + n->n_refs; }

/* The node's value, or an empty DataValue (mask 0) when it has none. */
extern const ug_datavalue ug_dv_empty;
static inline const ug_datavalue *ug_node_dv(const ug_node *n)
{
    return n->value ? n->value : &ug_dv_empty;
}

/* aspace_value.c: deep copies of values */
/* One malloc'ed block holding a copy of src and everything it refers to;
 * free() it. Returns Good or BadOutOfMemory. */
ug_status ug_datavalue_box(ug_datavalue **out, const ug_datavalue *src);
/* Copies src into one malloc'ed block (*mem, free() it); dst views it. */
ug_status ug_datavalue_clone(ug_datavalue *dst, void **mem, const ug_datavalue *src);
ug_status ug_variant_clone(ug_variant *dst, void **mem, const ug_variant *src);
/* Copies into arena storage: ug_datavalue_copy / ug_variant_copy (ua_struct.h). */

/* aspace_async.c: asynchronous value sources. On Good, done runs exactly
 * once, later, on the loop (value: the read result, valid during the call;
 * NULL for writes and failures); on failure it never runs. */
typedef void (*ug_aio_done_fn)(void *ctx, uint32_t index, ug_status st, const ug_datavalue *value);
ug_status ug_aspace_async_read(ug_aspace *as, ug_node *n, ug_aio_done_fn done, void *ctx,
                               uint32_t index);
ug_status ug_aspace_async_write(ug_aspace *as, ug_node *n, const ug_datavalue *v,
                                ug_aio_done_fn done, void *ctx, uint32_t index);
ug_status ug_aspace_async_call(ug_aspace *as, ug_node *method, const ug_CallMethodRequest *req,
                               ug_CallMethodResult *res, ug_arena *arena, ug_call_done_fn done,
                               void *done_ctx);
/* Cancels the operations of n (all when NULL): their done runs now with `why`. */
void ug_aspace_cancel_ops(ug_aspace *as, const ug_node *n, ug_status why);
/* Frees the cancelled operations still held for their workers: every pool
 * running them must be freed already (ug_aspace_free). */
void ug_aspace_async_free(ug_aspace *as);
/* ug_aspace_cancel_ctx: aspace.h */


/* aspace_attr.c: the pieces of Read and Write the services combine */
struct ug_nrange;
bool ug_node_has_attr(const ug_node *n, uint32_t attr);
/* node lookup, attribute, IndexRange syntax, DataEncoding, AccessLevel read */
ug_status ug_aspace_read_prepare(ug_aspace *as, const ug_ReadValueId *rv, ug_node **out_node,
                                 struct ug_nrange *range);
/* a prepared read on a synchronous source (async: the last value) */
ug_status ug_aspace_read_node(ug_node *n, const ug_ReadValueId *rv, const struct ug_nrange *range,
                              int32_t ttr, ug_datavalue *out, ug_arena *arena, ug_datetime now);
/* range + timestamps on a raw value; returns the operation status */
ug_status ug_aspace_read_finish(const ug_datavalue *raw, bool is_value,
                                const struct ug_nrange *range, int32_t ttr, ug_datavalue *out,
                                ug_arena *arena, ug_datetime now);
/* DataType and ValueRank rules; may convert *v (ByteString <-> Byte[]) */
ug_status ug_aspace_check_value(const ug_aspace *as, const ug_node *n, ug_variant *v);
/* everything a Write checks before touching the node; *value is the
 * (converted) value for Value writes */
ug_status ug_aspace_write_check(ug_aspace *as, const ug_WriteValue *wv, ug_node **out_node,
                                struct ug_nrange *range, ug_variant *value);
/* a checked Value write to a stored or callback source */
ug_status ug_aspace_write_value(ug_aspace *as, ug_node *n, const ug_WriteValue *wv,
                                const struct ug_nrange *range, const ug_variant *value,
                                ug_arena *arena, ug_datetime now);
/* a checked non-Value write */
ug_status ug_aspace_write_plain(ug_aspace *as, ug_node *n, const ug_WriteValue *wv);

/* aspace.c */
ug_datetime ug_aspace_now(void);
/* The server's limits, or defaults when ctx->server is NULL (tests). */
const struct ug_server_limits *ug_svc_limits(const struct ug_svc_ctx *ctx);

#endif
