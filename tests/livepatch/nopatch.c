/* A payload aimed at the rendezvous itself, which hvd must refuse. */
#include <hvpatch.h>

void nopatch_livepatch_vcpu_rendezvous(void);

void nopatch_livepatch_vcpu_rendezvous(void)
{
}
HVPATCH_REPLACE(livepatch_vcpu_rendezvous, nopatch_livepatch_vcpu_rendezvous);
