/*
 * hvd internal: live patching (docs/livepatch.md).  A loaded payload as
 * hvd keeps it, the loader (common/livepatch_load.c), and what the rest
 * of hvd needs from it.
 */
#ifndef HV_XEN_LIVEPATCH_H
#define HV_XEN_LIVEPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hv/public/livepatch.h>

/*
 * Code no payload may patch: the live-patch code, the main loop, each
 * vCPU thread's top-level function, main and the signal handlers, which
 * run while the text changes or receive control asynchronously.  They go
 * to their own output section, hv_nopatch_text, where no payload may
 * aim.  noinline: an inlined copy would land outside it.
 */
#define HV_NOPATCH __attribute__((section("hv_nopatch_text"), noinline))

/*
 * A function a patch replaces in every call: never inlined into a caller
 * nor cloned for one (an inlined or cloned copy keeps the old code).  For
 * small functions that fixes are expected in, and that tests patch.
 */
#ifdef __clang__
#define HV_PATCH_POINT __attribute__((noinline))
#else
#define HV_PATCH_POINT __attribute__((noinline, noclone))
#endif

/* One function a payload patches, as hvd patches it. */
struct lp_patch {
    const char *name;   /* the old function's, in the payload's read-only part */
    uintptr_t old_addr; /* the function patched */
    uintptr_t new_addr; /* its replacement; 0: NOPs */
    uint32_t old_size;  /* its symbol's size */
    uint32_t new_size;  /* the replacement's size, or how many octets to NOP */
    uint8_t len;        /* octets the patch writes: the jump, or new_size NOPs */
    bool applied;
    uint8_t saved[LIVEPATCH_EXPECT_MAX]; /* the len octets it overwrote, while applied */
};

enum lp_hook_kind {
    LP_HOOK_LOAD,
    LP_HOOK_UNLOAD,
    LP_HOOK_PREAPPLY,
    LP_HOOK_POSTAPPLY,
    LP_HOOK_PREREVERT,
    LP_HOOK_POSTREVERT,
    LP_HOOK_APPLY,  /* one function, replacing the default action */
    LP_HOOK_REVERT, /* likewise */
    LP_HOOK_KINDS
};

/* A hook section: addresses of functions in the payload's text. */
struct lp_hooks {
    const uint64_t *fn; /* in the payload's read-only part */
    size_t n;
};

/* A global symbol a payload defines, for those loaded after it. */
struct lp_export {
    char *name;
    uintptr_t addr;
};

struct lp_payload {
    struct lp_payload *next; /* in load order */
    char name[LIVEPATCH_NAME_MAX];
    uint32_t state;         /* LIVEPATCH_STATE_* */
    int32_t rc;             /* 0, -EAGAIN while an action is pending, or the last action's error */
    uint32_t applied_order; /* 1.. in the applied stack, 0 when not applied */
    uint8_t build_id[LIVEPATCH_BUILD_ID_MAX];
    uint8_t depends[LIVEPATCH_BUILD_ID_MAX];
    size_t build_id_len, depends_len; /* depends_len 0: it stacks on nothing */
    uint8_t *mem; /* one mapping: text, then read-only, then data, page-aligned */
    size_t mem_size;
    uintptr_t text_lo, text_hi, ro_lo, ro_hi;
    struct lp_patch *patches;
    size_t npatches;
    struct lp_hooks hooks[LP_HOOK_KINDS];
    struct lp_export *exports;
    size_t nexports;
    /* The loaded payloads it depends on or took symbols from, which may not
     * be unloaded before it (users counts the other way). */
    const struct lp_payload **providers;
    size_t nproviders;
    unsigned int users;
    uint64_t memory;    /* octets hvd holds for it */
    uint64_t action_ns; /* its last action: from the request to every thread resumed */
    uint64_t held_ns;   /* and from the first thread stopped to the last resumed */
};

/* What a payload is loaded against. */
struct lp_env {
    const uint8_t *hvd_build_id;
    size_t hvd_build_id_len;
    const struct lp_payload *loaded;  /* the payloads already loaded */
    uintptr_t nopatch_lo, nopatch_hi; /* code no payload may patch */
};

/*
 * Check and load image (size octets) as payload name, against hvd's
 * symbols (symbols_init() done) and env: every check of docs/livepatch.md
 * but the name's and the count's, which are the caller's.  0 and *out
 * (CHECKED, its load hooks not run), or -errno with why in error.
 */
int lp_load(const char *name, const void *image, size_t size, const struct lp_env *env,
            struct lp_payload **out, char *error, size_t error_len);
void lp_free(struct lp_payload *p);

/* The octets at addr as hvd built them: the live ones, under any jumps
 * applied payloads wrote. */
void lp_original_octets(const struct lp_payload *loaded, uintptr_t addr, uint8_t *buf, size_t n);

/* The rest of hvd's view (common/livepatch.c). */
struct privcmd_reply_extra;
void livepatch_init(void);
long livepatch_sysctl(struct xen_sysctl_livepatch_op *op, const void *buf_in, uint32_t buf_in_len,
                      struct privcmd_reply_extra *out, const void *client);
/* A control connection closed: drop its unfinished upload. */
void livepatch_client_gone(const void *client);
/* The main loop, before it waits: carry out an accepted action. */
void livepatch_run_pending(void);
uint64_t livepatch_memory(void);
/* vCPU threads: counted from start to exit; at their safe point, they
 * wait in livepatch_vcpu_rendezvous() while an action is wanted. */
bool livepatch_rendezvous_wanted(void);
void livepatch_vcpu_thread_start(void);
void livepatch_vcpu_thread_exit(void);
void livepatch_vcpu_rendezvous(void);

/*
 * The architecture's part (arch/x86/livepatch.c).  A patch at `from`
 * jumps to `to` if arch_livepatch_reaches(); arch_livepatch_insn() makes
 * the t->len octets that patch t writes; arch_livepatch_write() puts
 * octets into hvd's code, the text writable only for the write.
 */
bool arch_livepatch_reaches(uintptr_t from, uintptr_t to);
void arch_livepatch_insn(const struct lp_patch *t, uint8_t *out);
int arch_livepatch_write(uintptr_t addr, const uint8_t *octets, size_t len);

#endif
