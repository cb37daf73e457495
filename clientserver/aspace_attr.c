/* clientserver/aspace_attr.c — reading and writing one attribute of a node:
 * which attributes each NodeClass has (Part 3 §5, Tables of §5.2-§5.9),
 * value sources, IndexRange, timestamps, the Write type rules of Part 4
 * §5.10.4 (incl. ByteString <-> Byte[] and subtypes of the DataType).
 */
#include <stdlib.h>
#include <string.h>

#include "aspace_int.h"
#include "numeric_range.h"

/* Which attributes each class has; optional ones we do not keep
 * (RolePermissions, AccessRestrictions, DataTypeDefinition) are absent. */
static uint32_t attr_mask(uint8_t cls)
{
#define B(a) (1u << (a))
    uint32_t common = B(UG_ATTR_NODE_ID) | B(UG_ATTR_NODE_CLASS) | B(UG_ATTR_BROWSE_NAME) |
                      B(UG_ATTR_DISPLAY_NAME) | B(UG_ATTR_DESCRIPTION) | B(UG_ATTR_WRITE_MASK) |
                      B(UG_ATTR_USER_WRITE_MASK);
    switch (cls) {
    case UG_NC_OBJECT: return common | B(UG_ATTR_EVENT_NOTIFIER);
    case UG_NC_VARIABLE:
        return common | B(UG_ATTR_VALUE) | B(UG_ATTR_DATA_TYPE) | B(UG_ATTR_VALUE_RANK) |
               B(UG_ATTR_ARRAY_DIMENSIONS) | B(UG_ATTR_ACCESS_LEVEL) | B(UG_ATTR_USER_ACCESS_LEVEL) |
               B(UG_ATTR_MINIMUM_SAMPLING_INTERVAL) | B(UG_ATTR_HISTORIZING) |
               B(UG_ATTR_ACCESS_LEVEL_EX);
    case UG_NC_METHOD: return common | B(UG_ATTR_EXECUTABLE) | B(UG_ATTR_USER_EXECUTABLE);
    case UG_NC_OBJECTTYPE: return common | B(UG_ATTR_IS_ABSTRACT);
    case UG_NC_VARIABLETYPE:
        return common | B(UG_ATTR_VALUE) | B(UG_ATTR_DATA_TYPE) | B(UG_ATTR_VALUE_RANK) |
               B(UG_ATTR_ARRAY_DIMENSIONS) | B(UG_ATTR_IS_ABSTRACT);
    case UG_NC_REFERENCETYPE:
        return common | B(UG_ATTR_IS_ABSTRACT) | B(UG_ATTR_SYMMETRIC) | B(UG_ATTR_INVERSE_NAME);
    case UG_NC_DATATYPE: return common | B(UG_ATTR_IS_ABSTRACT);
    case UG_NC_VIEW: return common | B(UG_ATTR_CONTAINS_NO_LOOPS) | B(UG_ATTR_EVENT_NOTIFIER);
    default: return 0;
    }
#undef B
}

bool ug_node_has_attr(const ug_node *n, uint32_t attr)
{
    return attr >= 1 && attr <= UG_ATTR_MAX && (attr_mask(n->node_class) & (1u << attr));
}

static void scalar(ug_variant *v, uint8_t type) { *v = ug_variant_scalar(type); }

/* The value of a non-Value attribute; views into the node. */
static void plain_attr(const ug_node *n, uint32_t attr, ug_variant *v)
{
    switch (attr) {
    case UG_ATTR_NODE_ID: scalar(v, UG_TYPE_NODEID); v->u.v.nodeid = n->id; break;
    case UG_ATTR_NODE_CLASS: scalar(v, UG_TYPE_INT32); v->u.v.int32 = n->node_class; break;
    case UG_ATTR_BROWSE_NAME: scalar(v, UG_TYPE_QUALIFIEDNAME); v->u.v.qname = n->browse_name; break;
    case UG_ATTR_DISPLAY_NAME: scalar(v, UG_TYPE_LOCALIZEDTEXT); v->u.v.ltext = ug_node_display_name(n); break;
    case UG_ATTR_DESCRIPTION: scalar(v, UG_TYPE_LOCALIZEDTEXT); v->u.v.ltext = ug_node_description(n); break;
    case UG_ATTR_WRITE_MASK:
    case UG_ATTR_USER_WRITE_MASK: scalar(v, UG_TYPE_UINT32); v->u.v.uint32 = n->write_mask; break;
    case UG_ATTR_IS_ABSTRACT:
        scalar(v, UG_TYPE_BOOLEAN);
        v->u.v.boolean = (n->flags & UG_NF_ABSTRACT) != 0;
        break;
    case UG_ATTR_SYMMETRIC:
        scalar(v, UG_TYPE_BOOLEAN);
        v->u.v.boolean = (n->flags & UG_NF_SYMMETRIC) != 0;
        break;
    case UG_ATTR_INVERSE_NAME: scalar(v, UG_TYPE_LOCALIZEDTEXT); v->u.v.ltext = ug_node_inverse_name(n); break;
    case UG_ATTR_CONTAINS_NO_LOOPS:
        scalar(v, UG_TYPE_BOOLEAN);
        v->u.v.boolean = (n->flags & UG_NF_NO_LOOPS) != 0;
        break;
    case UG_ATTR_EVENT_NOTIFIER: scalar(v, UG_TYPE_BYTE); v->u.v.byte = n->event_notifier; break;
    case UG_ATTR_DATA_TYPE: scalar(v, UG_TYPE_NODEID); v->u.v.nodeid = n->data_type; break;
    case UG_ATTR_VALUE_RANK: scalar(v, UG_TYPE_INT32); v->u.v.int32 = n->value_rank; break;
    case UG_ATTR_ARRAY_DIMENSIONS:
        *v = (ug_variant){.type = UG_TYPE_UINT32, .array_len = n->n_dims ? (int32_t)n->n_dims : -1,
                          .u.arr = n->dims};
        break;
    case UG_ATTR_ACCESS_LEVEL:
    case UG_ATTR_USER_ACCESS_LEVEL: scalar(v, UG_TYPE_BYTE); v->u.v.byte = n->access_level; break;
    case UG_ATTR_ACCESS_LEVEL_EX: scalar(v, UG_TYPE_UINT32); v->u.v.uint32 = n->access_level; break;
    case UG_ATTR_MINIMUM_SAMPLING_INTERVAL: scalar(v, UG_TYPE_DOUBLE); v->u.v.f64 = n->min_sampling; break;
    case UG_ATTR_HISTORIZING:
        scalar(v, UG_TYPE_BOOLEAN);
        v->u.v.boolean = (n->flags & UG_NF_HISTORIZING) != 0;
        break;
    case UG_ATTR_EXECUTABLE:
    case UG_ATTR_USER_EXECUTABLE:
        scalar(v, UG_TYPE_BOOLEAN);
        v->u.v.boolean = (n->flags & UG_NF_EXECUTABLE) != 0;
        break;
    default: *v = (ug_variant){.type = UG_TYPE_NULL, .array_len = UG_SCALAR}; break;
    }
}

/* Part 4 §7.23 DataEncoding: only for Value; "Default Binary" is the one we
 * speak, the XML and JSON encodings are known but not offered. */
static ug_status check_encoding(uint32_t attr, ug_qualified_name enc)
{
    if (enc.name.len <= 0 && enc.ns == 0)
        return UG_STATUS_GOOD;
    if (attr != UG_ATTR_VALUE || enc.ns != 0)
        return UG_STATUS_BADDATAENCODINGINVALID;
    if (ug_bytes_eq(enc.name, ug_string_from("Default Binary")))
        return UG_STATUS_GOOD;
    if (ug_bytes_eq(enc.name, ug_string_from("Default XML")) ||
        ug_bytes_eq(enc.name, ug_string_from("Default JSON")))
        return UG_STATUS_BADDATAENCODINGUNSUPPORTED;
    return UG_STATUS_BADDATAENCODINGINVALID;
}

ug_status ug_aspace_read_prepare(ug_aspace *as, const ug_ReadValueId *rv, ug_node **out_node,
                                 struct ug_nrange *range)
{
    ug_node *n = ug_aspace_get(as, &rv->node_id);
    *out_node = n;
    if (!n)
        return UG_STATUS_BADNODEIDUNKNOWN;
    if (!ug_node_has_attr(n, rv->attribute_id))
        return UG_STATUS_BADATTRIBUTEIDINVALID;
    ug_status st = ug_nrange_parse(rv->index_range, range);
    if (st != UG_STATUS_GOOD)
        return st;
    st = check_encoding(rv->attribute_id, rv->data_encoding);
    if (st != UG_STATUS_GOOD)
        return st;
    if (rv->attribute_id == UG_ATTR_VALUE && n->node_class == UG_NC_VARIABLE &&
        !(n->access_level & UG_ACCESS_READ))
        return UG_STATUS_BADNOTREADABLE;
    return UG_STATUS_GOOD;
}

/* Applies range and timestamps to a raw value: out gets status, value and
 * timestamps as TimestampsToReturn asks (Part 4 §7.40). */
ug_status ug_aspace_read_finish(const ug_datavalue *raw, bool is_value,
                                const struct ug_nrange *range, int32_t ttr, ug_datavalue *out,
                                ug_arena *arena, ug_datetime now)
{
    *out = (ug_datavalue){0};
    ug_status st = raw->mask & UG_DV_STATUS ? raw->status : UG_STATUS_GOOD;
    if (raw->mask & UG_DV_VALUE) {
        ug_status rs = ug_nrange_extract(range, &raw->value, &out->value, arena);
        if (rs != UG_STATUS_GOOD) {
            *out = (ug_datavalue){.mask = UG_DV_STATUS, .status = rs};
            return rs;
        }
        out->mask |= UG_DV_VALUE;
    } else if (range->n) {
        *out = (ug_datavalue){.mask = UG_DV_STATUS, .status = UG_STATUS_BADINDEXRANGENODATA};
        return UG_STATUS_BADINDEXRANGENODATA;
    }
    if (st != UG_STATUS_GOOD) {
        out->mask |= UG_DV_STATUS;
        out->status = st;
    }
    bool src = ttr == UG_TIMESTAMPS_TO_RETURN_SOURCE || ttr == UG_TIMESTAMPS_TO_RETURN_BOTH;
    bool srv = ttr == UG_TIMESTAMPS_TO_RETURN_SERVER || ttr == UG_TIMESTAMPS_TO_RETURN_BOTH;
    if (is_value && src && (raw->mask & UG_DV_SOURCE_TIMESTAMP)) {
        out->mask |= UG_DV_SOURCE_TIMESTAMP;
        out->source_ts = raw->source_ts;
        if (raw->mask & UG_DV_SOURCE_PICOSECONDS) {
            out->mask |= UG_DV_SOURCE_PICOSECONDS;
            out->source_ps = raw->source_ps;
        }
    }
    if (srv) {
        out->mask |= UG_DV_SERVER_TIMESTAMP;
        out->server_ts = now;
    }
    return st;
}

ug_status ug_aspace_read_attr(ug_aspace *as, const ug_ReadValueId *rv, int32_t ttr,
                              ug_datavalue *out, ug_arena *arena, ug_datetime now)
{
    ug_node *n;
    struct ug_nrange range;
    ug_status st;
    if (ttr < UG_TIMESTAMPS_TO_RETURN_SOURCE || ttr > UG_TIMESTAMPS_TO_RETURN_NEITHER)
        st = UG_STATUS_BADTIMESTAMPSTORETURNINVALID;
    else
        st = ug_aspace_read_prepare(as, rv, &n, &range);
    if (st != UG_STATUS_GOOD) {
        *out = (ug_datavalue){.mask = UG_DV_STATUS, .status = st};
        return st;
    }
    return ug_aspace_read_node(n, rv, &range, ttr, out, arena, now);
}

ug_status ug_aspace_read_node(ug_node *n, const ug_ReadValueId *rv, const struct ug_nrange *range,
                              int32_t ttr, ug_datavalue *out, ug_arena *arena, ug_datetime now)
{
    ug_status st;
    ug_datavalue raw = {0};
    bool is_value = rv->attribute_id == UG_ATTR_VALUE;
    if (!is_value) {
        raw.mask = UG_DV_VALUE;
        plain_attr(n, rv->attribute_id, &raw.value);
    } else if (n->vsrc == UG_VSRC_CALLBACKS && n->ext->cb.read) {
        st = n->ext->cb.read(n->ext->cb.ctx, n, &raw, arena);
        if (st != UG_STATUS_GOOD) {
            *out = (ug_datavalue){.mask = UG_DV_STATUS, .status = st};
            return st;
        }
    } else if (n->vsrc == UG_VSRC_CALLBACKS) {
        *out = (ug_datavalue){.mask = UG_DV_STATUS, .status = UG_STATUS_BADNOTREADABLE};
        return UG_STATUS_BADNOTREADABLE;
    } else {
        raw = *ug_node_dv(n); /* stored, or the last completed async read */
        if (!(raw.mask & UG_DV_VALUE)) {
            raw.mask |= UG_DV_VALUE; /* no value yet: an empty Variant */
            raw.value = (ug_variant){.type = UG_TYPE_NULL, .array_len = UG_SCALAR};
        }
    }
    return ug_aspace_read_finish(&raw, is_value, range, ttr, out, arena, now);
}

/* -------------------------------------------------------------- writing -- */

static bool is_numeric(uint8_t t) { return t >= UG_TYPE_SBYTE && t <= UG_TYPE_DOUBLE; }

/* Part 4 §5.10.4.1 / Part 3 §8: the value must be of the DataType (or a
 * subtype's built-in type) and fit the ValueRank. ByteString and Byte[]
 * convert into each other. *v may be rewritten (conversion views). */
ug_status ug_aspace_check_value(const ug_aspace *as, const ug_node *n, ug_variant *v)
{
    enum ug_type bt = ug_aspace_builtin_of(as, &n->data_type);
    bool arr = ug_variant_is_array(v);
    if (bt == UG_TYPE_BYTESTRING && v->type == UG_TYPE_BYTE && arr && v->ndims <= 1 &&
        n->value_rank != 1 && n->value_rank != 0) {
        ug_variant bs = ug_variant_scalar(UG_TYPE_BYTESTRING);
        bs.u.v.string = (ug_string){v->u.arr, v->array_len};
        *v = bs;
        arr = false;
    } else if (bt == UG_TYPE_BYTE && v->type == UG_TYPE_BYTESTRING && !arr &&
               (n->value_rank == 1 || n->value_rank == 0 || n->value_rank == -3 ||
                n->value_rank == -2)) {
        ug_string s = v->u.v.string;
        *v = (ug_variant){.type = UG_TYPE_BYTE, .array_len = s.len < 0 ? -1 : s.len,
                          .u.arr = s.data};
        arr = true;
    }
    if (v->type == UG_TYPE_NULL)
        return bt == UG_TYPE_NULL && n->data_type.ns == 0 && n->data_type.id_type == UG_ID_NUMERIC &&
                       n->data_type.id.numeric == UG_ID_BASEDATATYPE
                   ? UG_STATUS_GOOD
                   : UG_STATUS_BADTYPEMISMATCH;
    if (bt == UG_TYPE_NULL) {
        /* abstract: BaseDataType takes anything, Number/Integer/UInteger a
         * numeric type of the family */
        uint32_t id = n->data_type.ns == 0 && n->data_type.id_type == UG_ID_NUMERIC
                          ? n->data_type.id.numeric
                          : 0;
        if (id == 26 && !is_numeric(v->type))
            return UG_STATUS_BADTYPEMISMATCH;
        if (id == 27 && !(v->type == UG_TYPE_SBYTE || v->type == UG_TYPE_INT16 ||
                          v->type == UG_TYPE_INT32 || v->type == UG_TYPE_INT64))
            return UG_STATUS_BADTYPEMISMATCH;
        if (id == 28 && !(v->type == UG_TYPE_BYTE || v->type == UG_TYPE_UINT16 ||
                          v->type == UG_TYPE_UINT32 || v->type == UG_TYPE_UINT64))
            return UG_STATUS_BADTYPEMISMATCH;
    } else if (v->type != bt) {
        return UG_STATUS_BADTYPEMISMATCH;
    }
    int32_t vr = n->value_rank;
    uint32_t nd = arr ? (v->ndims ? v->ndims : 1) : 0;
    if ((vr == -1 && arr) || (vr >= 0 && !arr) || (vr > 0 && (int32_t)nd != vr) ||
        (vr == -3 && nd > 1))
        return UG_STATUS_BADTYPEMISMATCH;
    return UG_STATUS_GOOD;
}

static ug_status set_ltext(ug_node *n, ug_localized_text *dst, uint8_t bit, ug_localized_text src)
{
    ug_localized_text c;
    ug_status st = ug_str_dup(&c.locale, src.locale);
    if (st != UG_STATUS_GOOD)
        return st;
    if ((st = ug_str_dup(&c.text, src.text)) != UG_STATUS_GOOD) {
        free((void *)c.locale.data);
        return st;
    }
    if (n->own & bit) {
        free((void *)dst->locale.data);
        free((void *)dst->text.data);
    }
    *dst = c;
    n->own |= bit;
    return UG_STATUS_GOOD;
}

static const uint32_t wm_bit[UG_ATTR_MAX + 1] = {
    [UG_ATTR_BROWSE_NAME] = UG_WM_BROWSENAME,
    [UG_ATTR_DISPLAY_NAME] = UG_WM_DISPLAYNAME,
    [UG_ATTR_DESCRIPTION] = UG_WM_DESCRIPTION,
    [UG_ATTR_WRITE_MASK] = UG_WM_WRITEMASK,
    [UG_ATTR_IS_ABSTRACT] = UG_WM_ISABSTRACT,
    [UG_ATTR_SYMMETRIC] = UG_WM_SYMMETRIC,
    [UG_ATTR_INVERSE_NAME] = UG_WM_INVERSENAME,
    [UG_ATTR_CONTAINS_NO_LOOPS] = UG_WM_CONTAINSNOLOOPS,
    [UG_ATTR_EVENT_NOTIFIER] = UG_WM_EVENTNOTIFIER,
    [UG_ATTR_DATA_TYPE] = UG_WM_DATATYPE,
    [UG_ATTR_VALUE_RANK] = UG_WM_VALUERANK,
    [UG_ATTR_ARRAY_DIMENSIONS] = UG_WM_ARRAYDIMENSIONS,
    [UG_ATTR_ACCESS_LEVEL] = UG_WM_ACCESSLEVEL,
    [UG_ATTR_MINIMUM_SAMPLING_INTERVAL] = UG_WM_MINIMUMSAMPLINGINTERVAL,
    [UG_ATTR_HISTORIZING] = UG_WM_HISTORIZING,
    [UG_ATTR_EXECUTABLE] = UG_WM_EXECUTABLE,
};

static uint8_t attr_type(uint32_t attr)
{
    switch (attr) {
    case UG_ATTR_BROWSE_NAME: return UG_TYPE_QUALIFIEDNAME;
    case UG_ATTR_DISPLAY_NAME:
    case UG_ATTR_DESCRIPTION:
    case UG_ATTR_INVERSE_NAME: return UG_TYPE_LOCALIZEDTEXT;
    case UG_ATTR_WRITE_MASK:
    case UG_ATTR_ARRAY_DIMENSIONS: return UG_TYPE_UINT32;
    case UG_ATTR_EVENT_NOTIFIER:
    case UG_ATTR_ACCESS_LEVEL: return UG_TYPE_BYTE;
    case UG_ATTR_DATA_TYPE: return UG_TYPE_NODEID;
    case UG_ATTR_VALUE_RANK: return UG_TYPE_INT32;
    case UG_ATTR_MINIMUM_SAMPLING_INTERVAL: return UG_TYPE_DOUBLE;
    default: return UG_TYPE_BOOLEAN;
    }
}

static void set_flag(ug_node *n, uint8_t f, bool on)
{
    if (on)
        n->flags |= f;
    else
        n->flags &= (uint8_t)~f;
}

/* A non-Value attribute (Part 4 §5.10.4: writable when WriteMask says so). */
static ug_status write_plain(ug_aspace *as, ug_node *n, const ug_WriteValue *wv)
{
    uint32_t attr = wv->attribute_id;
    if (attr > UG_ATTR_MAX || !wm_bit[attr] || !(n->write_mask & wm_bit[attr]))
        return UG_STATUS_BADNOTWRITABLE;
    if (wv->index_range.len > 0)
        return UG_STATUS_BADINDEXRANGEINVALID;
    if (!(wv->value.mask & UG_DV_VALUE))
        return UG_STATUS_BADTYPEMISMATCH;
    if (wv->value.mask & (UG_DV_STATUS | UG_DV_SOURCE_TIMESTAMP | UG_DV_SERVER_TIMESTAMP))
        return UG_STATUS_BADWRITENOTSUPPORTED;
    const ug_variant *v = &wv->value.value;
    bool want_array = attr == UG_ATTR_ARRAY_DIMENSIONS;
    if (v->type != attr_type(attr) || ug_variant_is_array(v) != want_array)
        return UG_STATUS_BADTYPEMISMATCH;
    const ug_scalar *s = &v->u.v;
    ug_status st = UG_STATUS_GOOD;
    switch (attr) {
    case UG_ATTR_BROWSE_NAME: {
        if (s->qname.name.len <= 0)
            return UG_STATUS_BADBROWSENAMEINVALID;
        /* the DisplayName followed the old browse name: keep it */
        if (!(n->ext && n->ext->has_display_name)) {
            struct ug_node_ext *x = ug_node_ext_get(n);
            if (!x)
                return UG_STATUS_BADOUTOFMEMORY;
            if ((st = set_ltext(n, &x->display_name, UG_OWN_DNAME, ug_node_display_name(n))) !=
                UG_STATUS_GOOD)
                return st;
            x->has_display_name = true;
        }
        ug_string c;
        if ((st = ug_str_dup(&c, s->qname.name)) != UG_STATUS_GOOD)
            return st;
        ug_names_renaming(as, n); /* the index hashes the old name */
        if (n->own & UG_OWN_BNAME)
            free((void *)n->browse_name.name.data);
        n->browse_name = (ug_qualified_name){s->qname.ns, c};
        n->own |= UG_OWN_BNAME;
        break;
    }
    case UG_ATTR_DISPLAY_NAME: {
        struct ug_node_ext *x = ug_node_ext_get(n);
        if (!x)
            return UG_STATUS_BADOUTOFMEMORY;
        if ((st = set_ltext(n, &x->display_name, UG_OWN_DNAME, s->ltext)) == UG_STATUS_GOOD)
            x->has_display_name = true;
        break;
    }
    case UG_ATTR_DESCRIPTION:
    case UG_ATTR_INVERSE_NAME: {
        struct ug_node_ext *x = ug_node_ext_get(n);
        if (!x)
            return UG_STATUS_BADOUTOFMEMORY;
        st = attr == UG_ATTR_DESCRIPTION ? set_ltext(n, &x->description, UG_OWN_DESC, s->ltext)
                                         : set_ltext(n, &x->inverse_name, UG_OWN_INVNAME, s->ltext);
        break;
    }
    case UG_ATTR_WRITE_MASK: n->write_mask = s->uint32; break;
    case UG_ATTR_IS_ABSTRACT: set_flag(n, UG_NF_ABSTRACT, s->boolean); break;
    case UG_ATTR_SYMMETRIC: set_flag(n, UG_NF_SYMMETRIC, s->boolean); break;
    case UG_ATTR_CONTAINS_NO_LOOPS: set_flag(n, UG_NF_NO_LOOPS, s->boolean); break;
    case UG_ATTR_HISTORIZING: set_flag(n, UG_NF_HISTORIZING, s->boolean); break;
    case UG_ATTR_EXECUTABLE: set_flag(n, UG_NF_EXECUTABLE, s->boolean); break;
    case UG_ATTR_EVENT_NOTIFIER: n->event_notifier = s->byte; break;
    case UG_ATTR_ACCESS_LEVEL: n->access_level = s->byte; break;
    case UG_ATTR_VALUE_RANK:
        if (s->int32 < -3)
            return UG_STATUS_BADTYPEMISMATCH;
        n->value_rank = s->int32;
        break;
    case UG_ATTR_MINIMUM_SAMPLING_INTERVAL: n->min_sampling = s->f64; break;
    case UG_ATTR_DATA_TYPE: {
        ug_node *d = ug_aspace_get(as, &s->nodeid);
        if (!d || d->node_class != UG_NC_DATATYPE)
            return UG_STATUS_BADTYPEMISMATCH;
        ug_nodeid c;
        if ((st = ug_nodeid_dup(&c, &s->nodeid)) != UG_STATUS_GOOD)
            return st;
        if (n->own & UG_OWN_DTYPE)
            ug_nodeid_release(&n->data_type);
        n->data_type = c;
        n->own |= UG_OWN_DTYPE;
        break;
    }
    case UG_ATTR_ARRAY_DIMENSIONS: {
        uint32_t cnt = v->array_len > 0 ? (uint32_t)v->array_len : 0;
        uint32_t *d = NULL;
        if (cnt) {
            d = malloc(cnt * sizeof *d);
            if (!d)
                return UG_STATUS_BADOUTOFMEMORY;
            memcpy(d, v->u.arr, cnt * sizeof *d);
        }
        if (n->own & UG_OWN_DIMS)
            free((void *)n->dims);
        n->dims = d;
        n->n_dims = cnt;
        n->own |= UG_OWN_DIMS;
        break;
    }
    default: return UG_STATUS_BADNOTWRITABLE;
    }
    return st;
}

ug_status ug_aspace_write_check(ug_aspace *as, const ug_WriteValue *wv, ug_node **out_node,
                                struct ug_nrange *range, ug_variant *value)
{
    ug_node *n = ug_aspace_get(as, &wv->node_id);
    *out_node = n;
    if (!n)
        return UG_STATUS_BADNODEIDUNKNOWN;
    if (!ug_node_has_attr(n, wv->attribute_id))
        return UG_STATUS_BADATTRIBUTEIDINVALID;
    if (wv->attribute_id != UG_ATTR_VALUE)
        return UG_STATUS_GOOD; /* write_plain checks the rest */
    if (n->node_class == UG_NC_VARIABLE && !(n->access_level & UG_ACCESS_WRITE))
        return UG_STATUS_BADNOTWRITABLE;
    if (n->node_class == UG_NC_VARIABLETYPE && !(n->write_mask & UG_WM_VALUEFORVARIABLETYPE))
        return UG_STATUS_BADNOTWRITABLE;
    ug_status st = ug_nrange_parse(wv->index_range, range);
    if (st != UG_STATUS_GOOD)
        return st;
    const ug_datavalue *dv = &wv->value;
    /* an explicit Good is what the server would store anyway: accepted
     * without StatusWrite (clients that always send a StatusCode) */
    if ((dv->mask & UG_DV_STATUS) && dv->status != UG_STATUS_GOOD &&
        !(n->access_level & UG_ACCESS_STATUS_WRITE))
        return UG_STATUS_BADWRITENOTSUPPORTED;
    if ((dv->mask & (UG_DV_SOURCE_TIMESTAMP | UG_DV_SERVER_TIMESTAMP)) &&
        !(n->access_level & UG_ACCESS_TIMESTAMP_WRITE))
        return UG_STATUS_BADWRITENOTSUPPORTED;
    if (!(dv->mask & UG_DV_VALUE))
        return UG_STATUS_BADTYPEMISMATCH;
    *value = dv->value;
    if (range->n) {
        /* a range writes elements: check their type against the DataType */
        enum ug_type bt = ug_aspace_builtin_of(as, &n->data_type);
        if (!ug_variant_is_array(value) && !(value->type == UG_TYPE_STRING ||
                                             value->type == UG_TYPE_BYTESTRING))
            return UG_STATUS_BADTYPEMISMATCH;
        if (bt != UG_TYPE_NULL && value->type != bt)
            return UG_STATUS_BADTYPEMISMATCH;
        return UG_STATUS_GOOD;
    }
    return ug_aspace_check_value(as, n, value);
}

/* The DataValue that a Value write stores: the value (converted), its
 * status and timestamps when given, else Good and `now`. */
static ug_datavalue stored_form(const ug_datavalue *in, const ug_variant *v, ug_datetime now)
{
    ug_datavalue dv = *in;
    dv.value = *v;
    dv.mask |= UG_DV_VALUE;
    if (!(dv.mask & UG_DV_SOURCE_TIMESTAMP)) {
        dv.mask |= UG_DV_SOURCE_TIMESTAMP;
        dv.source_ts = now;
    }
    dv.mask |= UG_DV_SERVER_TIMESTAMP;
    dv.server_ts = now;
    return dv;
}

ug_status ug_aspace_write_value(ug_aspace *as, ug_node *n, const ug_WriteValue *wv,
                                const struct ug_nrange *range, const ug_variant *value,
                                ug_arena *arena, ug_datetime now)
{
    ug_variant v = *value;
    if (range->n) {
        ug_datavalue cur = *ug_node_dv(n);
        if (n->vsrc == UG_VSRC_CALLBACKS) {
            if (!n->ext->cb.read)
                return UG_STATUS_BADWRITENOTSUPPORTED;
            ug_status st = n->ext->cb.read(n->ext->cb.ctx, n, &cur, arena);
            if (st != UG_STATUS_GOOD)
                return st;
        }
        if (!(cur.mask & UG_DV_VALUE))
            return UG_STATUS_BADINDEXRANGENODATA;
        ug_status st = ug_nrange_apply(range, &cur.value, value, &v, arena);
        if (st != UG_STATUS_GOOD)
            return st;
    }
    ug_datavalue dv = stored_form(&wv->value, &v, now);
    if (n->vsrc == UG_VSRC_CALLBACKS) {
        if (!n->ext->cb.write)
            return UG_STATUS_BADNOTWRITABLE;
        ug_status st = n->ext->cb.write(n->ext->cb.ctx, n, &dv);
        if (st == UG_STATUS_GOOD)
            ug_aspace_notify(as, n);
        return st;
    }
    return ug_aspace_set_value(as, n, &dv);
}

ug_status ug_aspace_write_attr(ug_aspace *as, const ug_WriteValue *wv)
{
    ug_node *n;
    struct ug_nrange range;
    ug_variant v;
    ug_status st = ug_aspace_write_check(as, wv, &n, &range, &v);
    if (st != UG_STATUS_GOOD)
        return st;
    if (wv->attribute_id != UG_ATTR_VALUE)
        return write_plain(as, n, wv);
    if (n->vsrc == UG_VSRC_ASYNC)
        return UG_STATUS_BADWRITENOTSUPPORTED; /* only the Write service waits for workers */
    uint8_t buf[512];
    ug_arena arena;
    ug_arena_init(&arena, buf, sizeof buf, true);
    ug_datetime now = ug_aspace_now();
    st = ug_aspace_write_value(as, n, wv, &range, &v, &arena, now);
    ug_arena_free(&arena);
    return st;
}

ug_status ug_aspace_write_plain(ug_aspace *as, ug_node *n, const ug_WriteValue *wv)
{
    return write_plain(as, n, wv);
}
