/*
 * hvm_op get_param/set_param: HVM_PARAM_CALLBACK_IRQ reads back what was
 * set and refuses bad vectors and types, HVM_PARAM_BALLOON_TARGET is
 * read-only, other indexes, pad, domid and pointers are refused.
 */
#include <hv/public/hvm_op.h>

#include "check.h"
#include "xtf.h"

const char test_title[] = "hvmparams: hvm_op get_param/set_param and their errors";

#define HVMOP_UNKNOWN 77
#define CALLBACK_VECTOR(v) (HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | (v))

static struct xen_hvm_param param;

static long set_param(uint32_t index, uint64_t value)
{
    param = (struct xen_hvm_param){ .domid = DOMID_SELF, .index = index, .value = value };
    return hypercall_hvm_op(HVMOP_set_param, &param);
}

/* Returns hvd's rc; the value read is left in param.value. */
static long get_param(uint32_t index)
{
    param = (struct xen_hvm_param){ .domid = DOMID_SELF, .index = index, .value = 0x5a5a };
    return hypercall_hvm_op(HVMOP_get_param, &param);
}

static void check_callback_irq(void)
{
    long rc;

    rc = get_param(HVM_PARAM_CALLBACK_IRQ);
    check(rc == 0 && param.value == 0, "callback_irq_starts_disabled", "rc %s, value 0x%lx",
          rc_name(rc), param.value);
    check_rc("callback_irq_set_vector_0xf3", set_param(HVM_PARAM_CALLBACK_IRQ,
                                                       CALLBACK_VECTOR(0xf3)), 0);
    rc = get_param(HVM_PARAM_CALLBACK_IRQ);
    check(rc == 0 && param.value == CALLBACK_VECTOR(0xf3), "callback_irq_reads_back_what_was_set",
          "rc %s, value 0x%lx", rc_name(rc), param.value);
    check_rc("callback_irq_vector_below_0x20_is_einval",
             set_param(HVM_PARAM_CALLBACK_IRQ, CALLBACK_VECTOR(0x10)), -XEN_EINVAL);
    check_rc("callback_irq_vector_above_0xff_is_einval",
             set_param(HVM_PARAM_CALLBACK_IRQ, CALLBACK_VECTOR(0x100)), -XEN_EINVAL);
    check_rc("callback_irq_type_1_is_einval",
             set_param(HVM_PARAM_CALLBACK_IRQ, 1ull << 56 | 0x40), -XEN_EINVAL);
    rc = get_param(HVM_PARAM_CALLBACK_IRQ);
    check(rc == 0 && param.value == CALLBACK_VECTOR(0xf3), "refused_sets_leave_callback_irq_alone",
          "rc %s, value 0x%lx", rc_name(rc), param.value);
    check_rc("callback_irq_set_0_disables", set_param(HVM_PARAM_CALLBACK_IRQ, 0), 0);
    rc = get_param(HVM_PARAM_CALLBACK_IRQ);
    check(rc == 0 && param.value == 0, "callback_irq_reads_0_when_disabled", "rc %s, value 0x%lx",
          rc_name(rc), param.value);
}

static void check_balloon_target(void)
{
    long rc = get_param(HVM_PARAM_BALLOON_TARGET);

    check(rc == 0 && param.value == 0, "balloon_target_reads_0_when_unset", "rc %s, value 0x%lx",
          rc_name(rc), param.value);
    check_rc("balloon_target_set_is_eperm", set_param(HVM_PARAM_BALLOON_TARGET, 100), -XEN_EPERM);
}

static void check_bad_indexes(void)
{
    check_rc("get_param_unused_index_1_is_einval", get_param(1), -XEN_EINVAL);
    check_rc("set_param_unused_index_1_is_einval", set_param(1, 1), -XEN_EINVAL);
    check_rc("get_param_index_nr_is_einval", get_param(HVM_PARAM_NR), -XEN_EINVAL);
    check_rc("set_param_index_nr_is_einval", set_param(HVM_PARAM_NR, 0), -XEN_EINVAL);
    check_rc("get_param_index_huge_is_einval", get_param(0xffffffffu), -XEN_EINVAL);
}

static void check_bad_fields(void)
{
    param = (struct xen_hvm_param){ .domid = DOMID_SELF, .pad = 1,
                                    .index = HVM_PARAM_CALLBACK_IRQ };
    check_rc("get_param_with_pad_is_einval", hypercall_hvm_op(HVMOP_get_param, &param),
             -XEN_EINVAL);
    param.value = CALLBACK_VECTOR(0xf3);
    check_rc("set_param_with_pad_is_einval", hypercall_hvm_op(HVMOP_set_param, &param),
             -XEN_EINVAL);
    param = (struct xen_hvm_param){ .domid = 0, .index = HVM_PARAM_CALLBACK_IRQ };
    check_rc("get_param_of_domid_0_is_esrch", hypercall_hvm_op(HVMOP_get_param, &param),
             -XEN_ESRCH);
    param = (struct xen_hvm_param){ .domid = DOMID_MAX, .index = HVM_PARAM_CALLBACK_IRQ,
                                    .value = CALLBACK_VECTOR(0xf3) };
    check_rc("set_param_of_other_domid_is_esrch", hypercall_hvm_op(HVMOP_set_param, &param),
             -XEN_ESRCH);
    check_rc("get_param_unmapped_pointer_is_efault",
             hypercall_hvm_op(HVMOP_get_param, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
    check_rc("set_param_unmapped_pointer_is_efault",
             hypercall_hvm_op(HVMOP_set_param, (void *)BAD_PTR_UNMAPPED), -XEN_EFAULT);
    check_rc("unknown_subop_is_enosys", hypercall_hvm_op(HVMOP_UNKNOWN, &param), -XEN_ENOSYS);
}

void test_main(const struct hv_start_info *si)
{
    (void)si;
    check_callback_irq();
    check_balloon_target();
    check_bad_indexes();
    check_bad_fields();
    check_user_hypercall_refused("get_param_from_ring3_is_refused", __HYPERVISOR_hvm_op,
                                 HVMOP_get_param, (uintptr_t)&param, 0);
    checks_done();
}
