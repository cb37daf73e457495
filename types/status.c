/* StatusCode names: lookups into the generated table. */
#include <string.h>

#include "status_table.h"

const char *ug_status_name(ug_status s)
{
    ug_status code = s & 0xFFFF0000U;
    size_t lo = 0, hi = UG_STATUS_CODE_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ug_status_table[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < UG_STATUS_CODE_COUNT && ug_status_table[lo].code == code)
        return ug_status_table[lo].name;
    return NULL;
}

bool ug_status_from_name(const char *name, int len, ug_status *out)
{
    size_t n = len < 0 ? strlen(name) : (size_t)len;
    for (size_t i = 0; i < UG_STATUS_CODE_COUNT; i++) {
        const char *t = ug_status_table[i].name;
        if (strlen(t) == n && memcmp(t, name, n) == 0) {
            *out = ug_status_table[i].code;
            return true;
        }
    }
    return false;
}
