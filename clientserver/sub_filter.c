/* clientserver/sub_filter.c — DataChangeFilter (Part 4 §7.22.2): parsing and
 * checks at CreateMonitoredItems/ModifyMonitoredItems time, and change
 * detection for every sample (no allocation, no decoding).
 */
#include <math.h>
#include <string.h>

#include "aspace.h"
#include "sub.h"

/* Encoding ids of the MonitoringFilter subtypes (NodeIds.csv). */
#define ENC_DATA_CHANGE_FILTER 724u
#define ENC_EVENT_FILTER 727u
#define ENC_AGGREGATE_FILTER 730u
#define ATTR_VALUE 13u

static bool is_numeric_type(unsigned t)
{
    return t >= UG_TYPE_SBYTE && t <= UG_TYPE_DOUBLE;
}

/* DataTypes of ns=0 whose values are numbers: SByte..Double (2..11), Number,
 * Integer, UInteger (26..28), Duration (290), UtcTime is not. */
static bool is_numeric_datatype(const ug_nodeid *dt)
{
    if (dt->ns != 0 || dt->id_type != UG_ID_NUMERIC)
        return false;
    uint32_t i = dt->id.numeric;
    return (i >= 2 && i <= 11) || (i >= 26 && i <= 28) || i == 290 || i == 289 || i == 288;
}

static double as_double(unsigned type, const void *p)
{
    switch (type) {
    case UG_TYPE_SBYTE: return *(const int8_t *)p;
    case UG_TYPE_BYTE: return *(const uint8_t *)p;
    case UG_TYPE_INT16: return *(const int16_t *)p;
    case UG_TYPE_UINT16: return *(const uint16_t *)p;
    case UG_TYPE_INT32: return *(const int32_t *)p;
    case UG_TYPE_UINT32: return *(const uint32_t *)p;
    case UG_TYPE_INT64: return (double)*(const int64_t *)p;
    case UG_TYPE_UINT64: return (double)*(const uint64_t *)p;
    case UG_TYPE_FLOAT: return *(const float *)p;
    case UG_TYPE_DOUBLE: return *(const double *)p;
    default: return 0.0;
    }
}

/* Deadband test (Part 4 §7.22.2): a value is reported when it differs from
 * the last reported one by more than the deadband; arrays when any element
 * does (or their shape changed). */
static bool deadband_exceeded(const ug_variant *a, const ug_variant *b, double db)
{
    if (a->type != b->type || !is_numeric_type(a->type) || a->array_len != b->array_len)
        return true;
    if (!ug_variant_is_array(a)) {
        double x = as_double(a->type, &a->u.v), y = as_double(b->type, &b->u.v);
        return isnan(x) != isnan(y) || fabs(x - y) > db;
    }
    size_t esz = ug_type_size(a->type);
    const uint8_t *pa = a->u.arr, *pb = b->u.arr;
    for (int32_t i = 0; i < a->array_len; i++) {
        if (pa == NULL || pb == NULL)
            return pa != pb;
        double x = as_double(a->type, pa + (size_t)i * esz);
        double y = as_double(b->type, pb + (size_t)i * esz);
        if (isnan(x) != isnan(y) || fabs(x - y) > db)
            return true;
    }
    return false;
}

static ug_status dv_status(const ug_datavalue *dv)
{
    return (dv->mask & UG_DV_STATUS) ? dv->status : UG_STATUS_GOOD;
}

bool sub_filter_changed(const struct sub_filter *f, const ug_datavalue *last,
                        const ug_datavalue *now)
{
    if (dv_status(last) != dv_status(now))
        return true;
    if (f->trigger == UG_DATA_CHANGE_TRIGGER_STATUS)
        return false;
    bool hv_last = (last->mask & UG_DV_VALUE) != 0, hv_now = (now->mask & UG_DV_VALUE) != 0;
    if (hv_last != hv_now)
        return true;
    if (hv_now) {
        if (f->deadband_type == UG_DEADBAND_TYPE_NONE) {
            if (!ug_variant_eq(&last->value, &now->value))
                return true;
        } else if (deadband_exceeded(&last->value, &now->value, f->deadband_abs)) {
            return true;
        }
    }
    if (f->trigger == UG_DATA_CHANGE_TRIGGER_STATUS_VALUE_TIMESTAMP) {
        bool ts_last = (last->mask & UG_DV_SOURCE_TIMESTAMP) != 0;
        bool ts_now = (now->mask & UG_DV_SOURCE_TIMESTAMP) != 0;
        if (ts_last != ts_now || (ts_now && (last->source_ts != now->source_ts ||
                                             last->source_ps != now->source_ps)))
            return true;
    }
    return false;
}

/* The EURange property of an AnalogItem (Part 8 §5.3.2): a Range. */
static bool eurange(ug_aspace *as, const ug_nodeid *node, ug_arena *arena, ug_datetime now,
                    double *lo, double *hi)
{
    const ug_node *n = ug_aspace_get(as, node);
    const ug_node *prop =
        n ? ug_aspace_child(as, n, (ug_qualified_name){0, ug_string_from("EURange")}) : NULL;
    if (prop == NULL)
        return false;
    ug_ReadValueId rv = {.node_id = *ug_node_id(prop), .attribute_id = ATTR_VALUE,
                         .index_range = UG_NULL_BYTES};
    ug_datavalue dv;
    if (ug_aspace_read_attr(as, &rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv, arena, now) !=
            UG_STATUS_GOOD ||
        !(dv.mask & UG_DV_VALUE) || dv.value.type != UG_TYPE_EXTENSIONOBJECT ||
        ug_variant_is_array(&dv.value) || dv.value.u.v.extobj == NULL)
        return false;
    const ug_type_desc *d;
    void *out;
    if (ug_eo_decode(dv.value.u.v.extobj, &ug_desc_Range, &d, &out, NULL, arena) !=
        UG_STATUS_GOOD)
        return false;
    const ug_Range *r = out;
    if (!isfinite(r->low) || !isfinite(r->high) || r->high < r->low)
        return false;
    *lo = r->low;
    *hi = r->high;
    return true;
}

/* Whether the value of node is a number: from the current value when it has
 * one, else from the variable's DataType. */
static bool value_is_numeric(ug_aspace *as, const ug_nodeid *node, const ug_datavalue *cur,
                             ug_arena *arena, ug_datetime now)
{
    if (cur && (cur->mask & UG_DV_VALUE) && cur->value.type != UG_TYPE_NULL)
        return is_numeric_type(cur->value.type);
    ug_ReadValueId rv = {.node_id = *node, .attribute_id = 14 /* DataType */,
                         .index_range = UG_NULL_BYTES};
    ug_datavalue dv;
    if (ug_aspace_read_attr(as, &rv, UG_TIMESTAMPS_TO_RETURN_NEITHER, &dv, arena, now) !=
            UG_STATUS_GOOD ||
        dv.value.type != UG_TYPE_NODEID || ug_variant_is_array(&dv.value))
        return false;
    return is_numeric_datatype(&dv.value.u.v.nodeid);
}

ug_status sub_filter_parse(const ug_extension_object *eo, ug_aspace *as, const ug_nodeid *node,
                           uint32_t attr, const ug_datavalue *current, ug_arena *arena,
                           ug_datetime now, struct sub_filter *out)
{
    *out = (struct sub_filter){.trigger = UG_DATA_CHANGE_TRIGGER_STATUS_VALUE,
                               .deadband_type = UG_DEADBAND_TYPE_NONE};
    bool null_type = eo->type_id.ns == 0 && eo->type_id.id_type == UG_ID_NUMERIC &&
                     eo->type_id.id.numeric == 0;
    if (eo->encoding == UG_EO_NONE && null_type)
        return UG_STATUS_GOOD;
    if (eo->type_id.ns != 0 || eo->type_id.id_type != UG_ID_NUMERIC)
        return UG_STATUS_BADMONITOREDITEMFILTERINVALID;
    switch (eo->type_id.id.numeric) {
    case ENC_DATA_CHANGE_FILTER: break;
    case ENC_EVENT_FILTER:
    case ENC_AGGREGATE_FILTER: return UG_STATUS_BADMONITOREDITEMFILTERUNSUPPORTED;
    default: return UG_STATUS_BADMONITOREDITEMFILTERINVALID;
    }
    if (attr != ATTR_VALUE)
        return UG_STATUS_BADFILTERNOTALLOWED;
    const ug_type_desc *d;
    void *body;
    if (eo->encoding != UG_EO_BYTESTRING ||
        ug_eo_decode(eo, &ug_desc_DataChangeFilter, &d, &body, NULL, arena) != UG_STATUS_GOOD)
        return UG_STATUS_BADMONITOREDITEMFILTERINVALID;
    const ug_DataChangeFilter *f = body;
    if (f->trigger < UG_DATA_CHANGE_TRIGGER_STATUS ||
        f->trigger > UG_DATA_CHANGE_TRIGGER_STATUS_VALUE_TIMESTAMP)
        return UG_STATUS_BADMONITOREDITEMFILTERINVALID;
    if (f->deadband_type > UG_DEADBAND_TYPE_PERCENT)
        return UG_STATUS_BADDEADBANDFILTERINVALID;
    out->trigger = (uint8_t)f->trigger;
    out->deadband_type = (uint8_t)f->deadband_type;
    out->deadband_value = f->deadband_value;
    if (f->deadband_type == UG_DEADBAND_TYPE_NONE)
        return UG_STATUS_GOOD;
    if (!(f->deadband_value >= 0.0) || !isfinite(f->deadband_value) ||
        (f->deadband_type == UG_DEADBAND_TYPE_PERCENT && f->deadband_value > 100.0))
        return UG_STATUS_BADDEADBANDFILTERINVALID;
    /* Deadbands compare numbers; a trigger of Status alone makes them moot
     * but the spec still asks for a numeric value. */
    if (!value_is_numeric(as, node, current, arena, now))
        return UG_STATUS_BADFILTERNOTALLOWED;
    if (f->deadband_type == UG_DEADBAND_TYPE_ABSOLUTE) {
        out->deadband_abs = f->deadband_value;
        return UG_STATUS_GOOD;
    }
    double lo, hi;
    if (!eurange(as, node, arena, now, &lo, &hi))
        return UG_STATUS_BADMONITOREDITEMFILTERUNSUPPORTED;
    out->deadband_abs = f->deadband_value / 100.0 * (hi - lo);
    return UG_STATUS_GOOD;
}
