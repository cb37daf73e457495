/* clientserver/server_info.c — the live Server object (ns=0;i=2253,
 * Part 5 §6.3.1 ServerType): ServerStatus (§12.10 ServerStatusDataType),
 * NamespaceArray, ServerArray, ServiceLevel, Auditing and ServerCapabilities
 * (§6.3.2) with its OperationLimits (§6.3.11).
 *
 * What changes (CurrentTime, State, the ServerStatus structure, the
 * NamespaceArray, SecondsTillShutdown) is a callback value source read at
 * each Read or sample; what does not is stored once when the server is made.
 * Nodes missing from the namespace 0 set in use (the reduced build) are
 * skipped.
 */
#include <string.h>

#include "aspace.h"
#include "server_internal.h"
#include "uagate/ua_nodeids.h"

#define SERVER_PROFILE "http://opcfoundation.org/UA-Profile/Server/MicroEmbeddedDevice"

static void fill_build_info(const ug_server *s, ug_BuildInfo *b)
{
    memset(b, 0, sizeof *b);
    b->product_uri = ug_string_from(s->cfg.product_uri);
    b->manufacturer_name = ug_string_from(s->cfg.manufacturer_name);
    b->product_name = ug_string_from(s->cfg.product_name);
    b->software_version = ug_string_from(s->cfg.software_version);
    b->build_number = ug_string_from(s->cfg.build_number);
    b->build_date = s->cfg.build_date;
}

static ug_status eo_value(ug_datavalue *out, const ug_type_desc *d, const void *v,
                          ug_arena *arena)
{
    ug_extension_object *eo = ug_arena_alloc(arena, sizeof *eo);
    if (!eo)
        return UG_STATUS_BADOUTOFMEMORY;
    memset(eo, 0, sizeof *eo);
    ug_status st = ug_eo_encode(eo, d, v, arena);
    if (st != UG_STATUS_GOOD)
        return st;
    out->value = ug_variant_scalar(UG_TYPE_EXTENSIONOBJECT);
    out->value.u.v.extobj = eo;
    return UG_STATUS_GOOD;
}

/* Part 5 §12.6 ServerState: 0 Running ... 4 Shutdown. */
static ug_status read_live(void *ctx, const ug_node *n, ug_datavalue *out, ug_arena *arena)
{
    ug_server *s = ctx;
    memset(out, 0, sizeof *out);
    out->mask = UG_DV_VALUE;
    ug_datetime now = ug_datetime_now();
    switch (ug_node_id(n)->id.numeric) {
    case UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME:
        out->value = ug_variant_scalar(UG_TYPE_DATETIME);
        out->value.u.v.datetime = now;
        return UG_STATUS_GOOD;
    case UG_NS0_SERVER_SERVER_STATUS_STATE:
        out->value = ug_variant_scalar(UG_TYPE_INT32); /* an Enumeration */
        out->value.u.v.int32 = s->state;
        return UG_STATUS_GOOD;
    case UG_NS0_SERVER_SERVER_STATUS_SECONDS_TILL_SHUTDOWN:
        out->value = ug_variant_scalar(UG_TYPE_UINT32);
        out->value.u.v.uint32 = 0;
        return UG_STATUS_GOOD;
    case UG_NS0_SERVER_SERVER_STATUS: {
        ug_ServerStatusDataType st;
        memset(&st, 0, sizeof st);
        st.start_time = s->start_time;
        st.current_time = now;
        st.state = s->state;
        fill_build_info(s, &st.build_info);
        st.seconds_till_shutdown = 0;
        return eo_value(out, &ug_desc_ServerStatusDataType, &st, arena);
    }
    case UG_NS0_SERVER_NAMESPACE_ARRAY: {
        uint16_t n_ns = ug_aspace_ns_count(s->aspace);
        ug_string *arr = ug_arena_alloc(arena, (size_t)n_ns * sizeof *arr + 1);
        if (!arr)
            return UG_STATUS_BADOUTOFMEMORY;
        for (uint16_t i = 0; i < n_ns; i++)
            arr[i] = ug_aspace_ns_uri(s->aspace, i);
        out->value.type = UG_TYPE_STRING;
        out->value.array_len = n_ns;
        out->value.u.arr = arr;
        return UG_STATUS_GOOD;
    }
    default:
        return UG_STATUS_BADNODEIDUNKNOWN;
    }
}

static ug_status set_live(ug_server *s, uint32_t id)
{
    ug_node *n = ug_aspace_get_ns0(s->aspace, id);
    if (!n)
        return UG_STATUS_GOOD; /* not in this namespace 0 set */
    struct ug_value_callbacks cb = {.read = read_live, .write = NULL, .ctx = s};
    return ug_aspace_set_callbacks(s->aspace, n, &cb);
}

static ug_status set_static(ug_server *s, uint32_t id, const ug_variant *v)
{
    ug_node *n = ug_aspace_get_ns0(s->aspace, id);
    if (!n)
        return UG_STATUS_GOOD;
    ug_datavalue dv;
    memset(&dv, 0, sizeof dv);
    dv.mask = UG_DV_VALUE;
    dv.value = *v;
    return ug_aspace_set_value(s->aspace, n, &dv);
}

static ug_status set_u32(ug_server *s, uint32_t id, uint32_t v)
{
    ug_variant var = ug_variant_scalar(UG_TYPE_UINT32);
    var.u.v.uint32 = v;
    return set_static(s, id, &var);
}

static ug_status set_strings(ug_server *s, uint32_t id, const ug_string *arr, int32_t n)
{
    ug_variant var = {0};
    var.type = UG_TYPE_STRING;
    var.array_len = n;
    var.u.arr = arr;
    return set_static(s, id, &var);
}

ug_status ug_server_info_init(ug_server *s)
{
    static const uint32_t live[] = {
        UG_NS0_SERVER_SERVER_STATUS,
        UG_NS0_SERVER_SERVER_STATUS_CURRENT_TIME,
        UG_NS0_SERVER_SERVER_STATUS_STATE,
        UG_NS0_SERVER_SERVER_STATUS_SECONDS_TILL_SHUTDOWN,
        UG_NS0_SERVER_NAMESPACE_ARRAY,
    };
    ug_status st = UG_STATUS_GOOD;
    for (size_t i = 0; st == UG_STATUS_GOOD && i < sizeof live / sizeof live[0]; i++)
        st = set_live(s, live[i]);
    if (st != UG_STATUS_GOOD)
        return st;

    /* Fixed values (deep-copied by the address space). */
    ug_variant v = ug_variant_scalar(UG_TYPE_DATETIME);
    v.u.v.datetime = s->start_time;
    st = set_static(s, UG_NS0_SERVER_SERVER_STATUS_START_TIME, &v);

    ug_BuildInfo bi;
    fill_build_info(s, &bi);
    uint8_t buf[1024];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, true);
    ug_datavalue dv;
    memset(&dv, 0, sizeof dv);
    if (st == UG_STATUS_GOOD)
        st = eo_value(&dv, &ug_desc_BuildInfo, &bi, &a);
    if (st == UG_STATUS_GOOD)
        st = set_static(s, UG_NS0_SERVER_SERVER_STATUS_BUILD_INFO, &dv.value);
    ug_arena_free(&a);
    static const struct {
        uint32_t id;
        size_t off; /* of the ug_string in ug_BuildInfo */
    } bi_children[] = {
        {UG_NS0_SERVER_SERVER_STATUS_BUILD_INFO_PRODUCT_URI, offsetof(ug_BuildInfo, product_uri)},
        {UG_NS0_SERVER_SERVER_STATUS_BUILD_INFO_MANUFACTURER_NAME,
         offsetof(ug_BuildInfo, manufacturer_name)},
        {UG_NS0_SERVER_SERVER_STATUS_BUILD_INFO_PRODUCT_NAME, offsetof(ug_BuildInfo, product_name)},
        {UG_NS0_SERVER_SERVER_STATUS_BUILD_INFO_SOFTWARE_VERSION,
         offsetof(ug_BuildInfo, software_version)},
        {UG_NS0_SERVER_SERVER_STATUS_BUILD_INFO_BUILD_NUMBER, offsetof(ug_BuildInfo, build_number)},
    };
    for (size_t i = 0; st == UG_STATUS_GOOD && i < sizeof bi_children / sizeof bi_children[0]; i++) {
        v = ug_variant_scalar(UG_TYPE_STRING);
        memcpy(&v.u.v.string, (const uint8_t *)&bi + bi_children[i].off, sizeof(ug_string));
        st = set_static(s, bi_children[i].id, &v);
    }
    if (st == UG_STATUS_GOOD) {
        v = ug_variant_scalar(UG_TYPE_DATETIME);
        v.u.v.datetime = s->cfg.build_date;
        st = set_static(s, UG_NS0_SERVER_SERVER_STATUS_BUILD_INFO_BUILD_DATE, &v);
    }
    if (st == UG_STATUS_GOOD) {
        v = ug_variant_scalar(UG_TYPE_LOCALIZEDTEXT);
        v.u.v.ltext.locale = (ug_string){NULL, -1};
        v.u.v.ltext.text = (ug_string){NULL, -1};
        st = set_static(s, UG_NS0_SERVER_SERVER_STATUS_SHUTDOWN_REASON, &v);
    }
    if (st == UG_STATUS_GOOD) {
        ug_string uri = ug_string_from(s->cfg.application_uri);
        st = set_strings(s, UG_NS0_SERVER_SERVER_ARRAY, &uri, 1);
    }
    if (st == UG_STATUS_GOOD) {
        v = ug_variant_scalar(UG_TYPE_BYTE);
        v.u.v.byte = 255; /* Part 5 §6.3.34: full service */
        st = set_static(s, UG_NS0_SERVER_SERVICE_LEVEL, &v);
    }
    if (st == UG_STATUS_GOOD) {
        v = ug_variant_scalar(UG_TYPE_BOOLEAN);
        v.u.v.boolean = false;
        st = set_static(s, UG_NS0_SERVER_AUDITING, &v);
    }

    /* ServerCapabilities (Part 5 §6.3.2) and OperationLimits (§6.3.11). */
    const struct ug_server_limits *l = &s->cfg.limits;
    if (st == UG_STATUS_GOOD) {
        ug_string prof = ug_string_from(SERVER_PROFILE);
        st = set_strings(s, UG_NS0_SERVER_SERVER_CAPABILITIES_SERVER_PROFILE_ARRAY, &prof, 1);
    }
    if (st == UG_STATUS_GOOD) {
        ug_string en = ug_string_from("en");
        st = set_strings(s, UG_NS0_SERVER_SERVER_CAPABILITIES_LOCALE_ID_ARRAY, &en, 1);
    }
    if (st == UG_STATUS_GOOD) {
        v = ug_variant_scalar(UG_TYPE_DOUBLE);
        v.u.v.f64 = l->min_sampling_interval_ms;
        st = set_static(s, UG_NS0_SERVER_SERVER_CAPABILITIES_MIN_SUPPORTED_SAMPLE_RATE, &v);
    }
    static const uint32_t cp_ids[] = {
        UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_BROWSE_CONTINUATION_POINTS,
        UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_QUERY_CONTINUATION_POINTS,
        UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_HISTORY_CONTINUATION_POINTS,
    };
    for (size_t i = 0; st == UG_STATUS_GOOD && i < 3; i++) {
        v = ug_variant_scalar(UG_TYPE_UINT16);
        uint32_t cps = l->max_browse_continuation_points;
        v.u.v.uint16 = i == 0 ? (uint16_t)(cps > 65535 ? 65535 : cps) : 0;
        st = set_static(s, cp_ids[i], &v);
    }
    const struct {
        uint32_t id;
        uint32_t value;
    } u32s[] = {
        {UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_ARRAY_LENGTH, s->decode_limits.max_array_len},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_STRING_LENGTH, s->decode_limits.max_string_len},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_BYTE_STRING_LENGTH, s->decode_limits.max_string_len},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_SESSIONS, l->max_sessions},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_SUBSCRIPTIONS_PER_SESSION,
         l->max_subscriptions_per_session},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_MONITORED_ITEMS_PER_SUBSCRIPTION,
         l->max_monitored_items},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_MAX_MONITORED_ITEMS_QUEUE_SIZE, l->max_queue_size},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_READ,
         l->max_nodes_per_read},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_WRITE,
         l->max_nodes_per_write},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_METHOD_CALL,
         l->max_nodes_per_method_call},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_BROWSE,
         l->max_nodes_per_browse},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_REGISTER_NODES,
         l->max_nodes_per_register},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_TRANSLATE_BROWSE_PATHS_TO_NODE_IDS,
         l->max_nodes_per_translate},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_NODE_MANAGEMENT,
         l->max_nodes_per_node_management},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_MONITORED_ITEMS_PER_CALL,
         l->max_monitored_items_per_call},
        /* No history: 0 would mean "no limit", 1 is the honest bound. */
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_HISTORY_READ_DATA, 1},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_HISTORY_READ_EVENTS, 1},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_HISTORY_UPDATE_DATA, 1},
        {UG_NS0_SERVER_SERVER_CAPABILITIES_OPERATION_LIMITS_MAX_NODES_PER_HISTORY_UPDATE_EVENTS, 1},
    };
    for (size_t i = 0; st == UG_STATUS_GOOD && i < sizeof u32s / sizeof u32s[0]; i++)
        st = set_u32(s, u32s[i].id, u32s[i].value);
    return st;
}
