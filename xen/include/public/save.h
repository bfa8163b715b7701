/*
 * hv public ABI: the save stream, version 1.
 *
 * docs/specs/save-stream.md is the authoritative definition; these are its
 * structs, one per table there.  A stream is: the image header (big-endian),
 * the domain header and its config text, then records
 * {struct hv_save_record_header, body, zero padding to 8 octets} up to END.
 * Everything after the image header is little-endian.  Every pad field and
 * reserved bit is zero, and readers check it.
 */
#ifndef HV_PUBLIC_SAVE_H
#define HV_PUBLIC_SAVE_H

#include <stdint.h>
#include "xen.h"

#define HV_SAVE_MAGIC     "\x89HVSAVE\n" /* the 8 octets of image_header.magic */
#define HV_SAVE_MAGIC_LEN 8u
#define HV_SAVE_VERSION   1u
#define HV_SAVE_PAGE_SIZE ((uint32_t)XEN_PAGE_SIZE) /* octets of one page in the stream */

/*
 * domain_header.hvd_version is major << 16 | minor.  Streams of hvd 1.1 and
 * later may carry SHARED_INFO, EVENT_CHANNELS, TIMERS and RUN_STATE, and
 * streams of hvd 1.2 and later PAGE_HOLES, ROUND_END and FINAL_ROUND; a
 * stream of an older hvd carries none of them (section 5 of the spec).
 */
#define HV_SAVE_HVD_VERSION(major, minor) ((uint32_t)(major) << 16 | (uint32_t)(minor))
#define HV_SAVE_HVD_1_1                   HV_SAVE_HVD_VERSION(1, 1)
#define HV_SAVE_HVD_1_2                   HV_SAVE_HVD_VERSION(1, 2)

/* image_header.options */
#define HV_SAVE_OPT_BIG_ENDIAN (1u << 0) /* records are big-endian: never set in version 1 */

/* Limits (section 9 of the spec). */
#define HV_SAVE_MAX_BODY         16842752u /* record body octets: 16 MiB + 64 KiB */
#define HV_SAVE_PAGES_PER_RECORD 4096u
#define HV_SAVE_MAX_PAGES        (1ull << 40) /* nr_pages */
#define HV_SAVE_MAX_VCPUS        4096u
#define HV_SAVE_CONFIG_MAX       1048576u
#define HV_SAVE_MAX_MSRS         1024u
#define HV_SAVE_MAX_XCRS         16u
#define HV_SAVE_XSAVE_MIN        576u /* legacy FXSAVE region + XSAVE header */
#define HV_SAVE_XSAVE_MAX        65536u
#define HV_SAVE_MAX_EVTCHN       4096u /* ports 1..HV_SAVE_MAX_EVTCHN-1 */
#define HV_SAVE_CONSOLE_MAX      1048576u
#define HV_SAVE_IOAPIC_PINS      24u
#define HV_SAVE_LAPIC_SIZE       1024u

/* Record types.  Bit 31 set: optional (a reader that does not know it skips it). */
#define HV_SAVE_TYPE_OPTIONAL       0x80000000u
#define HV_SAVE_TYPE_END            0x00000001u
#define HV_SAVE_TYPE_PAGE_DATA      0x00000002u
#define HV_SAVE_TYPE_PAGE_DATA_ZLIB 0x00000003u
#define HV_SAVE_TYPE_VM_STATE       0x00000004u
#define HV_SAVE_TYPE_VCPU           0x00000005u
#define HV_SAVE_TYPE_SHARED_INFO    0x00000006u
#define HV_SAVE_TYPE_EVENT_CHANNELS 0x00000007u
#define HV_SAVE_TYPE_TIMERS         0x00000008u
#define HV_SAVE_TYPE_RUN_STATE      0x00000009u
#define HV_SAVE_TYPE_PAGE_HOLES     0x0000000au
#define HV_SAVE_TYPE_ROUND_END      0x0000000bu
#define HV_SAVE_TYPE_FINAL_ROUND    0x0000000cu
#define HV_SAVE_TYPE_CONSOLE_RING   0x80000001u

/* The first 24 octets of every stream.  All fields big-endian. */
struct hv_save_image_header {
    uint8_t magic[8];   /* HV_SAVE_MAGIC */
    uint32_t version;   /* HV_SAVE_VERSION; decides the layout of all that follows */
    uint32_t options;   /* HV_SAVE_OPT_*; other bits zero */
    uint32_t page_size; /* HV_SAVE_PAGE_SIZE */
    uint32_t pad;       /* zero */
};
_Static_assert(sizeof(struct hv_save_image_header) == 24, "hv_save_image_header");

/* At offset 24; followed by config_len octets of JSON text and zero padding to 8. */
struct hv_save_domain_header {
    uint32_t hvd_version; /* hvd that produced the state: major << 16 | minor */
    uint32_t nr_vcpus;    /* 1..HV_SAVE_MAX_VCPUS */
    uint64_t nr_pages;    /* RAM window in 4 KiB pages, 1..HV_SAVE_MAX_PAGES; every gfn < this */
    uint64_t tot_pages;   /* pages populated at save, 0..nr_pages; informative */
    uint32_t config_len;  /* octets of config JSON that follow, 0..HV_SAVE_CONFIG_MAX, no NUL */
    uint32_t pad;         /* zero */
};
_Static_assert(sizeof(struct hv_save_domain_header) == 32, "hv_save_domain_header");

/* Before every record body; the body is followed by (8 - (length & 7)) & 7 zero octets. */
struct hv_save_record_header {
    uint32_t type;   /* HV_SAVE_TYPE_*; 0 is never valid */
    uint32_t length; /* body octets, 0..HV_SAVE_MAX_BODY, exact for the type */
};
_Static_assert(sizeof(struct hv_save_record_header) == 8, "hv_save_record_header");

/*
 * PAGE_DATA: this, then uint64_t gfn[count], then count * HV_SAVE_PAGE_SIZE
 * octets of page contents.  length = 8 + 8 * count + HV_SAVE_PAGE_SIZE * count.
 */
struct hv_save_page_data {
    uint32_t count; /* pages, 1..HV_SAVE_PAGES_PER_RECORD */
    uint32_t pad;   /* zero */
};
_Static_assert(sizeof(struct hv_save_page_data) == 8, "hv_save_page_data");

/*
 * PAGE_DATA_ZLIB: this, then uint64_t gfn[count], then zlib_len octets of a
 * zlib stream that inflates to exactly count * HV_SAVE_PAGE_SIZE octets.
 * length = 8 + 8 * count + zlib_len.
 */
struct hv_save_page_data_zlib {
    uint32_t count;    /* pages, 1..HV_SAVE_PAGES_PER_RECORD */
    uint32_t zlib_len; /* compressed octets, >= 1 */
};
_Static_assert(sizeof(struct hv_save_page_data_zlib) == 8, "hv_save_page_data_zlib");

/* One 8259 PIC (KVM's kvm_pic_state). */
struct hv_save_pic {
    uint8_t last_irr;                  /* edge-detection latch */
    uint8_t irr;                       /* interrupt request register */
    uint8_t imr;                       /* interrupt mask register */
    uint8_t isr;                       /* in-service register */
    uint8_t priority_add;              /* rotation base, 0..7 */
    uint8_t irq_base;                  /* vector of IRQ 0, multiple of 8 */
    uint8_t read_reg_select;           /* 0: IRR, 1: ISR */
    uint8_t poll;                      /* 0/1 */
    uint8_t special_mask;              /* 0/1 */
    uint8_t init_state;                /* ICW step, 0..3 */
    uint8_t auto_eoi;                  /* 0/1 */
    uint8_t rotate_on_auto_eoi;        /* 0/1 */
    uint8_t special_fully_nested_mode; /* 0/1 */
    uint8_t init4;                     /* 0/1: ICW4 expected */
    uint8_t elcr;                      /* edge/level control, bit per IRQ */
    uint8_t elcr_mask;                 /* writable ELCR bits */
};
_Static_assert(sizeof(struct hv_save_pic) == 16, "hv_save_pic");

struct hv_save_ioapic {
    uint64_t base_address;                  /* guest-physical MMIO base */
    uint32_t ioregsel;                      /* index register */
    uint32_t id;                            /* IOAPIC id */
    uint32_t irr;                           /* pending level-triggered pins, bit per pin */
    uint32_t pad;                           /* zero */
    uint64_t redirtbl[HV_SAVE_IOAPIC_PINS]; /* redirection entries, IOAPIC bit layout */
};
_Static_assert(sizeof(struct hv_save_ioapic) == 216, "hv_save_ioapic");

struct hv_save_pit_channel {
    uint32_t count;          /* reload value, 1..65536 (0: never programmed) */
    uint16_t latched_count;  /* value latched by a latch command */
    uint8_t count_latched;   /* 0 none, 1 LSB, 2 MSB, 3 word */
    uint8_t status_latched;  /* 0/1 */
    uint8_t status;          /* latched status byte */
    uint8_t read_state;      /* 1..4 */
    uint8_t write_state;     /* 1..4 */
    uint8_t write_latch;     /* first byte of a word write */
    uint8_t rw_mode;         /* 1..3 */
    uint8_t mode;            /* 0..5 */
    uint8_t bcd;             /* 0/1 */
    uint8_t gate;            /* 0/1 */
    int64_t count_load_time; /* ns of the VM clock when count was loaded */
};
_Static_assert(sizeof(struct hv_save_pit_channel) == 24, "hv_save_pit_channel");

#define HV_SAVE_PIT_HPET_LEGACY (1u << 0)

struct hv_save_pit {
    struct hv_save_pit_channel channels[3];
    uint32_t flags; /* HV_SAVE_PIT_*; other bits zero */
    uint32_t pad;   /* zero */
};
_Static_assert(sizeof(struct hv_save_pit) == 80, "hv_save_pit");

#define HV_SAVE_CLOCK_TSC_STABLE (1u << 1)

struct hv_save_clock {
    uint64_t clock_ns;          /* VM clock (kvmclock): ns since the domain was created */
    uint64_t realtime_ns;       /* host CLOCK_REALTIME when clock_ns was read; informative */
    uint32_t flags;             /* HV_SAVE_CLOCK_*; other bits zero */
    uint32_t pad;               /* zero */
    int64_t wallclock_offset_s; /* seconds added to the host wall clock for the guest's */
};
_Static_assert(sizeof(struct hv_save_clock) == 32, "hv_save_clock");

#define HV_SAVE_VM_IRQCHIP (1u << 0) /* pic_master, pic_slave, ioapic valid */
#define HV_SAVE_VM_PIT     (1u << 1) /* pit valid */

/* VM_STATE: the whole body, 368 octets.  A part whose flag is clear is zero. */
struct hv_save_vm_state {
    uint32_t flags;                /* HV_SAVE_VM_*; other bits zero */
    uint32_t pad;                  /* zero */
    struct hv_save_pic pic_master; /* ports 0x20/0x21 */
    struct hv_save_pic pic_slave;  /* ports 0xa0/0xa1 */
    struct hv_save_ioapic ioapic;
    struct hv_save_pit pit;
    struct hv_save_clock clock; /* always valid */
};
_Static_assert(sizeof(struct hv_save_vm_state) == 368, "hv_save_vm_state");

struct hv_save_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};
_Static_assert(sizeof(struct hv_save_regs) == 144, "hv_save_regs");

struct hv_save_segment {
    uint64_t base;  /* linear base address */
    uint32_t limit; /* octets - 1, after granularity scaling */
    uint16_t selector;
    uint8_t type;     /* descriptor type, 0..15 */
    uint8_t present;  /* 0/1 */
    uint8_t dpl;      /* 0..3 */
    uint8_t db;       /* 0/1 */
    uint8_t s;        /* 0/1: code/data segment */
    uint8_t l;        /* 0/1: 64-bit code */
    uint8_t g;        /* 0/1: 4 KiB granularity */
    uint8_t avl;      /* 0/1 */
    uint8_t unusable; /* 0/1 */
    uint8_t pad;      /* zero */
};
_Static_assert(sizeof(struct hv_save_segment) == 24, "hv_save_segment");

struct hv_save_dtable {
    uint64_t base;   /* linear base address */
    uint16_t limit;  /* octets - 1 */
    uint16_t pad[3]; /* zero */
};
_Static_assert(sizeof(struct hv_save_dtable) == 16, "hv_save_dtable");

struct hv_save_sregs {
    struct hv_save_segment cs, ds, es, fs, gs, ss, tr, ldt;
    struct hv_save_dtable gdt, idt;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t efer;
    uint64_t apic_base; /* IA32_APIC_BASE MSR */
};
_Static_assert(sizeof(struct hv_save_sregs) == 280, "hv_save_sregs");

/* vcpu_events.flags: which optional fields are meaningful (KVM's KVM_VCPUEVENT_VALID_*). */
#define HV_SAVE_EVENTS_NMI_PENDING  (1u << 0)
#define HV_SAVE_EVENTS_SIPI_VECTOR  (1u << 1)
#define HV_SAVE_EVENTS_SHADOW       (1u << 2)
#define HV_SAVE_EVENTS_SMM          (1u << 3)
#define HV_SAVE_EVENTS_PAYLOAD      (1u << 4)
#define HV_SAVE_EVENTS_TRIPLE_FAULT (1u << 5)
#define HV_SAVE_EVENTS_ALL          0x3fu

struct hv_save_vcpu_events {
    uint8_t exception_injected;       /* 0/1 */
    uint8_t exception_nr;             /* vector 0..31 */
    uint8_t exception_has_error_code; /* 0/1 */
    uint8_t exception_pending;        /* 0/1 */
    uint32_t exception_error_code;
    uint8_t interrupt_injected;    /* 0/1 */
    uint8_t interrupt_nr;          /* vector 0..255 */
    uint8_t interrupt_soft;        /* 0/1 */
    uint8_t interrupt_shadow;      /* bit 0 STI, bit 1 MOV SS */
    uint8_t nmi_injected;          /* 0/1 */
    uint8_t nmi_pending;           /* 0/1 */
    uint8_t nmi_masked;            /* 0/1 */
    uint8_t pad0;                  /* zero */
    uint32_t sipi_vector;          /* 0..255 */
    uint32_t flags;                /* HV_SAVE_EVENTS_*; other bits zero */
    uint8_t smi_smm;               /* 0/1 */
    uint8_t smi_pending;           /* 0/1 */
    uint8_t smi_smm_inside_nmi;    /* 0/1 */
    uint8_t smi_latched_init;      /* 0/1 */
    uint8_t triple_fault_pending;  /* 0/1 */
    uint8_t exception_has_payload; /* 0/1 */
    uint8_t pad1[2];               /* zero */
    uint64_t exception_payload;    /* CR2 for #PF, DR6 bits for #DB */
};
_Static_assert(sizeof(struct hv_save_vcpu_events) == 40, "hv_save_vcpu_events");

struct hv_save_debugregs {
    uint64_t db[4]; /* DR0..DR3 */
    uint64_t dr6;
    uint64_t dr7;
};
_Static_assert(sizeof(struct hv_save_debugregs) == 48, "hv_save_debugregs");

struct hv_save_xcr {
    uint32_t index; /* XCR number; 0 is XCR0 */
    uint32_t pad;   /* zero */
    uint64_t value;
};
_Static_assert(sizeof(struct hv_save_xcr) == 16, "hv_save_xcr");

struct hv_save_msr {
    uint32_t index; /* MSR number; entries strictly ascending */
    uint32_t pad;   /* zero */
    uint64_t value;
};
_Static_assert(sizeof(struct hv_save_msr) == 16, "hv_save_msr");

#define HV_SAVE_VCPU_ONLINE (1u << 0) /* the vCPU is up */
#define HV_SAVE_VCPU_LAPIC  (1u << 1) /* lapic is valid (in-kernel local APIC) */

/* mp_state values (KVM's KVM_MP_STATE_*). */
#define HV_SAVE_MP_RUNNABLE      0u
#define HV_SAVE_MP_UNINITIALIZED 1u
#define HV_SAVE_MP_INIT_RECEIVED 2u
#define HV_SAVE_MP_HALTED        3u
#define HV_SAVE_MP_SIPI_RECEIVED 4u

/*
 * VCPU: this fixed part, then xsave_len octets of XSAVE area, then
 * nr_msrs struct hv_save_msr.  length = 1816 + xsave_len + 16 * nr_msrs.
 */
struct hv_save_vcpu {
    uint32_t vcpu_id;   /* 0..nr_vcpus-1, records in ascending order */
    uint32_t flags;     /* HV_SAVE_VCPU_*; other bits zero */
    uint32_t mp_state;  /* HV_SAVE_MP_* */
    uint32_t nr_xcrs;   /* valid entries of xcrs, 0..HV_SAVE_MAX_XCRS */
    uint32_t xsave_len; /* HV_SAVE_XSAVE_MIN..HV_SAVE_XSAVE_MAX, multiple of 8 */
    uint32_t nr_msrs;   /* 0..HV_SAVE_MAX_MSRS */
    struct hv_save_regs regs;
    struct hv_save_sregs sregs;
    struct hv_save_vcpu_events events;
    struct hv_save_debugregs debugregs;
    struct hv_save_xcr xcrs[HV_SAVE_MAX_XCRS]; /* entries from nr_xcrs on are zero */
    uint8_t lapic[HV_SAVE_LAPIC_SIZE];         /* KVM_GET_LAPIC register page; zero without LAPIC */
};
_Static_assert(sizeof(struct hv_save_vcpu) == 1816, "hv_save_vcpu");

/* SHARED_INFO: the whole body, 4104 octets. */
struct hv_save_shared_info {
    uint64_t gfn;                    /* where the guest placed it, < nr_pages */
    uint8_t page[HV_SAVE_PAGE_SIZE]; /* its contents */
};
_Static_assert(sizeof(struct hv_save_shared_info) == 4104, "hv_save_shared_info");

/* EVENT_CHANNELS: this, then nr_channels struct hv_save_evtchn.  length = 8 + 24 * n. */
struct hv_save_event_channels {
    uint32_t nr_channels;   /* 0..HV_SAVE_MAX_EVTCHN-1 */
    uint32_t upcall_vector; /* callback vector: 0 (none) or 16..255 */
};
_Static_assert(sizeof(struct hv_save_event_channels) == 8, "hv_save_event_channels");

#define HV_SAVE_EVTCHN_UNBOUND     1u
#define HV_SAVE_EVTCHN_INTERDOMAIN 2u
#define HV_SAVE_EVTCHN_VIRQ        3u
#define HV_SAVE_EVTCHN_IPI         4u
#define HV_SAVE_NR_VIRQS           24u
#define HV_SAVE_MAX_DOMID          0x7fefu /* highest remote_domid (DOMID_MAX) */

struct hv_save_evtchn {
    uint32_t port;  /* 1..HV_SAVE_MAX_EVTCHN-1, strictly ascending */
    uint8_t state;  /* HV_SAVE_EVTCHN_* */
    uint8_t pad[3]; /* zero */
    uint32_t vcpu;  /* vCPU notified, < nr_vcpus */
    uint32_t
        remote_domid; /* unbound: who may bind; interdomain: the peer; 0..HV_SAVE_MAX_DOMID; else 0 */
    uint32_t remote_port; /* interdomain: the peer's port; else 0 */
    uint32_t virq;        /* virq: 0..HV_SAVE_NR_VIRQS-1; else 0 */
};
_Static_assert(sizeof(struct hv_save_evtchn) == 24, "hv_save_evtchn");

/* TIMERS: this, then nr_timers struct hv_save_timer.  length = 8 + 24 * n. */
struct hv_save_timers {
    uint32_t nr_timers; /* 0..2 * nr_vcpus */
    uint32_t pad;       /* zero */
};
_Static_assert(sizeof(struct hv_save_timers) == 8, "hv_save_timers");

#define HV_SAVE_TIMER_SINGLESHOT 1u
#define HV_SAVE_TIMER_PERIODIC   2u

struct hv_save_timer {
    uint32_t vcpu;        /* < nr_vcpus; entries ascending by (vcpu, kind) */
    uint32_t kind;        /* HV_SAVE_TIMER_* */
    uint64_t deadline_ns; /* next expiry, ns of the VM clock */
    uint64_t period_ns;   /* periodic: > 0; single-shot: 0 */
};
_Static_assert(sizeof(struct hv_save_timer) == 24, "hv_save_timer");

/* run_state.state: a running domain has no RUN_STATE record. */
#define HV_SAVE_RUN_PAUSED   1u /* the toolstack held it paused */
#define HV_SAVE_RUN_SHUTDOWN 2u /* it had shut down, for shutdown_reason */
#define HV_SAVE_SHUTDOWN_MAX 4u /* reasons: 0 poweroff, 1 reboot, 2 suspend, 3 crash, 4 watchdog */

/* RUN_STATE: the whole body, 8 octets.  Absent: the domain was running. */
struct hv_save_run_state {
    uint32_t state;           /* HV_SAVE_RUN_* */
    uint32_t shutdown_reason; /* HV_SAVE_RUN_SHUTDOWN: 0..HV_SAVE_SHUTDOWN_MAX; else 0 */
};
_Static_assert(sizeof(struct hv_save_run_state) == 8, "hv_save_run_state");

/*
 * The records of a migration stream, whose memory comes in rounds (section
 * 13 of the spec): each round is page and hole records followed by its
 * ROUND_END; FINAL_ROUND begins the last round.
 *
 * PAGE_HOLES: this, then uint64_t gfn[count], each < nr_pages: gfns that
 * are not populated (any more).  length = 8 + 8 * count.
 */
struct hv_save_page_holes {
    uint32_t count; /* gfns, 1..HV_SAVE_PAGES_PER_RECORD */
    uint32_t pad;   /* zero */
};
_Static_assert(sizeof(struct hv_save_page_holes) == 8, "hv_save_page_holes");

#define HV_SAVE_ROUND_FINAL (1u << 0) /* ends the round FINAL_ROUND began */

/* ROUND_END: the whole body, 24 octets. */
struct hv_save_round_end {
    uint32_t round;     /* 0, 1, 2...: the ROUND_END records before this one */
    uint32_t flags;     /* HV_SAVE_ROUND_*; other bits zero */
    uint64_t pages;     /* the sum of count over the round's page and hole records */
    uint64_t populated; /* gfns populated after the round, by the sender's count */
};
_Static_assert(sizeof(struct hv_save_round_end) == 24, "hv_save_round_end");

/* FINAL_ROUND: the whole body, 8 octets.  At most once, where a round begins. */
struct hv_save_final_round {
    uint32_t round; /* the round it begins: the ROUND_END records before it */
    uint32_t pad;   /* zero */
};
_Static_assert(sizeof(struct hv_save_final_round) == 8, "hv_save_final_round");

/* CONSOLE_RING (optional): this, then len octets, oldest first.  length = 16 + len. */
struct hv_save_console_ring {
    uint64_t lost; /* octets of output written before data and no longer held */
    uint32_t len;  /* 0..HV_SAVE_CONSOLE_MAX */
    uint32_t pad;  /* zero */
};
_Static_assert(sizeof(struct hv_save_console_ring) == 16, "hv_save_console_ring");

#endif
