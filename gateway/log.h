/* log — the gateway's logger: one line per event on stderr, with a level.
 *
 * Libraries never print; the gateway logs what they report (state changes,
 * configuration errors) through here. The level is process-wide, set once
 * from the command line (--log-level) before anything runs; not thread-safe
 * beyond that (everything logs from the loop thread).
 */
#ifndef UG_GATEWAY_LOG_H
#define UG_GATEWAY_LOG_H

#include <stdbool.h>

enum ug_log_level {
    UG_LOG_ERROR = 0,
    UG_LOG_WARN = 1,
    UG_LOG_INFO = 2,
    UG_LOG_DEBUG = 3,
};

/* Sets the level; messages above it are dropped. Default: UG_LOG_INFO. */
void ug_log_set_level(enum ug_log_level level);
enum ug_log_level ug_log_get_level(void);
/* Parses "error", "warn", "info", "debug"; false when unknown. */
bool ug_log_parse_level(const char *s, enum ug_log_level *out);
bool ug_log_enabled(enum ug_log_level level);

/* "uagate: LEVEL: message\n" on stderr, with a UTC time stamp at debug level. */
void ug_log(enum ug_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
