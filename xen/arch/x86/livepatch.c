/*
 * x86 live patching: the patch is a `jmp rel32` (E9 and a displacement
 * from the end of the 5 octets) at the old function's first octet, over
 * the 5 NOPs every hvd function starts with; a NOP patch is one-octet
 * NOPs.  The text is a private read-and-execute mapping of hvd's image:
 * it is made writable, page by page, only while the octets are written,
 * then read-and-execute again.  Every other hvd thread waits in the
 * rendezvous meanwhile (common/livepatch.c), so none runs these octets.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <xen/livepatch.h>

#define JMP_REL32 0xe9
#define NOP       0x90
#define PAGE      4096u

HV_NOPATCH bool arch_livepatch_reaches(uintptr_t from, uintptr_t to)
{
    int64_t d = (int64_t)(to - (from + LIVEPATCH_JUMP_SIZE));
    return d >= INT32_MIN && d <= INT32_MAX;
}

HV_NOPATCH void arch_livepatch_insn(const struct lp_patch *t, uint8_t *out)
{
    if (!t->new_addr) {
        memset(out, NOP, t->len);
        return;
    }
    int32_t d = (int32_t)(t->new_addr - (t->old_addr + LIVEPATCH_JUMP_SIZE));
    out[0] = JMP_REL32;
    memcpy(out + 1, &d, sizeof(d));
}

HV_NOPATCH int arch_livepatch_write(uintptr_t addr, const uint8_t *octets, size_t len)
{
    uintptr_t first = addr & ~(uintptr_t)(PAGE - 1);
    size_t span = (addr + len - first + PAGE - 1) & ~(size_t)(PAGE - 1);
    /* Exec stays on: the page may hold the code doing this write. */
    if (mprotect((void *)first, span, PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
        return -errno;
    memcpy((void *)addr, octets, len);
    __builtin___clear_cache((char *)addr, (char *)addr + len);
    return mprotect((void *)first, span, PROT_READ | PROT_EXEC) < 0 ? -errno : 0;
}
