/*
 * What a program standing in for hvd needs for tests/unit/lp_payload.o
 * (test_livepatch_load, fuzz_livepatch): the function the payload
 * patches, 10 octets (5 NOPs, lea 1(%rdi),%rax, ret, as its expectation
 * says), and the function its replacement jumps to.
 */
#ifndef LP_HOST_H
#define LP_HOST_H

long lp_target_answer(long x); /* x + 1 */
long lp_helper(long x);        /* x * 1000 */

#endif
