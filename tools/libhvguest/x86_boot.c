/*
 * The x86 boot layout the domain builder puts after the image: the
 * start-info page, identity page tables for a 64-bit image, and the boot
 * vCPU's state.  Pure functions, unit-tested against plain buffers.
 */
#include "x86_boot.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define PT_ENTRIES 512u
#define PT_PRESENT (1ull << 0)
#define PT_RW      (1ull << 1)
#define PT_USER    (1ull << 2)
#define PT_LARGE   (1ull << 7) /* PS: a 2 MiB page in a PD entry */
#define PT_FLAGS   (PT_PRESENT | PT_RW | PT_USER)
#define GIB        (1ull << 30)

static uint64_t div_round_up(uint64_t n, uint64_t d)
{
    return n / d + (n % d != 0);
}

/* Round up to a power-of-two alignment; false on overflow. */
static bool round_up(uint64_t n, uint64_t align, uint64_t *out)
{
    if (__builtin_add_overflow(n, align - 1, out))
        return false;
    *out &= ~(align - 1);
    return true;
}

/* Check the image range against RAM and start *out with it. */
static int layout_init(uint64_t ram_size, uint64_t image_start, uint64_t image_end,
                       struct boot_layout *out)
{
    if (ram_size % XEN_PAGE_SIZE != 0 || image_start < ELF_FIRST_GPA || image_start >= image_end ||
        image_end > ram_size)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->ram_size = ram_size;
    out->image_start = image_start;
    out->image_end = image_end;
    return 0;
}

/* Place the start-info page after the image and nr_pt_pages page-table pages after it. */
static int layout_place(struct boot_layout *out, uint64_t nr_pt_pages)
{
    uint64_t pt_size = nr_pt_pages * XEN_PAGE_SIZE; /* nr_pt_pages < 2^19: no overflow */

    if (!round_up(out->image_end, XEN_PAGE_SIZE, &out->start_info) ||
        __builtin_add_overflow(out->start_info, XEN_PAGE_SIZE, &out->pt_base) ||
        __builtin_add_overflow(out->pt_base, pt_size, &out->free_start) ||
        out->free_start > out->ram_size)
        return -E2BIG;
    return 0;
}

int boot_layout_compute(uint64_t ram_size, uint64_t image_start, uint64_t image_end,
                        struct boot_layout *out)
{
    uint64_t mapped;
    int rc = layout_init(ram_size, image_start, image_end, out);

    if (rc < 0)
        return rc;
    if (!round_up(ram_size, BOOT_LARGE_PAGE, &mapped))
        return -E2BIG;
    out->nr_pd = div_round_up(mapped, GIB);
    out->nr_pdpt = div_round_up(out->nr_pd, PT_ENTRIES);
    if (out->nr_pdpt > PT_ENTRIES) /* beyond what one PML4 maps */
        return -E2BIG;
    return layout_place(out, 1 + out->nr_pdpt + out->nr_pd);
}

int boot_layout_compute_32(uint64_t ram_size, uint64_t image_start, uint64_t image_end,
                           struct boot_layout *out)
{
    int rc = layout_init(ram_size, image_start, image_end, out);

    if (rc < 0)
        return rc;
    rc = layout_place(out, 0);
    if (rc < 0)
        return rc;
    /* The guest gets the start-info address in a 32-bit register. */
    if (out->free_start > BOOT_32BIT_LIMIT)
        return -E2BIG;
    out->pt_base = 0; /* paging is off: no tables */
    return 0;
}

uint64_t boot_layout_size(const struct boot_layout *l)
{
    return l->free_start - l->start_info;
}

void boot_write_page_tables(void *pt, const struct boot_layout *l)
{
    uint64_t nr_pages = 1 + l->nr_pdpt + l->nr_pd;
    uint64_t *pml4 = pt;
    uint64_t *pdpt = pml4 + PT_ENTRIES;            /* the PDPT pages follow the PML4 */
    uint64_t *pd = pdpt + PT_ENTRIES * l->nr_pdpt; /* and the PD pages follow them */
    uint64_t pdpt_gpa = l->pt_base + XEN_PAGE_SIZE;
    uint64_t pd_gpa = pdpt_gpa + l->nr_pdpt * XEN_PAGE_SIZE;
    uint64_t nr_large = div_round_up(l->ram_size, BOOT_LARGE_PAGE);

    memset(pt, 0, nr_pages * XEN_PAGE_SIZE);
    for (uint64_t i = 0; i < l->nr_pdpt; i++)
        pml4[i] = (pdpt_gpa + i * XEN_PAGE_SIZE) | PT_FLAGS;
    for (uint64_t i = 0; i < l->nr_pd; i++)
        pdpt[i] = (pd_gpa + i * XEN_PAGE_SIZE) | PT_FLAGS;
    for (uint64_t i = 0; i < nr_large; i++)
        pd[i] = (i * BOOT_LARGE_PAGE) | PT_FLAGS | PT_LARGE;
}

/* Append the memmap entry [start, end) unless it is empty. */
static void memmap_add(struct hv_start_info *si, uint64_t start, uint64_t end, uint32_t type)
{
    if (start >= end)
        return;
    si->memmap[si->nr_memmap++] = (struct hv_memmap_entry){
        .addr = start,
        .size = end - start,
        .type = type,
    };
}

int boot_fill_start_info(struct hv_start_info *si, const struct boot_layout *l, uint32_t domid,
                         uint32_t nr_vcpus, const char *cmdline)
{
    size_t cmdline_len = cmdline ? strnlen(cmdline, HV_CMDLINE_MAX) : 0;
    uint64_t reserved_start = l->image_start & ~(XEN_PAGE_SIZE - 1);

    if (cmdline_len >= HV_CMDLINE_MAX)
        return -E2BIG;
    memset(si, 0, sizeof(*si));
    si->magic = HV_START_INFO_MAGIC;
    si->version = HV_START_INFO_VERSION;
    si->domid = domid;
    si->nr_pages = l->ram_size / XEN_PAGE_SIZE;
    si->image_start = l->image_start;
    si->image_end = l->image_end;
    si->pt_base = l->pt_base;
    si->free_start = l->free_start;
    si->nr_vcpus = nr_vcpus;
    /* Page 0 is left out of the map: the builder keeps it unused.  The
     * reserved range starts on a page boundary so that every entry is whole
     * pages even when the image does not start on one. */
    memmap_add(si, ELF_FIRST_GPA, reserved_start, HV_MEMMAP_RAM);
    memmap_add(si, reserved_start, l->free_start, HV_MEMMAP_RESERVED);
    memmap_add(si, l->free_start, l->ram_size, HV_MEMMAP_RAM);
    if (cmdline_len > 0)
        memcpy(si->cmdline, cmdline, cmdline_len);
    return 0;
}

/* What both boot states share: flat code (64-bit or 32-bit) and data
 * segments, a busy TSS, the APIC, rflags. */
static void boot_vcpu_context_common(struct hv_vcpu_context *ctx, uint64_t entry,
                                     uint64_t start_info, bool long_mode)
{
    const struct hv_segment data = {
        .limit = 0xffffffff,
        .selector = 0x10,
        .type = 0x3 /* RW, accessed */,
        .present = 1,
        .s = 1,
        .db = 1,
        .g = 1,
    };

    memset(ctx, 0, sizeof(*ctx));
    ctx->flags = HV_VCPU_CTX_ONLINE;
    ctx->rip = entry;
    ctx->rsi = start_info;
    ctx->rflags = 0x2;           /* bit 1 is reserved and always set */
    ctx->apic_base = 0xfee00900; /* default base, enabled, BSP */
    ctx->cs = (struct hv_segment){
        .limit = 0xffffffff,
        .selector = 0x08,
        .type = 0xb /* code, RX, accessed */,
        .present = 1,
        .s = 1,
        .l = long_mode,
        .db = !long_mode,
        .g = 1,
    };
    ctx->ds = ctx->es = ctx->fs = ctx->gs = ctx->ss = data;
    /* VM entry needs a usable busy TSS; the guest loads its own GDT, IDT and TR.
     * Type 0xb is a busy 64-bit TSS in long mode and a busy 32-bit TSS outside it. */
    ctx->tr = (struct hv_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
    ctx->ldt = (struct hv_segment){ .type = 0x2, .unusable = 1 };
}

void boot_vcpu_context(struct hv_vcpu_context *ctx, uint64_t entry, uint64_t start_info,
                       uint64_t pt_base)
{
    boot_vcpu_context_common(ctx, entry, start_info, true);
    ctx->cr0 = 0x80050033; /* PE MP ET NE WP PG */
    ctx->cr3 = pt_base;
    ctx->cr4 = 0x20;   /* PAE */
    ctx->efer = 0x500; /* LME LMA */
}

void boot_vcpu_context_32(struct hv_vcpu_context *ctx, uint32_t entry, uint32_t start_info)
{
    boot_vcpu_context_common(ctx, entry, start_info, false);
    ctx->cr0 = 0x11; /* PE ET: protected mode, paging off */
}
