/* log — levels and one-line messages on stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum ug_log_level g_level = UG_LOG_INFO;

static const char *const names[] = {"error", "warn", "info", "debug"};

void ug_log_set_level(enum ug_log_level level)
{
    g_level = level;
}

enum ug_log_level ug_log_get_level(void)
{
    return g_level;
}

bool ug_log_parse_level(const char *s, enum ug_log_level *out)
{
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum ug_log_level)i;
            return true;
        }
    if (strcmp(s, "warning") == 0) {
        *out = UG_LOG_WARN;
        return true;
    }
    return false;
}

bool ug_log_enabled(enum ug_log_level level)
{
    return level <= g_level;
}

void ug_log(enum ug_log_level level, const char *fmt, ...)
{
    if (!ug_log_enabled(level))
        return;
    /* One buffer and one write, so lines of a multi-process test do not
     * interleave mid-line. */
    char line[1024];
    size_t n = 0;
    if (g_level >= UG_LOG_DEBUG) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n += strftime(line, sizeof line, "%H:%M:%S", &tm);
        n += (size_t)snprintf(line + n, sizeof line - n, ".%06ld ", ts.tv_nsec / 1000);
    }
    int k = snprintf(line + n, sizeof line - n, "uagate: %s: ", names[level]);
    if (k > 0)
        n += (size_t)k;
    va_list ap;
    va_start(ap, fmt);
    k = vsnprintf(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    if (k > 0)
        n += (size_t)k;
    if (n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    fwrite(line, 1, n, stderr);
}
