/* clientserver/svc_discovery.c — the Discovery service set (Part 4 §5.4):
 * FindServers and GetEndpoints, and the endpoint list CreateSession returns.
 *
 * One endpoint: SecurityPolicy None, mode None, UA TCP binary transport, and
 * the user token policies the configuration allows: "anonymous" when
 * anonymous access is on, "username" when a user list exists (password in
 * clear, which is what None allows; Part 4 §7.41). Neither service needs a
 * session. Storage for the answers comes from the request's arena.
 */
#include <string.h>

#include "conn.h"
#include "server_internal.h"

static bool str_eq(ug_string a, const char *b)
{
    size_t n = strlen(b);
    return a.len == (int32_t)n && (n == 0 || memcmp(a.data, b, n) == 0);
}

void ug_server_app_description(ug_server *s, ug_ApplicationDescription *out)
{
    memset(out, 0, sizeof *out);
    out->application_uri = ug_string_from(s->cfg.application_uri);
    out->product_uri = ug_string_from(s->cfg.product_uri);
    out->application_name.locale = (ug_string){NULL, -1};
    out->application_name.text = ug_string_from(s->cfg.application_name);
    out->application_type = UG_APPLICATION_TYPE_SERVER;
    out->gateway_server_uri = (ug_string){NULL, -1};
    out->discovery_profile_uri = (ug_string){NULL, -1};
    out->discovery_urls_len = 0;
    out->discovery_urls = NULL;
}

/* The URL to advertise (see ug_server_endpoints), a copy in the arena when
 * it comes from the Hello: the conn's view must not outlive the request. */
static ug_string advertised_url(ug_server *s, ug_conn *conn, ug_arena *arena)
{
    ug_string hel = conn && s->wildcard_host ? ug_conn_endpoint_url(conn) : (ug_string){NULL, -1};
    if (hel.len <= 0 || hel.len > (int32_t)UG_UACP_MAX_URL)
        return ug_string_from(s->endpoint_url);
    uint8_t *d = ug_arena_alloc(arena, (size_t)hel.len);
    if (!d)
        return ug_string_from(s->endpoint_url);
    memcpy(d, hel.data, (size_t)hel.len);
    return (ug_string){d, hel.len};
}

static ug_status app_with_urls(ug_server *s, ug_string url, ug_arena *arena,
                               ug_ApplicationDescription *out)
{
    ug_server_app_description(s, out);
    ug_string *urls = ug_arena_alloc(arena, sizeof *urls);
    if (!urls)
        return UG_STATUS_BADOUTOFMEMORY;
    urls[0] = url;
    out->discovery_urls = urls;
    out->discovery_urls_len = 1;
    return UG_STATUS_GOOD;
}

ug_status ug_server_endpoints(ug_server *s, ug_conn *conn, ug_arena *arena, int32_t *n_out,
                              ug_EndpointDescription **out)
{
    ug_EndpointDescription *ep = ug_arena_alloc(arena, sizeof *ep);
    ug_UserTokenPolicy *pol = ug_arena_alloc(arena, 2 * sizeof *pol);
    if (!ep || !pol)
        return UG_STATUS_BADOUTOFMEMORY;
    memset(ep, 0, sizeof *ep);
    memset(pol, 0, 2 * sizeof *pol);
    int32_t np = 0;
    if (s->cfg.allow_anonymous) {
        pol[np].policy_id = ug_string_from(UG_POLICY_ANONYMOUS);
        pol[np].token_type = UG_USER_TOKEN_TYPE_ANONYMOUS;
        np++;
    }
    if (s->cfg.n_users) {
        pol[np].policy_id = ug_string_from(UG_POLICY_USERNAME);
        pol[np].token_type = UG_USER_TOKEN_TYPE_USER_NAME;
        np++;
    }
    for (int32_t i = 0; i < np; i++) {
        /* Null: the endpoint's own policy (None) protects the token. */
        pol[i].issued_token_type = (ug_string){NULL, -1};
        pol[i].issuer_endpoint_url = (ug_string){NULL, -1};
        pol[i].security_policy_uri = (ug_string){NULL, -1};
    }
    ep->endpoint_url = advertised_url(s, conn, arena);
    ug_status st = app_with_urls(s, ep->endpoint_url, arena, &ep->server);
    if (st != UG_STATUS_GOOD)
        return st;
    ep->server_certificate = (ug_string){NULL, -1};
    ep->security_mode = UG_MESSAGE_SECURITY_MODE_NONE;
    ep->security_policy_uri = ug_string_from(UG_SECPOLICY_NONE_URI);
    ep->user_identity_tokens_len = np;
    ep->user_identity_tokens = np ? pol : NULL;
    ep->transport_profile_uri = ug_string_from(UG_TRANSPORT_PROFILE_BINARY);
    ep->security_level = 0; /* no security: the lowest level */
    *n_out = 1;
    *out = ep;
    return UG_STATUS_GOOD;
}

/* Part 4 §5.4.4: endpoints filtered by the transport profiles asked for. */
ug_status ug_svc_get_endpoints(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_GetEndpointsRequest *req = vreq;
    ug_GetEndpointsResponse *resp = vresp;
    if (req->profile_uris_len > 0) {
        bool match = false;
        for (int32_t i = 0; i < req->profile_uris_len; i++)
            match |= str_eq(req->profile_uris[i], UG_TRANSPORT_PROFILE_BINARY);
        if (!match) {
            resp->endpoints_len = 0;
            return UG_STATUS_GOOD;
        }
    }
    return ug_server_endpoints(ctx->server, ctx->conn, ctx->arena, &resp->endpoints_len,
                               &resp->endpoints);
}

/* Part 4 §5.4.2: ourselves, unless serverUris names other servers only. */
ug_status ug_svc_find_servers(struct ug_svc_ctx *ctx, const void *vreq, void *vresp)
{
    const ug_FindServersRequest *req = vreq;
    ug_FindServersResponse *resp = vresp;
    ug_server *s = ctx->server;
    if (req->server_uris_len > 0) {
        bool match = false;
        for (int32_t i = 0; i < req->server_uris_len; i++)
            match |= str_eq(req->server_uris[i], s->cfg.application_uri);
        if (!match) {
            resp->servers_len = 0;
            return UG_STATUS_GOOD;
        }
    }
    ug_ApplicationDescription *app = ug_arena_alloc(ctx->arena, sizeof *app);
    if (!app)
        return UG_STATUS_BADOUTOFMEMORY;
    ug_status st = app_with_urls(s, advertised_url(s, ctx->conn, ctx->arena), ctx->arena, app);
    if (st != UG_STATUS_GOOD)
        return st;
    resp->servers = app;
    resp->servers_len = 1;
    return UG_STATUS_GOOD;
}
