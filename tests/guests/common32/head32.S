/*
 * 32-bit guest entry, GDT, exception entry and the hypercall page.
 *
 * The domain builder starts an ELF32 image in 32-bit protected mode with
 * paging off, flat CS (0x08) and data (0x10) segments set directly with no
 * GDT or IDT in memory, esi = start info, esp = 0.
 */
#include "arch32.h"

#define KERNEL_STACK_SIZE (16 * 1024)
#define PAGE_SIZE         4096

    .code32

/* ---- entry ---------------------------------------------------------- */
    .section .text.head, "ax", @progbits
    .global _start
_start:
    mov     $kernel_stack_top, %esp

    lgdt    gdt_ptr
    ljmp    $GDT32_KERN_CS, $1f     /* reload CS through the new GDT */
1:  mov     $GDT32_KERN_DS, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     %eax, %fs
    mov     %eax, %gs

    push    %esi                    /* start info: xtf_start's argument */
    call    xtf_start               /* does not return */
2:  hlt
    jmp     2b

/* ---- exception entry ------------------------------------------------ */
    .text

/* One stub per vector: push a zero error code where the CPU pushes none,
 * then the vector, so every frame has the layout of struct cpu_regs32. */
.macro EXCEPTION_STUB vec
    .p2align 4
exception_stub_\vec:
    .if !((\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30))
    push    $0
    .endif
    push    $\vec
    jmp     exception_common
.endm

.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    EXCEPTION_STUB \vec
.endr

exception_common:
    pusha
    push    %esp                    /* struct cpu_regs32 * */
    call    do_exception32          /* does not return */

/* ---- the hypercall page ---------------------------------------------- */

/* hvd overwrites this page with stubs once its gfn is written to the
 * hypercall MSR; until then every stub is ud2 (a clear #UD). */
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
    .long   exception_stub_\vec
.endr

/* Accessed bits preset so the CPU never writes the descriptors. */
    .p2align 4
gdt:
    .quad   0                       /* null */
    .quad   0x00cf9b000000ffff      /* GDT32_KERN_CS: flat 32-bit code, DPL 0 */
    .quad   0x00cf93000000ffff      /* GDT32_KERN_DS: flat data, DPL 0 */
gdt_end:

    .p2align 4
gdt_ptr:
    .word   gdt_end - gdt - 1
    .long   gdt

    .bss
    .p2align 12
kernel_stack:
    .skip   KERNEL_STACK_SIZE
kernel_stack_top:

/* No executable stack wanted. */
    .section .note.GNU-stack, "", @progbits
