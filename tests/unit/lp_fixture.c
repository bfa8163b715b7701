/*
 * The payload-shaped object test_livepatch_elf reads and breaks: a
 * replacement function, a .livepatch.funcs entry whose addresses are
 * relocations (64-bit and PC-relative code references both occur), a
 * hook, and a .livepatch.hvd_depends note.  Built with -g, so that it
 * also carries relocations for debugging sections, and linked with
 * `-r --build-id` for its own build-id note.
 */
#include <stdint.h>
#include <hv/public/livepatch.h>

extern long do_xen_version(void *v, uint64_t cmd, uint64_t arg); /* in hvd */

long fixture_xen_version(void *v, uint64_t cmd, uint64_t arg)
{
    return cmd == 1 ? 0x10002 : do_xen_version(v, cmd, arg);
}

static int fixture_loads; /* in .bss: the tests need a section without contents */

static void fixture_load_hook(void)
{
    fixture_loads++;
}

static const struct livepatch_func fixture_func
    __attribute__((section(".livepatch.funcs"), used)) = {
        .name = (uint64_t)(uintptr_t) "do_xen_version",
        .new_addr = (uint64_t)(uintptr_t)fixture_xen_version,
        .version = LIVEPATCH_PAYLOAD_VERSION,
    };

static void (*const fixture_hooks[])(void)
    __attribute__((section(".livepatch.hooks.load"), used)) = { fixture_load_hook };

/* A GNU build-id note naming a made-up hvd. */
__asm__(".pushsection .livepatch.hvd_depends,\"a\",@note\n\t"
        ".balign 4\n\t.long 4, 20, 3\n\t.asciz \"GNU\"\n\t"
        ".byte 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20\n\t"
        ".popsection");
