/*
 * hvd internal: what live patching (docs/livepatch.md) needs from the
 * rest of hvd.
 */
#ifndef HV_XEN_LIVEPATCH_H
#define HV_XEN_LIVEPATCH_H

/*
 * Code no payload may patch: the live-patch code, the main loop, each
 * vCPU thread's top-level function, main and the signal handlers, which
 * run while the text changes or receive control asynchronously.  They go
 * to their own output section, hv_nopatch_text, where no payload may
 * aim.  noinline: an inlined copy would land outside it.
 */
#define HV_NOPATCH __attribute__((section("hv_nopatch_text"), noinline))

#endif
