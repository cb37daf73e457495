/* Private: the generated StatusCode table (types/status_names.c). */
#ifndef UG_TYPES_STATUS_TABLE_H
#define UG_TYPES_STATUS_TABLE_H

#include "uagate/status.h"

struct ug_status_entry {
    ug_status code;
    const char *name;
};

extern const struct ug_status_entry ug_status_table[UG_STATUS_CODE_COUNT];

#endif
