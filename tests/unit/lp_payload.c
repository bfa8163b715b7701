/*
 * A payload for test_livepatch_load, which is also the "hvd" it patches:
 * it replaces the test's lp_target_answer (10 octets: 5 NOPs, lea
 * 1(%rdi),%rax, ret) with lp_new_answer, which jumps to the test's
 * lp_helper (an undefined symbol the loader resolves, and a PC-relative
 * relocation).  The expectation is lp_target_answer's exact octets.  Its
 * .livepatch.hvd_depends holds 20 placeholder octets that the test
 * replaces with its own build-id, as patchtool writes hvd's.
 */
#include <stdint.h>
#include <hv/public/livepatch.h>

__asm__(".pushsection .text.lp_new_answer,\"ax\",@progbits\n\t"
        ".globl lp_new_answer\n\t.type lp_new_answer,@function\n"
        "lp_new_answer:\n\t"
        ".byte 0x90,0x90,0x90,0x90,0x90\n\t"
        "jmp lp_helper\n\t" /* e9 + rel32: 5 octets, whatever the distance */
        ".size lp_new_answer, .-lp_new_answer\n\t"
        ".popsection");
extern char lp_new_answer[];

int lp_load_hook_runs;
static void count_load(void)
{
    lp_load_hook_runs++;
}

static const struct livepatch_func lp_func __attribute__((section(".livepatch.funcs"), used)) = {
    .name = (uint64_t)(uintptr_t) "lp_target_answer",
    .new_addr = (uint64_t)(uintptr_t)lp_new_answer,
    .new_size = 10,
    .old_size = 10,
    .version = LIVEPATCH_PAYLOAD_VERSION,
    .expect = { .enabled = 1,
                .len = 10,
                .data = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x48, 0x8d, 0x47, 0x01, 0xc3 } },
};

static void (*const lp_hooks[])(void)
    __attribute__((section(".livepatch.hooks.load"), used)) = { count_load };

__asm__(".pushsection .livepatch.hvd_depends,\"a\",@note\n\t"
        ".balign 4\n\t.long 4, 20, 3\n\t.asciz \"GNU\"\n\t"
        ".fill 20, 1, 0xee\n\t"
        ".popsection");
