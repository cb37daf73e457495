/* clientserver/aspace.h — the server's address space (Part 3 nodes and
 * references) and the internal API the services and the server core use.
 *
 * Role: a node store (hash map by NodeId) holding namespace 0 (materialised
 * from the generated const tables of ns0_gen.c: its strings and references
 * stay in rodata until a node is changed) and the nodes added at run time;
 * the namespace array; references kept consistent in both directions; type
 * checks (subtypes of reference types and data types); instantiation of
 * object/variable types; value sources for variables (stored value,
 * callbacks, asynchronous on a worker pool) and method callbacks.
 *
 * Threads: everything runs on the server's loop thread, except the work
 * functions of asynchronous sources, which run on a ug_pool worker and must
 * not touch the address space.
 *
 * Lifetime:
 *   ug_aspace  — the caller's (server.c) from ug_aspace_new to ug_aspace_free.
 *   ug_node    — the address space's; a pointer is valid until the node is
 *                deleted (ug_aspace_delete_node) or the aspace freed. Callers
 *                never keep node pointers across loop iterations: they keep
 *                the NodeId and look it up again.
 *   strings handed to add functions are copied (the node owns its copies);
 *   values handed to ug_aspace_set_value are deep-copied.
 *   struct ug_cp_store — embedded in its owner (the session), see below.
 */
#ifndef UG_CLIENTSERVER_ASPACE_H
#define UG_CLIENTSERVER_ASPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "server_internal.h"
#include "uagate/nodes.h"
#include "uagate/rt.h"
#include "uagate/types.h"
#include "uagate/ua_nodeids.h"
#include "uagate/ua_struct.h"

/* Attribute ids: UG_ATTR_* and UG_ATTR_MAX of uagate/ua_nodeids.h. */

/* NodeClass values, Part 3 §8.29 (a mask in Browse's NodeClassMask). */
enum ug_nodeclass {
    UG_NC_UNSPECIFIED = 0,
    UG_NC_OBJECT = 1,
    UG_NC_VARIABLE = 2,
    UG_NC_METHOD = 4,
    UG_NC_OBJECTTYPE = 8,
    UG_NC_VARIABLETYPE = 16,
    UG_NC_REFERENCETYPE = 32,
    UG_NC_DATATYPE = 64,
    UG_NC_VIEW = 128,
};

/* AccessLevel bits, Part 3 §8.57. */
enum {
    UG_ACCESS_READ = 0x01,
    UG_ACCESS_WRITE = 0x02,
    UG_ACCESS_HISTORY_READ = 0x04,
    UG_ACCESS_HISTORY_WRITE = 0x08,
    UG_ACCESS_SEMANTIC_CHANGE = 0x10,
    UG_ACCESS_STATUS_WRITE = 0x20,
    UG_ACCESS_TIMESTAMP_WRITE = 0x40,
};

/* WriteMask bits, Part 3 §8.60 (which attributes other than Value a client
 * may write). */
enum {
    UG_WM_ACCESSLEVEL = 1u << 0,
    UG_WM_ARRAYDIMENSIONS = 1u << 1,
    UG_WM_BROWSENAME = 1u << 2,
    UG_WM_CONTAINSNOLOOPS = 1u << 3,
    UG_WM_DATATYPE = 1u << 4,
    UG_WM_DESCRIPTION = 1u << 5,
    UG_WM_DISPLAYNAME = 1u << 6,
    UG_WM_EVENTNOTIFIER = 1u << 7,
    UG_WM_EXECUTABLE = 1u << 8,
    UG_WM_HISTORIZING = 1u << 9,
    UG_WM_INVERSENAME = 1u << 10,
    UG_WM_ISABSTRACT = 1u << 11,
    UG_WM_MINIMUMSAMPLINGINTERVAL = 1u << 12,
    UG_WM_NODECLASS = 1u << 13,
    UG_WM_NODEID = 1u << 14,
    UG_WM_SYMMETRIC = 1u << 15,
    UG_WM_USERACCESSLEVEL = 1u << 16,
    UG_WM_USEREXECUTABLE = 1u << 17,
    UG_WM_USERWRITEMASK = 1u << 18,
    UG_WM_VALUERANK = 1u << 19,
    UG_WM_WRITEMASK = 1u << 20,
    UG_WM_VALUEFORVARIABLETYPE = 1u << 21,
    UG_WM_ACCESSLEVELEX = 1u << 25,
};

/* Well-known ns=0 numeric ids used by the address-space code itself. */
enum {
    UG_ID_REFERENCES = 31,
    UG_ID_NONHIERARCHICALREFERENCES = 32,
    UG_ID_HIERARCHICALREFERENCES = 33,
    UG_ID_HASCHILD = 34,
    UG_ID_ORGANIZES = 35,
    UG_ID_HASMODELLINGRULE = 37,
    UG_ID_HASTYPEDEFINITION = 40,
    UG_ID_AGGREGATES = 44,
    UG_ID_HASSUBTYPE = 45,
    UG_ID_HASPROPERTY = 46,
    UG_ID_HASCOMPONENT = 47,
    UG_ID_MODELLINGRULE_MANDATORY = 78,
    UG_ID_MODELLINGRULE_OPTIONAL = 80,
    UG_ID_BASEDATATYPE = 24,
    UG_ID_BASEOBJECTTYPE = 58,
    UG_ID_FOLDERTYPE = 61,
    UG_ID_BASEVARIABLETYPE = 62,
    UG_ID_BASEDATAVARIABLETYPE = 63,
    UG_ID_PROPERTYTYPE = 68,
    UG_ID_ROOTFOLDER = 84,
    UG_ID_OBJECTSFOLDER = 85,
    UG_ID_TYPESFOLDER = 86,
    UG_ID_VIEWSFOLDER = 87,
    UG_ID_ARGUMENT = 296,
    UG_ID_SERVER = 2253,
};

/* ug_node: typedef in uagate/nodes.h */

/* ------------------------------------------------------------ lifecycle -- */

struct ug_aspace_config {
    const char *application_uri; /* namespace 1; NULL: "urn:uagate:server" */
    ug_loop *loop;               /* for asynchronous sources; may be NULL (none allowed) */
    ug_pool *pool;               /* default worker pool of async sources; may be NULL */
};

/* Creates an address space holding namespace 0 (the full or, with
 * UG_NS0_REDUCED, the reduced set) and namespaces 0 and 1.
 * Lifetime: *out is the caller's until ug_aspace_free.
 * Returns Good or BadOutOfMemory. */
ug_status ug_aspace_new(const struct ug_aspace_config *cfg, ug_aspace **out);
/* Cancels outstanding asynchronous operations (their requests finish with
 * BadShutdown), frees every node. NULL: no-op. Free the worker pools of
 * async sources first (ug_pool_free): the operations of jobs they still held
 * are freed here, which a worker still running one would not survive. */
void ug_aspace_free(ug_aspace *as);

/* Number of nodes (for tests and diagnostics). */
uint32_t ug_aspace_node_count(const ug_aspace *as);

/* ------------------------------------------------------------ namespaces -- */

/* Adds a namespace URI (copied) and returns its index in *out_index; an URI
 * already present gives its existing index. Returns Good, BadOutOfMemory,
 * BadInvalidArgument (empty URI), BadTooManyOperations (65535 namespaces). */
ug_status ug_aspace_ns_add(ug_aspace *as, const char *uri, uint16_t *out_index);
/* Index of an URI, or -1. */
int32_t ug_aspace_ns_find(const ug_aspace *as, ug_string uri);
uint16_t ug_aspace_ns_count(const ug_aspace *as);
/* View of namespace i (null string when out of range). */
ug_string ug_aspace_ns_uri(const ug_aspace *as, uint16_t i);

/* ----------------------------------------------------------------- nodes -- */

/* The node with this id, or NULL. O(1). */
ug_node *ug_aspace_get(const ug_aspace *as, const ug_nodeid *id);
ug_node *ug_aspace_get_ns0(const ug_aspace *as, uint32_t numeric_id);

/* Read-only accessors (views valid while the node lives). */
const ug_nodeid *ug_node_id(const ug_node *n);
enum ug_nodeclass ug_node_class(const ug_node *n);
ug_qualified_name ug_node_browse_name(const ug_node *n);
ug_localized_text ug_node_display_name(const ug_node *n);
/* TypeDefinition (target of the forward HasTypeDefinition) for objects and
 * variables, else NULL. */
ug_node *ug_node_type_definition(const ug_aspace *as, const ug_node *n);
/* The user pointer of a node added by the application (nodes.h), or NULL. */
void *ug_node_context(const ug_node *n);

/* Attributes of a node to add. Fields a class lacks are ignored. Strings are
 * copied. A zeroed struct means: no description, write mask 0, access level
 * CurrentRead, value rank -2 (Any) with data type BaseDataType, not abstract. */
struct ug_node_attrs {
    ug_localized_text display_name;   /* null text: the browse name */
    ug_localized_text description;
    uint32_t write_mask;
    /* Variable / VariableType */
    ug_nodeid data_type;              /* numeric 0 in ns 0: BaseDataType */
    int32_t value_rank;               /* 0 means not set: -2 Any (use UG_VALUERANK_SCALAR etc.) */
    bool value_rank_set;              /* value_rank 0 (OneOrMoreDimensions) when true */
    uint32_t n_dims;
    const uint32_t *array_dimensions;
    uint8_t access_level;             /* 0: CurrentRead */
    double minimum_sampling_interval;
    bool historizing;
    const ug_datavalue *value;        /* initial stored value (deep-copied), or NULL */
    /* Object / View */
    uint8_t event_notifier;
    /* ObjectType / VariableType / DataType / ReferenceType */
    bool is_abstract;
    /* ReferenceType */
    bool symmetric;
    ug_localized_text inverse_name;
    /* Method */
    bool executable;                  /* methods: set executable_set to honour false */
    bool executable_set;
    /* View */
    bool contains_no_loops;
};

#define UG_VALUERANK_SCALAR (-1)
#define UG_VALUERANK_ANY (-2)
#define UG_VALUERANK_SCALAR_OR_ONE_DIM (-3)
#define UG_VALUERANK_ONE_DIM 1

/* What to add: Part 4 §5.7.2 AddNodesItem, as C views. */
struct ug_add_node {
    ug_nodeid requested_id;       /* numeric 0 (any ns): the aspace picks a fresh numeric id in that ns */
    ug_nodeid parent_id;          /* null id (ns 0, numeric 0): no parent (only types/roots) */
    ug_nodeid reference_type_id;  /* from parent to the node */
    ug_qualified_name browse_name;
    enum ug_nodeclass node_class;
    ug_nodeid type_definition;    /* objects/variables; numeric 0: BaseObjectType/BaseDataVariableType */
    struct ug_node_attrs attrs;
};

/* Adds a node and its reference from the parent and, for objects and
 * variables, HasTypeDefinition. Checks of Part 4 §5.7.2.2 (Table 20):
 *   BadNodeIdRejected (requested id in ns 0 or in an unknown namespace),
 *   BadNodeIdExists,
 *   BadParentNodeIdInvalid (parent unknown), BadReferenceTypeIdInvalid
 *   (unknown or not a ReferenceType, or abstract), BadReferenceNotAllowed
 *   (a parent needs a hierarchical reference; HasSubtype only between
 *   types of the node's class),
 *   BadBrowseNameInvalid (empty name), BadBrowseNameDuplicated (same
 *   browse name under the parent by a hierarchical reference),
 *   BadNodeClassInvalid, BadTypeDefinitionInvalid (unknown, or not an
 *   ObjectType for an object / a VariableType for a variable, or abstract;
 *   or given for another class), BadNodeAttributesInvalid (browse name in an
 *   unknown namespace, DataType not a DataType node, dims missing),
 *   BadOutOfMemory.
 * On Good *out (may be NULL) is the new node. Nothing changes on failure. */
ug_status ug_aspace_add_node(ug_aspace *as, const struct ug_add_node *item, ug_node **out);

/* Deletes a node and every reference to or from it (this store keeps both
 * directions, so no dangling reference remains: Part 4 §5.7.3's
 * deleteTargetReferences is always true here). Children (hierarchical
 * forward targets left with no other hierarchical parent) are deleted too
 * when `recursive` is true. Outstanding async operations of the node are
 * cancelled (their requests complete with BadNodeIdUnknown).
 * Returns Good, BadNodeIdUnknown. Deleting a ns0 node is allowed. */
ug_status ug_aspace_delete_node(ug_aspace *as, const ug_nodeid *id, bool recursive);

/* ------------------------------------------------------------ references -- */

/* Adds source --type--> target (forward) and the inverse entry on target.
 * Part 4 §5.7.4: BadSourceNodeIdInvalid, BadTargetNodeIdInvalid,
 * BadReferenceTypeIdInvalid (unknown, not a ReferenceType, abstract),
 * BadDuplicateReferenceNotAllowed (same source, type, target exists),
 * BadOutOfMemory. is_forward false adds target --type--> source instead. */
ug_status ug_aspace_add_ref(ug_aspace *as, const ug_nodeid *source, const ug_nodeid *type,
                            const ug_nodeid *target, bool is_forward);
/* Deletes the reference source --type--> target (is_forward false: target
 * --type--> source) and its opposite entry: both directions always go
 * together. Returns Good, BadSourceNodeIdInvalid, BadTargetNodeIdInvalid,
 * BadReferenceTypeIdInvalid, BadNotFound, BadOutOfMemory. */
ug_status ug_aspace_delete_ref(ug_aspace *as, const ug_nodeid *source, const ug_nodeid *type,
                               const ug_nodeid *target, bool is_forward);

/* Browse direction, Part 4 §7.5 (same values as the BrowseDirection enum). */
enum ug_browse_dir {
    UG_BROWSE_FORWARD = 0,
    UG_BROWSE_INVERSE = 1,
    UG_BROWSE_BOTH = 2,
};

struct ug_ref_filter {
    enum ug_browse_dir dir;
    const ug_node *ref_type;  /* NULL: all references */
    bool include_subtypes;
    uint32_t node_class_mask; /* 0: all classes */
};

/* One reference seen from a node. */
struct ug_ref_view {
    ug_node *type;   /* the ReferenceType node */
    ug_node *target;
    bool is_forward;
};

/* Iterates the references of `n` that pass `f` (NULL: all), starting at
 * position *pos (0 at the start); returns true and the next one in *out,
 * advancing *pos past it, or false at the end. Positions are stable as long
 * as the node's references do not change (continuation points keep them). */
bool ug_aspace_ref_next(const ug_aspace *as, const ug_node *n, const struct ug_ref_filter *f,
                        uint32_t *pos, struct ug_ref_view *out);
/* First target of a forward reference of exactly this type (numeric ns0 id),
 * or NULL. */
ug_node *ug_aspace_ref_target(const ug_aspace *as, const ug_node *n, uint32_t ref_type_ns0);
/* The child of `parent` reached by a forward hierarchical reference whose
 * target has this browse name, or NULL. */
ug_node *ug_aspace_child(const ug_aspace *as, const ug_node *parent, ug_qualified_name name);

/* ---------------------------------------------------------------- types -- */

/* True when `type` is `super` or a (transitive) subtype of it by HasSubtype.
 * Works for every type node class (reference, data, object, variable types). */
bool ug_aspace_is_subtype(const ug_aspace *as, const ug_node *type, const ug_node *super);
bool ug_aspace_is_subtype_id(const ug_aspace *as, const ug_nodeid *type, uint32_t super_ns0);

/* The built-in type that carries values of a DataType node (Part 3 §8: walk
 * up HasSubtype to the first of i=1..25 / Structure -> ExtensionObject /
 * Enumeration -> Int32), UG_TYPE_NULL (Variant: anything) for BaseDataType
 * and abstract Number-like types. */
enum ug_type ug_aspace_builtin_of(const ug_aspace *as, const ug_nodeid *data_type);

/* Instantiates an ObjectType or VariableType: adds a node as in
 * ug_aspace_add_node (item->type_definition names the type; node_class must
 * fit it) and copies, recursively, the type's children (and those of its
 * supertypes) that carry HasModellingRule Mandatory (i=78), with fresh
 * numeric NodeIds in the namespace of item->requested_id. Child variables
 * keep the type child's data type, value rank and value.
 * Returns ug_aspace_add_node's statuses. On failure the nodes added so far
 * are removed again. */
ug_status ug_aspace_instantiate(ug_aspace *as, const struct ug_add_node *item, ug_node **out);

/* ---------------------------------------------------------- value sources -- */

/* struct ug_value_callbacks and struct ug_value_async: uagate/nodes.h. */

/* Replaces the stored value of a Variable/VariableType (deep copy; the
 * previous value is freed) and calls the change listeners for variables.
 * Returns Good, BadNodeIdUnknown, BadNodeClassInvalid, BadOutOfMemory. */
ug_status ug_aspace_set_value(ug_aspace *as, ug_node *n, const ug_datavalue *dv);
/* Switch a variable's value source. Returns Good, BadNodeClassInvalid,
 * BadInvalidArgument (async with no pool anywhere, or no loop). */
ug_status ug_aspace_set_callbacks(ug_aspace *as, ug_node *n, const struct ug_value_callbacks *cb);
ug_status ug_aspace_set_async(ug_aspace *as, ug_node *n, const struct ug_value_async *a);
/* The stored (or last completed async) value, an empty DataValue (mask 0)
 * when there is none yet; NULL for other node classes. */
const ug_datavalue *ug_node_value(const ug_node *n);

/* Value-change listeners: each is called, in the order added, after every
 * value change of a variable (a Write, ug_aspace_set_value, a completed async
 * read that changed the value). The subscription code (sub_watch.c) is one;
 * the gateway bridge or others may add their own. A listener may add or
 * remove listeners (itself included) from inside its call: one added then is
 * first called for the next change, one removed then is not called again.
 * Lifetime: a (fn, ctx) pair is registered from add until remove or
 * ug_aspace_free; ctx must stay valid that long. */
typedef void (*ug_value_change_fn)(void *ctx, const ug_node *n);
/* Returns Good, BadInvalidArgument (as or fn NULL), BadEntryExists (the same
 * fn and ctx are registered already), BadOutOfMemory. */
ug_status ug_aspace_add_change_listener(ug_aspace *as, ug_value_change_fn fn, void *ctx);
/* Returns Good, BadNoEntryExists (fn and ctx are not registered). */
ug_status ug_aspace_remove_change_listener(ug_aspace *as, ug_value_change_fn fn, void *ctx);

/* --------------------------------------------------------------- methods -- */

/* ug_method_fn and struct ug_method_impl: uagate/nodes.h. */
ug_status ug_aspace_set_method(ug_aspace *as, ug_node *n, const struct ug_method_impl *m);
const struct ug_method_impl *ug_node_method(const ug_node *n);

/* Calls method `method` on `object` for the Call service (svc_method.c):
 * checks (Part 4 §5.11.2: BadNodeIdUnknown on object, BadMethodInvalid when
 * method is not a Method node or not a component of the object or its type,
 * BadNotExecutable, BadNotImplemented (no implementation attached),
 * BadArgumentsMissing, BadTooManyArguments, BadInvalidArgument with
 * input_argument_results[i] = BadTypeMismatch for each wrong argument),
 * then calls. A synchronous
 * method fills *res now and returns its status. An asynchronous one returns
 * GoodCompletesAsynchronously: `done(done_ctx, res)` runs on the loop when the
 * worker finished (res filled, its storage from `arena`, which must stay
 * valid until then). */
typedef void (*ug_call_done_fn)(void *done_ctx, ug_CallMethodResult *res);
ug_status ug_aspace_call(ug_aspace *as, const ug_CallMethodRequest *req, ug_CallMethodResult *res,
                         ug_arena *arena, ug_call_done_fn done, void *done_ctx);
/* Cancels every asynchronous operation (reads, writes, calls) started with
 * this done_ctx, e.g. from a pending's cancel hook when the request's
 * channel or session went away: each one's done callback runs now, with
 * `why` as its status (BadShutdown), and the worker's late result is
 * dropped by identity. */
void ug_aspace_cancel_ctx(ug_aspace *as, const void *done_ctx, ug_status why);

/* ------------------------------------------------------------ attributes -- */

/* ug_aspace_read_attr is declared in server_internal.h. */

/* Writes one attribute the way Write does (Part 4 §5.10.4), for
 * synchronous sources (stored value or callbacks); svc_attribute.c handles
 * async sources. Returns the operation status: BadNodeIdUnknown,
 * BadAttributeIdInvalid, BadNotWritable (AccessLevel, WriteMask, or an
 * attribute never writable), BadTypeMismatch, BadBrowseNameInvalid,
 * BadIndexRangeInvalid, BadIndexRangeNoData, BadWriteNotSupported (status
 * or timestamps the variable does not take, async sources, index ranges on
 * write-only callbacks), BadOutOfMemory, or the write callback's status. */
ug_status ug_aspace_write_attr(ug_aspace *as, const ug_WriteValue *wv);

/* --------------------------------------------------- continuation points -- */

/* Browse continuation points of one session (Part 4 §7.9).
 *
 * How the session embeds it: session.c puts `struct ug_cp_store cps;` in
 * struct ug_session, calls ug_cp_store_init(&s->cps, limits->
 * max_browse_continuation_points) when the session is created and
 * ug_cp_store_clear(&s->cps) when it is closed, and defines
 *     struct ug_cp_store *ug_session_cp_store(ug_session *s);
 * returning &s->cps. Browse uses the aspace's own store when ctx->session is
 * NULL (tests).
 * Lifetime: embedded in its owner; ug_cp_store_clear frees its entries. */
struct ug_cp {
    uint64_t id;          /* 0: free slot; the continuation point's 8 bytes */
    ug_nodeid node;       /* owned copy of the browsed node id */
    ug_nodeid ref_type;   /* owned copy of the filter's reference type */
    uint32_t pos;         /* ug_aspace_ref_next position */
    uint32_t max_refs;    /* references per call */
    uint32_t node_class_mask;
    uint32_t result_mask;
    uint8_t dir;
    bool include_subtypes;
};
struct ug_cp_store {
    struct ug_cp *slots;
    uint32_t max;         /* per-session limit; 0: default 16 */
    uint64_t next_id;
};
void ug_cp_store_init(struct ug_cp_store *st, uint32_t max);
void ug_cp_store_clear(struct ug_cp_store *st);
/* A free slot with a fresh id, or NULL (BadNoContinuationPoints). */
struct ug_cp *ug_cp_store_create(struct ug_cp_store *st);
/* The slot of an 8-byte continuation point, or NULL. */
struct ug_cp *ug_cp_store_lookup(struct ug_cp_store *st, ug_bytes cp);
void ug_cp_store_release(struct ug_cp_store *st, struct ug_cp *cp);
/* Defined by session.c (see above). */
struct ug_cp_store *ug_session_cp_store(ug_session *s);

#endif
