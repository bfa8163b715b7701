/* The stand-in hvd's functions for lp_payload.o (lp_host.h). */
#include "lp_host.h"

__asm__(".pushsection .text.lp_target_answer,\"ax\",@progbits\n\t"
        ".globl lp_target_answer\n\t.type lp_target_answer,@function\n"
        "lp_target_answer:\n\t"
        ".byte 0x90,0x90,0x90,0x90,0x90\n\t"
        "lea 1(%rdi), %rax\n\t"
        "ret\n\t"
        ".size lp_target_answer, .-lp_target_answer\n\t"
        ".popsection");

__attribute__((noinline)) long lp_helper(long x)
{
    return x * 1000;
}
