/*
 * The attacker guest: does, on purpose, what a malicious guest would do to
 * hvd or to another domain.  The command line's first word names the mode
 * (see modes.h and the mode tables in the other files of this directory);
 * the rest are that mode's key=value settings.  Each mode ends with
 * "Test result: SUCCESS" when hv held, FAILURE when the guest saw hv
 * misbehave; what hvd itself must survive is checked by the scripts.
 */
#include "modes.h"
#include "xtf.h"

const char test_title[] = "attacker";

static const struct attacker_mode *const mode_tables[] = { vcpu_modes, memory_modes };

/* Whether the command line's first word is name. */
static bool first_word_is(const char *cmdline, const char *name)
{
    size_t n = 0;
    while (name[n] && cmdline[n] == name[n])
        n++;
    return !name[n] && (cmdline[n] == '\0' || cmdline[n] == ' ');
}

void test_main(const struct hv_start_info *si)
{
    for (size_t t = 0; t < sizeof(mode_tables) / sizeof(mode_tables[0]); t++) {
        for (const struct attacker_mode *m = mode_tables[t]; m->name; m++) {
            if (first_word_is(si->cmdline, m->name)) {
                m->run(si);
                xtf_error("mode %s returned without a result", m->name);
            }
        }
    }
    xtf_error("cmdline \"%s\": no such mode", si->cmdline);
}
