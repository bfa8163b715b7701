/*
 * hvd internal: hvd's own symbols, read from its ELF image at the first
 * live-patch operation (docs/livepatch.md, "A patchable hvd").
 */
#ifndef HV_XEN_SYMBOLS_H
#define HV_XEN_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct hvd_symbol {
    const char *name;
    uintptr_t addr; /* where it is in this process */
    uint64_t size;
    uint8_t is_func; /* STT_FUNC; else STT_OBJECT */
};

/* hvd's GNU build-id, from its loaded notes: octets copied, 0 if none. */
size_t symbols_build_id(uint8_t *buf, size_t len);

/* Read the table from path (the running program's image); 0 or -errno.
 * Idempotent: a second call does nothing. */
int symbols_init(const char *path);
void symbols_free(void);

/* The one address named name: 0, -ENOENT, or -EINVAL if several differ. */
int symbols_lookup(const char *name, uintptr_t *addr);
/* The function starting exactly at addr, or NULL. */
const struct hvd_symbol *symbols_function_at(uintptr_t addr);
/* The lowest and highest address of hvd's executable code. */
void symbols_text_range(uintptr_t *lo, uintptr_t *hi);

#endif
