/*
 * Guest entry, descriptor tables, exception entry and the ring-3 switch.
 *
 * The domain builder starts us in 64-bit mode with CS/DS hidden state set
 * directly and no GDT or IDT in memory, rsi = start info, rsp = 0.
 */
#include "arch.h"

#define KERNEL_STACK_SIZE (16 * 1024)
#define USER_STACK_SIZE   (16 * 1024)

    .code64

/* ---- entry ---------------------------------------------------------- */
    .section .text.head, "ax", @progbits
    .global _start
_start:
    lea     kernel_stack_top(%rip), %rsp
    mov     %rsi, %rdi              /* start info: first argument of xtf_start */

    lgdt    gdt_ptr(%rip)
    /* Reload CS through the new GDT with a far return. */
    pushq   $GDT_KERN_CS
    lea     1f(%rip), %rax
    push    %rax
    lretq
1:  mov     $GDT_KERN_DS, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     %eax, %fs
    mov     %eax, %gs

    call    xtf_start               /* does not return */
2:  hlt
    jmp     2b

/* ---- exception entry ------------------------------------------------ */
    .text

/* One stub per vector: push a zero error code where the CPU pushes none,
 * then the vector, so every frame has the layout of struct cpu_regs. */
.macro EXCEPTION_STUB vec
    .p2align 4
exception_stub_\vec:
    .if !((\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30))
    pushq   $0
    .endif
    pushq   $\vec
    jmp     exception_common
.endm

.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    EXCEPTION_STUB \vec
.endr

exception_common:
    push    %rax
    push    %rbx
    push    %rcx
    push    %rdx
    push    %rsi
    push    %rdi
    push    %rbp
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, %rdi
    call    do_exception            /* does not return */

/* ---- event-channel upcall ------------------------------------------- */

/* The callback vector (HVM_PARAM_CALLBACK_IRQ): save what a C call may
 * clobber and run evtchn_do_upcall().  The CPU aligned rsp to 16 before
 * its 5-word frame; 9 pushes restore the alignment for the call. */
    .global evtchn_upcall_entry
evtchn_upcall_entry:
    push    %rax
    push    %rcx
    push    %rdx
    push    %rsi
    push    %rdi
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    /* Taken just before a ring-0 hlt (an emulated CPU may ignore sti's
     * shadow), return past it: the hlt waited for this very upcall, and
     * would otherwise sleep with nothing left to wake it. */
    testb   $3, 80(%rsp)
    jnz     1f
    mov     72(%rsp), %rax
    cmpb    $0xf4, (%rax)
    jne     1f
    incq    72(%rsp)
1:  cld
    call    evtchn_do_upcall
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rdi
    pop     %rsi
    pop     %rdx
    pop     %rcx
    pop     %rax
    iretq

/* ---- ring 3 ----------------------------------------------------------- */

/*
 * long exec_user(long (*fn)(void)): run fn at CPL 3 on the user stack and
 * return its result.  On this project's nested KVM, `int n` (n != 3) from
 * CPL 3 raises #UD and `syscall` does not switch to CPL 0, so ring 3 hands
 * control back by faulting: exec_user_exit executes hlt, a #GP at CPL 3
 * that do_exception() turns into exec_user_finish().  Exceptions taken at
 * CPL 3 land on the stack below the registers saved here (TSS.rsp0).
 */
    .global exec_user
exec_user:
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, exec_user_saved_rsp(%rip)
    mov     %rsp, tss + TSS_RSP0_OFFSET(%rip)

    pushq   $USER_DS                /* ss */
    lea     user_stack_top(%rip), %rax
    push    %rax                    /* rsp */
    pushq   $USER_RFLAGS            /* rflags */
    pushq   $USER_CS                /* cs */
    lea     exec_user_trampoline(%rip), %rax
    push    %rax                    /* rip */
    iretq                           /* fn stays in rdi */

/* Runs at CPL 3. */
exec_user_trampoline:
    call    *%rdi
    .global exec_user_exit
exec_user_exit:
    hlt                             /* #GP: back to ring 0 with the result in rax */

/*
 * void exec_user_finish(long result): called in ring 0 from an exception
 * taken at CPL 3; drops that exception frame and returns result from
 * exec_user().
 */
    .global exec_user_finish
exec_user_finish:
    mov     $GDT_KERN_DS, %ecx
    mov     %ecx, %ds
    mov     %ecx, %es
    mov     %ecx, %ss
    mov     %rdi, %rax
    mov     exec_user_saved_rsp(%rip), %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    ret

/* ---- the hypercall page ---------------------------------------------- */

/* hvd overwrites this page with stubs once its gfn is written to the
 * hypercall MSR.  Until then every stub is ud2, so a call through an
 * unfilled page is a clear #UD rather than silent garbage. */
    .section .text.hypercall_page, "ax", @progbits
    .p2align 12
    .global hypercall_page
hypercall_page:
    .rept PAGE_SIZE / 2
    ud2
    .endr
    .size hypercall_page, PAGE_SIZE

/* ---- data ------------------------------------------------------------- */
    .data
    .p2align 4
    .global exception_stubs
exception_stubs:
.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad   exception_stub_\vec
.endr

/* Descriptors have the accessed bit preset so the CPU never writes them;
 * the TSS slot is filled by traps_init() (ltr marks it busy, hence .data). */
    .p2align 4
    .global gdt
gdt:
    .quad   0                       /* null */
    .quad   0x00af9b000000ffff      /* GDT_KERN_CS: 64-bit code, DPL 0 */
    .quad   0x00cf93000000ffff      /* GDT_KERN_DS: data, DPL 0 */
    .quad   0x00cff3000000ffff      /* GDT_USER_DS: data, DPL 3 */
    .quad   0x00affb000000ffff      /* GDT_USER_CS: 64-bit code, DPL 3 */
    .quad   0, 0                    /* GDT_TSS */
gdt_end:

    .p2align 4
gdt_ptr:
    .word   gdt_end - gdt - 1
    .quad   gdt

    .bss
    .p2align 3
exec_user_saved_rsp:
    .quad   0

    .p2align 12
kernel_stack:
    .skip   KERNEL_STACK_SIZE
kernel_stack_top:

    .p2align 12
user_stack:
    .skip   USER_STACK_SIZE
user_stack_top:

/* No executable stack wanted. */
    .section .note.GNU-stack, "", @progbits
