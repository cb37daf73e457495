/* config — reading the sections of the configuration file into ug_cfg.
 * Cross-references (names, ids, routes) are checked in config_check.c once
 * everything is read. */
#include "config.h"

#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "config_broker.h"
#include "config_rd.h"
#include "config_server.h"
#include "uagate/json.h"
#include "uagate/pubsub.h"
#include "uagate/transport.h"

int ug_cfg_check_refs(cfg_rd *rd, ug_cfg *cfg);

/* Part 14 §6.3.1.1.1 UadpNetworkMessageContentMask. */
static const cfg_bit uadp_nm_bits[] = {
    {"PublisherId", UG_UADP_NM_PUBLISHER_ID},
    {"GroupHeader", UG_UADP_NM_GROUP_HEADER},
    {"WriterGroupId", UG_UADP_NM_WRITER_GROUP_ID},
    {"GroupVersion", UG_UADP_NM_GROUP_VERSION},
    {"NetworkMessageNumber", UG_UADP_NM_NETWORK_MESSAGE_NUMBER},
    {"SequenceNumber", UG_UADP_NM_SEQUENCE_NUMBER},
    {"PayloadHeader", UG_UADP_NM_PAYLOAD_HEADER},
    {"Timestamp", UG_UADP_NM_TIMESTAMP},
    {"PicoSeconds", UG_UADP_NM_PICOSECONDS},
    {"DataSetClassId", UG_UADP_NM_DATASET_CLASS_ID},
    {"PromotedFields", UG_UADP_NM_PROMOTED_FIELDS},
    {NULL, 0},
};

/* Part 14 §6.3.2.1.1 JsonNetworkMessageContentMask. */
static const cfg_bit json_nm_bits[] = {
    {"NetworkMessageHeader", UG_JSON_NM_NETWORK_HEADER},
    {"DataSetMessageHeader", UG_JSON_NM_DATASET_HEADER},
    {"SingleDataSetMessage", UG_JSON_NM_SINGLE_DATASET},
    {"PublisherId", UG_JSON_NM_PUBLISHER_ID},
    {"DataSetClassId", UG_JSON_NM_DATASET_CLASS_ID},
    {"ReplyTo", UG_JSON_NM_REPLY_TO},
    {"WriterGroupName", UG_JSON_NM_WRITER_GROUP_NAME},
    {NULL, 0},
};

/* Part 14 §6.3.1.3.1 UadpDataSetMessageContentMask. */
static const cfg_bit uadp_dsm_bits[] = {
    {"Timestamp", UG_UADP_DSM_TIMESTAMP},
    {"PicoSeconds", UG_UADP_DSM_PICOSECONDS},
    {"Status", UG_UADP_DSM_STATUS},
    {"MajorVersion", UG_UADP_DSM_MAJOR_VERSION},
    {"MinorVersion", UG_UADP_DSM_MINOR_VERSION},
    {"SequenceNumber", UG_UADP_DSM_SEQUENCE_NUMBER},
    {NULL, 0},
};

/* Part 14 §6.3.2.3.1 JsonDataSetMessageContentMask. */
static const cfg_bit json_dsm_bits[] = {
    {"DataSetWriterId", UG_JSON_DSM_WRITER_ID},
    {"MetaDataVersion", UG_JSON_DSM_METADATA_VERSION},
    {"SequenceNumber", UG_JSON_DSM_SEQUENCE_NUMBER},
    {"Timestamp", UG_JSON_DSM_TIMESTAMP},
    {"Status", UG_JSON_DSM_STATUS},
    {"MessageType", UG_JSON_DSM_MESSAGE_TYPE},
    {"DataSetWriterName", UG_JSON_DSM_WRITER_NAME},
    {"FieldEncoding1", UG_JSON_DSM_FIELD_ENCODING1},
    {"PublisherId", UG_JSON_DSM_PUBLISHER_ID},
    {"WriterGroupName", UG_JSON_DSM_WRITER_GROUP_NAME},
    {"MinorVersion", UG_JSON_DSM_MINOR_VERSION},
    {"FieldEncoding2", UG_JSON_DSM_FIELD_ENCODING2},
    {NULL, 0},
};

/* Part 14 §6.2.4.2 DataSetFieldContentMask. */
static const cfg_bit field_bits[] = {
    {"StatusCode", UG_FIELD_STATUS},
    {"SourceTimestamp", UG_FIELD_SOURCE_TIMESTAMP},
    {"ServerTimestamp", UG_FIELD_SERVER_TIMESTAMP},
    {"SourcePicoSeconds", UG_FIELD_SOURCE_PICOSECONDS},
    {"ServerPicoSeconds", UG_FIELD_SERVER_PICOSECONDS},
    {"RawData", UG_FIELD_RAW_DATA},
    {NULL, 0},
};

/* Runs fn on each element of the array obj[key] (an object each), with the
 * path pointing at the element. Returns the count, *out an array of n. */
typedef void (*each_fn)(cfg_rd *rd, json_t *o, void *elem);
static size_t read_list(cfg_rd *rd, json_t *obj, const char *key, bool required, size_t elem_size,
                        each_fn fn, void **out)
{
    *out = NULL;
    json_t *a = cfg_array(rd, obj, key, required);
    if (!a || json_array_size(a) == 0)
        return 0;
    size_t n = json_array_size(a);
    char *arr = calloc(n, elem_size);
    if (!arr) {
        cfg_err(rd, key, "out of memory");
        return 0;
    }
    size_t old = cfg_push_key(rd, key);
    for (size_t i = 0; i < n; i++) {
        size_t mid = cfg_push_index(rd, i);
        json_t *e = json_array_get(a, i);
        if (!json_is_object(e))
            cfg_err(rd, NULL, "must be an object");
        else
            fn(rd, e, arr + i * elem_size);
        cfg_pop(rd, mid);
    }
    cfg_pop(rd, old);
    *out = arr;
    return n;
}

static void read_source(cfg_rd *rd, json_t *src, ug_cfg_field *f)
{
    static const char *const members[] = {"variable", "simulator", "offset", "amplitude",
                                          "step",     "period",    "seed",   "opcua", NULL};
    cfg_check_members(rd, src, members);
    if (json_object_get(src, "opcua")) {
        if (json_object_get(src, "variable") || json_object_get(src, "simulator"))
            cfg_err(rd, NULL, "give one of \"variable\", \"simulator\" or \"opcua\"");
        cfg_opcua_source_read(rd, src, f);
        return;
    }
    if (json_object_get(src, "variable")) {
        f->src = UG_CFG_SRC_VARIABLE;
        cfg_string(rd, src, "variable", true, &f->variable);
        if (json_object_get(src, "simulator"))
            cfg_err(rd, NULL, "give either \"variable\" or \"simulator\", not both");
        return;
    }
    char *shape = NULL;
    if (!cfg_string(rd, src, "simulator", true, &shape) || !shape) {
        cfg_err(rd, NULL, "needs \"variable\", \"simulator\" or \"opcua\"");
        return;
    }
    static const struct {
        const char *name;
        uint8_t shape;
    } shapes[] = {{"counter", UG_PS_SIM_COUNTER},
                  {"sine", UG_PS_SIM_SINE},
                  {"square", UG_PS_SIM_SQUARE},
                  {"randomWalk", UG_PS_SIM_RANDOM_WALK}};
    f->src = UG_CFG_SRC_SIM;
    size_t i = 0;
    while (i < 4 && strcmp(shapes[i].name, shape) != 0)
        i++;
    if (i == 4)
        cfg_err(rd, "simulator", "\"%s\" is not a simulator (use counter, sine, square or "
                                 "randomWalk)", shape);
    else
        f->sim.shape = shapes[i].shape;
    free(shape);
    if (f->type == UG_TYPE_STRING || f->type == UG_TYPE_BYTESTRING)
        cfg_err(rd, "simulator", "a simulator needs a numeric or Boolean field, not %s",
                ug_type_name(f->type));
    cfg_number(rd, src, "offset", 0, &f->sim.offset);
    cfg_number(rd, src, "amplitude", 1, &f->sim.amplitude);
    cfg_number(rd, src, "step", 1, &f->sim.step);
    cfg_duration(rd, src, "period", false, 1000000000, &f->sim.period_ns);
    if (f->sim.period_ns <= 0)
        cfg_err(rd, "period", "must be longer than 0");
    uint64_t seed;
    cfg_uint(rd, src, "seed", false, 0, INT64_MAX, 1, &seed);
    f->sim.seed = seed;
}

/* A field of a PublishedDataSet (with_source) or of a reader's metadata. */
static void read_field_common(cfg_rd *rd, json_t *o, ug_cfg_field *f, bool with_source)
{
    static const char *const pds_members[] = {"name", "dataType", "maxStringLength", "source",
                                              "description", "promoted", NULL};
    static const char *const md_members[] = {"name", "dataType", "maxStringLength",
                                             "description", NULL};
    cfg_check_members(rd, o, with_source ? pds_members : md_members);
    cfg_string(rd, o, "name", true, &f->name);
    cfg_datatype(rd, o, "dataType", &f->type);
    uint64_t u;
    cfg_uint(rd, o, "maxStringLength", false, 0, 65535, 0, &u);
    f->max_string_len = (uint32_t)u;
    f->src = UG_CFG_SRC_ROUTE;
    if (!with_source)
        return;
    cfg_bool(rd, o, "promoted", false, &f->promoted);
    json_t *src = cfg_object(rd, o, "source", false);
    if (src) {
        size_t old = cfg_push_key(rd, "source");
        read_source(rd, src, f);
        cfg_pop(rd, old);
    }
}

static void read_pds_field(cfg_rd *rd, json_t *o, void *e)
{
    read_field_common(rd, o, e, true);
}

static void read_md_field(cfg_rd *rd, json_t *o, void *e)
{
    read_field_common(rd, o, e, false);
}

static void read_pds(cfg_rd *rd, json_t *o, void *e)
{
    ug_cfg_pds *p = e;
    static const char *const members[] = {"name", "fields", "description", NULL};
    cfg_check_members(rd, o, members);
    cfg_string(rd, o, "name", true, &p->name);
    p->n_fields = read_list(rd, o, "fields", true, sizeof *p->fields, read_pds_field,
                            (void **)&p->fields);
    if (p->n_fields == 0 && json_is_array(json_object_get(o, "fields")))
        cfg_err(rd, "fields", "must hold at least one field");
    if (p->n_fields > UINT16_MAX)
        cfg_err(rd, "fields", "holds more than 65535 fields");
}

static bool int_fits(uint8_t type, int64_t v)
{
    switch (type) {
    case UG_TYPE_SBYTE: return v >= INT8_MIN && v <= INT8_MAX;
    case UG_TYPE_BYTE: return v >= 0 && v <= UINT8_MAX;
    case UG_TYPE_INT16: return v >= INT16_MIN && v <= INT16_MAX;
    case UG_TYPE_UINT16: return v >= 0 && v <= UINT16_MAX;
    case UG_TYPE_INT32: return v >= INT32_MIN && v <= INT32_MAX;
    case UG_TYPE_UINT32:
    case UG_TYPE_STATUSCODE: return v >= 0 && v <= UINT32_MAX;
    case UG_TYPE_UINT64: return v >= 0;
    default: return true; /* Int64, DateTime ticks */
    }
}

static void read_value(cfg_rd *rd, json_t *o, ug_cfg_variable *var)
{
    json_t *v = json_object_get(o, "value");
    if (!v)
        return;
    ug_cfg_value *val = &var->value;
    switch (var->type) {
    case UG_TYPE_BOOLEAN:
        if (!json_is_boolean(v))
            goto bad;
        val->num = json_is_true(v);
        break;
    case UG_TYPE_STRING:
    case UG_TYPE_BYTESTRING:
        if (!json_is_string(v))
            goto bad;
        val->str = strdup(json_string_value(v));
        break;
    case UG_TYPE_FLOAT:
    case UG_TYPE_DOUBLE:
        if (!json_is_number(v))
            goto bad;
        val->num = json_number_value(v);
        break;
    default: /* integers, DateTime (ticks), StatusCode */
        if (!json_is_integer(v))
            goto bad;
        val->i64 = json_integer_value(v);
        val->u64 = (uint64_t)val->i64;
        val->num = (double)val->i64;
        if (!int_fits(var->type, val->i64)) {
            cfg_err(rd, "value", "%lld is out of range for %s", (long long)val->i64,
                    ug_type_name(var->type));
            return;
        }
        break;
    }
    val->present = true;
    return;
bad:
    cfg_err(rd, "value", "must be %s for dataType %s",
            var->type == UG_TYPE_BOOLEAN                                      ? "true or false"
            : var->type == UG_TYPE_STRING || var->type == UG_TYPE_BYTESTRING ? "a string"
            : var->type == UG_TYPE_FLOAT || var->type == UG_TYPE_DOUBLE      ? "a number"
                                                                              : "an integer",
            ug_type_name(var->type));
}

static void read_variable(cfg_rd *rd, json_t *o, void *e)
{
    ug_cfg_variable *v = e;
    static const char *const members[] = {"name", "dataType", "value", "description", NULL};
    cfg_check_members(rd, o, members);
    cfg_string(rd, o, "name", true, &v->name);
    if (v->name && strncmp(v->name, "$opcua:", 7) == 0)
        cfg_err(rd, "name", "names starting with \"$opcua:\" are reserved");
    if (cfg_datatype(rd, o, "dataType", &v->type))
        read_value(rd, o, v);
}

static void read_writer(cfg_rd *rd, json_t *o, void *e)
{
    ug_cfg_writer *w = e;
    static const char *const members[] = {"name",          "enabled",
                                          "dataSetWriterId", "dataSetName",
                                          "keyFrameCount", "dataSetFieldContentMask",
                                          "messageSettings", NULL};
    cfg_check_members(rd, o, members);
    uint64_t u;
    cfg_string(rd, o, "name", true, &w->name);
    cfg_bool(rd, o, "enabled", true, &w->enabled);
    cfg_uint(rd, o, "dataSetWriterId", true, 1, UINT16_MAX, 0, &u);
    w->id = (uint16_t)u;
    cfg_string(rd, o, "dataSetName", true, &w->dataset);
    cfg_uint(rd, o, "keyFrameCount", false, 1, UINT32_MAX, 1, &u);
    w->key_frame_count = (uint32_t)u;
    cfg_mask(rd, o, "dataSetFieldContentMask", field_bits, 0, &w->field_mask);
    json_t *ms = cfg_object(rd, o, "messageSettings", false);
    if (ms) {
        static const char *const ms_members[] = {"dataSetMessageContentMask", NULL};
        size_t old = cfg_push_key(rd, "messageSettings");
        cfg_check_members(rd, ms, ms_members);
        /* The mask names depend on the group's encoding: read in
         * reread_writer_masks once it is known. */
        cfg_pop(rd, old);
    }
}

/* dataSetMessageContentMask depends on the group's encoding: read it again
 * with the group's table once the encoding is known. */
static void reread_writer_masks(cfg_rd *rd, json_t *wo, ug_cfg_writer *w, uint8_t encoding)
{
    json_t *ms = json_object_get(wo, "messageSettings");
    if (!json_is_object(ms))
        return;
    size_t old = cfg_push_key(rd, "messageSettings");
    w->uadp_dsm_mask = w->json_dsm_mask = 0;
    if (encoding == UG_PS_JSON)
        cfg_mask(rd, ms, "dataSetMessageContentMask", json_dsm_bits, 0, &w->json_dsm_mask);
    else
        cfg_mask(rd, ms, "dataSetMessageContentMask", uadp_dsm_bits, 0, &w->uadp_dsm_mask);
    cfg_pop(rd, old);
}

static void read_wg(cfg_rd *rd, json_t *o, void *e)
{
    ug_cfg_wg *g = e;
    static const char *const members[] = {
        "name",     "enabled",         "writerGroupId",         "publishingInterval",
        "publishingOffset", "keepAliveTime", "priority", "maxNetworkMessageSize",
        "encoding", "messageSettings", "dataSetWriters", "transportSettings", NULL};
    cfg_check_members(rd, o, members);
    uint64_t u;
    cfg_string(rd, o, "name", true, &g->name);
    cfg_bool(rd, o, "enabled", true, &g->enabled);
    cfg_uint(rd, o, "writerGroupId", true, 1, UINT16_MAX, 0, &u);
    g->id = (uint16_t)u;
    if (cfg_duration(rd, o, "publishingInterval", true, 0, &g->interval_ns) && g->interval_ns <= 0)
        cfg_err(rd, "publishingInterval", "must be longer than 0");
    cfg_duration(rd, o, "publishingOffset", false, 0, &g->offset_ns);
    cfg_duration(rd, o, "keepAliveTime", false, 0, &g->keep_alive_ns);
    if (g->interval_ns > 0 && g->offset_ns >= g->interval_ns)
        cfg_err(rd, "publishingOffset", "must be shorter than the publishingInterval");
    if (g->keep_alive_ns && g->interval_ns > 0 && g->keep_alive_ns < g->interval_ns)
        cfg_err(rd, "keepAliveTime", "must not be shorter than the publishingInterval");
    cfg_uint(rd, o, "priority", false, 0, 255, 0, &u);
    g->priority = (uint8_t)u;
    cfg_uint(rd, o, "maxNetworkMessageSize", false, 64, 65507, 0, &u);
    g->max_nm_size = (uint32_t)u;
    char *enc = NULL;
    g->encoding = UG_PS_UADP;
    if (cfg_string(rd, o, "encoding", false, &enc) && enc) {
        if (strcmp(enc, "JSON") == 0)
            g->encoding = UG_PS_JSON;
        else if (strcmp(enc, "UADP") != 0)
            cfg_err(rd, "encoding", "\"%s\" is not an encoding (use \"UADP\" or \"JSON\")", enc);
    }
    free(enc);
    json_t *ms = cfg_object(rd, o, "messageSettings", false);
    if (ms) {
        static const char *const ms_members[] = {"networkMessageContentMask", "groupVersion",
                                                 NULL};
        size_t old = cfg_push_key(rd, "messageSettings");
        cfg_check_members(rd, ms, ms_members);
        cfg_mask(rd, ms, "networkMessageContentMask",
                 g->encoding == UG_PS_JSON ? json_nm_bits : uadp_nm_bits, 0,
                 g->encoding == UG_PS_JSON ? &g->json_nm_mask : &g->uadp_nm_mask);
        cfg_uint(rd, ms, "groupVersion", false, 0, UINT32_MAX, 0, &u);
        g->group_version = (uint32_t)u;
        cfg_pop(rd, old);
    }
    cfg_broker_read_group(rd, o, &g->broker);
    g->n_writers = read_list(rd, o, "dataSetWriters", false, sizeof *g->writers, read_writer,
                             (void **)&g->writers);
    json_t *wa = json_object_get(o, "dataSetWriters");
    size_t old = cfg_push_key(rd, "dataSetWriters");
    for (size_t i = 0; i < g->n_writers; i++) {
        size_t mid = cfg_push_index(rd, i);
        reread_writer_masks(rd, json_array_get(wa, i), &g->writers[i], g->encoding);
        cfg_pop(rd, mid);
    }
    cfg_pop(rd, old);
}

static void read_reader(cfg_rd *rd, json_t *o, void *e)
{
    ug_cfg_reader *r = e;
    static const char *const members[] = {"name",          "enabled",         "publisherId",
                                          "writerGroupId", "dataSetWriterId", "messageReceiveTimeout",
                                          "dataSetMetaData", NULL};
    cfg_check_members(rd, o, members);
    uint64_t u;
    cfg_string(rd, o, "name", true, &r->name);
    cfg_bool(rd, o, "enabled", true, &r->enabled);
    cfg_publisher_id(rd, o, "publisherId", &r->publisher_id, &r->publisher_id_str);
    cfg_uint(rd, o, "writerGroupId", false, 0, UINT16_MAX, 0, &u);
    r->writer_group_id = (uint16_t)u;
    cfg_uint(rd, o, "dataSetWriterId", false, 0, UINT16_MAX, 0, &u);
    r->writer_id = (uint16_t)u;
    cfg_duration(rd, o, "messageReceiveTimeout", false, 0, &r->timeout_ns);
    json_t *md = cfg_object(rd, o, "dataSetMetaData", false);
    if (md) {
        static const char *const md_members[] = {"fields", "configurationVersion", NULL};
        size_t old = cfg_push_key(rd, "dataSetMetaData");
        cfg_check_members(rd, md, md_members);
        r->n_fields = read_list(rd, md, "fields", true, sizeof *r->fields, read_md_field,
                                (void **)&r->fields);
        json_t *cv = cfg_object(rd, md, "configurationVersion", false);
        if (cv) {
            static const char *const cv_members[] = {"majorVersion", "minorVersion", NULL};
            size_t mid = cfg_push_key(rd, "configurationVersion");
            cfg_check_members(rd, cv, cv_members);
            cfg_uint(rd, cv, "majorVersion", false, 0, UINT32_MAX, 0, &u);
            r->cfg_major = (uint32_t)u;
            cfg_uint(rd, cv, "minorVersion", false, 0, UINT32_MAX, 0, &u);
            cfg_pop(rd, mid);
        }
        cfg_pop(rd, old);
    }
}

static void read_rg(cfg_rd *rd, json_t *o, void *e)
{
    ug_cfg_rg *g = e;
    static const char *const members[] = {"name", "enabled", "dataSetReaders",
                                          "transportSettings", NULL};
    cfg_check_members(rd, o, members);
    cfg_broker_read_group(rd, o, &g->broker);
    cfg_string(rd, o, "name", true, &g->name);
    cfg_bool(rd, o, "enabled", true, &g->enabled);
    g->n_readers = read_list(rd, o, "dataSetReaders", false, sizeof *g->readers, read_reader,
                             (void **)&g->readers);
}

static void check_address(cfg_rd *rd, const ug_cfg_conn *c)
{
    if (c->address) {
        ug_transport_url u;
        char why[160] = "";
        if (ug_transport_url_parse(c->address, &u, why, sizeof why) != UG_STATUS_GOOD)
            cfg_err(rd, "url", "\"%s\" is not a transport address: %s", c->address,
                    why[0] ? why : "use opc.udp://HOST:PORT or opc.eth://MAC");
    }
    if (c->interface && if_nametoindex(c->interface) == 0)
        cfg_err(rd, "networkInterface", "no network interface named \"%s\" on this machine",
                c->interface);
}

static void read_conn(cfg_rd *rd, json_t *o, void *e)
{
    ug_cfg_conn *c = e;
    static const char *const members[] = {"name",    "enabled",      "publisherId",
                                          "address", "connectionProperties", "writerGroups",
                                          "readerGroups", "transportProfileUri",
                                          "transportSettings", NULL};
    cfg_check_members(rd, o, members);
    cfg_string(rd, o, "name", true, &c->name);
    cfg_bool(rd, o, "enabled", true, &c->enabled);
    cfg_publisher_id(rd, o, "publisherId", &c->publisher_id, &c->publisher_id_str);
    json_t *addr = cfg_object(rd, o, "address", true);
    if (addr) {
        static const char *const a_members[] = {"url", "networkInterface", NULL};
        size_t old = cfg_push_key(rd, "address");
        cfg_check_members(rd, addr, a_members);
        cfg_string(rd, addr, "url", true, &c->address);
        cfg_string(rd, addr, "networkInterface", false, &c->interface);
        check_address(rd, c);
        cfg_pop(rd, old);
    }
    json_t *props = cfg_object(rd, o, "connectionProperties", false);
    if (props) {
        static const char *const p_members[] = {"ttl",  "multicastLoopback", "reuseAddress",
                                                "dscp", "socketPriority",    "maxMessageSize",
                                                NULL};
        size_t old = cfg_push_key(rd, "connectionProperties");
        cfg_check_members(rd, props, p_members);
        int64_t i;
        uint64_t u;
        bool b;
        cfg_int(rd, props, "ttl", 1, 255, 0, &i);
        c->ttl = (int)i;
        if (json_object_get(props, "multicastLoopback") &&
            cfg_bool(rd, props, "multicastLoopback", false, &b))
            c->loopback = b ? UG_ON : UG_OFF;
        cfg_bool(rd, props, "reuseAddress", false, &c->reuse);
        cfg_int(rd, props, "dscp", 0, 63, 0, &i);
        c->dscp = (int)i;
        cfg_int(rd, props, "socketPriority", 0, 15, 0, &i);
        c->priority = (int)i;
        cfg_uint(rd, props, "maxMessageSize", false, 64, 65507, 0, &u);
        c->max_msg = (uint32_t)u;
        cfg_pop(rd, old);
    }
    c->n_wgs = read_list(rd, o, "writerGroups", false, sizeof *c->wgs, read_wg, (void **)&c->wgs);
    c->n_rgs = read_list(rd, o, "readerGroups", false, sizeof *c->rgs, read_rg, (void **)&c->rgs);
    cfg_broker_read_conn(rd, o, c);
    cfg_broker_resolve(rd, c);
}

static void read_map(cfg_rd *rd, json_t *o, void *e)
{
    ug_cfg_map *m = e;
    static const char *const members[] = {"from", "to", NULL};
    cfg_check_members(rd, o, members);
    cfg_string(rd, o, "from", true, &m->from);
    cfg_string(rd, o, "to", false, &m->to);
    if (!m->to && m->from)
        m->to = strdup(m->from);
}

static void read_route(cfg_rd *rd, json_t *o, void *e)
{
    ug_cfg_route *r = e;
    static const char *const members[] = {"name", "from", "to", "fields", "publishOnReceive",
                                          NULL};
    cfg_check_members(rd, o, members);
    cfg_string(rd, o, "name", true, &r->name);
    cfg_string(rd, o, "from", true, &r->from);
    cfg_string(rd, o, "to", true, &r->to);
    cfg_bool(rd, o, "publishOnReceive", false, &r->publish_on_receive);
    r->n_maps = read_list(rd, o, "fields", false, sizeof *r->maps, read_map, (void **)&r->maps);
}

static void read_root(cfg_rd *rd, json_t *root, ug_cfg *cfg)
{
    static const char *const members[] = {"name",        "enabled",    "statusInterval",
                                          "variables",   "publishedDataSets", "connections",
                                          "routes", "server", NULL};
    cfg_check_members(rd, root, members);
    cfg_string(rd, root, "name", false, &cfg->name);
    cfg_bool(rd, root, "enabled", true, &cfg->enabled);
    cfg_duration(rd, root, "statusInterval", false, 1000000000, &cfg->status_interval_ns);
    if (cfg->status_interval_ns < 10000000)
        cfg_err(rd, "statusInterval", "must be at least 10ms");
    cfg->n_vars = read_list(rd, root, "variables", false, sizeof *cfg->vars, read_variable,
                            (void **)&cfg->vars);
    cfg->n_pds = read_list(rd, root, "publishedDataSets", false, sizeof *cfg->pds, read_pds,
                           (void **)&cfg->pds);
    cfg->n_conns = read_list(rd, root, "connections", false, sizeof *cfg->conns, read_conn,
                             (void **)&cfg->conns);
    cfg->n_routes = read_list(rd, root, "routes", false, sizeof *cfg->routes, read_route,
                              (void **)&cfg->routes);
    cfg_server_read(rd, root, &cfg->server);
    cfg_opcua_add_vars(rd, cfg);
}

int ug_cfg_load(const char *path, FILE *errf, ug_cfg **out)
{
    *out = NULL;
    cfg_rd rd = {.file = path, .errf = errf, .path = "$", .path_len = 1};
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (errf) {
            if (jerr.line > 0)
                fprintf(errf, "%s:%d:%d: %s\n", path, jerr.line, jerr.column, jerr.text);
            else
                fprintf(errf, "%s: %s\n", path, jerr.text);
        }
        return 1;
    }
    if (!json_is_object(root)) {
        cfg_err(&rd, NULL, "the configuration must be a JSON object");
        json_decref(root);
        return rd.errors;
    }
    ug_cfg *cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(cfg->path = strdup(path))) {
        free(cfg);
        json_decref(root);
        cfg_err(&rd, NULL, "out of memory");
        return rd.errors;
    }
    read_root(&rd, root, cfg);
    json_decref(root);
    /* References are only meaningful between well-formed parts. */
    if (rd.errors == 0)
        ug_cfg_check_refs(&rd, cfg);
    if (rd.errors) {
        ug_cfg_free(cfg);
        return rd.errors;
    }
    *out = cfg;
    return 0;
}

static void free_fields(ug_cfg_field *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++) {
        free(f[i].name);
        free(f[i].variable);
        cfg_opcua_source_free(&f[i].opcua);
    }
    free(f);
}

void ug_cfg_free(ug_cfg *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; cfg->pds && i < cfg->n_pds; i++) {
        free(cfg->pds[i].name);
        free_fields(cfg->pds[i].fields, cfg->pds[i].n_fields);
    }
    for (size_t i = 0; cfg->vars && i < cfg->n_vars; i++) {
        free(cfg->vars[i].name);
        free(cfg->vars[i].value.str);
    }
    for (size_t i = 0; cfg->conns && i < cfg->n_conns; i++) {
        ug_cfg_conn *c = &cfg->conns[i];
        for (size_t g = 0; c->wgs && g < c->n_wgs; g++) {
            for (size_t w = 0; c->wgs[g].writers && w < c->wgs[g].n_writers; w++) {
                free(c->wgs[g].writers[w].name);
                free(c->wgs[g].writers[w].dataset);
            }
            free(c->wgs[g].writers);
            free(c->wgs[g].name);
        }
        for (size_t g = 0; c->rgs && g < c->n_rgs; g++) {
            for (size_t r = 0; c->rgs[g].readers && r < c->rgs[g].n_readers; r++) {
                ug_cfg_reader *rr = &c->rgs[g].readers[r];
                free(rr->name);
                free(rr->publisher_id_str);
                free_fields(rr->fields, rr->n_fields);
            }
            free(c->rgs[g].readers);
            free(c->rgs[g].name);
        }
        cfg_broker_free(c);
        free(c->wgs);
        free(c->rgs);
        free(c->name);
        free(c->publisher_id_str);
        free(c->address);
        free(c->interface);
    }
    for (size_t i = 0; cfg->routes && i < cfg->n_routes; i++) {
        ug_cfg_route *r = &cfg->routes[i];
        for (size_t m = 0; r->maps && m < r->n_maps; m++) {
            free(r->maps[m].from);
            free(r->maps[m].to);
        }
        free(r->maps);
        free(r->name);
        free(r->from);
        free(r->to);
    }
    cfg_server_free(&cfg->server);
    free(cfg->pds);
    free(cfg->vars);
    free(cfg->conns);
    free(cfg->routes);
    free(cfg->name);
    free(cfg->path);
    free(cfg);
}
