/* Generic structure codec (types/ua_struct.c) over the generated descriptors
 * (types/ua_types_gen.c): lookups; round trips of real service messages; a
 * hand-checked ReadRequest; optional fields (a hand-made descriptor, since no
 * ns=0 type of the 1.05 schema has any); truncation at every byte behind a
 * guard page; array, depth and arena limits; ExtensionObject bodies; deep
 * copies and their independence from the source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/ua_nodeids.h"
#include "uagate/ua_struct.h"

#define S(lit) ((ug_string){(const uint8_t *)(lit), (int32_t)sizeof(lit) - 1})

static _Alignas(8) uint8_t arena_buf[1 << 20];
static _Alignas(8) uint8_t arena_buf2[1 << 20];
static uint8_t enc_buf[1 << 16];
static uint8_t enc_buf2[1 << 16];
static const uint8_t zeros[16];

static ug_nodeid num_id(uint16_t ns, uint32_t id)
{
    ug_nodeid n = {0};
    n.ns = ns;
    n.id_type = UG_ID_NUMERIC;
    n.id.numeric = id;
    return n;
}

static ug_nodeid str_id(uint16_t ns, const char *s)
{
    ug_nodeid n = {0};
    n.ns = ns;
    n.id_type = UG_ID_STRING;
    n.id.string = ug_string_from(s);
    return n;
}

/* Decodes from a copy that ends right at a PROT_NONE page. The decoded
 * strings are views into that copy: it lives until the next call. */
static uint8_t *last_guard;

static ug_status guarded_decode(const uint8_t *bytes, size_t len, const ug_type_desc *d, void *out,
                                const ug_limits *lim, ug_arena *a)
{
    if (last_guard)
        ug_test_guard_free(last_guard);
    last_guard = ug_test_guard(len ? bytes : zeros, len ? len : 1);
    CU_ASSERT_FATAL(last_guard != NULL);
    const uint8_t *g = len ? last_guard : last_guard + 1; /* empty input: at the page */
    return ug_struct_decode(g, len, d, out, lim, a);
}

static size_t encode(const ug_type_desc *d, const void *v, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(ug_struct_encode(buf, cap, d, v, &n), UG_STATUS_GOOD);
    return n;
}

/* --- Sample messages --- */

static ug_RequestHeader request_header(uint32_t handle)
{
    ug_RequestHeader h = {0};
    h.authentication_token = str_id(0, "session-token-1");
    h.timestamp = UG_DATETIME_UNIX_EPOCH + 123456789;
    h.request_handle = handle;
    h.return_diagnostics = 0x3FF;
    h.audit_entry_id = UG_NULL_BYTES;
    h.timeout_hint = 10000;
    h.additional_header.type_id = num_id(0, 0);
    return h;
}

static ug_ReadValueId read_ids[3];

static ug_ReadRequest read_request(void)
{
    ug_ReadRequest r = {0};
    r.request_header = request_header(7);
    r.max_age = 500.0;
    r.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH;
    read_ids[0] = (ug_ReadValueId){num_id(0, UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME), 13,
                                   UG_NULL_BYTES, {0, UG_NULL_BYTES}};
    read_ids[1] = (ug_ReadValueId){str_id(2, "Pump 1.Speed"), 13, S("1:3"), {0, S("")}};
    read_ids[2] = (ug_ReadValueId){num_id(3, 70000), 4, UG_NULL_BYTES, {0, S("Default Binary")}};
    r.nodes_to_read_len = 3;
    r.nodes_to_read = read_ids;
    return r;
}

static ug_ReferenceDescription refs[3];
static ug_BrowseResult browse_results[2];
static ug_diagnostic_info browse_diags[2];
static ug_string string_table[2];
static ug_diagnostic_info inner_diag;

static ug_BrowseResponse browse_response(void)
{
    ug_BrowseResponse r = {0};
    r.response_header.timestamp = UG_DATETIME_UNIX_EPOCH + 99;
    r.response_header.request_handle = 42;
    r.response_header.service_result = UG_STATUS_GOOD;
    inner_diag = (ug_diagnostic_info){.mask = UG_DI_INNER_STATUS, .inner_status = UG_STATUS_BADNODEIDUNKNOWN};
    r.response_header.service_diagnostics = (ug_diagnostic_info){
        .mask = UG_DI_SYMBOLIC_ID | UG_DI_ADDITIONAL_INFO | UG_DI_INNER_DIAG,
        .symbolic_id = 1,
        .additional_info = S("more"),
        .inner = &inner_diag};
    string_table[0] = S("symbol");
    string_table[1] = S("other");
    r.response_header.string_table_len = 2;
    r.response_header.string_table = string_table;
    for (int i = 0; i < 3; i++) {
        refs[i] = (ug_ReferenceDescription){0};
        refs[i].reference_type_id = num_id(0, i ? UG_NS0_HAS_COMPONENT : UG_NS0_ORGANIZES);
        refs[i].is_forward = i != 1;
        refs[i].node_id.node = i == 2 ? str_id(0, "Device/Temp") /* index 0 with a URI */ : num_id(0, UG_NS0_SERVER);
        refs[i].node_id.namespace_uri = i == 2 ? S("urn:example:ns") : UG_NULL_BYTES;
        refs[i].node_id.server_index = (uint32_t)i;
        refs[i].browse_name = (ug_qualified_name){(uint16_t)i, S("Name")};
        refs[i].display_name = (ug_localized_text){i ? S("en") : UG_NULL_BYTES, S("Display")};
        refs[i].node_class = i == 2 ? UG_NODE_CLASS_VARIABLE : UG_NODE_CLASS_OBJECT;
        refs[i].type_definition.node = num_id(0, 61);
        refs[i].type_definition.namespace_uri = UG_NULL_BYTES;
    }
    browse_results[0] = (ug_BrowseResult){UG_STATUS_GOOD, S("\x01\x02\x00\x03"), 3, refs};
    browse_results[1] = (ug_BrowseResult){UG_STATUS_BADNODEIDUNKNOWN, UG_NULL_BYTES, -1, NULL};
    r.results_len = 2;
    r.results = browse_results;
    browse_diags[0] = (ug_diagnostic_info){0};
    browse_diags[1] = (ug_diagnostic_info){.mask = UG_DI_LOCALE, .locale = 5};
    r.diagnostic_infos_len = 2;
    r.diagnostic_infos = browse_diags;
    r.response_header.additional_header.type_id = num_id(0, 0);
    return r;
}

static ug_string discovery_urls[2];

static ug_CreateSessionRequest create_session_request(void)
{
    ug_CreateSessionRequest r = {0};
    r.request_header = request_header(1);
    r.request_header.authentication_token = num_id(0, 0);
    ug_ApplicationDescription *a = &r.client_description;
    a->application_uri = S("urn:uagate:client");
    a->product_uri = S("urn:uagate");
    a->application_name = (ug_localized_text){S("en-US"), S("uagate client")};
    a->application_type = UG_APPLICATION_TYPE_CLIENT;
    a->gateway_server_uri = UG_NULL_BYTES;
    a->discovery_profile_uri = UG_NULL_BYTES;
    discovery_urls[0] = S("opc.tcp://127.0.0.1:4840");
    discovery_urls[1] = S("");
    a->discovery_urls_len = 2;
    a->discovery_urls = discovery_urls;
    r.server_uri = UG_NULL_BYTES;
    r.endpoint_url = S("opc.tcp://127.0.0.1:4840");
    r.session_name = S("session 1");
    r.client_nonce = S("0123456789abcdef0123456789abcdef");
    r.client_certificate = UG_NULL_BYTES;
    r.requested_session_timeout = 1200000.0;
    r.max_response_message_size = 0;
    return r;
}

static ug_UserNameIdentityToken user_token(void)
{
    ug_UserNameIdentityToken t = {0};
    t.policy_id = S("username_basic256sha256");
    t.user_name = S("operator");
    t.password = S("\x00\x01secret\xff");
    t.encryption_algorithm = UG_NULL_BYTES;
    return t;
}

/* --- Tests --- */

static void test_lookups(void)
{
    CU_ASSERT(ug_type_descs_count > 250);
    for (size_t i = 1; i < ug_type_descs_count; i++) {
        const ug_type_desc *p = ug_type_descs[i - 1], *q = ug_type_descs[i];
        CU_ASSERT(p->binary_encoding_id < q->binary_encoding_id ||
                  (p->binary_encoding_id == q->binary_encoding_id && p->type_id < q->type_id));
    }
    for (size_t i = 0; i < ug_type_descs_count; i++) {
        const ug_type_desc *d = ug_type_descs[i];
        if (d->binary_encoding_id)
            CU_ASSERT_PTR_EQUAL(ug_desc_by_encoding_id(d->binary_encoding_id), d);
        CU_ASSERT_PTR_EQUAL(ug_desc_by_type_id(d->type_id), d);
        CU_ASSERT_PTR_EQUAL(ug_desc_by_name(d->name), d);
    }
    CU_ASSERT_PTR_EQUAL(ug_desc_by_encoding_id(UG_NS0_READ_REQUEST_ENCODING_DEFAULT_BINARY),
                        &ug_desc_ReadRequest);
    CU_ASSERT_EQUAL(ug_desc_ReadRequest.type_id, UG_NS0_READ_REQUEST);
    CU_ASSERT_EQUAL(ug_desc_ReadRequest.binary_encoding_id, 631);
    CU_ASSERT_EQUAL(ug_desc_ReadRequest.size, sizeof(ug_ReadRequest));
    CU_ASSERT_PTR_EQUAL(ug_desc_by_type_id(UG_NS0_BROWSE_RESPONSE), &ug_desc_BrowseResponse);
    CU_ASSERT_PTR_EQUAL(ug_desc_by_name("UserNameIdentityToken"), &ug_desc_UserNameIdentityToken);
    CU_ASSERT_PTR_NULL(ug_desc_by_encoding_id(0));
    CU_ASSERT_PTR_NULL(ug_desc_by_encoding_id(UG_NS0_SERVER));
    CU_ASSERT_PTR_NULL(ug_desc_by_encoding_id(0xFFFFFFFFu));
    CU_ASSERT_PTR_NULL(ug_desc_by_type_id(0));
    CU_ASSERT_PTR_NULL(ug_desc_by_type_id(UG_NS0_SERVER));
    CU_ASSERT_PTR_NULL(ug_desc_by_name("NoSuchType"));
    CU_ASSERT_PTR_NULL(ug_desc_by_name(NULL));
    /* Members: arrays point at their length, enums are Int32. */
    const ug_member_desc *m = &ug_desc_ReadRequest.members[3];
    CU_ASSERT_STRING_EQUAL(m->name, "NodesToRead");
    CU_ASSERT(m->is_array);
    CU_ASSERT_EQUAL(m->offset, offsetof(ug_ReadRequest, nodes_to_read));
    CU_ASSERT_EQUAL(m->len_offset, offsetof(ug_ReadRequest, nodes_to_read_len));
    CU_ASSERT_PTR_EQUAL(m->desc, &ug_desc_ReadValueId);
    CU_ASSERT_EQUAL(ug_desc_ReadRequest.members[2].kind, UG_MEMBER_ENUM);
}

/* Every descriptor: a zeroed struct round-trips and re-encodes the same. */
static void test_every_type_zero(void)
{
    static _Alignas(8) uint8_t a[4096], b[4096];
    for (size_t i = 0; i < ug_type_descs_count; i++) {
        const ug_type_desc *d = ug_type_descs[i];
        CU_ASSERT_FATAL(d->size <= sizeof a);
        memset(a, 0, sizeof a);
        size_t n = 0, n2 = 0;
        CU_ASSERT_EQUAL(ug_struct_encode(enc_buf, sizeof enc_buf, d, a, &n2), UG_STATUS_GOOD);
        /* Count mode: only a type without fields fits in 0 bytes. */
        CU_ASSERT_EQUAL(ug_struct_encode(NULL, 0, d, a, &n),
                        d->n_members ? UG_STATUS_BADENCODINGLIMITSEXCEEDED : UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(n, n2);
        ug_arena ar;
        ug_arena_init(&ar, arena_buf, sizeof arena_buf, false);
        memset(b, 0xA5, sizeof b);
        ug_status st = ug_struct_decode(enc_buf, n2, d, b, NULL, &ar);
        if (st != UG_STATUS_GOOD)
            printf("\n%s: %s\n", d->name, ug_status_name(st));
        CU_ASSERT_EQUAL(st, UG_STATUS_GOOD);
        CU_ASSERT(ug_struct_eq(d, a, b));
        CU_ASSERT_EQUAL(ug_struct_encode(enc_buf2, sizeof enc_buf2, d, b, &n), UG_STATUS_GOOD);
        CU_ASSERT(n == n2 && memcmp(enc_buf, enc_buf2, n) == 0);
    }
}

static void roundtrip(const ug_type_desc *d, const void *v)
{
    static _Alignas(8) uint8_t out[4096];
    size_t n = encode(d, v, enc_buf, sizeof enc_buf);
    ug_arena a;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    CU_ASSERT_EQUAL_FATAL(guarded_decode(enc_buf, n, d, out, NULL, &a), UG_STATUS_GOOD);
    CU_ASSERT(ug_struct_eq(d, v, out));
    size_t n2 = encode(d, out, enc_buf2, sizeof enc_buf2);
    CU_ASSERT(n == n2 && memcmp(enc_buf, enc_buf2, n) == 0);
}

static void test_roundtrip_requests(void)
{
    ug_ReadRequest rr = read_request();
    roundtrip(&ug_desc_ReadRequest, &rr);
    ug_BrowseResponse br = browse_response();
    roundtrip(&ug_desc_BrowseResponse, &br);
    ug_CreateSessionRequest cs = create_session_request();
    roundtrip(&ug_desc_CreateSessionRequest, &cs);
    /* A difference is seen by ug_struct_eq (the round trip checks are real). */
    ug_ReadRequest rr2 = read_request();
    ug_ReadValueId ids2[3];
    memcpy(ids2, read_ids, sizeof ids2);
    ids2[2].attribute_id = 5;
    rr2.nodes_to_read = ids2;
    CU_ASSERT_FALSE(ug_struct_eq(&ug_desc_ReadRequest, &rr, &rr2));
    rr2.nodes_to_read = read_ids;
    rr2.nodes_to_read_len = 2;
    CU_ASSERT_FALSE(ug_struct_eq(&ug_desc_ReadRequest, &rr, &rr2));
    ug_BrowseResponse br2 = browse_response();
    br2.response_header.string_table_len = -1; /* null differs from a table */
    CU_ASSERT_FALSE(ug_struct_eq(&ug_desc_BrowseResponse, &br, &br2));
}

/* ReadRequest, laid out by hand from Part 6 §5.2 (NodeId encodings
 * §5.2.2.9, String §5.2.2.4, ExtensionObject §5.2.2.15, arrays §5.2.5). */
static const uint8_t read_request_bytes[] = {
    /* RequestHeader */
    0x00, 0x00,                                     /* AuthenticationToken: TwoByte i=0 */
    0x00, 0x80, 0x3e, 0xd5, 0xde, 0xb1, 0x9d, 0x01, /* Timestamp 1970-01-01 */
    0x04, 0x03, 0x02, 0x01,                         /* RequestHandle 0x01020304 */
    0x00, 0x00, 0x00, 0x00,                         /* ReturnDiagnostics */
    0xff, 0xff, 0xff, 0xff,                         /* AuditEntryId null */
    0x10, 0x27, 0x00, 0x00,                         /* TimeoutHint 10000 */
    0x00, 0x00, 0x00,                               /* AdditionalHeader: i=0, no body */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x59, 0x40, /* MaxAge 100.0 */
    0x02, 0x00, 0x00, 0x00,                         /* TimestampsToReturn Both */
    0x02, 0x00, 0x00, 0x00,                         /* NoOfNodesToRead 2 */
    /* [0] */
    0x01, 0x00, 0xd2, 0x08,                         /* NodeId FourByte ns=0 i=2258 */
    0x0d, 0x00, 0x00, 0x00,                         /* AttributeId Value (13) */
    0xff, 0xff, 0xff, 0xff,                         /* IndexRange null */
    0x00, 0x00, 0xff, 0xff, 0xff, 0xff,             /* DataEncoding ns=0, null name */
    /* [1] */
    0x03, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 'A',  /* NodeId String ns=2 "A" */
    0x0d, 0x00, 0x00, 0x00,                         /* AttributeId 13 */
    0x00, 0x00, 0x00, 0x00,                         /* IndexRange "" */
    0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,             /* DataEncoding ns=0 "Default Binary" */
    'D', 'e', 'f', 'a', 'u', 'l', 't', ' ', 'B', 'i', 'n', 'a', 'r', 'y',
};

static void test_known_bytes(void)
{
    ug_ReadValueId ids[2] = {
        {num_id(0, 2258), 13, UG_NULL_BYTES, {0, UG_NULL_BYTES}},
        {str_id(2, "A"), 13, S(""), {0, S("Default Binary")}},
    };
    ug_ReadRequest r = {0};
    r.request_header.timestamp = UG_DATETIME_UNIX_EPOCH;
    r.request_header.request_handle = 0x01020304;
    r.request_header.audit_entry_id = UG_NULL_BYTES;
    r.request_header.timeout_hint = 10000;
    r.max_age = 100.0;
    r.timestamps_to_return = UG_TIMESTAMPS_TO_RETURN_BOTH;
    r.nodes_to_read_len = 2;
    r.nodes_to_read = ids;
    size_t n = encode(&ug_desc_ReadRequest, &r, enc_buf, sizeof enc_buf);
    CU_ASSERT_EQUAL(n, sizeof read_request_bytes);
    CU_ASSERT(memcmp(enc_buf, read_request_bytes, sizeof read_request_bytes) == 0);

    ug_ReadRequest d;
    ug_arena a;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    CU_ASSERT_EQUAL_FATAL(guarded_decode(read_request_bytes, sizeof read_request_bytes,
                                         &ug_desc_ReadRequest, &d, NULL, &a),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(d.request_header.request_handle, 0x01020304);
    CU_ASSERT_EQUAL(d.request_header.audit_entry_id.len, -1);
    CU_ASSERT_EQUAL(d.max_age, 100.0);
    CU_ASSERT_EQUAL(d.timestamps_to_return, UG_TIMESTAMPS_TO_RETURN_BOTH);
    CU_ASSERT_EQUAL_FATAL(d.nodes_to_read_len, 2);
    CU_ASSERT_EQUAL(d.nodes_to_read[0].node_id.id.numeric, 2258);
    CU_ASSERT_EQUAL(d.nodes_to_read[1].node_id.ns, 2);
    CU_ASSERT(ug_bytes_eq(d.nodes_to_read[1].data_encoding.name, S("Default Binary")));
    CU_ASSERT_EQUAL(d.nodes_to_read[1].index_range.len, 0);
    CU_ASSERT(ug_struct_eq(&ug_desc_ReadRequest, &r, &d));

    /* Trailing bytes are refused by the whole-buffer form. */
    memcpy(enc_buf, read_request_bytes, sizeof read_request_bytes);
    enc_buf[sizeof read_request_bytes] = 0;
    CU_ASSERT_EQUAL(ug_struct_decode(enc_buf, sizeof read_request_bytes + 1, &ug_desc_ReadRequest,
                                     &d, NULL, &a),
                    UG_STATUS_BADDECODINGERROR);
    /* The cursor form leaves them to the caller. */
    ug_rd rd;
    ug_rd_init(&rd, enc_buf, sizeof read_request_bytes + 1, NULL, &a);
    ug_rd_struct(&rd, &ug_desc_ReadRequest, &d);
    CU_ASSERT(ug_rd_ok(&rd));
    CU_ASSERT_EQUAL(ug_rd_left(&rd), 1);
}

/* Every proper prefix of an encoding fails with BadDecodingError, reading
 * nothing past its end. */
static void truncations(const ug_type_desc *d, const void *v)
{
    static _Alignas(8) uint8_t out[4096];
    size_t n = encode(d, v, enc_buf, sizeof enc_buf);
    for (size_t len = 0; len < n; len++) {
        ug_arena a;
        ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
        ug_status st = guarded_decode(enc_buf, len, d, out, NULL, &a);
        if (st != UG_STATUS_BADDECODINGERROR)
            printf("\n%s truncated at %zu/%zu: %s\n", d->name, len, n, ug_status_name(st));
        CU_ASSERT_EQUAL(st, UG_STATUS_BADDECODINGERROR);
    }
}

static void test_truncated(void)
{
    ug_ReadRequest rr = read_request();
    truncations(&ug_desc_ReadRequest, &rr);
    ug_BrowseResponse br = browse_response();
    truncations(&ug_desc_BrowseResponse, &br);
    ug_CreateSessionRequest cs = create_session_request();
    truncations(&ug_desc_CreateSessionRequest, &cs);
}

/* Offset of NoOfNodesToRead in the hand-made ReadRequest. */
#define RR_NODES_OFF 41

static ug_status decode_patched_len(int32_t len, const ug_limits *lim, ug_ReadRequest *out)
{
    uint8_t b[sizeof read_request_bytes];
    memcpy(b, read_request_bytes, sizeof b);
    memcpy(b + RR_NODES_OFF, &len, 4);
    ug_arena a;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    return guarded_decode(b, sizeof b, &ug_desc_ReadRequest, out, lim, &a);
}

static void test_array_lengths(void)
{
    ug_ReadRequest d;
    int32_t two;
    memcpy(&two, read_request_bytes + RR_NODES_OFF, 4);
    CU_ASSERT_EQUAL_FATAL(two, 2);
    CU_ASSERT_EQUAL(decode_patched_len(2, NULL, &d), UG_STATUS_GOOD);
    ug_limits lim = ug_limits_default;
    lim.max_array_len = 1;
    CU_ASSERT_EQUAL(decode_patched_len(2, &lim, &d), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    lim.max_array_len = 2;
    CU_ASSERT_EQUAL(decode_patched_len(2, &lim, &d), UG_STATUS_GOOD);
    /* Negative lengths other than -1 (null) are malformed. */
    CU_ASSERT_EQUAL(decode_patched_len(-2, NULL, &d), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(decode_patched_len(INT32_MIN, NULL, &d), UG_STATUS_BADDECODINGERROR);
    /* More elements than bytes left: refused before allocating. */
    CU_ASSERT_EQUAL(decode_patched_len(1000, NULL, &d), UG_STATUS_BADDECODINGERROR);
    lim.max_array_len = UINT32_MAX;
    CU_ASSERT_EQUAL(decode_patched_len(INT32_MAX, &lim, &d), UG_STATUS_BADDECODINGERROR);

    /* -1 is the null array, 0 the empty one; both end the message here. */
    uint8_t b[RR_NODES_OFF + 4];
    memcpy(b, read_request_bytes, RR_NODES_OFF);
    ug_arena a;
    for (int32_t len = -1; len <= 0; len++) {
        memcpy(b + RR_NODES_OFF, &len, 4);
        ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
        CU_ASSERT_EQUAL(guarded_decode(b, sizeof b, &ug_desc_ReadRequest, &d, NULL, &a),
                        UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(d.nodes_to_read_len, len);
        CU_ASSERT_PTR_NULL(d.nodes_to_read);
        size_t n = encode(&ug_desc_ReadRequest, &d, enc_buf, sizeof enc_buf);
        CU_ASSERT(n == sizeof b && memcmp(enc_buf, b, n) == 0);
    }

    /* Built-in arrays (LocaleIds of CreateSession's ApplicationDescription
     * DiscoveryUrls) obey the same limit. */
    ug_CreateSessionRequest cs = create_session_request(), out;
    size_t n = encode(&ug_desc_CreateSessionRequest, &cs, enc_buf, sizeof enc_buf);
    lim = ug_limits_default;
    lim.max_array_len = 1;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    CU_ASSERT_EQUAL(ug_struct_decode(enc_buf, n, &ug_desc_CreateSessionRequest, &out, &lim, &a),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
}

static void test_depth(void)
{
    /* ReadRequest (1) > RequestHeader (2) > ExtensionObject (needs 3). */
    ug_ReadRequest d;
    ug_arena a;
    ug_limits lim = ug_limits_default;
    uint32_t need = 0;
    for (uint32_t depth = 0; depth <= 4; depth++) {
        lim.max_depth = depth;
        ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
        ug_status st = ug_struct_decode(read_request_bytes, sizeof read_request_bytes,
                                        &ug_desc_ReadRequest, &d, &lim, &a);
        if (st == UG_STATUS_GOOD && !need)
            need = depth;
        if (!need)
            CU_ASSERT_EQUAL(st, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    }
    CU_ASSERT_EQUAL(need, 3);
    /* BrowseResponse: DiagnosticInfo with an inner one inside the header. */
    ug_BrowseResponse br = browse_response(), out;
    size_t n = encode(&ug_desc_BrowseResponse, &br, enc_buf, sizeof enc_buf);
    lim.max_depth = 3;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    CU_ASSERT_EQUAL(ug_struct_decode(enc_buf, n, &ug_desc_BrowseResponse, &out, &lim, &a),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    lim.max_depth = 4;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    CU_ASSERT_EQUAL(ug_struct_decode(enc_buf, n, &ug_desc_BrowseResponse, &out, &lim, &a),
                    UG_STATUS_GOOD);
}

/* Every arena size short of what a message needs gives BadOutOfMemory. */
static void test_arena_exhaustion(void)
{
    ug_BrowseResponse br = browse_response(), out;
    size_t n = encode(&ug_desc_BrowseResponse, &br, enc_buf, sizeof enc_buf);
    ug_arena a;
    CU_ASSERT_EQUAL(ug_struct_decode(enc_buf, n, &ug_desc_BrowseResponse, &out, NULL, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    CU_ASSERT_EQUAL_FATAL(ug_struct_decode(enc_buf, n, &ug_desc_BrowseResponse, &out, NULL, &a),
                          UG_STATUS_GOOD);
    size_t need = a.used;
    CU_ASSERT(need > 0);
    for (size_t cap = 0; cap < need; cap += 8) {
        ug_arena_init(&a, arena_buf, cap, false);
        CU_ASSERT_EQUAL(ug_struct_decode(enc_buf, n, &ug_desc_BrowseResponse, &out, NULL, &a),
                        UG_STATUS_BADOUTOFMEMORY);
    }
    ug_arena_init(&a, arena_buf, need, false);
    CU_ASSERT_EQUAL(ug_struct_decode(enc_buf, n, &ug_desc_BrowseResponse, &out, NULL, &a),
                    UG_STATUS_GOOD);
}

static void test_encode_errors(void)
{
    ug_ReadRequest r = read_request();
    size_t n = 0, full = 0;
    CU_ASSERT_EQUAL(ug_struct_encode(NULL, 0, &ug_desc_ReadRequest, &r, &full),
                    UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT(full > 0);
    /* Every short buffer: the size needed is still reported, nothing written past cap. */
    for (size_t cap = 0; cap < full; cap++) {
        memset(enc_buf, 0xEE, full + 1);
        CU_ASSERT_EQUAL(ug_struct_encode(enc_buf, cap, &ug_desc_ReadRequest, &r, &n),
                        UG_STATUS_BADENCODINGLIMITSEXCEEDED);
        CU_ASSERT_EQUAL(n, full);
        CU_ASSERT_EQUAL(enc_buf[cap], 0xEE);
    }
    r.nodes_to_read_len = -2;
    CU_ASSERT_EQUAL(ug_struct_encode(enc_buf, sizeof enc_buf, &ug_desc_ReadRequest, &r, &n),
                    UG_STATUS_BADENCODINGERROR);
    r.nodes_to_read_len = 1;
    r.nodes_to_read = NULL;
    CU_ASSERT_EQUAL(ug_struct_encode(enc_buf, sizeof enc_buf, &ug_desc_ReadRequest, &r, &n),
                    UG_STATUS_BADENCODINGERROR);
    /* Built-in arrays and nested built-ins report their own errors. */
    ug_CreateSessionRequest cs = create_session_request();
    cs.client_description.discovery_urls = NULL;
    CU_ASSERT_EQUAL(ug_struct_encode(enc_buf, sizeof enc_buf, &ug_desc_CreateSessionRequest, &cs, &n),
                    UG_STATUS_BADENCODINGERROR);
    cs = create_session_request();
    cs.request_header.additional_header.encoding = 9;
    CU_ASSERT_EQUAL(ug_struct_encode(enc_buf, sizeof enc_buf, &ug_desc_CreateSessionRequest, &cs, &n),
                    UG_STATUS_BADENCODINGERROR);
}

/* --- Optional fields, Part 6 §5.2.7 --- */

typedef struct opt_struct {
    uint32_t encoding_mask;
    int32_t always;
    ug_string name;       /* bit 0 */
    int32_t ids_len;      /* bit 1 */
    uint32_t *ids;
    ug_ReadValueId node;  /* bit 2 */
    int32_t mode;         /* bit 3, an enumeration */
} opt_struct;

static const ug_member_desc opt_members[] = {
    {"Always", offsetof(opt_struct, always), 0, UG_MEMBER_BUILTIN, UG_TYPE_INT32, false, -1, NULL},
    {"Name", offsetof(opt_struct, name), 0, UG_MEMBER_BUILTIN, UG_TYPE_STRING, false, 0, NULL},
    {"Ids", offsetof(opt_struct, ids), offsetof(opt_struct, ids_len), UG_MEMBER_BUILTIN,
     UG_TYPE_UINT32, true, 1, NULL},
    {"Node", offsetof(opt_struct, node), 0, UG_MEMBER_STRUCT, 0, false, 2, &ug_desc_ReadValueId},
    {"Mode", offsetof(opt_struct, mode), 0, UG_MEMBER_ENUM, 0, false, 3, NULL},
};
static const ug_type_desc opt_desc = {"OptStruct", 0, 0, sizeof(opt_struct),
                                      offsetof(opt_struct, encoding_mask), true, 5, opt_members};

static void test_optional_fields(void)
{
    uint32_t ids[2] = {7, 0x01020304};
    opt_struct v = {0};
    v.always = -1;
    v.name = S("x");
    v.ids_len = 2;
    v.ids = ids;
    v.node = (ug_ReadValueId){num_id(0, 85), 1, UG_NULL_BYTES, {0, UG_NULL_BYTES}};
    v.mode = 2;

    /* Only EncodingMask and the mandatory field. */
    v.encoding_mask = 0;
    static const uint8_t none[] = {0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    size_t n = encode(&opt_desc, &v, enc_buf, sizeof enc_buf);
    CU_ASSERT(n == sizeof none && memcmp(enc_buf, none, n) == 0);

    v.encoding_mask = 0x3; /* Name, Ids */
    static const uint8_t two[] = {0x03, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 'x',
                                  2, 0, 0, 0, 7, 0, 0, 0, 4, 3, 2, 1};
    n = encode(&opt_desc, &v, enc_buf, sizeof enc_buf);
    CU_ASSERT(n == sizeof two && memcmp(enc_buf, two, n) == 0);

    v.encoding_mask = 0xC; /* Node, Mode */
    static const uint8_t other[] = {0x0c, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
                                    0, 85, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff,
                                    2, 0, 0, 0};
    n = encode(&opt_desc, &v, enc_buf, sizeof enc_buf);
    CU_ASSERT(n == sizeof other && memcmp(enc_buf, other, n) == 0);

    static const uint32_t masks[] = {0, 1, 2, 3, 4, 8, 0xF, 0x5};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        v.encoding_mask = masks[i];
        opt_struct out;
        memset(&out, 0x5A, sizeof out);
        n = encode(&opt_desc, &v, enc_buf, sizeof enc_buf);
        ug_arena a;
        ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
        CU_ASSERT_EQUAL_FATAL(guarded_decode(enc_buf, n, &opt_desc, &out, NULL, &a), UG_STATUS_GOOD);
        CU_ASSERT_EQUAL(out.encoding_mask, masks[i]);
        CU_ASSERT(ug_struct_eq(&opt_desc, &v, &out));
        /* Absent fields decode as zero. */
        if (!(masks[i] & 1))
            CU_ASSERT(out.name.len == 0 && out.name.data == NULL);
        if (!(masks[i] & 2))
            CU_ASSERT(out.ids_len == 0 && out.ids == NULL);
        if (!(masks[i] & 8))
            CU_ASSERT_EQUAL(out.mode, 0);
        opt_struct cp;
        ug_arena_init(&a, arena_buf2, sizeof arena_buf2, false);
        CU_ASSERT_EQUAL(ug_struct_copy(&opt_desc, &out, &cp, &a), UG_STATUS_GOOD);
        CU_ASSERT(ug_struct_eq(&opt_desc, &v, &cp));
        for (size_t len = 0; len < n; len++) {
            ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
            CU_ASSERT_EQUAL(guarded_decode(enc_buf, len, &opt_desc, &out, NULL, &a),
                            UG_STATUS_BADDECODINGERROR);
        }
    }
    /* Masks differ: not equal, even when the present fields agree. */
    opt_struct w = v;
    v.encoding_mask = 1;
    w.encoding_mask = 3;
    CU_ASSERT_FALSE(ug_struct_eq(&opt_desc, &v, &w));
}

/* --- ExtensionObject bodies --- */

static void test_activate_session_eo(void)
{
    ug_arena a;
    ug_arena_init(&a, arena_buf2, sizeof arena_buf2, false);
    ug_UserNameIdentityToken tok = user_token();
    ug_ActivateSessionRequest r = {0};
    r.request_header = request_header(3);
    r.client_signature = (ug_SignatureData){S("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"), S("sig")};
    r.client_software_certificates_len = -1;
    static ug_string locales[1];
    locales[0] = S("en");
    r.locale_ids_len = 1;
    r.locale_ids = locales;
    CU_ASSERT_EQUAL_FATAL(ug_eo_encode(&r.user_identity_token, &ug_desc_UserNameIdentityToken, &tok, &a),
                          UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(r.user_identity_token.encoding, UG_EO_BYTESTRING);
    CU_ASSERT_EQUAL(r.user_identity_token.type_id.ns, 0);
    CU_ASSERT_EQUAL(r.user_identity_token.type_id.id_type, UG_ID_NUMERIC);
    CU_ASSERT_EQUAL(r.user_identity_token.type_id.id.numeric,
                    UG_NS0_USER_NAME_IDENTITY_TOKEN_ENCODING_DEFAULT_BINARY);
    size_t bn = encode(&ug_desc_UserNameIdentityToken, &tok, enc_buf2, sizeof enc_buf2);
    CU_ASSERT(r.user_identity_token.body.len == (int32_t)bn &&
              memcmp(r.user_identity_token.body.data, enc_buf2, bn) == 0);
    r.user_token_signature = (ug_SignatureData){UG_NULL_BYTES, UG_NULL_BYTES};
    roundtrip(&ug_desc_ActivateSessionRequest, &r);

    /* Decode the request, then its token. */
    size_t n = encode(&ug_desc_ActivateSessionRequest, &r, enc_buf, sizeof enc_buf);
    ug_ActivateSessionRequest d;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    CU_ASSERT_EQUAL_FATAL(ug_struct_decode(enc_buf, n, &ug_desc_ActivateSessionRequest, &d, NULL, &a),
                          UG_STATUS_GOOD);
    const ug_type_desc *td = NULL;
    void *tv = NULL;
    CU_ASSERT_EQUAL_FATAL(ug_eo_decode(&d.user_identity_token, NULL, &td, &tv, NULL, &a), UG_STATUS_GOOD);
    CU_ASSERT_PTR_EQUAL(td, &ug_desc_UserNameIdentityToken);
    const ug_UserNameIdentityToken *t = tv;
    CU_ASSERT(ug_bytes_eq(t->user_name, S("operator")));
    CU_ASSERT(ug_bytes_eq(t->password, tok.password));
    CU_ASSERT(ug_struct_eq(&ug_desc_UserNameIdentityToken, &tok, t));
    CU_ASSERT_EQUAL(ug_eo_decode(&d.user_identity_token, &ug_desc_UserNameIdentityToken, NULL, &tv,
                                 NULL, &a),
                    UG_STATUS_GOOD);
    /* Not the type expected. */
    CU_ASSERT_EQUAL(ug_eo_decode(&d.user_identity_token, &ug_desc_AnonymousIdentityToken, &td, &tv,
                                 NULL, &a),
                    UG_STATUS_BADDATATYPEIDUNKNOWN);
    CU_ASSERT_PTR_NULL(tv);
    CU_ASSERT_PTR_NULL(td);
    /* Arena too small for the struct, or for nothing at all. */
    ug_arena small;
    ug_arena_init(&small, arena_buf2, 8, false);
    CU_ASSERT_EQUAL(ug_eo_decode(&d.user_identity_token, NULL, &td, &tv, NULL, &small),
                    UG_STATUS_BADOUTOFMEMORY);
    CU_ASSERT_EQUAL(ug_eo_decode(&d.user_identity_token, NULL, &td, &tv, NULL, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
    ug_arena_init(&small, arena_buf2, 8, false);
    ug_extension_object eo2;
    CU_ASSERT_EQUAL(ug_eo_encode(&eo2, &ug_desc_UserNameIdentityToken, &tok, &small),
                    UG_STATUS_BADOUTOFMEMORY);
    CU_ASSERT_EQUAL(ug_eo_encode(&eo2, &ug_desc_UserNameIdentityToken, &tok, NULL),
                    UG_STATUS_BADOUTOFMEMORY);
    /* Encoding errors of the struct are reported before any allocation. */
    ug_ReadRequest bad = read_request();
    bad.nodes_to_read_len = -5;
    CU_ASSERT_EQUAL(ug_eo_encode(&eo2, &ug_desc_ReadRequest, &bad, &a), UG_STATUS_BADENCODINGERROR);
    CU_ASSERT_EQUAL(ug_eo_encode(&eo2, &opt_desc, &bad, &a), UG_STATUS_BADDATATYPEIDUNKNOWN);
}

static void test_eo_errors(void)
{
    ug_arena a;
    ug_arena_init(&a, arena_buf2, sizeof arena_buf2, false);
    ug_UserNameIdentityToken tok = user_token();
    ug_extension_object eo;
    CU_ASSERT_EQUAL_FATAL(ug_eo_encode(&eo, &ug_desc_UserNameIdentityToken, &tok, &a), UG_STATUS_GOOD);
    const ug_type_desc *td;
    void *tv;
    ug_extension_object e = eo;
    /* Unknown encoding ids: a DataType id (not an encoding), another
     * namespace, a string id, an id nobody uses. */
    e.type_id = num_id(0, UG_NS0_USER_NAME_IDENTITY_TOKEN);
    CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_BADDATATYPEIDUNKNOWN);
    e.type_id = num_id(1, UG_NS0_USER_NAME_IDENTITY_TOKEN_ENCODING_DEFAULT_BINARY);
    CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_BADDATATYPEIDUNKNOWN);
    e.type_id = str_id(0, "x");
    CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_BADDATATYPEIDUNKNOWN);
    e.type_id = num_id(0, 0xFFFFFF);
    CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_BADDATATYPEIDUNKNOWN);
    /* Not a binary body. */
    e = eo;
    e.encoding = UG_EO_XML;
    CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_BADDECODINGERROR);
    e.encoding = UG_EO_NONE;
    CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_BADDECODINGERROR);
    /* Body truncated, body with a trailing byte, null body. */
    e = eo;
    for (int32_t len = 0; len < eo.body.len; len++) {
        uint8_t *g = ug_test_guard(len ? eo.body.data : zeros, len ? (size_t)len : 1);
        e.body = (ug_bytes){len ? g : g + 1, len};
        CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_BADDECODINGERROR);
        ug_test_guard_free(g);
    }
    uint8_t longer[256];
    memcpy(longer, eo.body.data, (size_t)eo.body.len);
    longer[eo.body.len] = 0;
    e.body = (ug_bytes){longer, eo.body.len + 1};
    CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_BADDECODINGERROR);
    e.body = UG_NULL_BYTES;
    CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_BADDECODINGERROR);
    /* The limits reach into the body. */
    ug_limits lim = ug_limits_default;
    lim.max_depth = 0;
    CU_ASSERT_EQUAL(ug_eo_decode(&eo, NULL, &td, &tv, &lim, &a), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    /* A type without fields has an empty body. */
    ug_AnonymousIdentityToken anon = {UG_NULL_BYTES};
    CU_ASSERT_EQUAL(ug_eo_encode(&e, &ug_desc_AnonymousIdentityToken, &anon, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e.body.len, 4);
    ug_Union u = {0};
    CU_ASSERT_EQUAL(ug_eo_encode(&e, &ug_desc_Union, &u, &a), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(e.body.len, 0);
    CU_ASSERT_EQUAL(ug_eo_decode(&e, NULL, &td, &tv, NULL, &a), UG_STATUS_GOOD);
    CU_ASSERT_PTR_EQUAL(td, &ug_desc_Union);
}

/* --- Deep copies --- */

static void test_struct_copy(void)
{
    ug_BrowseResponse br = browse_response();
    size_t n = encode(&ug_desc_BrowseResponse, &br, enc_buf, sizeof enc_buf);
    ug_arena a, c;
    ug_arena_init(&a, arena_buf, sizeof arena_buf, false);
    ug_BrowseResponse d, cp;
    CU_ASSERT_EQUAL_FATAL(ug_struct_decode(enc_buf, n, &ug_desc_BrowseResponse, &d, NULL, &a),
                          UG_STATUS_GOOD);
    ug_arena_init(&c, arena_buf2, sizeof arena_buf2, false);
    CU_ASSERT_EQUAL_FATAL(ug_struct_copy(&ug_desc_BrowseResponse, &d, &cp, &c), UG_STATUS_GOOD);
    CU_ASSERT(ug_struct_eq(&ug_desc_BrowseResponse, &br, &cp));
    size_t need = c.used;
    /* Wipe everything the decoded value pointed into: the copy stays intact. */
    memset(enc_buf, 0xCC, n);
    memset(arena_buf, 0xCC, a.used);
    CU_ASSERT(ug_struct_eq(&ug_desc_BrowseResponse, &br, &cp));
    size_t n2 = encode(&ug_desc_BrowseResponse, &cp, enc_buf2, sizeof enc_buf2);
    CU_ASSERT_EQUAL(n2, n);
    /* Mutating the source value does not reach the copy. */
    ug_BrowseResponse src = browse_response();
    ug_arena_init(&c, arena_buf2, sizeof arena_buf2, false);
    CU_ASSERT_EQUAL_FATAL(ug_struct_copy(&ug_desc_BrowseResponse, &src, &cp, &c), UG_STATUS_GOOD);
    refs[0].browse_name.ns = 99;
    refs[2].node_id.node.id.string = S("changed");
    browse_results[0].references_len = 1;
    inner_diag.inner_status = UG_STATUS_GOOD;
    string_table[0] = S("gone");
    src.response_header.request_handle = 0;
    CU_ASSERT_FALSE(ug_struct_eq(&ug_desc_BrowseResponse, &src, &cp));
    ug_BrowseResponse fresh = browse_response();
    CU_ASSERT(ug_struct_eq(&ug_desc_BrowseResponse, &fresh, &cp));
    CU_ASSERT(cp.results[0].references != refs);
    CU_ASSERT(cp.response_header.service_diagnostics.inner != &inner_diag);
    /* Every arena size short of the copy's needs fails with BadOutOfMemory. */
    for (size_t cap = 0; cap < need; cap += 8) {
        ug_arena_init(&c, arena_buf2, cap, false);
        CU_ASSERT_EQUAL(ug_struct_copy(&ug_desc_BrowseResponse, &fresh, &cp, &c), UG_STATUS_BADOUTOFMEMORY);
    }
    CU_ASSERT_EQUAL(ug_struct_copy(&ug_desc_BrowseResponse, &fresh, &cp, NULL), UG_STATUS_BADOUTOFMEMORY);
    /* In place: a value re-homed into the arena. */
    ug_CreateSessionRequest cs = create_session_request();
    ug_arena_init(&c, arena_buf2, sizeof arena_buf2, false);
    CU_ASSERT_EQUAL(ug_struct_copy(&ug_desc_CreateSessionRequest, &cs, &cs, &c), UG_STATUS_GOOD);
    CU_ASSERT(cs.client_description.discovery_urls != discovery_urls);
    CU_ASSERT((const uint8_t *)cs.session_name.data >= arena_buf2 &&
              (const uint8_t *)cs.session_name.data < arena_buf2 + sizeof arena_buf2);
    ug_CreateSessionRequest cs2 = create_session_request();
    CU_ASSERT(ug_struct_eq(&ug_desc_CreateSessionRequest, &cs2, &cs));
}

static void test_variant_copy(void)
{
    static char words[3][8] = {"one", "two", "three"};
    ug_string strs[3] = {ug_string_from(words[0]), ug_string_from(words[1]), UG_NULL_BYTES};
    ug_variant arr = ug_variant_scalar(UG_TYPE_STRING);
    arr.array_len = 3;
    arr.u.arr = strs;
    int32_t dims[2] = {3, 1};
    arr.ndims = 2;
    arr.dims = dims;

    char nsuri[] = "urn:x";
    char sid[] = "node";
    ug_expanded_nodeid en = {str_id(4, sid), ug_string_from(nsuri), 2};
    ug_variant inner = ug_variant_scalar(UG_TYPE_EXPANDEDNODEID);
    inner.u.v.expanded = &en;
    ug_variant vars[2] = {arr, inner};
    ug_variant outer = ug_variant_scalar(UG_TYPE_VARIANT);
    outer.array_len = 2;
    outer.u.arr = vars;

    char add[] = "info";
    ug_diagnostic_info di2 = {.mask = UG_DI_INNER_STATUS, .inner_status = 5};
    ug_diagnostic_info di = {.mask = UG_DI_ADDITIONAL_INFO | UG_DI_INNER_DIAG,
                             .additional_info = ug_string_from(add), .inner = &di2};
    ug_datavalue dv = {0};
    dv.mask = UG_DV_VALUE | UG_DV_STATUS;
    dv.status = UG_STATUS_UNCERTAIN;
    dv.value = outer;

    uint8_t body[4] = {1, 2, 3, 4};
    ug_extension_object eo = {num_id(0, 320), UG_EO_BYTESTRING, {body, 4}};
    ug_variant veo = ug_variant_scalar(UG_TYPE_EXTENSIONOBJECT);
    veo.u.v.extobj = &eo;
    ug_variant vdi = ug_variant_scalar(UG_TYPE_DIAGNOSTICINFO);
    vdi.u.v.diag = &di;
    ug_variant vdv = ug_variant_scalar(UG_TYPE_DATAVALUE);
    vdv.u.v.datavalue = &dv;
    ug_variant vnode = ug_variant_scalar(UG_TYPE_NODEID);
    vnode.u.v.nodeid = str_id(1, sid);
    ug_variant vlt = ug_variant_scalar(UG_TYPE_LOCALIZEDTEXT);
    vlt.u.v.ltext = (ug_localized_text){ug_string_from(words[0]), ug_string_from(words[1])};
    ug_variant vnull = {0};
    ug_variant vd = ug_variant_scalar(UG_TYPE_DOUBLE);
    vd.u.v.f64 = 2.5;

    ug_variant all[] = {arr, inner, outer, veo, vdi, vdv, vnode, vlt, vnull, vd};
    ug_variant cps[sizeof all / sizeof all[0]];
    ug_arena c;
    ug_arena_init(&c, arena_buf2, sizeof arena_buf2, false);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        CU_ASSERT_EQUAL(ug_variant_copy(&all[i], &cps[i], &c), UG_STATUS_GOOD);
        CU_ASSERT(ug_variant_eq(&all[i], &cps[i]));
    }
    ug_datavalue dvc;
    CU_ASSERT_EQUAL(ug_datavalue_copy(&dv, &dvc, &c), UG_STATUS_GOOD);
    CU_ASSERT(ug_datavalue_eq(&dv, &dvc));
    ug_expanded_nodeid enc;
    CU_ASSERT_EQUAL(ug_element_copy(UG_TYPE_EXPANDEDNODEID, &en, &enc, &c), UG_STATUS_GOOD);
    ug_qualified_name qn = {3, ug_string_from(words[2])}, qnc;
    CU_ASSERT_EQUAL(ug_element_copy(UG_TYPE_QUALIFIEDNAME, &qn, &qnc, &c), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_element_copy(99, &qn, &qnc, &c), UG_STATUS_BADINVALIDARGUMENT);
    ug_variant bad = ug_variant_scalar(77);
    CU_ASSERT_EQUAL(ug_variant_copy(&bad, &cps[0], &c), UG_STATUS_BADINVALIDARGUMENT);
    ug_KeyValuePair kv = {{1, S("k")}, bad}, kvc;
    CU_ASSERT_EQUAL(ug_struct_copy(&ug_desc_KeyValuePair, &kv, &kvc, &c), UG_STATUS_BADINVALIDARGUMENT);
    /* A chain of Variants deeper than the copy's nesting limit (128). */
    static ug_variant chain[200];
    for (int i = 0; i < 200; i++) {
        chain[i] = ug_variant_scalar(i == 199 ? UG_TYPE_DOUBLE : UG_TYPE_VARIANT);
        if (i < 199)
            chain[i].u.v.variant = &chain[i + 1];
    }
    ug_variant chc;
    CU_ASSERT_EQUAL(ug_variant_copy(&chain[0], &chc, &c), UG_STATUS_BADENCODINGLIMITSEXCEEDED);
    CU_ASSERT_EQUAL(ug_variant_copy(&chain[150], &chc, &c), UG_STATUS_GOOD);
    CU_ASSERT(ug_variant_eq(&chain[150], &chc));

    /* Keep expected values, then scribble over every source byte. */
    static _Alignas(8) uint8_t keep_buf[1 << 14];
    ug_arena k;
    ug_arena_init(&k, keep_buf, sizeof keep_buf, false);
    ug_variant keep[sizeof all / sizeof all[0]];
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        CU_ASSERT_EQUAL_FATAL(ug_variant_copy(&cps[i], &keep[i], &k), UG_STATUS_GOOD);
    memset(words, 'z', sizeof words);
    memset(nsuri, 'z', sizeof nsuri - 1);
    memset(sid, 'z', sizeof sid - 1);
    memset(add, 'z', sizeof add - 1);
    memset(body, 0, sizeof body);
    dims[0] = 1;
    dims[1] = 3;
    strs[0] = UG_NULL_BYTES;
    di2.inner_status = 0;
    dv.status = 0;
    en.server_index = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        CU_ASSERT(ug_variant_eq(&keep[i], &cps[i]));
    CU_ASSERT_FALSE(ug_variant_eq(&keep[0], &arr)); /* the source did change */
    CU_ASSERT(ug_datavalue_eq(keep[5].u.v.datavalue, &dvc));
    CU_ASSERT(ug_bytes_eq(qnc.name, S("three")));
    CU_ASSERT(ug_bytes_eq(enc.namespace_uri, S("urn:x")));
    CU_ASSERT(ug_bytes_eq(enc.node.id.string, S("node")));

    /* Arena exhaustion at every size. */
    ug_arena_init(&c, arena_buf2, sizeof arena_buf2, false);
    CU_ASSERT_EQUAL_FATAL(ug_datavalue_copy(&dvc, &dv, &c), UG_STATUS_GOOD);
    size_t need = c.used;
    for (size_t cap = 0; cap < need; cap += 8) {
        ug_datavalue t;
        ug_arena_init(&c, arena_buf2, cap, false);
        CU_ASSERT_EQUAL(ug_datavalue_copy(&dvc, &t, &c), UG_STATUS_BADOUTOFMEMORY);
    }
}

static CU_TestInfo tests[] = {
    {"descriptor lookups", test_lookups},
    {"every type zeroed round-trips", test_every_type_zero},
    {"ReadRequest, BrowseResponse, CreateSessionRequest round trips", test_roundtrip_requests},
    {"hand-checked ReadRequest bytes", test_known_bytes},
    {"truncated at every byte", test_truncated},
    {"array lengths: limit, negative, over the buffer, null/empty", test_array_lengths},
    {"nesting depth limit", test_depth},
    {"arena exhaustion", test_arena_exhaustion},
    {"encoder errors and short buffers", test_encode_errors},
    {"optional fields (encoding mask)", test_optional_fields},
    {"ActivateSession with a UserNameIdentityToken ExtensionObject", test_activate_session_eo},
    {"ExtensionObject decode errors", test_eo_errors},
    {"struct copy is independent of its source", test_struct_copy},
    {"variant/datavalue/element copies", test_variant_copy},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("ua_struct", tests); }
