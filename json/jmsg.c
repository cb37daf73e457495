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

static void payload(ug_wr *wr, const ug_dsm *d, const ug_json_enc_opts *o)
{
    bool delta = d->type == UG_DSM_DELTAFRAME;
    ug_wr_u8(wr, '{');
    for (uint32_t i = 0; i < d->field_count; i++) {
        const ug_dsm_field *f = &d->fields[i];
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
        memset(x, 0, sizeof *x);
        x->name = key;
        x->index = (uint16_t)(i - 1);
        const ug_field_meta *fm = layout_field(jr, d, key, &x->index);
        /* Types whose RawData value is itself an object need the metadata. */
        bool raw_obj = fm && (fm->builtin_type == UG_TYPE_LOCALIZEDTEXT ||
                              fm->builtin_type == UG_TYPE_EXTENSIONOBJECT ||
                              fm->builtin_type == UG_TYPE_STATUSCODE ||
                              fm->builtin_type == UG_TYPE_DIAGNOSTICINFO);
        if (jr_peek(jr) == JR_OBJECT && !raw_obj && is_value_object(jr)) {
            jr_datavalue(jr, &x->dv);
            if (x->dv.mask == 0)
                x->dv.mask = UG_DV_VALUE; /* {}: the empty Variant */
            if (x->dv.mask != UG_DV_VALUE)
                any_dv = true;
        } else {
            /* RawData: a bare value, typed by the metadata when we have it. */
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
            for (int i = 0; i < 4; i++)
                if (jr_key_is(t, dsm_type_names[i], strlen(dsm_type_names[i])))
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
