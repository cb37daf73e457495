/* clientserver/aspace_ns0.h — the layout of the generated namespace-0 tables
 * (clientserver/ns0_gen.c, made by tools/gen_ns0.py from Opc.Ua.NodeSet2.xml).
 *
 * The tables hold no pointers (strings are offsets into one NUL-separated
 * pool, nodes are indices), so they need no relocations and stay in shared
 * read-only pages. aspace.c materialises one ug_node per table row whose
 * strings point into the pool and whose references are read from `refs`
 * until the node's references change.
 *
 * Lifetime: static, read-only.
 */
#ifndef UG_CLIENTSERVER_ASPACE_NS0_H
#define UG_CLIENTSERVER_ASPACE_NS0_H

#include <stdint.h>

enum {
    UG_NS0_F_ABSTRACT = 0x01,
    UG_NS0_F_SYMMETRIC = 0x02,
    UG_NS0_F_NOT_EXECUTABLE = 0x04,
    UG_NS0_F_HISTORIZING = 0x08,
};

struct ug_ns0_node {
    uint32_t id;            /* ns=0 numeric id; rows sorted by it */
    uint32_t browse_name;   /* pool offsets; 0 is the empty string */
    uint32_t display_name;
    uint32_t inverse_name;  /* 0: none */
    uint32_t data_type;     /* variables / variable types, ns=0 numeric */
    uint32_t refs;          /* first entry in refs[] */
    uint16_t n_refs;
    int16_t value;          /* index in values[] or -1 */
    uint32_t dims;          /* first entry in dims[] */
    int32_t min_sampling_ms; /* -1: not given */
    uint8_t node_class;
    uint8_t flags;          /* UG_NS0_F_* */
    uint8_t access_level;
    uint8_t event_notifier;
    int8_t value_rank;
    uint8_t n_dims;
};

struct ug_ns0_ref {
    uint16_t target;  /* row index */
    uint8_t type;     /* index into reftypes[] */
    uint8_t inverse;  /* 1: the row is the reference's target */
};

/* A simple value: type is a built-in type id (Boolean, Int32, UInt32,
 * String, LocalizedText, ExtensionObject); count items at value_data[data]
 * (LocalizedText: 2 pool offsets each, locale then text; String: 1 pool
 * offset; ExtensionObject: pool offset and length of an Argument body in
 * UA Binary, encoding id i=298; others the value). */
struct ug_ns0_value {
    uint8_t type;
    uint8_t is_array;
    uint16_t count;
    uint32_t data;
};

#define UG_NS0_ARGUMENT_BINARY 298 /* Argument_Encoding_DefaultBinary */

struct ug_ns0_tables {
    const char *pool;
    const struct ug_ns0_node *nodes;
    uint32_t n_nodes;
    const struct ug_ns0_ref *refs;
    uint32_t n_refs;
    const uint16_t *reftypes; /* row index of each reference type */
    uint32_t n_reftypes;
    const uint32_t *dims;
    const struct ug_ns0_value *values;
    uint32_t n_values;
    const uint32_t *value_data;
};

extern const struct ug_ns0_tables ug_ns0;

#endif
