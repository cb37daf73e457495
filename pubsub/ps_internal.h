/* Private to pubsub/: the component structs and the helpers the files share.
 *
 * Every component embeds a ug_ps_comp as its first member; the comps form a
 * tree (root -> connections -> groups -> writers/readers) through which state
 * changes propagate (Part 14 §6.2.1). PublishedDataSets are not in the tree:
 * they have no PubSubState.
 */
#ifndef UG_PUBSUB_INTERNAL_H
#define UG_PUBSUB_INTERNAL_H

#include "uagate/pubsub.h"
#include "uagate/uadp.h"
#include "uagate/uadp_ext.h"

struct ug_ps_comp {
    uint8_t kind;   /* enum ug_ps_kind */
    uint8_t state;  /* enum ug_pubsub_state */
    uint8_t local;  /* state when enabled under an Operational parent:
                       PreOperational, Operational or Error */
    bool enabled;
    ug_status reason; /* why local is Error / last enable failure */
    ug_pubsub *ps;
    char *name;
    ug_ps_comp *parent, *child, *next, *prev;
    ug_ps_diag diag;
    void *user; /* ug_ps_comp_set_user */
};

/* One value store slot. */
typedef struct ps_slot {
    ug_datavalue dv;
    uint8_t type;
    uint64_t changes;
    uint8_t *str; /* string_cap bytes for String/ByteString */
} ps_slot;

struct ug_pubsub {
    ug_ps_comp comp;
    ug_loop *loop;
    ug_pubsub_config cfg;
    ps_slot *slots;
    uint32_t n_slots;
    ug_pds *pds_list;
    int64_t base_ns; /* default grid origin of writer groups */
    ug_ps_observer obs; /* all NULL: none */
};

/* A sampled field value with its own string storage. */
typedef struct ps_value {
    ug_datavalue dv;
    uint8_t *str;
    uint32_t str_cap;
} ps_value;

struct ug_pds {
    ug_pubsub *ps;
    ug_pds *next;
    char *name;
    uint16_t n_fields;
    ug_pds_field *fields;        /* names point into the same allocation */
    ug_field_meta *meta_fields;
    ug_dataset_metadata md;
    uint32_t version_serial;     /* bumped on every change; writers compare */
    unsigned users;
};

typedef struct ps_sim_state {
    uint64_t n;    /* samples taken */
    double walk;   /* random walk position */
    uint64_t rng;
} ps_sim_state;

struct ug_dataset_writer {
    ug_ps_comp comp;
    ug_writer_group *group;
    ug_dataset_writer_config cfg;
    ug_pds *pds;
    uint32_t pds_serial;     /* pds->version_serial the buffers were built for */
    bool announced;
    uint16_t n_fields;
    ps_value *sample[2];     /* current / previous, n_fields each */
    uint8_t cur;
    bool have_prev;
    ps_sim_state *sim;       /* per field */
    ug_dsm_field *out_fields;/* fields of the DataSetMessage being built */
    uint64_t cycle;          /* publishing intervals since activation */
    int64_t last_sent_ns;
    uint16_t seq;            /* next DataSetMessage sequence number */
    uint16_t n_promoted;
    uint16_t *promoted;      /* indexes of the dataset's promoted fields */
};

struct ug_writer_group {
    ug_ps_comp comp;
    ug_ps_connection *conn;
    ug_writer_group_config cfg;
    struct ug_timer timer;
    bool dirty;              /* rebuild before the next cycle */
    uint16_t seq;            /* next NetworkMessage sequence number */
    uint16_t n_writers;
    ug_dataset_writer **writers; /* publishing order, rebuilt when dirty */
    ug_dsm *dsm;             /* n_writers */
    uint8_t *buf;            /* encode buffer */
    size_t buf_cap;
    uint8_t *scratch;        /* chunking scratch */
    size_t scratch_cap;
    bool fixed_ok;           /* layout fixed: key-frame cycles use the frame */
    ug_uadp_fixed *fixed;
    uint8_t *frame;
    size_t frame_cap;
    char msg_id[80];         /* JSON MessageId of the message being built */
    ug_amqp_prop *promoted;  /* amqp:// promoted fields of all writers */
    size_t n_promoted;       /* capacity */
    size_t n_promoted_set;   /* filled for the message being sent */
};

struct ug_reader_group {
    ug_ps_comp comp;
    ug_ps_connection *conn;
};

struct ug_dataset_reader {
    ug_ps_comp comp;
    ug_reader_group *group;
    ug_dataset_reader_config cfg;
    ug_publisher_id pubid;   /* str copied */
    ug_dataset_metadata md;  /* deep copy when has_md */
    bool has_md;
    ug_field_meta *md_fields;
    ug_dsm_layout layout;
    uint32_t *slots;         /* md.n_fields, UINT32_MAX: not stored */
    ug_arena arena;
    uint8_t *arena_buf;
    struct ug_timer timeout;
    bool have_seq;
    uint16_t last_seq;
};

struct ug_ps_connection {
    ug_ps_comp comp;
    ug_connection_config cfg;
    ug_publisher_id pubid;   /* str copied */
    char *url;
    uint8_t kind;            /* enum ug_transport_kind of url */
    char *owned[16];         /* copies of the broker option strings */
    char open_error[160];    /* why the transport could not open, one line */
    size_t n_owned;
    ug_ps_link link;
    bool has_link;
    ug_transport *transport;
    bool connected;          /* the transport said CONNECTED */
    bool reasm_ready;
    ug_uadp_reasm reasm;
    ug_dsm_layout *layouts;  /* of every reader with metadata */
    size_t n_layouts;
    ug_arena scratch_arena;  /* JSON messages, promoted fields of headers */
    uint8_t *scratch_arena_buf;
    uint8_t *meta_buf;       /* metadata announcements */
    size_t meta_cap;
};

/* ---- engine.c ---- */
void ps_comp_init(ug_ps_comp *c, ug_pubsub *ps, uint8_t kind, ug_ps_comp *parent,
                  const char *name, ug_status *st);
void ps_comp_unlink(ug_ps_comp *c);
/* Recompute the state from enabled / parent / local, run the kind's hook
 * and propagate to the children. */
void ps_comp_refresh(ug_ps_comp *c, ug_status reason);
void ps_comp_set_local(ug_ps_comp *c, uint8_t local, ug_status reason);
char *ps_strdup(const char *s);
ug_status ps_pubid_copy(ug_publisher_id *dst, const ug_publisher_id *src);
ps_slot *ps_slot_at(ug_pubsub *ps, uint32_t slot);
void ps_pds_use(ug_pds *pds, int delta);

/* ---- sample.c ---- */
ug_status ps_values_alloc(ps_value **out, const ug_pds *pds);
void ps_values_free(ps_value *v, uint16_t n);
/* Copy dv into v (strings into v's storage; too long: BadOutOfRange). */
ug_status ps_value_set(ps_value *v, const ug_datavalue *dv);
/* Sample field i of pds at now_ns into v. */
void ps_sample_field(ug_pubsub *ps, const ug_pds_field *f, uint16_t i, ps_sim_state *sim,
                     int64_t now_ns, ps_value *v);
void ps_sim_reset(ps_sim_state *s, const ug_pds_field *f);

/* ---- connection.c ---- */
ug_status ps_conn_send(ug_ps_connection *c, const uint8_t *msg, size_t len);
/* Sends DataSetMetaData: retained on the MQTT metadata topic, with subject
 * ua-metadata on AMQP, as any message elsewhere. */
ug_status ps_conn_send_metadata(ug_ps_connection *c, const uint8_t *msg, size_t len);
/* Broker connections (MQTT, AMQP) always publish metadata (Part 14 §7.3.4.6,
 * §7.3.5.7): a subscriber has no other way to learn it. */
bool ps_conn_is_broker(const ug_ps_connection *c);
void ps_conn_hook(ug_ps_comp *c, uint8_t old_state);
uint8_t ps_conn_activate(ug_ps_comp *c);
void ps_conn_layouts_changed(ug_ps_connection *c);

/* ---- writer.c ---- */
void ps_wg_hook(ug_ps_comp *c, uint8_t old_state);
void ps_writer_hook(ug_ps_comp *c, uint8_t old_state);
void ps_pds_changed(ug_pubsub *ps, ug_pds *pds);

/* ---- reader.c ---- */
void ps_reader_hook(ug_ps_comp *c, uint8_t old_state);
bool ps_reader_matches(const ug_dataset_reader *r, const ug_nm *hdr, bool uadp,
                       bool check_writer, uint16_t writer_id);
void ps_reader_accept(ug_dataset_reader *r, const ug_nm *nm, const ug_dsm *dsm,
                      int64_t rx_time_ns);

static inline bool ps_active(uint8_t s)
{
    return s == UG_PUBSUB_PREOPERATIONAL || s == UG_PUBSUB_OPERATIONAL || s == UG_PUBSUB_ERROR;
}

#endif
