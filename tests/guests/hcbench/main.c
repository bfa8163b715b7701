/*
 * The guest of bench/hypercall: make N null hypercalls (xen_version
 * XENVER_version, hvd's cheapest) in a tight ring-0 loop, then power off.
 * N is the whole command line, in decimal.
 *
 * Ring-0 code is interpreted on this project's nested KVM (about 1 us per
 * instruction), so the loop is five instructions: zero the sub-op, call
 * the stub (mov, out, ret), count down.  Nothing is printed inside it.
 */
#include "xtf.h"

const char test_title[] = "hcbench";

#define HCBENCH_MAX_CALLS 100000000ul

/* The decimal number that is all of s, or 0 if s is not one (or too big). */
static unsigned long parse_count(const char *s)
{
    unsigned long n = 0;

    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        n = n * 10 + (unsigned long)(*s - '0');
        if (n > HCBENCH_MAX_CALLS)
            return 0;
    }
    return n;
}

static void null_hypercalls(unsigned long n)
{
    /* A direct call into the stub: no table lookup, no bounds check.
     * The calling convention lets hvd clobber the argument registers,
     * rax, rcx and r11, so the sub-op is reloaded every time. */
    __asm__ volatile("1:\n\t"
                     "xor %%edi, %%edi\n\t"
                     "call hypercall_page + %c[stub]\n\t"
                     "dec %[n]\n\t"
                     "jnz 1b"
                     : [n] "+r"(n)
                     : [stub] "i"(__HYPERVISOR_xen_version * HV_HYPERCALL_STUB_SIZE)
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r10", "r11", "memory",
                       "cc");
}

void test_main(const struct hv_start_info *si)
{
    _Static_assert(XENVER_version == 0, "the loop passes XENVER_version as zero");
    unsigned long n = parse_count(si->cmdline);
    long version;

    if (!n)
        xtf_error("cmdline \"%s\" is not a call count in 1..%lu", si->cmdline,
                  HCBENCH_MAX_CALLS);
    version = hypercall_xen_version(XENVER_version, NULL);
    if (version < 0)
        xtf_failure("xen_version(XENVER_version) returned %ld", version);
    null_hypercalls(n);
    printf("%lu null hypercalls made\n", n);
    xtf_success();
}
