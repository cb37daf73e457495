/* server_bridge — the gateway in the OPC UA address space (issue 7 item 6),
 * and the client sources that feed published fields from other OPC UA
 * servers (item 7).
 *
 * Role: `uagate run` serves the configuration's "server" section. Under
 * Objects (i=85) the folder ns=1;s=Gateway holds one writable variable per
 * configuration variable (ns=1;s=Gateway/Variables/<name>), the Echo method,
 * and an object per connection, group, writer and reader
 * (ns=1;s=Gateway/<conn>/<group>/<writer or reader>) with one read-only
 * variable per dataset field, updated from the engine's observer hooks (the
 * values each DataSetMessage carried) and a Status object (State variable,
 * Enable/Disable methods, as PubSubStatusType). The standard PublishSubscribe
 * object (i=14443) references each connection object. config/README.md
 * lists the exact NodeIds (the contract tests/interop/client.js checks).
 *
 * Threading: everything on the loop thread (the server and the engine share
 * the run's loop).
 *
 * Lifetime: gw_srv is the caller's from ug_gw_srv_new to ug_gw_srv_free; it
 * borrows the gw, which must outlive it, and owns its ug_server. After every
 * ug_gw_apply (a reload) call ug_gw_srv_rebuild: component handles may have
 * changed. gw_csrc likewise (ug_gw_csrc_rebuild after a reload).
 */
#ifndef UG_GATEWAY_SERVER_BRIDGE_H
#define UG_GATEWAY_SERVER_BRIDGE_H

#include <stdbool.h>
#include <stdio.h>

#include "gw.h"

typedef struct gw_srv gw_srv;
typedef struct gw_csrc gw_csrc;

/* Creates the server of g's configuration, builds the Gateway nodes and
 * starts listening; prints "opc.tcp listening on opc.tcp://HOST:PORT" to
 * stderr. *out is NULL (and Good returned) when the configuration's server
 * is disabled.
 *   Good; BadInvalidArgument (users/URL the server refuses);
 *   BadResourceUnavailable (the port is taken); BadOutOfMemory. */
ug_status ug_gw_srv_new(gw *g, gw_srv **out);
/* Rebuilds the Gateway nodes from g's current configuration (after a
 * reload). Server settings are not reloaded: a change is logged. Good or the
 * first node failure (the rest is still built). */
ug_status ug_gw_srv_rebuild(gw_srv *s);
/* One status line (text) or JSON object (json): endpoint, sessions,
 * channels, requests. NULL s: nothing. */
void ug_gw_srv_status_print(gw_srv *s, FILE *f, bool json);
/* Stops the server, removes the engine observer and frees. NULL: no-op. */
void ug_gw_srv_free(gw_srv *s);

/* Starts one client per distinct server URL and credentials of the opcua
 * field sources of g's configuration. *out is NULL when there are none.
 *   Good; BadOutOfMemory; the client's statuses for a URL it refuses. */
ug_status ug_gw_csrc_new(gw *g, gw_csrc **out);
/* After a reload: clients whose sources did not change keep running. */
ug_status ug_gw_csrc_rebuild(gw_csrc **s, gw *g);
void ug_gw_csrc_status_print(gw_csrc *s, FILE *f, bool json);
/* Disconnects and frees every client. NULL: no-op. */
void ug_gw_csrc_free(gw_csrc *s);

#endif
