/* The root (PublishSubscribe), the component tree with its PubSubState
 * machine (Part 14 §6.2.1), the value store and the PublishedDataSets. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ps_internal.h"

char *ps_strdup(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

ug_status ps_pubid_copy(ug_publisher_id *dst, const ug_publisher_id *src)
{
    *dst = *src;
    if (src->type == UG_PUBID_STRING) {
        if (src->str.len < 0 || (src->str.len > 0 && !src->str.data))
            return UG_STATUS_BADINVALIDARGUMENT;
        uint8_t *p = malloc((size_t)src->str.len + 1);
        if (!p)
            return UG_STATUS_BADOUTOFMEMORY;
        if (src->str.len)
            memcpy(p, src->str.data, (size_t)src->str.len);
        dst->str.data = p;
    } else if (src->type > UG_PUBID_UINT64 && src->type != UG_PUBID_NONE) {
        return UG_STATUS_BADINVALIDARGUMENT;
    }
    return UG_STATUS_GOOD;
}

/* ------------------------------------------------------------ the tree -- */

void ps_comp_init(ug_ps_comp *c, ug_pubsub *ps, uint8_t kind, ug_ps_comp *parent,
                  const char *name, ug_status *st)
{
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->state = UG_PUBSUB_DISABLED;
    c->local = UG_PUBSUB_OPERATIONAL;
    c->ps = ps;
    c->parent = parent;
    c->name = ps_strdup(name);
    if (!c->name)
        *st = UG_STATUS_BADOUTOFMEMORY;
    if (parent) {
        c->next = parent->child;
        if (parent->child)
            parent->child->prev = c;
        parent->child = c;
    }
}

void ps_comp_unlink(ug_ps_comp *c)
{
    if (c->parent) {
        if (c->prev)
            c->prev->next = c->next;
        else
            c->parent->child = c->next;
        if (c->next)
            c->next->prev = c->prev;
    }
    c->parent = c->next = c->prev = NULL;
    free(c->name);
    c->name = NULL;
}

/* What a component that becomes active starts in: connections open their
 * transport, readers wait for their first message. */
static uint8_t activate(ug_ps_comp *c)
{
    switch (c->kind) {
    case UG_PS_CONNECTION:
        return ps_conn_activate(c);
    case UG_PS_DATASET_READER:
        c->reason = UG_STATUS_GOOD;
        return UG_PUBSUB_PREOPERATIONAL;
    default:
        return UG_PUBSUB_OPERATIONAL;
    }
}

static void hook(ug_ps_comp *c, uint8_t old_state)
{
    switch (c->kind) {
    case UG_PS_CONNECTION: ps_conn_hook(c, old_state); break;
    case UG_PS_WRITER_GROUP: ps_wg_hook(c, old_state); break;
    case UG_PS_DATASET_WRITER: ps_writer_hook(c, old_state); break;
    case UG_PS_DATASET_READER: ps_reader_hook(c, old_state); break;
    default: break;
    }
}

static uint8_t compute(const ug_ps_comp *c)
{
    if (!c->enabled)
        return UG_PUBSUB_DISABLED;
    /* Table 2: a child is Paused while its parent is Disabled or Paused; we
     * also hold it there while the parent is PreOperational or in Error, so
     * that no child is Operational under a parent that is not. */
    if (c->parent && c->parent->state != UG_PUBSUB_OPERATIONAL)
        return UG_PUBSUB_PAUSED;
    return c->local;
}

void ps_comp_refresh(ug_ps_comp *c, ug_status reason)
{
    uint8_t old = c->state;
    uint8_t now = compute(c);
    if (ps_active(now) && !ps_active(old)) {
        c->local = activate(c);
        now = compute(c);
        if (now == UG_PUBSUB_ERROR)
            reason = c->reason;
    }
    if (now == old)
        return;
    c->state = now;
    c->diag.state_changes++;
    hook(c, old);
    ug_pubsub *ps = c->ps;
    if (ps->cfg.on_state)
        ps->cfg.on_state(ps->cfg.cb_ctx, c, (enum ug_pubsub_state)old,
                         (enum ug_pubsub_state)now, reason);
    if (ps->obs.on_state)
        ps->obs.on_state(ps->obs.ctx, c, (enum ug_pubsub_state)now);
    /* Children may be removed by a state callback only through their own
     * remove calls, which unlink them; walk with a saved next. */
    for (ug_ps_comp *ch = c->child, *nx; ch; ch = nx) {
        nx = ch->next;
        ps_comp_refresh(ch, UG_STATUS_GOOD);
    }
}

void ps_comp_set_local(ug_ps_comp *c, uint8_t local, ug_status reason)
{
    c->local = local;
    if (local == UG_PUBSUB_ERROR)
        c->reason = reason;
    if (ps_active(c->state))
        ps_comp_refresh(c, reason);
}

ug_status ug_ps_enable(ug_ps_comp *c)
{
    if (!c)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (c->enabled)
        return UG_STATUS_GOOD;
    c->enabled = true;
    c->reason = UG_STATUS_GOOD;
    ps_comp_refresh(c, UG_STATUS_GOOD);
    return c->state == UG_PUBSUB_ERROR ? c->reason : UG_STATUS_GOOD;
}

ug_status ug_ps_disable(ug_ps_comp *c)
{
    if (!c)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (!c->enabled)
        return UG_STATUS_GOOD;
    c->enabled = false;
    ps_comp_refresh(c, UG_STATUS_GOOD);
    return UG_STATUS_GOOD;
}

enum ug_pubsub_state ug_ps_state(const ug_ps_comp *c)
{
    return (enum ug_pubsub_state)c->state;
}

enum ug_ps_kind ug_ps_kind_of(const ug_ps_comp *c)
{
    return (enum ug_ps_kind)c->kind;
}

const char *ug_ps_name(const ug_ps_comp *c)
{
    return c->name;
}

void ug_ps_comp_set_user(ug_ps_comp *c, void *user)
{
    c->user = user;
}

void *ug_ps_comp_user(const ug_ps_comp *c)
{
    return c->user;
}

void ug_pubsub_set_observer(ug_pubsub *ps, const ug_ps_observer *obs)
{
    if (obs)
        ps->obs = *obs;
    else
        memset(&ps->obs, 0, sizeof ps->obs);
}

const ug_ps_diag *ug_ps_diag_of(const ug_ps_comp *c)
{
    return &c->diag;
}

const char *ug_ps_state_name(enum ug_pubsub_state s)
{
    switch (s) {
    case UG_PUBSUB_DISABLED: return "Disabled";
    case UG_PUBSUB_PAUSED: return "Paused";
    case UG_PUBSUB_OPERATIONAL: return "Operational";
    case UG_PUBSUB_ERROR: return "Error";
    case UG_PUBSUB_PREOPERATIONAL: return "PreOperational";
    }
    return "Unknown";
}

/* ------------------------------------------------------------ the root -- */

ug_status ug_pubsub_new(ug_loop *loop, const ug_pubsub_config *cfg, ug_pubsub **out)
{
    if (!loop || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    *out = NULL;
    ug_pubsub *ps = calloc(1, sizeof(*ps));
    if (!ps)
        return UG_STATUS_BADOUTOFMEMORY;
    if (cfg)
        ps->cfg = *cfg;
    if (!ps->cfg.store_slots)
        ps->cfg.store_slots = 1024;
    if (!ps->cfg.string_cap)
        ps->cfg.string_cap = 256;
    ps->loop = loop;
    ps->base_ns = ug_clock_mono_ns();
    ug_status st = UG_STATUS_GOOD;
    ps_comp_init(&ps->comp, ps, UG_PS_ROOT, NULL, "PublishSubscribe", &st);
    ps->slots = calloc(ps->cfg.store_slots, sizeof(ps_slot));
    if (!ps->slots || !ug_is_good(st)) {
        free(ps->slots);
        free(ps->comp.name);
        free(ps);
        return UG_STATUS_BADOUTOFMEMORY;
    }
    *out = ps;
    return UG_STATUS_GOOD;
}

void ug_pubsub_free(ug_pubsub *ps)
{
    if (!ps)
        return;
    while (ps->comp.child)
        ug_ps_connection_remove((ug_ps_connection *)ps->comp.child);
    while (ps->pds_list) {
        ug_pds *p = ps->pds_list;
        p->users = 0;
        ug_pds_remove(p);
    }
    for (uint32_t i = 0; i < ps->n_slots; i++)
        free(ps->slots[i].str);
    free(ps->slots);
    free(ps->comp.name);
    free(ps);
}

ug_ps_comp *ug_pubsub_comp(ug_pubsub *ps)
{
    return &ps->comp;
}

ug_loop *ug_pubsub_loop(const ug_pubsub *ps)
{
    return ps->loop;
}

/* ------------------------------------------------------- value store -- */

static bool is_string(uint8_t t)
{
    return t == UG_TYPE_STRING || t == UG_TYPE_BYTESTRING;
}

static bool storable(uint8_t t)
{
    return (t >= UG_TYPE_BOOLEAN && t <= UG_TYPE_DOUBLE) || is_string(t) ||
           t == UG_TYPE_DATETIME || t == UG_TYPE_GUID || t == UG_TYPE_STATUSCODE;
}

ps_slot *ps_slot_at(ug_pubsub *ps, uint32_t slot)
{
    return slot < ps->n_slots ? &ps->slots[slot] : NULL;
}

ug_status ug_pubsub_store_add(ug_pubsub *ps, uint8_t type, uint32_t *out_slot)
{
    if (!ps || !out_slot)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (!storable(type))
        return UG_STATUS_BADNOTSUPPORTED;
    if (ps->n_slots >= ps->cfg.store_slots)
        return UG_STATUS_BADRESOURCEUNAVAILABLE;
    ps_slot *s = &ps->slots[ps->n_slots];
    memset(s, 0, sizeof(*s));
    if (is_string(type)) {
        s->str = malloc(ps->cfg.string_cap);
        if (!s->str)
            return UG_STATUS_BADOUTOFMEMORY;
    }
    s->type = type;
    s->dv.mask = UG_DV_STATUS;
    s->dv.status = UG_STATUS_BADWAITINGFORINITIALDATA;
    s->dv.value = ug_variant_scalar(UG_TYPE_NULL);
    *out_slot = ps->n_slots++;
    return UG_STATUS_GOOD;
}

ug_status ug_pubsub_store_write(ug_pubsub *ps, uint32_t slot, const ug_datavalue *dv)
{
    ps_slot *s = ps && dv ? ps_slot_at(ps, slot) : NULL;
    if (!s)
        return UG_STATUS_BADNOTFOUND;
    bool has_value = (dv->mask & UG_DV_VALUE) && dv->value.type != UG_TYPE_NULL;
    if (has_value && (dv->value.type != s->type || ug_variant_is_array(&dv->value)))
        return UG_STATUS_BADTYPEMISMATCH;
    if (has_value && is_string(s->type) && dv->value.u.v.string.len > (int32_t)ps->cfg.string_cap)
        return UG_STATUS_BADOUTOFRANGE;
    bool changed = !ug_datavalue_eq(&s->dv, dv);
    s->dv = *dv;
    if (has_value && is_string(s->type) && dv->value.u.v.string.len > 0) {
        memcpy(s->str, dv->value.u.v.string.data, (size_t)dv->value.u.v.string.len);
        s->dv.value.u.v.string.data = s->str;
    }
    if (changed)
        s->changes++;
    return UG_STATUS_GOOD;
}

const ug_datavalue *ug_pubsub_store_read(const ug_pubsub *ps, uint32_t slot)
{
    return ps && slot < ps->n_slots ? &ps->slots[slot].dv : NULL;
}

uint64_t ug_pubsub_store_changes(const ug_pubsub *ps, uint32_t slot)
{
    return ps && slot < ps->n_slots ? ps->slots[slot].changes : 0;
}

/* ------------------------------------------------- PublishedDataSets -- */

/* Part 14 §6.2.3.2.4 (ConfigurationVersionDataType): VersionTime, seconds
 * since 2000-01-01 UTC; a new version must differ from the last. */
static uint32_t version_time(uint32_t previous)
{
    int64_t now = (int64_t)time(NULL) - 946684800;
    uint32_t v = now > 0 ? (uint32_t)now : 1;
    return v > previous ? v : previous + 1;
}

static void pds_free_fields(ug_pds *p)
{
    free(p->fields); /* one allocation with meta_fields and the names */
    p->fields = NULL;
    p->meta_fields = NULL;
}

static ug_status pds_set(ug_pds *p, const ug_pds_config *cfg)
{
    if (!cfg || !cfg->n_fields || !cfg->fields)
        return UG_STATUS_BADINVALIDARGUMENT;
    size_t names = 0;
    for (uint16_t i = 0; i < cfg->n_fields; i++) {
        const ug_pds_field *f = &cfg->fields[i];
        if (f->source.kind > UG_PS_SRC_SIM || !storable(f->builtin_type))
            return UG_STATUS_BADINVALIDARGUMENT;
        if (f->source.kind == UG_PS_SRC_STORE) {
            ps_slot *s = ps_slot_at(p->ps, f->source.slot);
            if (!s || s->type != f->builtin_type)
                return UG_STATUS_BADINVALIDARGUMENT;
        }
        if (f->source.kind == UG_PS_SRC_CALLBACK && !f->source.read)
            return UG_STATUS_BADINVALIDARGUMENT;
        if (f->source.kind == UG_PS_SRC_SIM && f->source.sim.shape > UG_PS_SIM_RANDOM_WALK)
            return UG_STATUS_BADINVALIDARGUMENT;
        names += strlen(f->name ? f->name : "") + 1;
    }
    size_t n = cfg->n_fields;
    uint8_t *mem = calloc(1, n * (sizeof(ug_pds_field) + sizeof(ug_field_meta)) + names);
    if (!mem)
        return UG_STATUS_BADOUTOFMEMORY;
    pds_free_fields(p);
    p->fields = (ug_pds_field *)mem;
    p->meta_fields = (ug_field_meta *)(mem + n * sizeof(ug_pds_field));
    char *nm = (char *)(mem + n * (sizeof(ug_pds_field) + sizeof(ug_field_meta)));
    for (size_t i = 0; i < n; i++) {
        const ug_pds_field *f = &cfg->fields[i];
        size_t l = strlen(f->name ? f->name : "");
        memcpy(nm, f->name ? f->name : "", l + 1);
        p->fields[i] = *f;
        p->fields[i].name = nm;
        if (!p->fields[i].max_string_len)
            p->fields[i].max_string_len = p->ps->cfg.string_cap;
        ug_field_meta *m = &p->meta_fields[i];
        m->name = (ug_string){(const uint8_t *)nm, (int32_t)l};
        m->description = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
        m->builtin_type = f->builtin_type;
        /* Part 5: the DataType NodeId of a built-in type is i=<type id>. */
        m->data_type = (ug_nodeid){.ns = 0, .id_type = UG_ID_NUMERIC, .id.numeric = f->builtin_type};
        m->value_rank = -1; /* Scalar */
        m->n_array_dims = -1;
        m->max_string_len = is_string(f->builtin_type) ? p->fields[i].max_string_len : 0;
        m->n_properties = -1;
        nm += l + 1;
    }
    p->n_fields = cfg->n_fields;
    p->md.n_fields = (int32_t)n;
    p->md.fields = p->meta_fields;
    uint32_t v = version_time(p->md.cfg_major);
    p->md.cfg_major = v;
    p->md.cfg_minor = v;
    p->version_serial++;
    return UG_STATUS_GOOD;
}

ug_status ug_pubsub_add_pds(ug_pubsub *ps, const ug_pds_config *cfg, ug_pds **out)
{
    if (!ps || !cfg || !out)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_pds *p = calloc(1, sizeof(*p));
    if (!p)
        return UG_STATUS_BADOUTOFMEMORY;
    p->ps = ps;
    p->name = ps_strdup(cfg->name);
    ug_status st = p->name ? pds_set(p, cfg) : UG_STATUS_BADOUTOFMEMORY;
    if (!ug_is_good(st)) {
        free(p->name);
        free(p);
        return st;
    }
    p->md.name = ug_string_from(p->name);
    p->md.description = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
    p->md.n_namespaces = p->md.n_structures = p->md.n_enums = p->md.n_simple_types = -1;
    p->next = ps->pds_list;
    ps->pds_list = p;
    *out = p;
    return UG_STATUS_GOOD;
}

ug_status ug_pds_update(ug_pds *pds, const ug_pds_config *cfg)
{
    if (!pds)
        return UG_STATUS_BADINVALIDARGUMENT;
    ug_status st = pds_set(pds, cfg);
    if (ug_is_good(st))
        ps_pds_changed(pds->ps, pds);
    return st;
}

void ps_pds_use(ug_pds *pds, int delta)
{
    pds->users = (unsigned)((int)pds->users + delta);
}

ug_status ug_pds_remove(ug_pds *pds)
{
    if (!pds)
        return UG_STATUS_BADINVALIDARGUMENT;
    if (pds->users)
        return UG_STATUS_BADINVALIDSTATE;
    ug_pds **pp = &pds->ps->pds_list;
    while (*pp && *pp != pds)
        pp = &(*pp)->next;
    if (*pp)
        *pp = pds->next;
    pds_free_fields(pds);
    free(pds->name);
    free(pds);
    return UG_STATUS_GOOD;
}

const ug_dataset_metadata *ug_pds_metadata(const ug_pds *pds)
{
    return &pds->md;
}
