/* uagate nodes — adding objects, variables, methods and references to the
 * server's address space at run time, and feeding values to it.
 *
 * The address space of a server is ug_server_aspace(srv) (uagate/server.h).
 * A variable's value comes from one of three sources:
 *   - a stored value (ug_nodes_write_value updates it and notifies the
 *     subscriptions that watch it);
 *   - synchronous callbacks run on the loop thread (must not block);
 *   - asynchronous work functions run on a worker thread (device I/O): the
 *     Read or Write that needs them answers when they are done, without
 *     stalling other sessions, subscriptions or publishes.
 * A method has a callback, synchronous or asynchronous in the same way.
 *
 * Threads: every function here runs on the server's loop thread; only the
 * asynchronous work functions run on a worker.
 *
 * Lifetime: the address space copies what it is given (strings, ids, values);
 * the caller keeps ownership of its arguments. Ids returned in *out_id are
 * views valid while the node exists. `context` pointers and callback ctx
 * pointers are the caller's and must outlive the node.
 */
#ifndef UAGATE_NODES_H
#define UAGATE_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uagate/rt.h"
#include "uagate/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ug_aspace ug_aspace;
typedef struct ug_node ug_node;

/* ---------------------------------------------------------- value sources -- */

/* Synchronous callbacks (loop thread). read fills *out with storage from
 * arena (valid until the response is encoded); write receives the whole new
 * value (IndexRange writes were applied to the current value first). Their
 * status becomes the operation's status. */
struct ug_value_callbacks {
    ug_status (*read)(void *ctx, const ug_node *n, ug_datavalue *out, ug_arena *arena);
    ug_status (*write)(void *ctx, const ug_node *n, const ug_datavalue *in);
    void *ctx;
};

/* Asynchronous source: read/write run on a worker of `pool` (NULL: the
 * server's pool) and must not touch the address space. read fills *out from
 * `arena`, which belongs to the operation; write gets its own copy of the
 * value. A completed read becomes the variable's last value (what
 * subscriptions sample). NULL read: not readable; NULL write: not writable. */
struct ug_value_async {
    ug_status (*read)(void *ctx, ug_datavalue *out, ug_arena *arena);
    ug_status (*write)(void *ctx, const ug_datavalue *in);
    void *ctx;
    ug_pool *pool;
};

/* A method: fills *out (n_out Variants from arena) from the inputs, which
 * were checked against the method's InputArguments. Synchronous on the loop,
 * or (async true) on a worker of pool (NULL: the server's pool). */
typedef ug_status (*ug_method_fn)(void *ctx, const ug_nodeid *object, size_t n_in,
                                  const ug_variant *in, size_t *n_out, ug_variant **out,
                                  ug_arena *arena);
struct ug_method_impl {
    ug_method_fn call;
    void *ctx;
    bool async;
    ug_pool *pool;
};

/* ------------------------------------------------------------------ add -- */

/* What every new node needs. A zero reference_type_id means HasComponent
 * (Organizes when the parent is a folder: FolderType or a subtype).
 * requested_id numeric 0 picks a fresh numeric id in requested_id.ns, which
 * must not be 0 (namespace 0 is the standard's): use namespace 1 (the
 * server's application URI) or one added with ug_nodes_add_namespace. */
struct ug_nodes_common {
    ug_nodeid requested_id;
    ug_nodeid parent_id;
    ug_nodeid reference_type_id;
    ug_qualified_name browse_name;
    ug_localized_text display_name; /* null text: the browse name */
    ug_localized_text description;
    void *context;                  /* ug_nodes_context() gives it back */
};

struct ug_nodes_object {
    struct ug_nodes_common c;
    ug_nodeid type_definition;      /* numeric 0: BaseObjectType */
    uint8_t event_notifier;
};

struct ug_nodes_variable {
    struct ug_nodes_common c;
    ug_nodeid type_definition;      /* numeric 0: BaseDataVariableType */
    ug_nodeid data_type;            /* numeric 0: BaseDataType */
    int32_t value_rank;             /* -1 scalar, -2 any, -3 scalar or 1-dim, n >= 1 dims */
    uint32_t n_dims;
    const uint32_t *array_dimensions;
    uint8_t access_level;           /* 0: CurrentRead (0x01); 0x03 read+write */
    double minimum_sampling_interval;
    /* value source: at most one of callbacks / async; value is the initial
     * stored value (or the initial last value of an async source) */
    const ug_datavalue *value;
    const struct ug_value_callbacks *callbacks;
    const struct ug_value_async *async;
};

/* One Argument of a method (Part 3 §8.6). */
struct ug_nodes_arg {
    const char *name;
    ug_nodeid data_type;
    int32_t value_rank;             /* -1 scalar */
    const char *description;        /* may be NULL */
};

struct ug_nodes_method {
    struct ug_nodes_common c;
    size_t n_inputs;
    const struct ug_nodes_arg *inputs;
    size_t n_outputs;
    const struct ug_nodes_arg *outputs;
    struct ug_method_impl impl;
};

/* Each add returns Good or the AddNodes codes of Part 4 §5.7.2:
 * BadNodeIdRejected, BadNodeIdExists, BadParentNodeIdInvalid,
 * BadReferenceTypeIdInvalid, BadReferenceNotAllowed, BadBrowseNameInvalid,
 * BadBrowseNameDuplicated, BadTypeDefinitionInvalid,
 * BadNodeAttributesInvalid, BadInvalidArgument (both callbacks and async,
 * async without a loop/pool), BadOutOfMemory. out_id may be NULL. */
ug_status ug_nodes_add_object(ug_aspace *as, const struct ug_nodes_object *o, ug_nodeid *out_id);
ug_status ug_nodes_add_variable(ug_aspace *as, const struct ug_nodes_variable *v,
                                ug_nodeid *out_id);
/* Adds the method and its InputArguments / OutputArguments properties. */
ug_status ug_nodes_add_method(ug_aspace *as, const struct ug_nodes_method *m, ug_nodeid *out_id);

/* Instantiates an ObjectType (o->type_definition): the object plus copies of
 * the type's Mandatory children, recursively, with fresh ids in the
 * namespace of o->c.requested_id. Statuses of ug_nodes_add_object. */
ug_status ug_nodes_instantiate(ug_aspace *as, const struct ug_nodes_object *o, ug_nodeid *out_id);
/* The same for a VariableType (v->type_definition). */
ug_status ug_nodes_instantiate_variable(ug_aspace *as, const struct ug_nodes_variable *v,
                                        ug_nodeid *out_id);

/* Adds source --type--> target. Returns Good, BadSourceNodeIdInvalid,
 * BadTargetNodeIdInvalid, BadReferenceTypeIdInvalid,
 * BadDuplicateReferenceNotAllowed, BadOutOfMemory. */
ug_status ug_nodes_add_reference(ug_aspace *as, const ug_nodeid *source, const ug_nodeid *type,
                                 const ug_nodeid *target);

/* Deletes a node, its references and (recursive) the children that have no
 * other parent. Returns Good or BadNodeIdUnknown. */
ug_status ug_nodes_delete(ug_aspace *as, const ug_nodeid *id, bool recursive);

/* Sets a stored value from the application (deep copy) and notifies the
 * subscriptions watching it. A DataValue without timestamps gets the current
 * time as source and server timestamp. Returns Good, BadNodeIdUnknown,
 * BadNodeClassInvalid (not a variable), BadTypeMismatch (DataType or
 * ValueRank does not fit), BadOutOfMemory. */
ug_status ug_nodes_write_value(ug_aspace *as, const ug_nodeid *id, const ug_datavalue *dv);

/* The current stored value (or last async value), NULL when id names no
 * variable. A view valid until the value changes. */
const ug_datavalue *ug_nodes_value(ug_aspace *as, const ug_nodeid *id);

/* The context given when the node was added, or NULL. */
void *ug_nodes_context(ug_aspace *as, const ug_nodeid *id);

/* Adds a namespace URI; *out_index its index (existing URIs give their index).
 * Returns Good, BadInvalidArgument, BadOutOfMemory. */
ug_status ug_nodes_add_namespace(ug_aspace *as, const char *uri, uint16_t *out_index);

#ifdef __cplusplus
}
#endif
#endif
