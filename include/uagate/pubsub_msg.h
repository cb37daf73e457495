/* uagate PubSub message model — NetworkMessage, DataSetMessage, DataSetMetaData
 * as plain structs (Part 14 §7.2), shared by the UADP codec (uadp.h) and the
 * JSON codec (json.h).
 *
 * The model says what is in a message, not how it is laid out: presence of an
 * optional header field is a `has_` flag, not a wire bit. Each codec maps the
 * flags to its own encoding.
 *
 * Lifetime: a decoded message points into the decoder's input (strings, byte
 * strings, raw payload views) and into the arena it was given (DataSetMessage
 * and field arrays). It is valid while both are. A message built for encoding
 * points wherever its builder chose; the encoder only reads it.
 */
#ifndef UAGATE_PUBSUB_MSG_H
#define UAGATE_PUBSUB_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "uagate/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Part 14 §7.2.2.2.2 ExtendedFlags1 bits 0-2, plus NONE for "not present". */
enum ug_pubid_type {
    UG_PUBID_BYTE = 0,
    UG_PUBID_UINT16 = 1,
    UG_PUBID_UINT32 = 2,
    UG_PUBID_UINT64 = 3,
    UG_PUBID_STRING = 4,
    UG_PUBID_NONE = 0xFF,
};

typedef struct ug_publisher_id {
    uint8_t type; /* enum ug_pubid_type */
    uint64_t u64; /* numeric types */
    ug_string str; /* UG_PUBID_STRING */
} ug_publisher_id;

/* DataSetFlags1 bits 1-2. */
enum ug_field_encoding {
    UG_FE_VARIANT = 0,
    UG_FE_RAWDATA = 1,
    UG_FE_DATAVALUE = 2,
};

/* DataSetFlags2 bits 0-3. */
enum ug_dsm_type {
    UG_DSM_KEYFRAME = 0,
    UG_DSM_DELTAFRAME = 1,
    UG_DSM_EVENT = 2,
    UG_DSM_KEEPALIVE = 3,
};

/* One field of a DataSetMessage. For Variant and RawData encoding only
 * `dv.value` is used (dv.mask has UG_DV_VALUE); for DataValue encoding the
 * whole DataValue. `index` is the field index in delta frames. */
typedef struct ug_dsm_field {
    uint16_t index;
    /* RawData only: a String padded to MaxStringLength bytes, or a 1-D array
     * of a fixed-size type padded to ArrayDimensions[0] elements (decode: 0
     * when not padded; encode: pad to it). */
    uint16_t raw_padded_to;
    ug_datavalue dv;
    /* JSON mapping only: the field name (the Payload member name, Part 14
     * §7.2.5.4), a view; data NULL when unknown (UADP carries no names). */
    ug_string name;
} ug_dsm_field;

typedef struct ug_dsm {
    uint16_t writer_id; /* DataSetWriterId: from the PayloadHeader, or the configuration */
    bool has_writer_id;
    bool valid;
    uint8_t field_encoding; /* enum ug_field_encoding */
    uint8_t type;           /* enum ug_dsm_type */

    bool has_seq;
    bool has_timestamp;
    bool has_picoseconds;
    bool has_status;
    bool has_cfg_major;
    bool has_cfg_minor;
    uint16_t seq;
    uint16_t picoseconds;
    uint16_t status; /* UADP: high 16 bits of the StatusCode (Part 14 §7.2.4.5.4) */
    ug_datetime timestamp;
    uint32_t cfg_major;
    uint32_t cfg_minor;

    uint16_t field_count;
    ug_dsm_field *fields;

    /* UADP only. Encode: pad the DataSetMessage with zeros to this size
     * (0: no padding). Decode: the zero bytes found after the fields. */
    uint16_t configured_size;
    uint16_t padding;
    /* JSON mapping only (Part 14 §7.2.5.4): DataSetWriterName, a view. */
    ug_string writer_name;
    /* Decode only: set when RawData fields could not be decoded because no
     * metadata was given; `raw` then views the undecoded field bytes. */
    ug_bytes raw;
} ug_dsm;

/* GroupHeader, Part 14 §7.2.2.2.3. */
typedef struct ug_group_header {
    bool has_writer_group_id;
    bool has_group_version;
    bool has_nm_number;
    bool has_seq;
    uint16_t writer_group_id;
    uint32_t group_version;
    uint16_t nm_number;
    uint16_t seq;
} ug_group_header;

/* SecurityHeader, Part 14 §7.2.2.2.6. */
enum {
    UG_SEC_SIGNED = 0x01,
    UG_SEC_ENCRYPTED = 0x02,
    UG_SEC_FOOTER = 0x04,
    UG_SEC_FORCE_KEY_RESET = 0x08,
};
typedef struct ug_security_header {
    uint8_t flags;
    uint32_t token_id;
    ug_bytes nonce;        /* MessageNonce, a view */
    uint16_t footer_size;  /* with UG_SEC_FOOTER */
    ug_bytes footer;       /* decode: SecurityFooter view */
    ug_bytes signature;    /* decode: signature view (length from the options) */
} ug_security_header;

/* ExtendedFlags2 bits 2-4. */
enum ug_nm_type {
    UG_NM_DATASET = 0,
    UG_NM_DISCOVERY_REQUEST = 1,
    UG_NM_DISCOVERY_RESPONSE = 2,
};

/* A chunk of a NetworkMessage split by size, Part 14 §7.2.2.2.4. */
typedef struct ug_chunk {
    uint16_t writer_id;   /* DataSetWriterId of the chunked DataSetMessage */
    uint16_t msg_seq;     /* MessageSequenceNumber */
    uint32_t offset;      /* ChunkOffset */
    uint32_t total_size;  /* TotalSize */
    ug_bytes data;        /* ChunkData, a view */
} ug_chunk;

/* ---- DataSetMetaData, Part 14 §6.2.3.2 (DataSetMetaDataType, Part 5 12.31) ---- */

typedef struct ug_kv {
    ug_qualified_name key;
    ug_variant value;
} ug_kv;

typedef struct ug_field_meta {
    ug_string name;
    ug_localized_text description;
    uint16_t flags;  /* DataSetFieldFlags: bit 0 PromotedField */
    uint8_t builtin_type;
    ug_nodeid data_type;
    int32_t value_rank;
    int32_t n_array_dims; /* -1: null array */
    const uint32_t *array_dims;
    uint32_t max_string_len;
    ug_guid field_id;
    int32_t n_properties;
    const ug_kv *properties;
} ug_field_meta;

typedef struct ug_structure_field {
    ug_string name;
    ug_localized_text description;
    ug_nodeid data_type;
    int32_t value_rank;
    int32_t n_array_dims;
    const uint32_t *array_dims;
    uint32_t max_string_len;
    bool is_optional;
} ug_structure_field;

typedef struct ug_structure_description {
    ug_nodeid data_type_id;
    ug_qualified_name name;
    ug_nodeid default_encoding_id;
    ug_nodeid base_data_type;
    int32_t structure_type;
    int32_t n_fields;
    const ug_structure_field *fields;
} ug_structure_description;

typedef struct ug_enum_field {
    int64_t value;
    ug_localized_text display_name;
    ug_localized_text description;
    ug_string name;
} ug_enum_field;

typedef struct ug_enum_description {
    ug_nodeid data_type_id;
    ug_qualified_name name;
    int32_t n_fields;
    const ug_enum_field *fields;
    uint8_t builtin_type;
} ug_enum_description;

typedef struct ug_simple_type_description {
    ug_nodeid data_type_id;
    ug_qualified_name name;
    ug_nodeid base_data_type;
    uint8_t builtin_type;
} ug_simple_type_description;

typedef struct ug_dataset_metadata {
    int32_t n_namespaces;
    const ug_string *namespaces;
    int32_t n_structures;
    const ug_structure_description *structures;
    int32_t n_enums;
    const ug_enum_description *enums;
    int32_t n_simple_types;
    const ug_simple_type_description *simple_types;
    ug_string name;
    ug_localized_text description;
    int32_t n_fields;
    const ug_field_meta *fields;
    ug_guid class_id;
    uint32_t cfg_major; /* ConfigurationVersion */
    uint32_t cfg_minor;
} ug_dataset_metadata;

/* Discovery messages, Part 14 §7.2.2.4 (1.05). */
enum ug_discovery_response_type {
    UG_DISC_PUBLISHER_ENDPOINTS = 1,
    UG_DISC_DATASET_METADATA = 2,
    UG_DISC_DATASET_WRITER_CONFIG = 3,
};
typedef struct ug_discovery_request {
    uint8_t request_type;     /* 1: information request */
    uint8_t information_type; /* 1 publisher endpoints, 2 metadata, 3 writer configuration */
    int32_t n_writer_ids;
    const uint16_t *writer_ids;
} ug_discovery_request;

typedef struct ug_discovery_response {
    uint8_t response_type; /* enum ug_discovery_response_type */
    uint16_t seq;
    /* UG_DISC_DATASET_METADATA */
    uint16_t writer_id;
    ug_dataset_metadata metadata;
    ug_status status;
    /* other response types: the undecoded body, a view */
    ug_bytes body;
} ug_discovery_response;

/* ---- NetworkMessage ---- */

typedef struct ug_nm {
    uint8_t version; /* UADPVersion, 1 */
    uint8_t type;    /* enum ug_nm_type */

    ug_publisher_id publisher_id; /* type UG_PUBID_NONE when absent */
    bool has_class_id;
    ug_guid class_id;

    bool has_group_header;
    ug_group_header group;

    bool has_payload_header; /* DataSetWriterIds carried in the message */

    bool has_timestamp;
    bool has_picoseconds;
    ug_datetime timestamp;
    uint16_t picoseconds;

    uint16_t n_promoted;
    ug_variant *promoted;

    bool has_security;
    ug_security_header security;

    /* Payload: exactly one of these, by `type` and `is_chunk`. */
    bool is_chunk;
    ug_chunk chunk;
    uint16_t n_dsm;
    ug_dsm *dsm;
    ug_discovery_request disc_req;
    ug_discovery_response disc_resp;

    /* JSON mapping only (Part 14 §7.2.5): MessageId, WriterGroupName. */
    ug_string message_id;
    ug_string writer_group_name;
} ug_nm;

/* Configuration-side knowledge of one DataSetMessage a reader expects: needed
 * to decode RawData fields and messages without a PayloadHeader. */
typedef struct ug_dsm_layout {
    uint16_t writer_id;
    uint16_t configured_size;
    int32_t n_fields;
    const ug_field_meta *fields;
} ug_dsm_layout;

/* An empty NetworkMessage: version 1, no publisher id, no DataSetMessages. */
void ug_nm_init(ug_nm *nm);
/* An empty valid key frame DataSetMessage with Variant fields. */
void ug_dsm_init(ug_dsm *dsm);

#ifdef __cplusplus
}
#endif
#endif
