/* config — the uagate configuration file: load, validate, compare.
 *
 * The file is JSON whose structure and member names follow Part 14's
 * PubSubConfigurationDataType (§6.2.12, camelCase): publishedDataSets with
 * their fields, connections -> writerGroups -> dataSetWriters and
 * connections -> readerGroups -> dataSetReaders, plus the gateway's own
 * `variables` (value store slots) and `routes` (a reader's dataset feeding a
 * published dataset). Durations are strings with a unit ("1ms", "250us"),
 * addresses are URLs. config/uagate.schema.json is its JSON Schema.
 *
 * Loading validates everything (types, ranges, units, unique names and ids,
 * references between sections, URL syntax, interface names) before anything
 * is built, and reports every problem as "FILE: $.json.path: what is wrong".
 *
 * Lifetime: ug_cfg_load allocates the whole tree; ug_cfg_free frees it. All
 * strings are owned by the tree.
 */
#ifndef UG_GATEWAY_CONFIG_H
#define UG_GATEWAY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uagate/pubsub_msg.h"
#include "uagate/types.h"

enum ug_cfg_src {
    UG_CFG_SRC_ROUTE = 0, /* fed by a route (no "source" in the file) */
    UG_CFG_SRC_VARIABLE,  /* a gateway variable (value store slot) */
    UG_CFG_SRC_SIM,       /* a simulator */
};

/* A field fed by a monitored item on an OPC UA server (issue 7 item 7, the
 * "client source"): "source": {"opcua": {...}}. The loader gives such a field
 * a hidden variable (ug_cfg_variable.hidden) and src UG_CFG_SRC_VARIABLE, so
 * the engine samples a store slot that the client writes on each data change. */
typedef struct ug_cfg_opcua_src {
    char *url;                /* opc.tcp://host[:port][/path]; NULL: not an opcua source */
    char *node_id;            /* NodeId text form, checked */
    int64_t sampling_ns;      /* samplingInterval; default 100ms */
    char *username, *password; /* both or neither; the password is never logged */
} ug_cfg_opcua_src;

/* A scalar value written in the file, for a variable's initial value. */
typedef struct ug_cfg_value {
    bool present;
    double num;   /* numeric and Boolean types */
    int64_t i64;  /* integer types (exact) */
    uint64_t u64;
    char *str;    /* String, ByteString (text bytes) */
} ug_cfg_value;

typedef struct ug_cfg_field {
    char *name;
    uint8_t type; /* built-in type */
    uint32_t max_string_len;
    bool promoted; /* PublishedDataSet fields only: DataSetFieldFlags PromotedField */
    uint8_t src;  /* enum ug_cfg_src (PublishedDataSet fields only) */
    char *variable;
    ug_cfg_opcua_src opcua;
    struct {
        uint8_t shape; /* enum ug_ps_sim_shape */
        double offset, amplitude, step;
        int64_t period_ns;
        uint64_t seed;
    } sim;
} ug_cfg_field;

typedef struct ug_cfg_pds {
    char *name;
    size_t n_fields;
    ug_cfg_field *fields;
} ug_cfg_pds;

typedef struct ug_cfg_variable {
    char *name;
    uint8_t type;
    ug_cfg_value value;
    /* Made by the loader for an opcua source field (name "$opcua:<dataset>/<field>");
     * not shown in the address space. */
    bool hidden;
} ug_cfg_variable;

typedef struct ug_cfg_user {
    char *name;
    char *password_hash; /* "pbkdf2-sha256$..." (uagate hash-password) */
} ug_cfg_user;

/* The "server" section: the OPC UA server of `uagate run` (issue 7 item 6). */
typedef struct ug_cfg_server {
    bool enabled;              /* default true */
    char *url;                 /* default opc.tcp://0.0.0.0:4840 */
    char *host;                /* parsed from url ("0.0.0.0", "::1", a name) */
    uint16_t port;             /* parsed; 0: an ephemeral port */
    bool allow_anonymous;      /* default true */
    size_t n_users;
    ug_cfg_user *users;
    uint32_t max_sessions;     /* 0: the server's default */
    int64_t session_timeout_ns;/* 0: the server's default (largest accepted) */
    int64_t hello_timeout_ns;  /* 0: the server's default */
} ug_cfg_server;

/* Part 14 §6.4.2 BrokerWriterGroupTransportDataType,
 * BrokerDataSetReaderTransportDataType: a group's "transportSettings" on an
 * mqtt/amqp connection. */
typedef struct ug_cfg_broker_group {
    bool present;
    char *queue_name;          /* MQTT topic / AMQP node address; NULL: the URL's */
    char *metadata_queue_name; /* MQTT only; NULL: "<queue>/$Metadata" */
    char *resource_uri;
    char *auth_profile_uri;
    uint8_t qos;               /* BrokerTransportQualityOfService, 0..4 */
} ug_cfg_broker_group;

/* Part 14 §6.4.2.2 BrokerConnectionTransportDataType plus what the
 * AuthenticationProfile and TLS resolve to here: a connection's
 * "transportSettings" on an mqtt/amqp connection. */
typedef struct ug_cfg_broker {
    bool present;
    uint8_t kind;              /* enum ug_transport_kind of the address */
    char *resource_uri, *auth_profile_uri;
    char *username, *password; /* password never logged */
    char *ca_file, *cert_file, *key_file, *tls_hostname;
    char *client_id, *queue_file;
    uint8_t mqtt_version;      /* enum ug_mqtt_version */
    bool persistent_session;
    uint32_t queue_max;        /* 0: the transport's default */
    uint8_t queue_policy;      /* 0 drop oldest, 1 drop newest, 2 block */
    uint32_t reconnect_max_ms; /* back-off cap; 0: 1 s */
    uint8_t qos;               /* resolved from the groups, BrokerTransportQualityOfService */
    char *metadata_queue_name; /* resolved from the writer group */
} ug_cfg_broker;

typedef struct ug_cfg_writer {
    char *name;
    bool enabled;
    uint16_t id;
    uint32_t key_frame_count;
    uint32_t field_mask;    /* UG_FIELD_* */
    uint32_t uadp_dsm_mask; /* 0: engine default */
    uint32_t json_dsm_mask;
    char *dataset;
    size_t pds_index;       /* resolved */
} ug_cfg_writer;

typedef struct ug_cfg_wg {
    char *name;
    bool enabled;
    uint16_t id;
    int64_t interval_ns, offset_ns, keep_alive_ns;
    uint8_t priority;
    uint32_t max_nm_size;
    uint8_t encoding;       /* enum ug_ps_encoding */
    uint32_t uadp_nm_mask;  /* 0: engine default */
    uint32_t json_nm_mask;
    uint32_t group_version;
    size_t n_writers;
    ug_cfg_writer *writers;
    ug_cfg_broker_group broker;
} ug_cfg_wg;

typedef struct ug_cfg_reader {
    char *name;
    bool enabled;
    ug_publisher_id publisher_id; /* type UG_PUBID_NONE: any */
    char *publisher_id_str;       /* owned text of a String id */
    uint16_t writer_group_id, writer_id;
    int64_t timeout_ns;
    size_t n_fields;              /* 0: no metadata (values not stored) */
    ug_cfg_field *fields;         /* name, type, max_string_len */
    uint32_t cfg_major;           /* expected ConfigurationVersion (0: any) */
} ug_cfg_reader;

typedef struct ug_cfg_rg {
    char *name;
    bool enabled;
    size_t n_readers;
    ug_cfg_reader *readers;
    ug_cfg_broker_group broker;
} ug_cfg_rg;

typedef struct ug_cfg_conn {
    char *name;
    bool enabled;
    ug_publisher_id publisher_id;
    char *publisher_id_str;
    char *address;
    char *interface;
    int ttl;
    uint8_t loopback; /* enum ug_tristate */
    bool reuse;
    int dscp;
    int priority;
    uint32_t max_msg;
    size_t n_wgs;
    ug_cfg_wg *wgs;
    size_t n_rgs;
    ug_cfg_rg *rgs;
    ug_cfg_broker broker;
} ug_cfg_conn;

typedef struct ug_cfg_map {
    char *from, *to;
    size_t from_index, to_index; /* resolved field indices */
} ug_cfg_map;

typedef struct ug_cfg_route {
    char *name;
    char *from;  /* a dataSetReader name */
    char *to;    /* a publishedDataSet name */
    bool publish_on_receive;
    size_t n_maps; /* resolved: explicit, or every same-named field */
    ug_cfg_map *maps;
    /* resolved */
    size_t conn, rg, reader, pds;
} ug_cfg_route;

typedef struct ug_cfg {
    char *path;
    char *name;
    bool enabled;
    int64_t status_interval_ns;
    size_t n_pds;
    ug_cfg_pds *pds;
    size_t n_vars;
    ug_cfg_variable *vars;
    size_t n_conns;
    ug_cfg_conn *conns;
    size_t n_routes;
    ug_cfg_route *routes;
    ug_cfg_server server;
} ug_cfg;

/* Loads and validates path. On success *out is the configuration and the
 * return is 0. On failure returns the number of errors found (each printed
 * to errf as one line "PATH: $.where: what"), *out is NULL. A file that
 * cannot be read or is not JSON gives one error with line and column. */
int ug_cfg_load(const char *path, FILE *errf, ug_cfg **out);
void ug_cfg_free(ug_cfg *cfg);

/* Fills the mqtt/amqp members of *t from cc's broker settings (nothing for
 * other kinds). The strings stay cc's. */
struct ug_transport_opts;
void ug_cfg_broker_transport_opts(const ug_cfg_conn *cc, struct ug_transport_opts *t);

/* Parses a duration "1.5ms", "250us", "10s", "100ns" ("0" is zero) into ns.
 * False when it is not one. */
bool ug_cfg_parse_duration(const char *s, int64_t *out_ns);

/* Whether two parts of two configurations are the same (so a reload keeps
 * them running). */
bool ug_cfg_pds_equal(const ug_cfg_pds *a, const ug_cfg_pds *b);
bool ug_cfg_wg_equal(const ug_cfg_wg *a, const ug_cfg_wg *b);
/* Same name, WriterGroupId and writers; the group's own settings may differ
 * (then a reload changes it in place). */
bool ug_cfg_wg_writers_equal(const ug_cfg_wg *a, const ug_cfg_wg *b);
bool ug_cfg_rg_equal(const ug_cfg_rg *a, const ug_cfg_rg *b);
bool ug_cfg_conn_equal_own(const ug_cfg_conn *a, const ug_cfg_conn *b); /* not its groups */
bool ug_cfg_var_equal(const ug_cfg_variable *a, const ug_cfg_variable *b);
bool ug_cfg_server_equal(const ug_cfg_server *a, const ug_cfg_server *b);

/* Splits an opc.tcp:// URL into host and port (default 4840); host is
 * malloc'ed. False with why filled when it is not one. */
bool ug_cfg_parse_opctcp_url(const char *url, char **host, uint16_t *port, char *why,
                             size_t why_cap);

#endif
