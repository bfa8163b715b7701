/*
 * hv public ABI: hypercall numbers, guest discovery and the start-info page.
 *
 * All structures use fixed-width types and explicit padding; each carries a
 * _Static_assert on its size.  Guests and tools compile against this file.
 */
#ifndef HV_PUBLIC_XEN_H
#define HV_PUBLIC_XEN_H

#include <stdint.h>

#define XEN_INTERFACE_VERSION 0x00010000u /* major 1, minor 0 */

/* The page size, for guests, hvd and the tools alike: the one definition. */
#define XEN_PAGE_SHIFT    12
#define XEN_PAGE_SIZE     (1ull << XEN_PAGE_SHIFT)
#define XEN_PAGES_PER_MIB (1u << (20 - XEN_PAGE_SHIFT))

typedef uint16_t domid_t;
#define DOMID_FIRST   1u      /* first domid handed out; 0 is the host */
#define DOMID_MAX     0x7fefu /* last domid hvd hands out */
#define DOMID_SELF    0x7ff0u
#define DOMID_INVALID 0x7ff4u

/* Hypercall numbers (the Xen numbering). */
#define __HYPERVISOR_memory_op        12
#define __HYPERVISOR_set_timer_op     15
#define __HYPERVISOR_xen_version      17
#define __HYPERVISOR_console_io       18
#define __HYPERVISOR_vcpu_op          24
#define __HYPERVISOR_sched_op         29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op           34
#define NR_hypercalls                 64 /* stubs in the hypercall page */

/*
 * Discovery.  CPUID leaf HV_CPUID_BASE returns the highest hv leaf in eax
 * and the 12-byte signature "HvHypervisor" in ebx, ecx, edx.
 * HV_CPUID_BASE + 1: eax = hvd version, major << 16 | minor.
 * HV_CPUID_BASE + 2: eax = number of hypercall pages (1),
 *                    ebx = index of the hypercall-page MSR.
 * Writing (gfn << XEN_PAGE_SHIFT) to that MSR makes hvd fill guest frame gfn with
 * NR_hypercalls stubs of 32 bytes each.  Stub n is
 *     mov $n, %eax ; out %eax, $HV_HYPERCALL_PORT ; ret
 * Arguments go in rdi, rsi, rdx, r10, r8; the result comes back in rax.
 * A hypercall made at CPL 3 returns -XEN_EPERM.
 */
#define HV_CPUID_BASE          0x40000000u
#define HV_CPUID_SIGNATURE_EBX 0x79487648u /* "HvHy" */
#define HV_CPUID_SIGNATURE_ECX 0x76726570u /* "perv" */
#define HV_CPUID_SIGNATURE_EDX 0x726f7369u /* "isor" */
#define HV_HYPERCALL_MSR       0x40000000u
#define HV_HYPERCALL_PORT      0x9e
#define HV_HYPERCALL_STUB_SIZE 32

/* console_io sub-ops.  console_io(cmd, count, buffer). */
#define CONSOLEIO_write     0     /* returns the number of bytes written */
#define CONSOLEIO_read      1     /* returns the number of bytes read (0: none) */
#define CONSOLEIO_MAX_COUNT 4096u /* larger counts are -XEN_EINVAL */

/*
 * The start-info page.  The domain builder writes it into guest memory and
 * starts the boot vCPU with rsi = its guest-physical address and rsp = 0
 * (the guest sets up its own stack).  An ELF64 image starts in 64-bit mode
 * with paging on and an identity map of guest RAM (user-accessible,
 * writable); an ELF32 image starts in 32-bit protected mode with paging
 * off and flat segments (pt_base = 0).
 */
#define HV_START_INFO_MAGIC   0x6f666e4974727453ull /* "StrtInfo" */
#define HV_START_INFO_VERSION 1u
#define HV_MEMMAP_MAX         16u
#define HV_CMDLINE_MAX        1024u

#define HV_MEMMAP_RAM      1u /* usable RAM */
#define HV_MEMMAP_RESERVED 2u /* used by the builder: image, start info, page tables */

struct hv_memmap_entry {
    uint64_t addr; /* guest-physical start, bytes */
    uint64_t size; /* bytes */
    uint32_t type; /* HV_MEMMAP_* */
    uint32_t pad;  /* zero */
};
_Static_assert(sizeof(struct hv_memmap_entry) == 24, "hv_memmap_entry");

struct hv_start_info {
    uint64_t magic;       /* HV_START_INFO_MAGIC */
    uint32_t version;     /* HV_START_INFO_VERSION */
    uint32_t domid;       /* this domain's id */
    uint64_t nr_pages;    /* pages of RAM populated at boot */
    uint64_t image_start; /* guest-physical first byte of the loaded image */
    uint64_t image_end;   /* guest-physical byte after the loaded image */
    uint64_t pt_base;     /* guest-physical address of the top page table */
    uint64_t free_start;  /* first guest-physical byte the builder did not use */
    uint32_t nr_vcpus;    /* max_vcpus of the domain */
    uint32_t nr_memmap;   /* valid entries in memmap, <= HV_MEMMAP_MAX */
    struct hv_memmap_entry memmap[HV_MEMMAP_MAX];
    char cmdline[HV_CMDLINE_MAX]; /* NUL-terminated */
};
_Static_assert(sizeof(struct hv_start_info) == 64 + 16 * 24 + 1024, "hv_start_info");

/*
 * The shared-info page (placed with XENMEM_add_to_physmap).  Event-channel
 * state lives here (see event_channel.h); vCPUs 0..HV_SHARED_INFO_VCPUS-1
 * have a vcpu_info slot and can take upcalls.
 */
#define HV_SHARED_INFO_VCPUS 32u

struct vcpu_info {
    uint8_t evtchn_upcall_pending; /* set by hvd, cleared by the guest */
    uint8_t evtchn_upcall_mask;    /* set by the guest: no callback injected */
    uint8_t pad0[6];
    uint64_t evtchn_pending_sel; /* bit w: evtchn_pending[w] may have work */
    uint64_t pad1[6];
};
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info");

struct shared_info {
    struct vcpu_info vcpu_info[HV_SHARED_INFO_VCPUS];
    uint64_t evtchn_pending[64]; /* bit p: port p is pending */
    uint64_t evtchn_mask[64];    /* bit p: port p is masked */
    uint32_t wc_version;         /* odd while hvd updates wc_* */
    uint32_t wc_nsec;            /* wall-clock time at system time 0: ns part */
    uint64_t wc_sec;             /* ... seconds since 1970, including the domain's offset */
    uint8_t pad[XEN_PAGE_SIZE - 32 * 64 - 2 * 512 - 16];
};
_Static_assert(sizeof(struct shared_info) == XEN_PAGE_SIZE, "shared_info: one page");

#endif
