/* config_server — reading the "server" section and "opcua" field sources of
 * the configuration file. Private to config*.c.
 */
#ifndef UG_GATEWAY_CONFIG_SERVER_H
#define UG_GATEWAY_CONFIG_SERVER_H

#include "config_rd.h"

/* Reads root's "server" (absent: every default); the URL is always parsed
 * into host/port. */
void cfg_server_read(cfg_rd *rd, json_t *root, ug_cfg_server *s);
void cfg_server_free(ug_cfg_server *s);
/* Reads src's "opcua" object into f->opcua and makes f a variable source. */
void cfg_opcua_source_read(cfg_rd *rd, json_t *src, ug_cfg_field *f);
/* Gives every opcua field its hidden variable (appended to cfg->vars). */
void cfg_opcua_add_vars(cfg_rd *rd, ug_cfg *cfg);
bool cfg_opcua_source_equal(const ug_cfg_opcua_src *a, const ug_cfg_opcua_src *b);
void cfg_opcua_source_free(ug_cfg_opcua_src *o);

#endif
