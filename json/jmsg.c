/* JSON NetworkMessages and DataSetMessages, Part 14 §7.2.5.3 / §7.2.5.4
 * (1.05), in the layouts chosen by the JsonNetworkMessageContentMask. */
#include "jval.h"

const ug_json_enc_opts ug_json_enc_default = {
    UG_JSON_COMPACT,
    UG_JSON_LAYOUT_NETWORK_MESSAGE,
    UG_JSON_DSM_WRITER_ID | UG_JSON_DSM_METADATA_VERSION | UG_JSON_DSM_SEQUENCE_NUMBER |
        UG_JSON_DSM_TIMESTAMP | UG_JSON_DSM_STATUS | UG_JSON_DSM_MESSAGE_TYPE,
    0,
    NULL,
};

static const char *const dsm_type_names[] = {"ua-keyframe", "ua-deltaframe", "ua-event",
                                             "ua-keepalive"};

/* ---------------------------------------------------------------- encode */

static void field_name(ug_wr *wr, const ug_dsm_field *f, uint32_t pos, bool delta)
{
    if (f->name.data) { /* "" is a name too (a JSON key may be empty) */
        jw_str(wr, f->name);
        return;
    }
    ug_wr_u8(wr, '"'); /* no name known (e.g. from UADP): the field index */
    jw_u32(wr, delta ? f->index : pos);
    ug_wr_u8(wr, '"');
}

/* True when n bytes need no escape in a JSON string (plain ASCII). */
static bool plain(const uint8_t *p, size_t n)
{
    return jr_str_scan(p, p + n) == p + n;
}

/* Reserve-then-write for the common field: a scalar Variant of a number,
 * Boolean, DateTime or plain String under a plain name, with one capacity
 * check and direct stores. False (nothing written) sends the field to the
 * general path, which also does the exact counting when the buffer is
 * short. */
static bool variant_field_fast(ug_wr *wr, const ug_dsm_field *f, uint32_t idx, bool comma)
{
    const ug_variant *v = &f->dv.value;
    if (v->array_len != UG_SCALAR || (f->name.data && (uint32_t)f->name.len > 256))
        return false; /* arrays; a long name */
    size_t vmax = 34; /* a double, float or DateTime at most */
    if (v->type == UG_TYPE_STRING) {
        const ug_string *str = &v->u.v.string;
        if (str->len > 256 || (str->len > 0 && !plain(str->data, (size_t)str->len)))
            return false;
        vmax = str->len < 0 ? 4 : (size_t)str->len + 2;
    }
    size_t nlen = f->name.data ? (size_t)f->name.len : 10;
    if (f->name.data && nlen && !plain(f->name.data, nlen))
        return false;
    /* ,"name":{"UaType":NN,"Value":<value>} */
    uint8_t *d = jw_room(wr, 1 + nlen + 3 + 21 + vmax + 1);
    if (!d)
        return false;
    uint8_t *o = d;
    *o = ',';
    o += comma;
    *o++ = '"';
    if (f->name.data) {
        memcpy(o, f->name.data, nlen);
        o += nlen;
    } else {
        o = jw_put_u32(o, idx);
    }
    memcpy(o, "\":{\"UaType\":", 12);
    o += 12;
    if (v->type >= 10) {
        memcpy(o, jw_digits2 + 2 * v->type, 2);
        o += 2;
    } else {
        *o++ = (uint8_t)('0' + v->type);
    }
    memcpy(o, ",\"Value\":", 9);
    o += 9;
    /* Nothing is committed before the end: a bail-out leaves only bytes
     * past wr->len, which the general path writes over. */
    const ug_scalar *x = &v->u.v;
    switch (v->type) {
    case UG_TYPE_BOOLEAN:
        if (x->boolean) {
            memcpy(o, "true", 4);
            o += 4;
        } else {
            memcpy(o, "false", 5);
            o += 5;
        }
        break;
    case UG_TYPE_SBYTE: o = jw_put_i32(o, x->sbyte); break;
    case UG_TYPE_BYTE: o = jw_put_u32(o, x->byte); break;
    case UG_TYPE_INT16: o = jw_put_i32(o, x->int16); break;
    case UG_TYPE_UINT16: o = jw_put_u32(o, x->uint16); break;
    case UG_TYPE_INT32: o = jw_put_i32(o, x->int32); break;
    case UG_TYPE_UINT32: o = jw_put_u32(o, x->uint32); break;
    case UG_TYPE_INT64: /* Part 6 §5.4.2.3: 64-bit integers as strings */
        *o++ = '"';
        if (x->int64 < 0) {
            *o++ = '-';
            o = jw_put_u64(o, 0 - (uint64_t)x->int64);
        } else {
            o = jw_put_u64(o, (uint64_t)x->int64);
        }
        *o++ = '"';
        break;
    case UG_TYPE_UINT64:
        *o++ = '"';
        o = jw_put_u64(o, x->uint64);
        *o++ = '"';
        break;
    case UG_TYPE_FLOAT: o = jw_put_float(o, x->f32); break;
    case UG_TYPE_DOUBLE: o = jw_put_double(o, x->f64); break;
    case UG_TYPE_DATETIME: o = jw_put_datetime(o, x->datetime); break;
    case UG_TYPE_STRING:
        if (x->string.len < 0) {
            memcpy(o, "null", 4);
            o += 4;
        } else {
            *o++ = '"';
            if (x->string.len > 0)
                memcpy(o, x->string.data, (size_t)x->string.len);
            o += x->string.len;
            *o++ = '"';
        }
        break;
    default: return false;
    }
    *o++ = '}';
    wr->len += (size_t)(o - d);
    return true;
}

static void payload(ug_wr *wr, const ug_dsm *d, const ug_json_enc_opts *o)
{
    bool delta = d->type == UG_DSM_DELTAFRAME;
    ug_wr_u8(wr, '{');
    for (uint32_t i = 0; i < d->field_count; i++) {
        const ug_dsm_field *f = &d->fields[i];
        if (d->field_encoding == UG_FE_VARIANT &&
            variant_field_fast(wr, f, delta ? f->index : i, i != 0))
            continue;
        if (i)
            ug_wr_u8(wr, ',');
        field_name(wr, f, i, delta);
        ug_wr_u8(wr, ':');
        switch (d->field_encoding) {
        case UG_FE_VARIANT: {
            bool first = true;
            ug_wr_u8(wr, '{');
            jw_variant_members(wr, &f->dv.value, o, &first);
            ug_wr_u8(wr, '}');
            break;
        }
        case UG_FE_DATAVALUE: jw_datavalue(wr, &f->dv, o); break;
        case UG_FE_RAWDATA: jw_raw_value(wr, &f->dv.value, o); break;
        default: ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        }
    }
    ug_wr_u8(wr, '}');
}

static void dsm(ug_wr *wr, const ug_nm *nm, const ug_dsm *d, const ug_json_enc_opts *o)
{
    uint32_t m = o->dsm_mask;
    bool first = true;
    if (d->field_count && !d->fields) {
        ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
        return;
    }
    if (!(o->nm_mask & UG_JSON_NM_DATASET_HEADER)) {
        payload(wr, d, o); /* the DataSetMessage is its Payload */
        return;
    }
    ug_wr_u8(wr, '{');
    if (m & UG_JSON_DSM_WRITER_ID) {
        jw_sep(wr, &first);
        JW_KEY(wr, "DataSetWriterId");
        jw_u32(wr, d->writer_id);
    }
    if (m & UG_JSON_DSM_WRITER_NAME) {
        jw_sep(wr, &first);
        JW_KEY(wr, "DataSetWriterName");
        jw_str(wr, d->writer_name);
    }
    /* Part 14 §6.3.2.3.1: only without the NetworkMessage header. */
    if ((m & UG_JSON_DSM_PUBLISHER_ID) && !(o->nm_mask & UG_JSON_NM_NETWORK_HEADER) &&
        nm->publisher_id.type != UG_PUBID_NONE) {
        jw_sep(wr, &first);
        JW_KEY(wr, "PublisherId");
        jw_publisher_id(wr, &nm->publisher_id);
    }
    if ((m & UG_JSON_DSM_WRITER_GROUP_NAME) && !(o->nm_mask & UG_JSON_NM_NETWORK_HEADER)) {
        jw_sep(wr, &first);
        JW_KEY(wr, "WriterGroupName");
        jw_str(wr, nm->writer_group_name);
    }
    if ((m & UG_JSON_DSM_SEQUENCE_NUMBER) && d->has_seq) {
        jw_sep(wr, &first);
        JW_KEY(wr, "SequenceNumber");
        jw_u32(wr, d->seq);
    }
    if ((m & UG_JSON_DSM_METADATA_VERSION) && (d->has_cfg_major || d->has_cfg_minor)) {
        jw_sep(wr, &first);
        JW_LIT(wr, "\"MetaDataVersion\":{\"MajorVersion\":");
        jw_u32(wr, d->cfg_major);
        JW_LIT(wr, ",\"MinorVersion\":");
        jw_u32(wr, d->cfg_minor);
        ug_wr_u8(wr, '}');
    } else if ((m & UG_JSON_DSM_MINOR_VERSION) && d->has_cfg_minor) {
        jw_sep(wr, &first);
        JW_KEY(wr, "MinorVersion");
        jw_u32(wr, d->cfg_minor);
    }
    if ((m & UG_JSON_DSM_TIMESTAMP) && d->has_timestamp) {
        jw_sep(wr, &first);
        JW_KEY(wr, "Timestamp");
        jw_datetime(wr, d->timestamp);
    }
    if ((m & UG_JSON_DSM_STATUS) && d->has_status) {
        /* The model keeps the UADP 16-bit form: the high half of the code. */
        jw_sep(wr, &first);
        JW_KEY(wr, "Status");
        jw_statuscode(wr, (ug_status)d->status << 16, o);
    }
    if (m & UG_JSON_DSM_MESSAGE_TYPE) {
        if (d->type > UG_DSM_KEEPALIVE) {
            ug_wr_fail(wr, UG_STATUS_BADENCODINGERROR);
            return;
        }
        jw_sep(wr, &first);
        JW_KEY(wr, "MessageType");
        jw_cstr(wr, dsm_type_names[d->type]);
    }
    if (d->type != UG_DSM_KEEPALIVE) { /* §7.2.5.4: keep-alives have no Payload */
        jw_sep(wr, &first);
        JW_KEY(wr, "Payload");
        payload(wr, d, o);
    }
    ug_wr_u8(wr, '}');
}

ug_status ug_json_encode_nm(void *buf, size_t cap, const ug_nm *nm, const ug_json_enc_opts *o,
                            size_t *out_len)
{
    if (!nm || !out_len || (nm->n_dsm && !nm->dsm))
        return UG_STATUS_BADINVALIDARGUMENT;
    if (!o)
        o = &ug_json_enc_default;
    ug_wr wr;
    ug_wr_init(&wr, buf, cap);
    uint32_t m = o->nm_mask;
    bool single = m & UG_JSON_NM_SINGLE_DATASET;
    if (single && nm->n_dsm != 1)
        ug_wr_fail(&wr, UG_STATUS_BADENCODINGERROR);
    if (m & UG_JSON_NM_NETWORK_HEADER) {
        /* MessageId is mandatory: a null one is written as "". */
        JW_LIT(&wr, "{\"MessageId\":");
        jw_str(&wr, nm->message_id.len < 0 ? (ug_string){NULL, 0} : nm->message_id);
        JW_LIT(&wr, ",\"MessageType\":\"ua-data\"");
        if ((m & UG_JSON_NM_PUBLISHER_ID) && nm->publisher_id.type != UG_PUBID_NONE) {
            JW_LIT(&wr, ",\"PublisherId\":");
            jw_publisher_id(&wr, &nm->publisher_id);
        }
        if ((m & UG_JSON_NM_WRITER_GROUP_NAME) && nm->writer_group_name.len >= 0) {
            JW_LIT(&wr, ",\"WriterGroupName\":");
            jw_str(&wr, nm->writer_group_name);
        }
        if ((m & UG_JSON_NM_DATASET_CLASS_ID) && nm->has_class_id) {
            JW_LIT(&wr, ",\"DataSetClassId\":");
            jw_guid(&wr, &nm->class_id);
        }
        JW_LIT(&wr, ",\"Messages\":");
    }
    if (single) {
        if (nm->n_dsm == 1)
            dsm(&wr, nm, &nm->dsm[0], o);
    } else {
        ug_wr_u8(&wr, '[');
        for (uint16_t i = 0; i < nm->n_dsm; i++) {
            if (i)
                ug_wr_u8(&wr, ',');
            dsm(&wr, nm, &nm->dsm[i], o);
        }
        ug_wr_u8(&wr, ']');
    }
    if (m & UG_JSON_NM_NETWORK_HEADER)
        ug_wr_u8(&wr, '}');
    *out_len = wr.len;
    return ug_wr_finish(&wr);
}

/* ---------------------------------------------------------------- decode */

static bool is_dsm_key(ug_string k)
{
    return JR_KEY(k, "DataSetWriterId") || JR_KEY(k, "DataSetWriterName") ||
           JR_KEY(k, "SequenceNumber") || JR_KEY(k, "MetaDataVersion") ||
           JR_KEY(k, "MinorVersion") || JR_KEY(k, "Timestamp") || JR_KEY(k, "Status") ||
           JR_KEY(k, "MessageType") || JR_KEY(k, "Payload") || JR_KEY(k, "PublisherId") ||
           JR_KEY(k, "WriterGroupName");
}

/* The first member name of the object ahead (null when empty or not one). */
static ug_string first_key(const ug_jr *jr)
{
    const uint8_t *p = jr->p, *e = jr->end;
    if (e - p >= 2 && p[0] == '{' && p[1] == '"') { /* compact text, plain name */
        const uint8_t *q = jr_str_scan(p + 2, e);
        if (e - q >= 2 && q[0] == '"' && q[1] == ':')
            return (ug_string){p + 2, (int32_t)(q - p - 2)};
    }
    ug_jr t = *jr;
    uint32_t n = 0;
    ug_string key = UG_NULL_BYTES;
    if (jr_peek(&t) == JR_OBJECT && jr_obj_begin(&t) && jr_member(&t, &n, &key))
        return key;
    return UG_NULL_BYTES;
}

/* A field object whose first member is not a Variant/DataValue member is a
 * structure value in RawData form (Part 14 §7.2.5.4.2, Annex A.3.3.5). */
static bool is_value_object(const ug_jr *jr)
{
    /* The first member name read straight from the bytes when it has no
     * escape (the usual case), else through the scanner. */
    const uint8_t *p = jr->p + 1, *e = jr->end; /* jr_peek left p at '{' */
    ug_string k;
    if (e - p >= 9 && memcmp(p, "\"UaType\":", 9) == 0)
        return true; /* what every encoder writes first */
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (p < e && *p == '"') {
        const uint8_t *q = ++p;
        while (q < e && *q != '"' && *q != '\\')
            q++;
        if (q < e && *q == '"')
            k = (ug_string){p, (int32_t)(q - p)};
        else
            k = first_key(jr);
    } else {
        return true; /* {} or malformed: the scanner will say */
    }
    return JR_KEY(k, "UaType") || JR_KEY(k, "Value") || JR_KEY(k, "Dimensions") ||
           JR_KEY(k, "Status") || JR_KEY(k, "SourceTimestamp") || JR_KEY(k, "ServerTimestamp") ||
           JR_KEY(k, "SourcePicoseconds") || JR_KEY(k, "ServerPicoseconds") ||
           JR_KEY(k, "Type") || JR_KEY(k, "Body");
}

static const ug_field_meta *layout_field(const ug_jr *jr, const ug_dsm *d, ug_string name,
                                         uint16_t *index)
{
    const ug_json_dec_opts *o = jr->opts;
    for (int32_t l = 0; o->layouts && l < o->n_layouts; l++) {
        const ug_dsm_layout *ly = &o->layouts[l];
        if (d->has_writer_id && ly->writer_id != d->writer_id)
            continue;
        for (int32_t i = 0; ly->fields && i < ly->n_fields; i++) {
            if (ug_bytes_eq(ly->fields[i].name, name)) {
                *index = (uint16_t)i;
                return &ly->fields[i];
            }
        }
    }
    return NULL;
}

/* Arrays whose length the text does not announce grow in the arena (the
 * old block is left behind): one pass over the text instead of a counting
 * pass first. */
static void *grow(ug_jr *jr, void *old, uint32_t used, uint32_t *cap, size_t elem)
{
    uint32_t ncap = *cap ? *cap * 2 : 16;
    void *p = jr->arena ? ug_arena_alloc(jr->arena, (size_t)ncap * elem) : NULL;
    if (!p) {
        jr_fail(jr, UG_STATUS_BADOUTOFMEMORY);
        return NULL;
    }
    if (used)
        memcpy(p, old, (size_t)used * elem);
    *cap = ncap;
    return p;
}

static void payload_object(ug_jr *jr, ug_dsm *d)
{
    ug_dsm_field *f = NULL;
    uint32_t cap = 0;
    bool any_dv = false, any_raw = false;
    uint32_t i = 0;
    ug_string key;
    if (!jr_obj_begin(jr))
        return;
    while (jr_member(jr, &i, &key)) {
        if (i > UINT16_MAX) {
            jr_fail(jr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
            return;
        }
        if (i > cap && !(f = grow(jr, f, i - 1, &cap, sizeof *f)))
            return;
        ug_dsm_field *x = &f[i - 1];
        /* x->dv is set in full by either branch below. */
        x->raw_padded_to = 0;
        x->name = key;
        x->index = (uint16_t)(i - 1);
        const ug_field_meta *fm = jr->opts->layouts ? layout_field(jr, d, key, &x->index) : NULL;
        /* Types whose RawData value is itself an object need the metadata. */
        bool raw_obj = fm && (fm->builtin_type == UG_TYPE_LOCALIZEDTEXT ||
                              fm->builtin_type == UG_TYPE_EXTENSIONOBJECT ||
                              fm->builtin_type == UG_TYPE_STATUSCODE ||
                              fm->builtin_type == UG_TYPE_DIAGNOSTICINFO);
        if (!raw_obj && jr_quick_dv(jr, &x->dv)) {
            /* a scalar Variant: x->dv.mask is UG_DV_VALUE */
        } else if (jr_peek(jr) == JR_OBJECT && !raw_obj && is_value_object(jr)) {
            jr_datavalue(jr, &x->dv);
            if (x->dv.mask == 0)
                x->dv.mask = UG_DV_VALUE; /* {}: the empty Variant */
            if (x->dv.mask != UG_DV_VALUE)
                any_dv = true;
        } else {
            /* RawData: a bare value, typed by the metadata when we have it. */
            memset(&x->dv, 0, sizeof x->dv);
            x->dv.mask = UG_DV_VALUE;
            if (fm && fm->builtin_type && fm->builtin_type <= UG_TYPE_MAX)
                jr_typed_value(jr, fm->builtin_type, &x->dv.value);
            else
                jr_infer(jr, &x->dv.value);
            any_raw = true;
        }
    }
    d->field_count = (uint16_t)i;
    d->fields = f;
    d->field_encoding = any_raw ? UG_FE_RAWDATA : any_dv ? UG_FE_DATAVALUE : UG_FE_VARIANT;
}

static void dsm_status(ug_jr *jr, ug_dsm *d)
{
    ug_status s = jr_statuscode(jr);
    /* open62541 writes the UADP UInt16; a real code below 0x10000 with
     * InfoType 0 cannot have info bits, so such a number is that UInt16. */
    if (s && s <= 0xFFFF && !(s & 0x0C00))
        d->status = (uint16_t)s;
    else
        d->status = (uint16_t)(s >> 16);
    d->has_status = true;
}

static void dsm_object(ug_jr *jr, ug_nm *nm, ug_dsm *d)
{
    uint32_t n = 0;
    ug_string key;
    bool payload_seen = false;
    if (!jr_obj_begin(jr))
        return;
    while (jr_member(jr, &n, &key)) {
        if (JR_KEY(key, "DataSetWriterId")) {
            d->writer_id = (uint16_t)jr_int(jr, 0, UINT16_MAX, true);
            d->has_writer_id = true;
        } else if (JR_KEY(key, "DataSetWriterName")) {
            d->writer_name = jr_null(jr) ? UG_NULL_BYTES : jr_string(jr);
        } else if (JR_KEY(key, "PublisherId")) {
            jr_publisher_id(jr, &nm->publisher_id);
        } else if (JR_KEY(key, "WriterGroupName")) {
            nm->writer_group_name = jr_null(jr) ? UG_NULL_BYTES : jr_string(jr);
        } else if (JR_KEY(key, "SequenceNumber")) {
            /* UInt32 in JSON; the model keeps the UADP 16 bits. */
            d->seq = (uint16_t)jr_int(jr, 0, UINT32_MAX, true);
            d->has_seq = true;
        } else if (JR_KEY(key, "MetaDataVersion")) {
            uint32_t k = 0;
            ug_string vk;
            if (jr_obj_begin(jr))
                while (jr_member(jr, &k, &vk)) {
                    if (JR_KEY(vk, "MajorVersion")) {
                        d->cfg_major = (uint32_t)jr_int(jr, 0, UINT32_MAX, false);
                        d->has_cfg_major = true;
                    } else if (JR_KEY(vk, "MinorVersion")) {
                        d->cfg_minor = (uint32_t)jr_int(jr, 0, UINT32_MAX, false);
                        d->has_cfg_minor = true;
                    } else {
                        jr_skip(jr);
                    }
                }
        } else if (JR_KEY(key, "MinorVersion")) {
            d->cfg_minor = (uint32_t)jr_int(jr, 0, UINT32_MAX, false);
            d->has_cfg_minor = true;
        } else if (JR_KEY(key, "Timestamp")) {
            jr_element(jr, UG_TYPE_DATETIME, &d->timestamp);
            d->has_timestamp = true;
        } else if (JR_KEY(key, "Status")) {
            dsm_status(jr, d);
        } else if (JR_KEY(key, "MessageType")) {
            ug_string t = jr_string(jr);
            int found = -1;
            static const uint8_t name_len[4] = {11, 13, 8, 12};
            for (int i = 0; i < 4; i++)
                if (jr_key_is(t, dsm_type_names[i], name_len[i]))
                    found = i;
            if (found < 0 && jr_ok(jr))
                jr_fail(jr, UG_STATUS_BADDECODINGERROR);
            d->type = (uint8_t)(found < 0 ? 0 : found);
        } else if (JR_KEY(key, "Payload")) {
            payload_object(jr, d);
            payload_seen = true;
        } else {
            jr_skip(jr); /* unknown members are ignored */
        }
    }
    if (jr_ok(jr) && !payload_seen && n > 0 && d->type != UG_DSM_KEEPALIVE)
        d->type = UG_DSM_KEEPALIVE; /* §7.2.5.4: a message without Payload */
    if (d->type == UG_DSM_KEEPALIVE)
        d->field_count = 0; /* §7.2.5.4: keep-alives carry no Payload; one sent anyway is ignored */
}

static void one_dsm(ug_jr *jr, ug_nm *nm, ug_dsm *d, uint32_t mask)
{
    ug_dsm_init(d);
    bool header;
    if (mask & UG_JSON_NM_AUTO) {
        ug_string k = first_key(jr);
        header = k.len > 0 && is_dsm_key(k);
    } else {
        header = mask & UG_JSON_NM_DATASET_HEADER;
    }
    if (jr_peek(jr) != JR_OBJECT) {
        jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        return;
    }
    if (header)
        dsm_object(jr, nm, d);
    else
        payload_object(jr, d);
}

/* The Messages value: an array of DataSetMessages or a single one. */
static void messages(ug_jr *jr, ug_nm *nm, uint32_t mask)
{
    if (jr_peek(jr) == JR_OBJECT) {
        nm->dsm = jr->arena ? ug_arena_alloc(jr->arena, sizeof *nm->dsm) : NULL;
        if (!nm->dsm) {
            jr_fail(jr, UG_STATUS_BADOUTOFMEMORY);
            return;
        }
        nm->n_dsm = 1;
        one_dsm(jr, nm, nm->dsm, mask);
        return;
    }
    uint32_t i = 0, cap = 0;
    ug_dsm *d = NULL;
    if (jr_arr_begin(jr))
        while (jr_elem(jr, &i)) {
            if (i > UINT16_MAX) {
                jr_fail(jr, UG_STATUS_BADENCODINGLIMITSEXCEEDED);
                return;
            }
            if (i > cap && !(d = grow(jr, d, i - 1, &cap, sizeof *d)))
                return;
            nm->dsm = d;
            nm->n_dsm = (uint16_t)i;
            one_dsm(jr, nm, &d[i - 1], mask);
        }
}

static void nm_object(ug_jr *jr, ug_nm *nm, uint32_t mask)
{
    uint32_t n = 0;
    ug_string key;
    bool have_messages = false;
    if (!jr_obj_begin(jr))
        return;
    while (jr_member(jr, &n, &key)) {
        if (JR_KEY(key, "MessageId")) {
            nm->message_id = jr_null(jr) ? UG_NULL_BYTES : jr_string(jr);
        } else if (JR_KEY(key, "MessageType")) {
            ug_string t = jr_string(jr);
            if (jr_ok(jr) && !JR_KEY(t, "ua-data"))
                jr_fail(jr, UG_STATUS_BADDECODINGERROR);
        } else if (JR_KEY(key, "PublisherId")) {
            jr_publisher_id(jr, &nm->publisher_id);
        } else if (JR_KEY(key, "WriterGroupName")) {
            nm->writer_group_name = jr_null(jr) ? UG_NULL_BYTES : jr_string(jr);
        } else if (JR_KEY(key, "DataSetClassId")) {
            jr_element(jr, UG_TYPE_GUID, &nm->class_id);
            nm->has_class_id = true;
        } else if (JR_KEY(key, "Messages")) {
            if (have_messages)
                jr_fail(jr, UG_STATUS_BADDECODINGERROR); /* twice */
            messages(jr, nm, mask);
            have_messages = true;
        } else {
            jr_skip(jr);
        }
    }
    if (jr_ok(jr) && !have_messages)
        jr_fail(jr, UG_STATUS_BADDECODINGERROR); /* Messages is mandatory */
}

ug_status ug_json_decode_nm(const void *buf, size_t len, ug_nm *nm, const ug_json_dec_opts *opts,
                            ug_arena *arena, size_t *err_off)
{
    if (!nm)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_jr jr;
    jr_init(&jr, buf, len, opts, arena);
    ug_nm_init(nm);
    uint32_t mask = jr.opts->nm_mask;
    int k = jr_peek(&jr);
    if (mask & UG_JSON_NM_AUTO) {
        if (k == JR_ARRAY) {
            messages(&jr, nm, mask);
        } else if (k == JR_OBJECT) {
            ug_string first = first_key(&jr);
            if (JR_KEY(first, "MessageId") || JR_KEY(first, "Messages") ||
                JR_KEY(first, "MessageType")) {
                /* "MessageType" first: ua-data NetworkMessage or a DataSetMessage. */
                ug_jr t = jr;
                uint32_t n = 0;
                ug_string key, mt = UG_NULL_BYTES;
                if (JR_KEY(first, "MessageType") && jr_obj_begin(&t) && jr_member(&t, &n, &key))
                    mt = jr_string(&t);
                if (mt.len > 0 && !JR_KEY(mt, "ua-data"))
                    messages(&jr, nm, mask); /* a DataSetMessage */
                else
                    nm_object(&jr, nm, mask);
            } else {
                messages(&jr, nm, mask);
            }
        } else {
            jr_fail(&jr, UG_STATUS_BADDECODINGERROR);
        }
    } else if (mask & UG_JSON_NM_NETWORK_HEADER) {
        nm_object(&jr, nm, mask);
    } else {
        messages(&jr, nm, mask);
    }
    return jr_finish(&jr, err_off);
}

ug_string ug_json_message_type(const void *buf, size_t len)
{
    ug_jr jr;
    jr_init(&jr, buf, len, NULL, NULL);
    uint32_t n = 0;
    ug_string key;
    if (jr_peek(&jr) != JR_OBJECT || !jr_obj_begin(&jr))
        return UG_NULL_BYTES;
    while (jr_member(&jr, &n, &key)) {
        if (JR_KEY(key, "MessageType") && jr_peek(&jr) == JR_STRING) {
            ug_string t = jr_string(&jr);
            return jr_ok(&jr) ? t : UG_NULL_BYTES;
        }
        jr_skip(&jr);
    }
    return UG_NULL_BYTES;
}

ug_status ug_json_encode_value(void *buf, size_t cap, unsigned type, const void *in,
                               const ug_json_enc_opts *opts, size_t *out_len)
{
    if (!in || !out_len)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_wr wr;
    ug_wr_init(&wr, buf, cap);
    jw_element(&wr, type, in, opts ? opts : &ug_json_enc_default);
    *out_len = wr.len;
    return ug_wr_finish(&wr);
}

ug_status ug_json_decode_value(const void *buf, size_t len, unsigned type, void *out,
                               const ug_json_dec_opts *opts, ug_arena *arena, size_t *err_off)
{
    if (!out || type == UG_TYPE_NULL || type > UG_TYPE_MAX)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_jr jr;
    jr_init(&jr, buf, len, opts, arena);
    jr_element(&jr, type, out);
    return jr_finish(&jr, err_off);
}
