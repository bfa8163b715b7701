/*
 * The reference of bench/hypercall: a bare KVM VM, built without hvd, that
 * boots the same guest image and answers its hypercalls in the cheapest
 * possible way, so what it measures is the cost of the exit itself.
 */
#ifndef BENCH_RAW_VM_H
#define BENCH_RAW_VM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

struct raw_vm {
    int vm_fd;
    int vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *ram;      /* guest-physical [0, ram_size), anonymous memory */
    uint64_t ram_size;
};

/* Everything that does not depend on one VM: /dev/kvm and the CPUID table. */
struct raw_kvm {
    int kvm_fd;
    int run_size;
    struct kvm_cpuid2 *cpuid; /* KVM's supported leaves with hv's 0x40000000 range */
};

int raw_kvm_open(struct raw_kvm *k);
void raw_kvm_close(struct raw_kvm *k);

/* A VM with ram_size bytes of RAM (a multiple of 4 KiB) and one vCPU, set
 * up as hvd sets up a domain: hv's CPUID leaves, the hypercall-page MSR
 * exiting to user space, registers shared through kvm_run.  Negative errno. */
int raw_vm_create(struct raw_vm *vm, const struct raw_kvm *k, uint64_t ram_size);
void raw_vm_destroy(struct raw_vm *vm);

/* Load the ELF image as hvd's domain builder does and point the vCPU at it. */
int raw_vm_load_elf(struct raw_vm *vm, const void *img, size_t len, const char *cmdline);

/* Run until the guest asks for a shutdown.  The guest's console output is
 * kept, NUL-terminated and cut to fit, in console[0..size).
 * -EPROTO: an exit the guest of bench/hypercall never causes. */
int raw_vm_run(struct raw_vm *vm, char *console, size_t size);

#endif
