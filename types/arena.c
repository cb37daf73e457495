/* ug_arena: a bump allocator over caller memory with optional heap overflow.
 *
 * The caller's buffer is the steady-state store; overflow blocks exist so a
 * rare oversized message can still be decoded when the owner allows it
 * (grow == true). heap_allocs counts every malloc so benchmarks and tests can
 * prove the steady state allocates nothing; it survives ug_arena_reset.
 */
#include <stdint.h>
#include <stdlib.h>

#include "uagate/types.h"

#define ALIGN 8u
/* Requests above this are refused outright: no message needs them and the
 * rounding below must not wrap. */
#define MAX_ALLOC (SIZE_MAX / 4)
#define MIN_BLOCK ((size_t)4096)

struct block {
    struct block *next;
    size_t cap;
    size_t used;
    _Alignas(8) uint8_t data[];
};

void ug_arena_init(ug_arena *a, void *buf, size_t cap, bool grow)
{
    uint8_t *b = buf;
    size_t pad = 0;
    if (b && cap) {
        pad = (size_t)(-(uintptr_t)b & (ALIGN - 1));
        if (pad > cap)
            pad = cap;
    }
    a->buf = b ? b + pad : NULL;
    a->cap = b ? cap - pad : 0;
    a->used = 0;
    a->grow = grow;
    a->blocks = NULL;
    a->heap_allocs = 0;
}

static void *alloc_block(ug_arena *a, size_t n)
{
    struct block *head = a->blocks;
    if (head && head->cap - head->used >= n) {
        void *p = head->data + head->used;
        head->used += n;
        return p;
    }
    /* Double the last block (or start at the caller's capacity) so a message
     * that keeps overflowing needs O(log n) mallocs, not one per value. */
    size_t want = head ? head->cap * 2 : (a->cap > MIN_BLOCK ? a->cap : MIN_BLOCK);
    if (want < n)
        want = n;
    if (want > MAX_ALLOC)
        want = n;
    struct block *b = malloc(sizeof *b + want);
    if (!b)
        return NULL;
    a->heap_allocs++;
    b->cap = want;
    b->used = n;
    b->next = head;
    a->blocks = b;
    return b->data;
}

void *ug_arena_alloc(ug_arena *a, size_t n)
{
    static _Alignas(8) uint8_t empty[ALIGN];
    if (n == 0)
        return empty;
    if (n > MAX_ALLOC)
        return NULL;
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (a->cap - a->used >= n) {
        void *p = a->buf + a->used;
        a->used += n;
        return p;
    }
    if (!a->grow)
        return NULL;
    return alloc_block(a, n);
}

static void free_blocks(ug_arena *a)
{
    struct block *b = a->blocks;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    a->blocks = NULL;
}

void ug_arena_reset(ug_arena *a)
{
    free_blocks(a);
    a->used = 0;
}

void ug_arena_free(ug_arena *a)
{
    free_blocks(a);
    a->used = 0;
    a->cap = 0;
    a->buf = NULL;
}
