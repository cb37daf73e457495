/* server_bridge_nodes — the node-building helpers of the server bridge: the
 * gateway's nodes have string NodeIds in namespace 1 ("ns=1;s=Gateway/..."),
 * given here as C strings. Wraps uagate/nodes.h; private to server_bridge*.c.
 *
 * Lifetime: gw_nodes is embedded in the bridge and borrows the server's
 * address space.
 */
#ifndef UG_GATEWAY_SERVER_BRIDGE_NODES_H
#define UG_GATEWAY_SERVER_BRIDGE_NODES_H

#include <stdbool.h>
#include <stdint.h>

#include "uagate/nodes.h"

typedef struct gw_nodes {
    ug_aspace *as;
    uint16_t ns; /* the server's namespace: 1 */
} gw_nodes;

ug_status gw_nodes_init(gw_nodes *n, ug_aspace *as);
/* ns=1;s=<id> as a view of id. */
ug_nodeid gw_nodes_id(const gw_nodes *n, const char *id);

/* Adds object `id` (browse name 1:<name>) of ObjectType type_ns0 under
 * parent (NULL: Objects, i=85) by the reference type ref_ns0. A reference or
 * type the address space lacks (the reduced namespace 0) falls back to
 * HasComponent / BaseObjectType. Statuses of ug_nodes_add_object. */
ug_status gw_nodes_add_object(gw_nodes *n, const char *parent, uint32_t ref_ns0, const char *id,
                              const char *name, uint32_t type_ns0);
/* A scalar variable of DataType data_type_ns0 with a stored value (NULL:
 * none yet), read-only or read/write. Statuses of ug_nodes_add_variable. */
ug_status gw_nodes_add_variable(gw_nodes *n, const char *parent, uint32_t ref_ns0, const char *id,
                                const char *name, uint32_t data_type_ns0, bool writable,
                                const ug_datavalue *value);
/* A read/write scalar variable whose value comes from callbacks. */
ug_status gw_nodes_add_callback_variable(gw_nodes *n, const char *parent, const char *id,
                                         const char *name, uint32_t data_type_ns0,
                                         const struct ug_value_callbacks *cb);
/* A method (HasComponent from parent) with scalar String arguments named in
 * in_names/out_names (NULL-terminated; NULL: none). */
ug_status gw_nodes_add_method(gw_nodes *n, const char *parent, const char *id, const char *name,
                              const char *const *in_names, const char *const *out_names,
                              ug_method_fn fn, void *ctx);
/* source_ns0 --ref_ns0--> id (falls back to HasComponent like objects). */
ug_status gw_nodes_add_ref_from_ns0(gw_nodes *n, uint32_t source_ns0, uint32_t ref_ns0,
                                    const char *id);
/* ug_nodes_write_value on ns=1;s=<id>. */
ug_status gw_nodes_set_value(gw_nodes *n, const char *id, const ug_datavalue *dv);
/* Deletes id and its children (recursive); BadNodeIdUnknown when absent. */
ug_status gw_nodes_delete_tree(gw_nodes *n, const char *id);

#endif
