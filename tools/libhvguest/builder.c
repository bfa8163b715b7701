/*
 * The domain builder: load an ELF image into a paused domain's RAM through
 * foreign mappings, write the start-info page (and, for a 64-bit image, the
 * identity page tables) after it, and point vCPU 0 at the entry: in 64-bit
 * mode for an ELF64 image, in 32-bit protected mode with paging off for an
 * ELF32 one.  Everything is validated before the first byte of guest memory
 * is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "x86_boot.h"

#define MAP_CHUNK_PAGES 16384u         /* map the image 64 MiB at a time */
#define IMAGE_FILE_MAX  (256ull << 20) /* larger image files are refused */

/* All the builder needs, computed and checked before guest memory is touched. */
struct build_plan {
    struct elf_image elf;
    struct boot_layout layout;
    struct hv_start_info start_info;
    struct hv_vcpu_context ctx;
};

/* The layout and boot vCPU state for the image's class. */
static int plan_layout(uint64_t ram_size, struct build_plan *plan)
{
    const struct elf_image *elf = &plan->elf;
    struct boot_layout *l = &plan->layout;
    int rc;

    if (elf->elf_class == ELFCLASS32) {
        rc = boot_layout_compute_32(ram_size, elf->image_start, elf->image_end, l);
        if (rc == 0) /* elf_parse and the layout keep both below 4 GiB */
            boot_vcpu_context_32(&plan->ctx, (uint32_t)elf->entry, (uint32_t)l->start_info);
        return rc;
    }
    rc = boot_layout_compute(ram_size, elf->image_start, elf->image_end, l);
    if (rc == 0)
        boot_vcpu_context(&plan->ctx, elf->entry, l->start_info, l->pt_base);
    return rc;
}

static int plan_build(hvctl_t *h, uint32_t domid, const void *image, size_t len,
                      const char *cmdline, struct build_plan *plan)
{
    struct xen_domctl_getdomaininfo info;
    uint64_t ram_size;
    int rc = hvctl_domain_getinfo(h, domid, &info);

    if (rc < 0)
        return rc;
    if (!(info.flags & XEN_DOMINF_paused)) /* never write into a running guest */
        return -EBUSY;
    if (__builtin_mul_overflow(info.tot_pages, XEN_PAGE_SIZE, &ram_size))
        return -E2BIG;
    rc = elf_parse(image, len, ram_size, &plan->elf);
    if (rc < 0)
        return rc;
    rc = plan_layout(ram_size, plan);
    if (rc < 0)
        return rc;
    return boot_fill_start_info(&plan->start_info, &plan->layout, domid, info.max_vcpus, cmdline);
}

/* Map guest frames [gfn, gfn + nr) and load whatever part of the image falls there. */
static int load_window(hvctl_t *h, uint32_t domid, const struct elf_image *elf, const void *image,
                       size_t len, uint64_t gfn, uint64_t nr)
{
    void *addr;
    int rc = hvctl_map_foreign(h, domid, gfn, nr, PROT_READ | PROT_WRITE, &addr);
    int unmap_rc;

    if (rc < 0)
        return rc;
    rc = elf_load(elf, image, len,
                  &(struct guest_view){ addr, gfn * XEN_PAGE_SIZE, nr * XEN_PAGE_SIZE });
    unmap_rc = hvctl_unmap_foreign(addr, nr);
    return rc < 0 ? rc : unmap_rc;
}

/* Load each segment's pages in windows of at most MAP_CHUNK_PAGES frames. */
static int load_image(hvctl_t *h, uint32_t domid, const struct elf_image *elf, const void *image,
                      size_t len)
{
    for (unsigned int i = 0; i < elf->nr_segments; i++) {
        const struct elf_segment *s = &elf->seg[i];
        uint64_t first = s->paddr / XEN_PAGE_SIZE;
        uint64_t end = (s->paddr + s->memsz + XEN_PAGE_SIZE - 1) / XEN_PAGE_SIZE;

        for (uint64_t gfn = first; gfn < end; gfn += MAP_CHUNK_PAGES) {
            uint64_t nr = end - gfn < MAP_CHUNK_PAGES ? end - gfn : MAP_CHUNK_PAGES;
            int rc = load_window(h, domid, elf, image, len, gfn, nr);

            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* Write the start-info page and the page tables, if any: [start_info, free_start). */
static int write_boot_pages(hvctl_t *h, uint32_t domid, const struct build_plan *plan)
{
    const struct boot_layout *l = &plan->layout;
    uint64_t nr = boot_layout_size(l) / XEN_PAGE_SIZE;
    void *map;
    uint8_t *addr;
    int rc = hvctl_map_foreign(h, domid, l->start_info / XEN_PAGE_SIZE, nr, PROT_READ | PROT_WRITE,
                               &map);

    if (rc < 0)
        return rc;
    addr = map;
    memset(addr, 0, XEN_PAGE_SIZE);
    memcpy(addr, &plan->start_info, sizeof(plan->start_info));
    if (l->pt_base != 0)
        boot_write_page_tables(addr + (l->pt_base - l->start_info), l);
    return hvctl_unmap_foreign(map, nr);
}

static void fill_build_info(struct hvguest_build_info *info, const struct build_plan *plan)
{
    info->entry = plan->elf.entry;
    info->image_start = plan->elf.image_start;
    info->image_end = plan->elf.image_end;
    info->start_info = plan->layout.start_info;
    info->pt_base = plan->layout.pt_base;
}

HVGUEST_API int hvguest_build_elf(hvctl_t *h, uint32_t domid, const void *image, size_t len,
                                  const char *cmdline, struct hvguest_build_info *info)
{
    struct build_plan *plan;
    int rc;

    if (!h || (!image && len > 0))
        return -EINVAL;
    plan = malloc(sizeof(*plan)); /* a few KiB: keep it off the caller's stack */
    if (!plan)
        return -ENOMEM;
    rc = plan_build(h, domid, image, len, cmdline, plan);
    if (rc >= 0)
        rc = load_image(h, domid, &plan->elf, image, len);
    if (rc >= 0)
        rc = write_boot_pages(h, domid, plan);
    if (rc >= 0)
        rc = hvctl_vcpu_setcontext(h, domid, 0, &plan->ctx);
    if (rc >= 0 && info)
        fill_build_info(info, plan);
    free(plan);
    return rc < 0 ? rc : 0;
}

/* Read up to size bytes of fd into buf; *got receives the count (short if the file shrank). */
static int read_all(int fd, void *buf, size_t size, size_t *got)
{
    size_t done = 0;

    while (done < size) {
        ssize_t n = read(fd, (char *)buf + done, size - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    *got = done;
    return 0;
}

/* Read the whole regular file at fd into a new buffer; the caller frees *buf. */
static int read_image_fd(int fd, void **buf, size_t *len)
{
    struct stat st;
    void *data;
    int rc;

    if (fstat(fd, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    if ((uint64_t)st.st_size > IMAGE_FILE_MAX)
        return -EFBIG;
    data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (!data)
        return -ENOMEM;
    rc = read_all(fd, data, (size_t)st.st_size, len);
    if (rc < 0) {
        free(data);
        return rc;
    }
    *buf = data;
    return 0;
}

HVGUEST_API int hvguest_build_elf_file(hvctl_t *h, uint32_t domid, const char *path,
                                       const char *cmdline, struct hvguest_build_info *info)
{
    void *image = NULL;
    size_t len = 0;
    int fd, rc;

    if (!path)
        return -EINVAL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    rc = read_image_fd(fd, &image, &len);
    close(fd);
    if (rc < 0)
        return rc;
    rc = hvguest_build_elf(h, domid, image, len, cmdline, info);
    free(image);
    return rc;
}
