/* hvd internal: the x86 KVM backend. */
#ifndef HV_XEN_ARCH_H
#define HV_XEN_ARCH_H

#include <stdint.h>
#include <stdbool.h>
#include <hv/public/domctl.h>

struct domain;
struct vcpu;

int arch_kvm_open(void); /* opens /dev/kvm, checks capabilities */
int arch_kvm_max_vcpus(void);
int arch_vm_create(struct domain *d);
int arch_vm_set_memory(struct domain *d);
/* KVM's dirty log of the domain's memory slot: on or off; and read, one
 * bit per gfn into (nr_gfns + 63) / 64 words, KVM clearing its own. */
int arch_vm_log_dirty(struct domain *d, bool on);
int arch_vm_get_dirty_log(struct domain *d, uint64_t *bitmap);
int arch_vcpu_create(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
/* Run the vCPU until it must return to check_for_vcpu_work(). */
void arch_vcpu_run_once(struct vcpu *v);
/* Complete a pending exit without entering the guest (before parking). */
void arch_vcpu_complete_exit(struct vcpu *v);
int arch_get_vcpu_context(struct vcpu *v, struct hv_vcpu_context *ctx);
int arch_set_vcpu_context(struct vcpu *v, const struct hv_vcpu_context *ctx);
/* Current privilege level of a vCPU stopped in a hypercall exit. */
unsigned int arch_vcpu_cpl(struct vcpu *v);
/* Guest-virtual to guest-physical for the vCPU; -EFAULT if unmapped. */
int arch_translate(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa);
/* The save stream's vCPU and clock state (context.c). */
struct hv_save_vcpu;
struct hv_save_msr;
struct hv_save_clock;
#define HV_SAVE_XSAVE_LEN_KVM 4096u /* KVM_GET_XSAVE's region */
int arch_msr_list_init(int kvm_fd);
bool arch_msr_saveable(uint32_t index);
int arch_vcpu_save(struct vcpu *v, struct hv_save_vcpu *rec, uint8_t *xsave,
                   struct hv_save_msr *msrs);
int arch_vcpu_load(struct vcpu *v, const struct hv_save_vcpu *rec, const uint8_t *xsave,
                   const struct hv_save_msr *msrs);
int arch_vm_save_clock(struct domain *d, struct hv_save_clock *c);
int arch_vm_load_clock(struct domain *d, const struct hv_save_clock *c);
int arch_vm_clock_offset(struct domain *d); /* system time vs CLOCK_BOOTTIME */

/* Fill one guest page with the hypercall stubs. */
void arch_write_hypercall_page(uint8_t *page);

#endif
