/* config_server — the OPC UA parts of the configuration file: the "server"
 * section (the endpoint `uagate run` serves, its users and limits) and the
 * "opcua" field source (a monitored item on another server feeding a
 * published field). Errors read like the rest of the loader's:
 * "FILE: $.server.url: what is wrong".
 */
#include "config_server.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_URL "opc.tcp://0.0.0.0:4840"
#define HASH_PREFIX "pbkdf2-sha256$"

/* Part 6 §7.2: opc.tcp://host[:port][/path]; the host may be a bracketed
 * IPv6 literal. The port defaults to 4840 (IANA's opc.tcp port). */
bool ug_cfg_parse_opctcp_url(const char *url, char **host, uint16_t *port, char *why,
                             size_t why_cap)
{
    static const char scheme[] = "opc.tcp://";
    *host = NULL;
    *port = 4840;
    if (strncmp(url, scheme, sizeof scheme - 1) != 0) {
        snprintf(why, why_cap, "use opc.tcp://HOST:PORT");
        return false;
    }
    const char *h = url + sizeof scheme - 1;
    const char *h_end, *rest;
    if (*h == '[') {
        h_end = strchr(h, ']');
        if (!h_end) {
            snprintf(why, why_cap, "unclosed '[' in the host");
            return false;
        }
        h++;
        rest = h_end + 1;
    } else {
        h_end = h + strcspn(h, ":/");
        rest = h_end;
    }
    if (h_end == h) {
        snprintf(why, why_cap, "no host");
        return false;
    }
    for (const char *c = h; c < h_end; c++)
        if (isspace((unsigned char)*c) || iscntrl((unsigned char)*c) || *c == '@' ||
            *c == '?' || *c == '#' || *c == '"' || *c == '\\' || *c == '[' || *c == ']') {
            snprintf(why, why_cap, isprint((unsigned char)*c) ? "'%c' in the host"
                                                              : "a control character in the host",
                     *c);
            return false;
        }
    if (*rest == ':') {
        char *end;
        const char *ps = rest + 1;
        if (!isdigit((unsigned char)*ps)) {
            snprintf(why, why_cap, "the port must be a number");
            return false;
        }
        unsigned long p = strtoul(ps, &end, 10);
        if (p > 65535 || (*end && *end != '/')) {
            snprintf(why, why_cap, "the port must be a number from 0 to 65535");
            return false;
        }
        *port = (uint16_t)p;
        rest = end;
    }
    if (*rest && *rest != '/') {
        snprintf(why, why_cap, "unexpected text after the host");
        return false;
    }
    *host = strndup(h, (size_t)(h_end - h));
    if (!*host) {
        snprintf(why, why_cap, "out of memory");
        return false;
    }
    return true;
}

static void read_user(cfg_rd *rd, json_t *o, ug_cfg_user *u)
{
    static const char *const members[] = {"name", "passwordHash", NULL};
    cfg_check_members(rd, o, members);
    cfg_string(rd, o, "name", true, &u->name);
    if (u->name && !u->name[0])
        cfg_err(rd, "name", "must not be empty");
    if (cfg_string(rd, o, "passwordHash", true, &u->password_hash) && u->password_hash &&
        strncmp(u->password_hash, HASH_PREFIX, sizeof HASH_PREFIX - 1) != 0)
        cfg_err(rd, "passwordHash", "is not a password hash (make one with `uagate "
                                    "hash-password PASSWORD`)");
}

static void read_users(cfg_rd *rd, json_t *o, ug_cfg_server *s)
{
    json_t *a = cfg_array(rd, o, "users", false);
    if (!a || json_array_size(a) == 0)
        return;
    size_t n = json_array_size(a);
    s->users = calloc(n, sizeof *s->users);
    if (!s->users) {
        cfg_err(rd, "users", "out of memory");
        return;
    }
    s->n_users = n;
    size_t old = cfg_push_key(rd, "users");
    for (size_t i = 0; i < n; i++) {
        size_t mid = cfg_push_index(rd, i);
        json_t *e = json_array_get(a, i);
        if (!json_is_object(e))
            cfg_err(rd, NULL, "must be an object");
        else
            read_user(rd, e, &s->users[i]);
        for (size_t j = 0; j < i && s->users[i].name; j++)
            if (s->users[j].name && strcmp(s->users[j].name, s->users[i].name) == 0) {
                cfg_err(rd, "name", "user \"%s\" is already defined at index %zu",
                        s->users[i].name, j);
                break;
            }
        cfg_pop(rd, mid);
    }
    cfg_pop(rd, old);
}

void cfg_server_read(cfg_rd *rd, json_t *root, ug_cfg_server *s)
{
    s->enabled = true;
    s->allow_anonymous = true;
    s->port = 4840;
    json_t *o = cfg_object(rd, root, "server", false);
    if (o) {
        static const char *const members[] = {"enabled",        "url",          "users",
                                              "allowAnonymous", "maxSessions",  "sessionTimeout",
                                              "helloTimeout",   "description",  NULL};
        size_t old = cfg_push_key(rd, "server");
        cfg_check_members(rd, o, members);
        cfg_bool(rd, o, "enabled", true, &s->enabled);
        cfg_string(rd, o, "url", false, &s->url);
        cfg_bool(rd, o, "allowAnonymous", true, &s->allow_anonymous);
        read_users(rd, o, s);
        uint64_t u;
        cfg_uint(rd, o, "maxSessions", false, 1, 10000, 0, &u);
        s->max_sessions = (uint32_t)u;
        /* Part 4 §5.6.2: the session timeout is negotiated in ms; an hour is
         * plenty for a gateway and keeps abandoned sessions bounded. */
        if (cfg_duration(rd, o, "sessionTimeout", false, 0, &s->session_timeout_ns) &&
            json_object_get(o, "sessionTimeout") &&
            (s->session_timeout_ns < 1000000000LL || s->session_timeout_ns > 3600000000000LL))
            cfg_err(rd, "sessionTimeout", "must be from 1s to 1h");
        if (cfg_duration(rd, o, "helloTimeout", false, 0, &s->hello_timeout_ns) &&
            json_object_get(o, "helloTimeout") &&
            (s->hello_timeout_ns < 100000000LL || s->hello_timeout_ns > 120000000000LL))
            cfg_err(rd, "helloTimeout", "must be from 100ms to 2min");
        if (s->enabled && !s->allow_anonymous && s->n_users == 0 &&
            json_is_boolean(json_object_get(o, "allowAnonymous")))
            cfg_err(rd, "allowAnonymous", "is false and no users are given: nobody could "
                                          "log in");
        cfg_pop(rd, old);
    }
    if (!s->url && !(s->url = strdup(DEFAULT_URL))) {
        cfg_err(rd, "server", "out of memory");
        return;
    }
    char why[96] = "";
    if (!ug_cfg_parse_opctcp_url(s->url, &s->host, &s->port, why, sizeof why)) {
        size_t old = cfg_push_key(rd, "server");
        cfg_err(rd, "url", "\"%s\" is not an OPC UA endpoint URL: %s", s->url, why);
        cfg_pop(rd, old);
    }
}

void cfg_opcua_source_read(cfg_rd *rd, json_t *src, ug_cfg_field *f)
{
    ug_cfg_opcua_src *o = &f->opcua;
    json_t *j = cfg_object(rd, src, "opcua", true);
    if (!j)
        return;
    size_t old = cfg_push_key(rd, "opcua");
    static const char *const members[] = {"url",      "nodeId",   "samplingInterval",
                                          "username", "password", NULL};
    cfg_check_members(rd, j, members);
    char why[96] = "";
    if (cfg_string(rd, j, "url", true, &o->url) && o->url) {
        char *host = NULL;
        uint16_t port;
        if (!ug_cfg_parse_opctcp_url(o->url, &host, &port, why, sizeof why))
            cfg_err(rd, "url", "\"%s\" is not an OPC UA endpoint URL: %s", o->url, why);
        free(host);
    }
    if (cfg_string(rd, j, "nodeId", true, &o->node_id) && o->node_id) {
        uint8_t buf[256];
        ug_arena a;
        ug_arena_init(&a, buf, sizeof buf, true);
        ug_nodeid id;
        ug_status st = ug_nodeid_parse(o->node_id, strlen(o->node_id), &id, &a);
        ug_arena_free(&a);
        if (st != UG_STATUS_GOOD)
            cfg_err(rd, "nodeId", "\"%s\" is not a NodeId (%s; use e.g. \"ns=2;s=Pump1\" or "
                                  "\"i=2258\")", o->node_id, ug_status_name(st));
    }
    cfg_duration(rd, j, "samplingInterval", false, 100000000, &o->sampling_ns);
    if (o->sampling_ns < 0)
        cfg_err(rd, "samplingInterval", "must not be negative");
    cfg_string(rd, j, "username", false, &o->username);
    cfg_string(rd, j, "password", false, &o->password);
    if (!o->username != !o->password)
        cfg_err(rd, NULL, "give both \"username\" and \"password\", or neither");
    cfg_pop(rd, old);
    f->src = UG_CFG_SRC_VARIABLE;
}

/* Every opcua field gets a hidden variable: the engine samples its slot, the
 * client writes it. Appended after the file's own variables. */
void cfg_opcua_add_vars(cfg_rd *rd, ug_cfg *cfg)
{
    size_t n = 0;
    for (size_t p = 0; p < cfg->n_pds; p++)
        for (size_t i = 0; i < cfg->pds[p].n_fields; i++)
            n += cfg->pds[p].fields[i].opcua.url != NULL;
    if (!n)
        return;
    ug_cfg_variable *v = realloc(cfg->vars, (cfg->n_vars + n) * sizeof *v);
    if (!v) {
        cfg_err(rd, "publishedDataSets", "out of memory");
        return;
    }
    cfg->vars = v;
    for (size_t p = 0; p < cfg->n_pds; p++)
        for (size_t i = 0; i < cfg->pds[p].n_fields; i++) {
            ug_cfg_field *f = &cfg->pds[p].fields[i];
            if (!f->opcua.url)
                continue;
            ug_cfg_variable *nv = &cfg->vars[cfg->n_vars];
            memset(nv, 0, sizeof *nv);
            size_t len = strlen(cfg->pds[p].name) + strlen(f->name) + 16;
            nv->name = malloc(len);
            free(f->variable);
            f->variable = malloc(len);
            if (!nv->name || !f->variable) {
                free(nv->name);
                cfg_err(rd, "publishedDataSets", "out of memory");
                return;
            }
            snprintf(nv->name, len, "$opcua:%s/%s", cfg->pds[p].name, f->name);
            memcpy(f->variable, nv->name, len);
            nv->type = f->type;
            nv->hidden = true;
            cfg->n_vars++;
        }
}

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool cfg_opcua_source_equal(const ug_cfg_opcua_src *a, const ug_cfg_opcua_src *b)
{
    return str_eq(a->url, b->url) && str_eq(a->node_id, b->node_id) &&
           a->sampling_ns == b->sampling_ns && str_eq(a->username, b->username) &&
           str_eq(a->password, b->password);
}

bool ug_cfg_server_equal(const ug_cfg_server *a, const ug_cfg_server *b)
{
    if (a->enabled != b->enabled || !str_eq(a->url, b->url) ||
        a->allow_anonymous != b->allow_anonymous || a->n_users != b->n_users ||
        a->max_sessions != b->max_sessions || a->session_timeout_ns != b->session_timeout_ns ||
        a->hello_timeout_ns != b->hello_timeout_ns)
        return false;
    for (size_t i = 0; i < a->n_users; i++)
        if (!str_eq(a->users[i].name, b->users[i].name) ||
            !str_eq(a->users[i].password_hash, b->users[i].password_hash))
            return false;
    return true;
}

void cfg_opcua_source_free(ug_cfg_opcua_src *o)
{
    free(o->url);
    free(o->node_id);
    free(o->username);
    if (o->password)
        memset(o->password, 0, strlen(o->password));
    free(o->password);
}

void cfg_server_free(ug_cfg_server *s)
{
    for (size_t i = 0; s->users && i < s->n_users; i++) {
        free(s->users[i].name);
        free(s->users[i].password_hash);
    }
    free(s->users);
    free(s->url);
    free(s->host);
}
