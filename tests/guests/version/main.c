/*
 * xen_version: every XENVER_* sub-op answers, each one that takes a
 * pointer refuses a bad one with -EFAULT, an unknown one is -ENOSYS.
 */
#include <hv/public/version.h>

#include "check.h"
#include "xtf.h"

const char test_title[] = "version: every xen_version sub-op and its errors";

#define XENVER_UNKNOWN 99

/* buf starts full of 'X' so a missing terminator shows. */
static void check_string_op(const char *name, unsigned int cmd, char *buf, size_t size,
                            bool may_be_empty)
{
    long rc;
    size_t len;

    memset(buf, 'X', size);
    rc = hypercall_xen_version(cmd, buf);
    len = strnlen(buf, size);
    check(rc == 0 && len < size && (may_be_empty || len > 0), name, "rc %s, \"%s\"",
          rc_name(rc), len < size ? buf : "<no NUL>");
}

static void check_strings(void)
{
    static struct xen_extraversion extra;
    static struct xen_capabilities_info caps;
    static struct xen_changeset_info changeset;
    static struct xen_commandline commandline;

    check_string_op("extraversion_is_a_terminated_string", XENVER_extraversion,
                    extra.extraversion, sizeof(extra.extraversion), true);
    check_string_op("capabilities_is_a_nonempty_string", XENVER_capabilities, caps.info,
                    sizeof(caps.info), false);
    check_string_op("changeset_is_a_nonempty_string", XENVER_changeset, changeset.info,
                    sizeof(changeset.info), false);
    check_string_op("commandline_is_a_terminated_string", XENVER_commandline,
                    commandline.buf, sizeof(commandline.buf), true);
}

static bool terminated(const char *s, size_t size)
{
    return strnlen(s, size) < size;
}

static void check_compile_info(void)
{
    static struct xen_compile_info ci;
    long rc;

    memset(&ci, 'X', sizeof(ci));
    rc = hypercall_xen_version(XENVER_compile_info, &ci);
    check(rc == 0 && terminated(ci.compiler, sizeof(ci.compiler)) &&
          terminated(ci.compile_by, sizeof(ci.compile_by)) &&
          terminated(ci.compile_domain, sizeof(ci.compile_domain)) &&
          terminated(ci.compile_date, sizeof(ci.compile_date)) && ci.compiler[0],
          "compile_info_fields_are_terminated_strings", "rc %s, compiler \"%s\"",
          rc_name(rc), terminated(ci.compiler, sizeof(ci.compiler)) ? ci.compiler : "<no NUL>");
}

static void check_numbers(void)
{
    static struct xen_platform_parameters pp;
    static struct xen_feature_info fi;
    long rc = hypercall_xen_version(XENVER_version, NULL);

    check(rc >= 0x10000, "version_is_major_1_or_later", "0x%lx", rc);
    check_rc("pagesize_is_4096", hypercall_xen_version(XENVER_pagesize, NULL), PAGE_SIZE);
    pp.virt_start = 0;
    rc = hypercall_xen_version(XENVER_platform_parameters, &pp);
    check(rc == 0 && pp.virt_start == UINT64_MAX, "platform_parameters_reserve_nothing",
          "rc %s, virt_start 0x%lx", rc_name(rc), pp.virt_start);
    fi = (struct xen_feature_info){ .submap_idx = 0, .submap = 0xdeadbeef };
    rc = hypercall_xen_version(XENVER_get_features, &fi);
    check(rc == 0 && fi.submap == 0, "get_features_block_0_has_no_bits",
          "rc %s, submap 0x%x", rc_name(rc), fi.submap);
}

static void check_guest_handle(void)
{
    static uint8_t handle[16];
    bool nonzero = false;
    char hex[40];
    size_t n = 0;
    long rc;

    memset(handle, 0, sizeof(handle));
    rc = hypercall_xen_version(XENVER_guest_handle, handle);
    for (unsigned int i = 0; i < sizeof(handle); i++) {
        nonzero |= handle[i] != 0;
        n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%s%02x",
                              i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", handle[i]);
    }
    /* The runner may compare this line with `hvcli list -l`. */
    printf("guest_handle=%s\n", hex);
    check(rc == 0 && nonzero, "guest_handle_is_a_nonzero_uuid", "rc %s, %s", rc_name(rc), hex);
}

static void check_build_id(void)
{
    static struct xen_build_id id;
    long rc;

    memset(&id, 0, sizeof(id));
    rc = hypercall_xen_version(XENVER_build_id, &id);
    check(rc > 0 && rc <= (long)sizeof(id.buf) && id.len == (uint32_t)rc,
          "build_id_returns_its_nonzero_length", "rc %s, len %u", rc_name(rc), id.len);
}

/* Every sub-op that takes a pointer, with both kinds of bad pointer. */
static void check_bad_pointers(void)
{
    static const struct {
        unsigned int cmd;
        const char *name;
    } ops[] = {
        { XENVER_extraversion, "extraversion" },   { XENVER_compile_info, "compile_info" },
        { XENVER_capabilities, "capabilities" },   { XENVER_changeset, "changeset" },
        { XENVER_platform_parameters, "platform_parameters" },
        { XENVER_get_features, "get_features" },   { XENVER_guest_handle, "guest_handle" },
        { XENVER_commandline, "commandline" },     { XENVER_build_id, "build_id" },
    };
    char name[80];

    for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
        snprintf(name, sizeof(name), "%s_unmapped_pointer_is_efault", ops[i].name);
        check_rc(name, hypercall_xen_version(ops[i].cmd, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
        snprintf(name, sizeof(name), "%s_noncanonical_pointer_is_efault", ops[i].name);
        check_rc(name, hypercall_xen_version(ops[i].cmd, (void *)BAD_PTR_NONCANONICAL),
                 -XEN_EFAULT);
    }
}

void test_main(const struct hv_start_info *si)
{
    (void)si;
    check_numbers();
    check_strings();
    check_compile_info();
    check_guest_handle();
    check_build_id();
    check_bad_pointers();
    check_rc("unknown_subop_is_enosys", hypercall_xen_version(XENVER_UNKNOWN, NULL), -XEN_ENOSYS);
    check_user_hypercall_refused("version_from_ring3_is_refused", __HYPERVISOR_xen_version,
                                 XENVER_version, 0, 0);
    checks_done();
}
