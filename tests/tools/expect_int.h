/* Helpers shared by the expect_*.c files (not part of the expect API). */
#ifndef UG_TESTS_EXPECT_INT_H
#define UG_TESTS_EXPECT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Writes "PATH: expected <e as JSON> got <got>" and returns -1. e NULL: the key
 * is missing from the expectation. */
int ug_expect_fail(char *why, size_t cap, const char *path, const json_t *e, const char *got);

/* snprintf for JSON paths (a truncated path in a message is harmless). */
void ug_expect_path(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A member of an object, or NULL when the key is missing (json null is not NULL). */
const json_t *ug_expect_get(const json_t *obj, const char *key);

/* Optional members: JSON null when absent in the model (has false). */
int ug_expect_opt_int(const json_t *obj, const char *key, bool has, long long val,
                      const char *path, char *why, size_t cap);
/* Int64 / DateTime / UInt64 written as decimal strings (integers accepted too). */
int ug_expect_opt_i64(const json_t *obj, const char *key, bool has, int64_t val,
                      const char *path, char *why, size_t cap);
int ug_expect_opt_u64(const json_t *obj, const char *key, bool has, uint64_t val,
                      const char *path, char *why, size_t cap);
int ug_expect_bool(const json_t *obj, const char *key, bool val, const char *path, char *why,
                   size_t cap);
int ug_expect_str(const json_t *obj, const char *key, const char *val, const char *path,
                  char *why, size_t cap);

#endif
