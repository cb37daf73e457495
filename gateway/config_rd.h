/* config_rd — the reading context of the configuration loader: the JSON path
 * of the value being read, error reporting, and typed getters over jansson.
 *
 * Every getter reports its own error ("FILE: $.path.key: what") and counts
 * it; loading goes on after an error so that one run lists every problem.
 * Private to config*.c.
 */
#ifndef UG_GATEWAY_CONFIG_RD_H
#define UG_GATEWAY_CONFIG_RD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

typedef struct cfg_rd {
    const char *file;
    FILE *errf;
    int errors;
    char path[512];
    size_t path_len;
} cfg_rd;

/* Path segments: push returns the previous length for pop. */
size_t cfg_push_key(cfg_rd *rd, const char *key);
size_t cfg_push_index(cfg_rd *rd, size_t i);
void cfg_pop(cfg_rd *rd, size_t len);

/* Reports an error at the current path (plus `key` when not NULL). */
void cfg_err(cfg_rd *rd, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Each object lists the members it allows; any other is an error (a typo
 * would otherwise be ignored silently). `allowed` ends with NULL. */
void cfg_check_members(cfg_rd *rd, json_t *obj, const char *const *allowed);
/* The value of `key` in obj must be an object: returns it, NULL (with an
 * error when required) when absent or of another kind. */
json_t *cfg_object(cfg_rd *rd, json_t *obj, const char *key, bool required);
json_t *cfg_array(cfg_rd *rd, json_t *obj, const char *key, bool required);

/* Getters: absent -> the default (or an error when required); wrong kind or
 * out of range -> an error. Strings are strdup'ed. */
bool cfg_string(cfg_rd *rd, json_t *obj, const char *key, bool required, char **out);
bool cfg_bool(cfg_rd *rd, json_t *obj, const char *key, bool def, bool *out);
bool cfg_uint(cfg_rd *rd, json_t *obj, const char *key, bool required, uint64_t min,
              uint64_t max, uint64_t def, uint64_t *out);
bool cfg_int(cfg_rd *rd, json_t *obj, const char *key, int64_t min, int64_t max, int64_t def,
             int64_t *out);
bool cfg_number(cfg_rd *rd, json_t *obj, const char *key, double def, double *out);
bool cfg_duration(cfg_rd *rd, json_t *obj, const char *key, bool required, int64_t def,
                  int64_t *out);
/* "dataType": a built-in type name the value store can hold. */
bool cfg_datatype(cfg_rd *rd, json_t *obj, const char *key, uint8_t *out);
/* "publisherId": a number (UInt16, UInt32 or UInt64 by size) or a string. */
bool cfg_publisher_id(cfg_rd *rd, json_t *obj, const char *key, ug_publisher_id *out,
                      char **owned_str);

/* A mask given as an array of bit names (Part 14 enumeration names). */
typedef struct cfg_bit {
    const char *name;
    uint32_t bit;
} cfg_bit;
bool cfg_mask(cfg_rd *rd, json_t *obj, const char *key, const cfg_bit *bits, uint32_t def,
              uint32_t *out);

#endif
