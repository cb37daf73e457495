/* uagate json — OPC UA JSON encoding (Part 6 §5.4, 1.05) and the JSON
 * message mapping of PubSub (Part 14 §7.2.5, 1.05).
 *
 * Role: encode the PubSub message model (pubsub_msg.h) and single built-in
 * values to JSON text, and decode JSON text back into the model.
 *
 * Encoding writes into a caller buffer through a ug_wr (binary.h): one code
 * path counts and writes, nothing is allocated. With a buffer too small the
 * call returns BadEncodingLimitsExceeded and *out_len says the exact size
 * needed (call with buf NULL, cap 0 to size a buffer). Two forms, Part 6
 * §5.4.1: Compact and Verbose; Verbose adds the StatusCode Symbol, the null
 * and default members of LocalizedText and DataSetMetaData structures, and
 * with a namespace table "nsu=" namespace URIs in NodeIds/QualifiedNames.
 *
 * Decoding: an in-place pull scanner of our own (json/jrd.c) walks the text
 * once and writes straight into the model; no token array, no tree. We chose
 * it over jsmn (Debian libjsmn-dev) because jsmn needs a token array sized in
 * advance and a second walk over it, and over json-c/jansson/cJSON because
 * they allocate a tree per message. Member names are compared as byte views.
 * Strings without a backslash are views into the input; strings with escapes
 * are unescaped into the arena. Invalid UTF-8, bad escapes, control
 * characters and trailing bytes are BadDecodingError; nesting, string length,
 * array length, size and token count are limited (ug_limits plus a token
 * limit). On failure the byte offset of the fault is reported.
 *
 * The decoder accepts the 1.05 Compact and Verbose forms and the 1.04
 * Reversible and NonReversible forms (Part 6 Annex H): a value is decoded
 * from whatever JSON shape it has (a NodeId string or {"Id":..}, a StatusCode
 * number or {"Code":..}, a Variant {"UaType":..} or {"Type":..,"Body":..}, a
 * bare value typed by the reader's metadata or, without it, inferred:
 * Boolean, Int32/Int64/Double, String, Variant arrays, JSON-bodied
 * ExtensionObjects). Leniency for known defects of deployed encoders
 * (open62541, tests/vectors/open62541/README.md):
 *  - a PublisherId string that holds a JSON string literal
 *    ("\"1234\"", open62541 for UInt64 and String ids) is unwrapped once;
 *  - a DataSetMessage Status number <= 0xFFFF whose InfoType bits (10-11) are
 *    zero but whose info bits are not (impossible for a real StatusCode) is
 *    read as the UADP 16-bit status, i.e. the high half of the code;
 *  - "MessageId": null is accepted; Int64 and integers given as numbers or
 *    strings, and numbers given as strings, are accepted.
 *
 * Model mapping (pubsub_msg.h): a numeric PublisherId text becomes the
 * smallest numeric type that holds it (the JSON text does not carry the type);
 * the JSON SequenceNumber (UInt32) keeps its low 16 bits; the DataSetMessage
 * Status is the high half of the code; DataValue members at their default
 * (Good, DateTime.MinValue, 0 picoseconds) are absent, on both sides; a
 * JSON-bodied ExtensionObject is UG_EO_JSON with `body` = the whole object
 * text as received, written back verbatim.
 *
 * Cost: one pass over the text; arrays whose length the text does not
 * announce grow in the arena (a Variant array is counted first). Encoding
 * writes integers, DateTimes and most doubles without printf: doubles in
 * [1e-5, 1e15) get their shortest digits from exact 128-bit arithmetic, and
 * decoding uses the same for up to 19 significant digits; strtod/snprintf
 * only outside that.
 *
 * Lifetime: a decoded message points into the input text and into the arena;
 * it is valid while both are. Encoders only read their input.
 */
#ifndef UAGATE_JSON_H
#define UAGATE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "uagate/binary.h"
#include "uagate/pubsub_msg.h"
#include "uagate/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Part 6 §5.4.1 (1.05). */
enum ug_json_form {
    UG_JSON_COMPACT = 0,
    UG_JSON_VERBOSE = 1,
};

/* JsonNetworkMessageContentMask, Part 14 §6.3.2.4.1 (1.05 Table 93). */
enum {
    UG_JSON_NM_NETWORK_HEADER = 1u << 0,
    UG_JSON_NM_DATASET_HEADER = 1u << 1,
    UG_JSON_NM_SINGLE_DATASET = 1u << 2,
    UG_JSON_NM_PUBLISHER_ID = 1u << 3,
    UG_JSON_NM_DATASET_CLASS_ID = 1u << 4,
    UG_JSON_NM_REPLY_TO = 1u << 5, /* reserved, ignored */
    UG_JSON_NM_WRITER_GROUP_NAME = 1u << 6,
    /* Decode only: detect the layout from the text (see ug_json_decode). */
    UG_JSON_NM_AUTO = 1u << 31,
};

/* JsonDataSetMessageContentMask, Part 14 §6.3.2.3.1 (1.05 Table 111). Bits 7
 * and 11 (FieldEncoding1/2) are not interpreted: the encoder takes the form
 * from `form` and the field representation from each DataSetMessage's
 * field_encoding (RawData gives the collapsed VerboseEncoding fields of
 * §7.2.5.4.2); the decoder accepts every form. */
enum {
    UG_JSON_DSM_WRITER_ID = 1u << 0,
    UG_JSON_DSM_METADATA_VERSION = 1u << 1,
    UG_JSON_DSM_SEQUENCE_NUMBER = 1u << 2,
    UG_JSON_DSM_TIMESTAMP = 1u << 3,
    UG_JSON_DSM_STATUS = 1u << 4,
    UG_JSON_DSM_MESSAGE_TYPE = 1u << 5,
    UG_JSON_DSM_WRITER_NAME = 1u << 6,
    UG_JSON_DSM_FIELD_ENCODING1 = 1u << 7,
    UG_JSON_DSM_PUBLISHER_ID = 1u << 8,
    UG_JSON_DSM_WRITER_GROUP_NAME = 1u << 9,
    UG_JSON_DSM_MINOR_VERSION = 1u << 10,
    UG_JSON_DSM_FIELD_ENCODING2 = 1u << 11,
};

/* The standard layouts as NetworkMessage content masks (Part 14 §7.2.5.2 and
 * Annex A.3): JSON-NetworkMessage, JSON-DataSetMessage (one DataSetMessage,
 * no NetworkMessage header), JSON-Minimal (a bare Payload object), and an
 * array of DataSetMessages without NetworkMessage header. */
#define UG_JSON_LAYOUT_NETWORK_MESSAGE \
    (UG_JSON_NM_NETWORK_HEADER | UG_JSON_NM_DATASET_HEADER | UG_JSON_NM_PUBLISHER_ID)
#define UG_JSON_LAYOUT_DATASET_MESSAGE (UG_JSON_NM_DATASET_HEADER | UG_JSON_NM_SINGLE_DATASET)
#define UG_JSON_LAYOUT_MINIMAL (UG_JSON_NM_SINGLE_DATASET)
#define UG_JSON_LAYOUT_DSM_ARRAY (UG_JSON_NM_DATASET_HEADER)

typedef struct ug_json_enc_opts {
    uint8_t form;     /* enum ug_json_form */
    uint32_t nm_mask; /* UG_JSON_NM_* */
    uint32_t dsm_mask; /* UG_JSON_DSM_* */
    /* Optional namespace table (index -> URI). With it, the Verbose form
     * writes NodeIds with "nsu=" for namespaces other than 0. */
    int32_t n_namespaces;
    const ug_string *namespaces;
} ug_json_enc_opts;

/* Compact form, JSON-NetworkMessage layout, DataSetWriterId, SequenceNumber,
 * MetaDataVersion, Timestamp, Status and MessageType in each DataSetMessage. */
extern const ug_json_enc_opts ug_json_enc_default;

typedef struct ug_json_dec_opts {
    const ug_limits *lim; /* NULL: ug_limits_default */
    uint32_t max_tokens;  /* 0: 1,000,000 */
    /* UG_JSON_NM_AUTO, or the reader's configured JsonNetworkMessageContentMask. */
    uint32_t nm_mask;
    /* Optional: metadata of the DataSetMessages a reader expects, used to
     * type RawData fields (values without "UaType") by field name, and to
     * fill the DataSetWriterId of messages without one. */
    int32_t n_layouts;
    const ug_dsm_layout *layouts;
    /* Optional namespace table to resolve "nsu=" NodeIds (Verbose form) and
     * 1.04 namespace URIs; without it such NodeIds are BadDecodingError. */
    int32_t n_namespaces;
    const ug_string *namespaces;
} ug_json_dec_opts;

/* Auto layout, default limits. */
extern const ug_json_dec_opts ug_json_dec_default;

/* ---- Built-in values, Part 6 §5.4.2 ---- */

/* Encode one element of `type` (C types as in ug_rd_element) as a JSON value.
 * Returns Good, BadEncodingLimitsExceeded (buffer short; *out_len = size
 * needed), BadEncodingError (invalid UTF-8 in a string, a value the JSON
 * form cannot carry). */
ug_status ug_json_encode_value(void *buf, size_t cap, unsigned type, const void *in,
                               const ug_json_enc_opts *opts, size_t *out_len);
/* Decode one JSON value of `type` (all input must be consumed, whitespace
 * aside). *err_off receives the byte offset of a failure (may be NULL).
 * Returns Good, BadDecodingError, BadEncodingLimitsExceeded, BadOutOfMemory. */
ug_status ug_json_decode_value(const void *buf, size_t len, unsigned type, void *out,
                               const ug_json_dec_opts *opts, ug_arena *arena, size_t *err_off);

/* ---- NetworkMessages, Part 14 §7.2.5.3 / §7.2.5.4 ---- */

/* Encode a DataSet NetworkMessage in the layout given by opts->nm_mask.
 * Payload member names come from ug_dsm_field.name; a field whose name has
 * data NULL (e.g. decoded from UADP) gets its decimal field index. Field
 * encodings: Variant -> {"UaType","Value"}, DataValue -> the flattened
 * DataValue, RawData -> the bare value (VerboseEncoding fields, §7.2.5.4.2).
 * A null MessageId is written as "" (the member is mandatory).
 * Returns Good, BadEncodingLimitsExceeded (*out_len = size needed),
 * BadEncodingError (SingleDataSetMessage with n_dsm != 1, invalid UTF-8,
 * a value JSON cannot carry), BadInvalidArgument (NULL arguments). */
ug_status ug_json_encode_nm(void *buf, size_t cap, const ug_nm *nm, const ug_json_enc_opts *opts,
                            size_t *out_len);

/* Decode a ua-data message in any layout into `nm` (ug_nm_init'ed here).
 * With opts->nm_mask == UG_JSON_NM_AUTO the layout is decided by the first
 * member names (a reader that knows its layout should pass its mask): an
 * object starting with MessageId, Messages or MessageType "ua-data" is a
 * NetworkMessage; an array holds DataSetMessages; an object (or array
 * element) whose first member is a DataSetMessage header member or
 * "Payload" is a DataSetMessage, any other object a bare payload
 * (JSON-Minimal). A DataSetMessage-level PublisherId or WriterGroupName goes
 * to nm->publisher_id / nm->writer_group_name.
 * Returns Good, BadDecodingError (malformed, wrong types, MessageType not
 * ua-data), BadEncodingLimitsExceeded, BadOutOfMemory (arena exhausted).
 * *err_off (may be NULL) receives the offset of the failure. */
ug_status ug_json_decode_nm(const void *buf, size_t len, ug_nm *nm, const ug_json_dec_opts *opts,
                            ug_arena *arena, size_t *err_off);

/* ---- ua-metadata, Part 14 §7.2.5.5.2 ---- */

typedef struct ug_json_metadata_msg {
    ug_string message_id;
    ug_publisher_id publisher_id;
    uint16_t writer_id;
    ug_string writer_name;       /* null when absent */
    ug_string writer_group_name; /* null when absent */
    bool has_timestamp;
    ug_datetime timestamp;
    ug_dataset_metadata metadata;
} ug_json_metadata_msg;

void ug_json_metadata_msg_init(ug_json_metadata_msg *m);
ug_status ug_json_encode_metadata(void *buf, size_t cap, const ug_json_metadata_msg *m,
                                  const ug_json_enc_opts *opts, size_t *out_len);
ug_status ug_json_decode_metadata(const void *buf, size_t len, ug_json_metadata_msg *m,
                                  const ug_json_dec_opts *opts, ug_arena *arena, size_t *err_off);

/* ---- ua-status, Part 14 §7.2.5.5.5 ---- */

/* PubSubState, Part 14 §6.2.1. */
enum ug_pubsub_state {
    UG_PUBSUB_DISABLED = 0,
    UG_PUBSUB_PAUSED = 1,
    UG_PUBSUB_OPERATIONAL = 2,
    UG_PUBSUB_ERROR = 3,
    UG_PUBSUB_PREOPERATIONAL = 4,
};

typedef struct ug_json_status_msg {
    ug_string message_id;
    ug_publisher_id publisher_id;
    bool is_cyclic;
    int32_t state;            /* enum ug_pubsub_state */
    ug_datetime timestamp;    /* written only when is_cyclic */
    ug_datetime next_report;  /* NextReportTime, written only when is_cyclic */
} ug_json_status_msg;

ug_status ug_json_encode_status(void *buf, size_t cap, const ug_json_status_msg *m,
                                const ug_json_enc_opts *opts, size_t *out_len);
ug_status ug_json_decode_status(const void *buf, size_t len, ug_json_status_msg *m,
                                const ug_json_dec_opts *opts, ug_arena *arena, size_t *err_off);

/* MessageType of a JSON message without decoding it: "ua-data",
 * "ua-metadata", "ua-status", ... as a view; null when the top level is not an
 * object with a MessageType string (e.g. the layouts without header). */
ug_string ug_json_message_type(const void *buf, size_t len);

/* ---- Lower-level writers, shared with the gateway's printers ---- */

/* Shortest text that reads back as the same double / float; "NaN",
 * "Infinity", "-Infinity" (without quotes) for the specials, "-0.0" for
 * negative zero. buf needs 32 bytes; returns the length. */
size_t ug_json_format_double(double v, char buf[32]);
size_t ug_json_format_float(float v, char buf[32]);
/* ISO 8601 UTC with up to 7 fraction digits (trailing zeros dropped), the
 * Part 6 §5.4.2.6 limit strings at and past the ends. buf needs 32 bytes. */
size_t ug_json_format_datetime(ug_datetime t, char buf[32]);
/* Inverse of the above; any UTC offset is applied. BadDecodingError on a
 * malformed date. Dates before 1601 give 0, at or after 9999-12-31T23:59:59Z
 * give INT64_MAX. */
ug_status ug_json_parse_datetime(const char *s, size_t len, ug_datetime *out);

#ifdef __cplusplus
}
#endif
#endif
