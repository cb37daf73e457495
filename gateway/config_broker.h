/* config_broker — the broker parts of the configuration file (Part 14
 * §6.4.2, the Broker*TransportDataType structures) for mqtt://, mqtts://,
 * amqp:// and amqps:// connections: read, resolve, compare, free.
 * Private to config*.c.
 */
#ifndef UG_GATEWAY_CONFIG_BROKER_H
#define UG_GATEWAY_CONFIG_BROKER_H

#include <stdbool.h>

#include "config_rd.h"

/* Reads o["transportSettings"] of a connection (after its address). */
void cfg_broker_read_conn(cfg_rd *rd, json_t *o, ug_cfg_conn *c);
/* Reads o["transportSettings"] of a writer or reader group. */
void cfg_broker_read_group(cfg_rd *rd, json_t *o, ug_cfg_broker_group *g);
/* Once the groups are read: checks that broker settings sit on a broker
 * connection, that the groups agree on one queue (one transport per
 * connection), and folds the queue name into c->address. */
void cfg_broker_resolve(cfg_rd *rd, ug_cfg_conn *c);
bool cfg_broker_equal(const ug_cfg_broker *a, const ug_cfg_broker *b);
void cfg_broker_free(ug_cfg_conn *c);

#endif
