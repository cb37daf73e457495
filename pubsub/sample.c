/* Sampling a PublishedDataSet's fields: value store slots, callbacks and the
 * simulators (counter, sine, square, random walk). Samples are copied into
 * per-writer storage sized at configuration time, so a cycle allocates
 * nothing and the encoder sees stable values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps_internal.h"

static bool is_string(uint8_t t)
{
    return t == UG_TYPE_STRING || t == UG_TYPE_BYTESTRING;
}

ug_status ps_values_alloc(ps_value **out, const ug_pds *pds)
{
    ps_value *v = calloc(pds->n_fields ? pds->n_fields : 1, sizeof(*v));
    if (!v)
        return UG_STATUS_BADOUTOFMEMORY;
    for (uint16_t i = 0; i < pds->n_fields; i++) {
        uint8_t t = pds->fields[i].builtin_type;
        v[i].dv.value = ug_variant_scalar(t);
        v[i].dv.mask = UG_DV_VALUE;
        if (is_string(t)) {
            v[i].str_cap = pds->fields[i].max_string_len;
            v[i].str = malloc(v[i].str_cap ? v[i].str_cap : 1);
            if (!v[i].str) {
                ps_values_free(v, i);
                return UG_STATUS_BADOUTOFMEMORY;
            }
            v[i].dv.value.u.v.string = (ug_string){v[i].str, 0};
        }
    }
    *out = v;
    return UG_STATUS_GOOD;
}

void ps_values_free(ps_value *v, uint16_t n)
{
    if (!v)
        return;
    for (uint16_t i = 0; i < n; i++)
        free(v[i].str);
    free(v);
}

ug_status ps_value_set(ps_value *v, const ug_datavalue *dv)
{
    uint8_t type = v->dv.value.type;
    bool has_value = (dv->mask & UG_DV_VALUE) && dv->value.type != UG_TYPE_NULL;
    if (has_value && (dv->value.type != type || ug_variant_is_array(&dv->value)))
        return UG_STATUS_BADTYPEMISMATCH;
    if (has_value && is_string(type) && dv->value.u.v.string.len > (int32_t)v->str_cap)
        return UG_STATUS_BADOUTOFRANGE;
    ug_variant keep = v->dv.value;
    v->dv = *dv;
    v->dv.mask |= UG_DV_VALUE;
    if (!has_value) {
        /* RawData needs a value of the field's type on the wire: keep the
         * last one and let the status tell it is not good. */
        v->dv.value = keep;
    } else if (is_string(type)) {
        int32_t len = dv->value.u.v.string.len;
        if (len > 0)
            memcpy(v->str, dv->value.u.v.string.data, (size_t)len);
        v->dv.value.u.v.string = (ug_string){v->str, len < 0 ? -1 : len};
    }
    return UG_STATUS_GOOD;
}

void ps_sim_reset(ps_sim_state *s, const ug_pds_field *f)
{
    s->n = 0;
    s->walk = f->source.sim.offset;
    s->rng = f->source.sim.seed ? f->source.sim.seed : 0x9E3779B97F4A7C15ull;
}

/* xorshift64*: reproducible from the seed, no libc state. */
static double rng_unit(ps_sim_state *s)
{
    uint64_t x = s->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

static double sim_value(const ug_pds_field *f, ps_sim_state *s, int64_t now_ns)
{
    const double pi = 3.14159265358979323846;
    double off = f->source.sim.offset, amp = f->source.sim.amplitude;
    int64_t period = f->source.sim.period_ns > 0 ? f->source.sim.period_ns : 1000000000;
    double phase = (double)(now_ns % period) / (double)period;
    double v;
    switch (f->source.sim.shape) {
    case UG_PS_SIM_SINE:
        v = off + amp * sin(2.0 * pi * phase);
        break;
    case UG_PS_SIM_SQUARE:
        v = phase < 0.5 ? off + amp : off - amp;
        break;
    case UG_PS_SIM_RANDOM_WALK:
        s->walk += (rng_unit(s) < 0.5 ? -1.0 : 1.0) * f->source.sim.step;
        if (amp > 0 && s->walk > off + amp)
            s->walk = off + amp;
        if (amp > 0 && s->walk < off - amp)
            s->walk = off - amp;
        v = s->walk;
        break;
    default:
        v = off + f->source.sim.step * (double)s->n;
        break;
    }
    s->n++;
    return v;
}

static void set_number(ug_scalar *sc, uint8_t type, double v)
{
    /* Saturate instead of the undefined behaviour of an out-of-range cast. */
#define CLAMP(lo, hi) (v < (double)(lo) ? (double)(lo) : v > (double)(hi) ? (double)(hi) : v)
    switch (type) {
    case UG_TYPE_BOOLEAN: sc->boolean = v != 0.0; break;
    case UG_TYPE_SBYTE: sc->sbyte = (int8_t)CLAMP(INT8_MIN, INT8_MAX); break;
    case UG_TYPE_BYTE: sc->byte = (uint8_t)CLAMP(0, UINT8_MAX); break;
    case UG_TYPE_INT16: sc->int16 = (int16_t)CLAMP(INT16_MIN, INT16_MAX); break;
    case UG_TYPE_UINT16: sc->uint16 = (uint16_t)CLAMP(0, UINT16_MAX); break;
    case UG_TYPE_INT32: sc->int32 = (int32_t)CLAMP(INT32_MIN, INT32_MAX); break;
    case UG_TYPE_UINT32: sc->uint32 = (uint32_t)CLAMP(0, UINT32_MAX); break;
    case UG_TYPE_INT64: sc->int64 = (int64_t)CLAMP(-9.2e18, 9.2e18); break;
    case UG_TYPE_UINT64: sc->uint64 = (uint64_t)CLAMP(0, 1.8e19); break;
    case UG_TYPE_FLOAT: sc->f32 = (float)v; break;
    case UG_TYPE_DOUBLE: sc->f64 = v; break;
    case UG_TYPE_DATETIME: sc->datetime = (ug_datetime)CLAMP(0, 9.2e18); break;
    case UG_TYPE_STATUSCODE: sc->status = (ug_status)CLAMP(0, UINT32_MAX); break;
    default: break;
    }
#undef CLAMP
}

void ps_sample_field(ug_pubsub *ps, const ug_pds_field *f, uint16_t i, ps_sim_state *sim,
                     int64_t now_ns, ps_value *v)
{
    ug_datavalue dv;
    memset(&dv, 0, sizeof(dv));
    char text[32]; /* a string simulator's text, copied by ps_value_set */
    ug_status st = UG_STATUS_GOOD;
    switch (f->source.kind) {
    case UG_PS_SRC_STORE: {
        const ug_datavalue *s = ug_pubsub_store_read(ps, f->source.slot);
        if (s)
            dv = *s;
        else
            st = UG_STATUS_BADNOTFOUND;
        break;
    }
    case UG_PS_SRC_CALLBACK:
        dv.value = ug_variant_scalar(UG_TYPE_NULL);
        st = f->source.read(f->source.read_ctx, i, now_ns, &dv);
        break;
    default: {
        uint8_t t = f->builtin_type;
        dv.mask = UG_DV_VALUE;
        dv.value = ug_variant_scalar(t);
        double x = sim_value(f, sim, now_ns);
        if (is_string(t)) {
            /* A string simulator publishes the counter as text. */
            int n = snprintf(text, sizeof(text), "%.17g", x);
            dv.value.u.v.string = (ug_string){(const uint8_t *)text, n};
        } else if (t == UG_TYPE_GUID) {
            dv.value.u.v.guid.data1 = (uint32_t)sim->n;
        } else {
            set_number(&dv.value.u.v, t, x);
        }
        break;
    }
    }
    if (!ug_is_good(st)) {
        dv.mask = UG_DV_STATUS;
        dv.status = st;
    }
    if (!ug_is_good(ps_value_set(v, &dv))) {
        v->dv.mask = UG_DV_VALUE | UG_DV_STATUS;
        v->dv.status = UG_STATUS_BADTYPEMISMATCH;
    }
}
