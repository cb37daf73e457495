/* NetworkMessage payload kinds (uadp/message.c): discovery probe and
 * announcement (DataSetMetaData), chunk payload, SecurityFooter and signature
 * views, encrypted payloads, and their error paths. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "uadp_check.h"
#include "uagate/uadp.h"

static void disc_base(ug_nm *nm, uint8_t type)
{
    /* §7.2.4.6.3 / §7.2.4.6.12.1 flags: PublisherId, ExtendedFlags1 with the
     * SecurityHeader, no GroupHeader/PayloadHeader. */
    ug_nm_init(nm);
    nm->type = type;
    nm->publisher_id.type = UG_PUBID_UINT64;
    nm->publisher_id.u64 = 0x1122334455667788ull;
    nm->has_security = true;
    nm->security.token_id = 0;
}

static void test_discovery_metadata(void)
{
    static const ug_field_meta fields[2] = {
        {.name = {(const uint8_t *)"temp", 4}, .description = {{NULL, -1}, {NULL, -1}},
         .builtin_type = UG_TYPE_DOUBLE, .data_type = {.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = 11},
         .value_rank = -1, .n_array_dims = -1, .n_properties = -1},
        {.name = {(const uint8_t *)"name", 4}, .description = {{NULL, -1}, {NULL, -1}},
         .builtin_type = UG_TYPE_STRING, .data_type = {.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = 12},
         .value_rank = -1, .n_array_dims = -1, .max_string_len = 16, .n_properties = -1},
    };
    ug_nm nm;
    disc_base(&nm, UG_NM_DISCOVERY_RESPONSE);
    nm.disc_resp.response_type = UG_DISC_DATASET_METADATA;
    nm.disc_resp.seq = 77;
    nm.disc_resp.writer_id = 62541;
    ug_dataset_metadata *m = &nm.disc_resp.metadata;
    m->n_namespaces = -1;
    m->n_structures = -1;
    m->n_enums = -1;
    m->n_simple_types = -1;
    m->name = ug_string_from("DataSet 1");
    m->n_fields = 2;
    m->fields = fields;
    m->class_id = (ug_guid){1, 2, 3, {4}};
    m->cfg_major = 1000;
    m->cfg_minor = 2000;
    nm.disc_resp.status = UG_STATUS_GOOD;
    CU_ASSERT_EQUAL(check_roundtrip(&nm, NULL, "metadata announcement"), 0);
    uint8_t buf[1024];
    size_t n;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    /* UADPFlags 0x91, ExtendedFlags1 0x93 (UInt64, security, ext2), ExtendedFlags2 0x08. */
    CU_ASSERT_EQUAL(buf[0], 0x91);
    CU_ASSERT_EQUAL(buf[1], 0x93);
    CU_ASSERT_EQUAL(buf[2], 0x08);
    /* after PublisherId (8) and SecurityHeader (6): AnnouncementType 2, seq 77, writer id */
    CU_ASSERT_EQUAL(buf[17], 2);
    CU_ASSERT_EQUAL(buf[18], 77);
    CU_ASSERT_EQUAL(buf[20] | buf[21] << 8, 62541);
    CU_ASSERT_EQUAL(check_truncations(buf, n, NULL, "metadata announcement"), 0);
    /* decoded field metadata */
    ug_arena a;
    check_arena(&a);
    ug_uadp_decode_opts o = {.arena = &a};
    ug_nm out;
    size_t err;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_decode(buf, n, &out, &o, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.disc_resp.metadata.n_fields, 2);
    CU_ASSERT_EQUAL(out.disc_resp.metadata.fields[1].max_string_len, 16);
    CU_ASSERT_EQUAL(out.disc_resp.metadata.fields[0].builtin_type, UG_TYPE_DOUBLE);

    /* Other announcement types keep their body as a view. */
    static const uint8_t body[] = {1, 2, 3, 4, 5};
    nm.disc_resp.response_type = UG_DISC_PUBLISHER_ENDPOINTS;
    nm.disc_resp.body = (ug_bytes){body, sizeof body};
    CU_ASSERT_EQUAL(check_roundtrip(&nm, NULL, "endpoints announcement"), 0);
    /* AnnouncementType 0 is reserved. */
    nm.disc_resp.response_type = 0;
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADINVALIDARGUMENT);
    static const uint8_t reserved[] = {0x81, 0x80, 0x08, 0x00, 0x01, 0x00};
    CU_ASSERT_EQUAL(ug_uadp_decode(reserved, sizeof reserved, &out, &o, &err), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(err, 3);
}

static void test_discovery_probe(void)
{
    static const uint16_t ids[3] = {1, 500, 65535};
    ug_nm nm;
    disc_base(&nm, UG_NM_DISCOVERY_REQUEST);
    nm.disc_req.request_type = 1;
    nm.disc_req.information_type = UG_DISC_DATASET_METADATA;
    nm.disc_req.n_writer_ids = 3;
    nm.disc_req.writer_ids = ids;
    CU_ASSERT_EQUAL(check_roundtrip(&nm, NULL, "metadata probe"), 0);
    uint8_t buf[256];
    size_t n;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(buf[2], 0x04); /* ExtendedFlags2: bit 2, probe */
    static const uint8_t tail[] = {1, 2, 3, 0, 0, 0, 1, 0, 0xF4, 0x01, 0xFF, 0xFF};
    CU_ASSERT_EQUAL(n, 17 + sizeof tail);
    CU_ASSERT_EQUAL(memcmp(buf + 17, tail, sizeof tail), 0);
    CU_ASSERT_EQUAL(check_truncations(buf, n, NULL, "metadata probe"), 0);
    nm.disc_req.information_type = 1; /* endpoints: no more fields */
    CU_ASSERT_EQUAL(check_roundtrip(&nm, NULL, "endpoints probe"), 0);
    nm.disc_req.information_type = 3;
    nm.disc_req.n_writer_ids = -1;
    nm.disc_req.writer_ids = NULL;
    CU_ASSERT_EQUAL(check_roundtrip(&nm, NULL, "writer probe, null ids"), 0);
    nm.disc_req.information_type = 4; /* WriterGroup configuration: not supported */
    CU_ASSERT_EQUAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_BADNOTSUPPORTED);

    ug_arena a;
    check_arena(&a);
    ug_uadp_decode_opts o = {.arena = &a};
    ug_nm out;
    size_t err;
    static const uint8_t bad_type[] = {0x81, 0x80, 0x04, 0x02, 0x01};
    CU_ASSERT_EQUAL(ug_uadp_decode(bad_type, sizeof bad_type, &out, &o, &err), UG_STATUS_BADNOTSUPPORTED);
    CU_ASSERT_EQUAL(err, 3);
    static const uint8_t info0[] = {0x81, 0x80, 0x04, 0x01, 0x00};
    CU_ASSERT_EQUAL(ug_uadp_decode(info0, sizeof info0, &out, &o, &err), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(err, 4);
    static const uint8_t ids_neg[] = {0x81, 0x80, 0x04, 0x01, 0x02, 0xFE, 0xFF, 0xFF, 0xFF};
    CU_ASSERT_TRUE(ug_is_bad(ug_uadp_decode(ids_neg, sizeof ids_neg, &out, &o, &err)));
    static const uint8_t trailing[] = {0x81, 0x80, 0x04, 0x01, 0x01, 0x00};
    CU_ASSERT_EQUAL(ug_uadp_decode(trailing, sizeof trailing, &out, &o, &err), UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_EQUAL(err, 5);
}

static void test_chunk(void)
{
    static const uint8_t data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    ug_nm nm;
    ug_nm_init(&nm);
    nm.publisher_id.type = UG_PUBID_UINT16;
    nm.publisher_id.u64 = 1000;
    nm.has_group_header = true;
    nm.group.has_writer_group_id = true;
    nm.group.writer_group_id = 100;
    nm.has_payload_header = true;
    nm.is_chunk = true;
    nm.chunk.writer_id = 62541;
    nm.chunk.msg_seq = 9;
    nm.chunk.offset = 20;
    nm.chunk.total_size = 30;
    nm.chunk.data = (ug_bytes){data, sizeof data};
    CU_ASSERT_EQUAL(check_roundtrip(&nm, NULL, "chunk"), 0);
    uint8_t buf[128];
    size_t n;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    /* flags f1, ext1 81, ext2 01, pubid, group (3), DataSetWriterId, then
     * MessageSequenceNumber, ChunkOffset, TotalSize, ChunkData (ByteString). */
    static const uint8_t want[] = {0xF1, 0x81, 0x01, 0xE8, 0x03, 0x01, 0x64, 0x00, 0x4D, 0xF4,
                                   0x09, 0x00, 20, 0, 0, 0, 30, 0, 0, 0, 10, 0, 0, 0,
                                   1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CU_ASSERT_EQUAL(n, sizeof want);
    CU_ASSERT_EQUAL(memcmp(buf, want, sizeof want), 0);
    CU_ASSERT_EQUAL(check_truncations(buf, n, NULL, "chunk"), 0);
    ug_nm out;
    ug_uadp_frame fr;
    size_t err;
    CU_ASSERT_EQUAL(ug_uadp_decode_header(buf, n, &out, NULL, &fr, &err), UG_STATUS_GOOD);
    CU_ASSERT_TRUE(out.is_chunk);
    CU_ASSERT_EQUAL(out.chunk.writer_id, 62541);
    CU_ASSERT_EQUAL(fr.payload_off, 10);
    /* a chunk that overruns TotalSize */
    uint8_t b2[sizeof want];
    memcpy(b2, want, sizeof want);
    b2[16] = 29;
    CU_ASSERT_EQUAL(ug_uadp_decode(b2, sizeof b2, &out, NULL, &err), UG_STATUS_BADDECODINGERROR);
    /* null ChunkData */
    nm.chunk.data = UG_NULL_BYTES;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode(&nm, buf, sizeof buf, &n), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_decode(buf, n, &out, NULL, &err), UG_STATUS_BADDECODINGERROR);
    /* discovery chunk: no payload header, writer id 0 */
    nm.chunk.data = (ug_bytes){data, 3};
    nm.has_payload_header = false;
    nm.has_group_header = false;
    nm.chunk.writer_id = 0;
    nm.type = UG_NM_DISCOVERY_RESPONSE;
    CU_ASSERT_EQUAL(check_roundtrip(&nm, NULL, "discovery chunk"), 0);
}

static void test_security_trailer(void)
{
    static const uint8_t nonce[4] = {9, 9, 9, 9}, footer[3] = {7, 7, 7}, sig[16] = {1, 2, 3};
    ug_dsm d;
    ug_dsm_init(&d);
    ug_dsm_field f = {.dv.mask = UG_DV_VALUE};
    f.dv.value = ug_variant_scalar(UG_TYPE_BYTE);
    f.dv.value.u.v.byte = 5;
    d.fields = &f;
    d.field_count = 1;
    ug_nm nm;
    ug_nm_init(&nm);
    nm.dsm = &d;
    nm.n_dsm = 1;
    nm.has_security = true;
    nm.security.flags = UG_SEC_SIGNED | UG_SEC_FOOTER | UG_SEC_FORCE_KEY_RESET;
    nm.security.token_id = 0xCAFEBABE;
    nm.security.nonce = (ug_bytes){nonce, 4};
    nm.security.footer_size = 3;
    nm.security.footer = (ug_bytes){footer, 3};
    nm.security.signature = (ug_bytes){sig, sizeof sig};
    ug_uadp_decode_opts o = {.signature_len = sizeof sig};
    CU_ASSERT_EQUAL(check_roundtrip(&nm, &o, "signed with footer"), 0);
    uint8_t buf[128];
    size_t n;
    ug_uadp_frame fr;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode_frame(&nm, buf, sizeof buf, &n, &fr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(fr.signature_off, n - sizeof sig);
    CU_ASSERT_EQUAL(fr.footer_off, n - sizeof sig - 3);
    CU_ASSERT_EQUAL(fr.payload_end, fr.footer_off);
    ug_nm out;
    size_t err;
    ug_arena a;
    check_arena(&a);
    o.arena = &a;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_decode(buf, n, &out, &o, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.security.signature.len, (int32_t)sizeof sig);
    CU_ASSERT_PTR_EQUAL(out.security.signature.data, buf + n - sizeof sig);
    CU_ASSERT_EQUAL(out.security.footer.len, 3);
    CU_ASSERT_EQUAL(out.security.token_id, 0xCAFEBABE);
    /* Without the signature length the signature reads as trailing bytes. */
    ug_uadp_decode_opts nosig = {.arena = &a};
    CU_ASSERT_EQUAL(ug_uadp_decode(buf, n, &out, &nosig, &err), UG_STATUS_BADDECODINGERROR);
    /* Encrypted: header decodes, the payload is refused until decrypted. */
    nm.security.flags |= UG_SEC_ENCRYPTED;
    CU_ASSERT_EQUAL_FATAL(ug_uadp_encode_frame(&nm, buf, sizeof buf, &n, &fr), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_uadp_decode(buf, n, &out, &o, &err), UG_STATUS_BADNOTSUPPORTED);
    CU_ASSERT_EQUAL(err, fr.payload_off);
    ug_uadp_frame df;
    CU_ASSERT_EQUAL(ug_uadp_decode_header(buf, n, &out, &o, &df, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(df.payload_off, fr.payload_off);
    CU_ASSERT_EQUAL(ug_uadp_decode_payload(buf, n, &df, &out, &o, &err), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(out.dsm[0].fields[0].dv.value.u.v.byte, 5);
    /* A frame that does not fit the buffer is refused. */
    df.payload_end = n + 1;
    CU_ASSERT_EQUAL(ug_uadp_decode_payload(buf, n, &df, &out, &o, &err), UG_STATUS_BADINVALIDARGUMENT);
}

static CU_TestInfo tests[] = {
    {"discovery DataSetMetaData announcement", test_discovery_metadata},
    {"discovery probe", test_discovery_probe},
    {"chunk payload", test_chunk},
    {"SecurityFooter, signature, encrypted payload", test_security_trailer},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("uadp/message", tests); }
