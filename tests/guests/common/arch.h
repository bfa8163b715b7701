/*
 * x86-64 constants shared by head.S and the C framework: segment selectors,
 * vectors and flag bits.  Plain #defines only, so assembly can include it.
 */
#ifndef XTF_ARCH_H
#define XTF_ARCH_H

/* GDT layout (head.S builds it in this order). */
#define GDT_KERN_CS  0x08 /* ring-0 64-bit code */
#define GDT_KERN_DS  0x10 /* ring-0 data */
#define GDT_USER_DS  0x18 /* ring-3 data */
#define GDT_USER_CS  0x20 /* ring-3 64-bit code */
#define GDT_TSS      0x28 /* 64-bit TSS, two slots */

#define USER_DS (GDT_USER_DS | 3)
#define USER_CS (GDT_USER_CS | 3)

/* Exception vectors the tests name. */
#define X86_EXC_BP 3
#define X86_EXC_UD 6
#define X86_EXC_GP 13
#define X86_EXC_PF 14
#define X86_NR_EXCEPTIONS 32

/* RFLAGS for ring-3 code: IOPL 3 (so the hypercall stub's `out` reaches
 * hvd, whose CPL check is what the tests exercise), interrupts off.
 * Note: this project's nested KVM runs ring 3 with IOPL 0 and IF 1
 * whatever iretq loads. */
#define X86_RFLAGS_RESERVED 0x2
#define X86_RFLAGS_IOPL3    0x3000
#define USER_RFLAGS (X86_RFLAGS_IOPL3 | X86_RFLAGS_RESERVED)

/* #PF error code bits. */
#define PFEC_PRESENT 0x1
#define PFEC_WRITE   0x2
#define PFEC_USER    0x4

/* Offset of rsp0 in the 64-bit TSS (exec_user sets it from assembly). */
#define TSS_RSP0_OFFSET 4

#define PAGE_SIZE 4096

#endif
