/*
 * i386 constants shared by head32.S and traps32.c.  Plain #defines only,
 * so assembly can include it.
 */
#ifndef XTF_ARCH32_H
#define XTF_ARCH32_H

/* GDT layout (head32.S builds it in this order): the selectors the domain
 * builder's boot state already uses, so reloading them changes nothing. */
#define GDT32_KERN_CS 0x08 /* ring-0 flat 32-bit code */
#define GDT32_KERN_DS 0x10 /* ring-0 flat data */

#define X86_NR_EXCEPTIONS32 32

#endif
