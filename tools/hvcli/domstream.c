/* hvcli save/restore: progress on a terminal, and signals that stop the work cleanly. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "domstream.h"

/* ---- progress ------------------------------------------------------------ */

static void progress_init(struct progress *p, const char *what)
{
    p->on = isatty(STDERR_FILENO);
    p->what = what;
    p->shown = -1;
}

static void progress_show(struct progress *p, uint64_t done, uint64_t total)
{
    if (!p->on || total == 0)
        return;
    int pct = done >= total ? 100 : (int)(done * 100 / total);
    if (pct == p->shown)
        return;
    p->shown = pct;
    fprintf(stderr, "\r%s: %3d%%", p->what, pct);
    fflush(stderr);
}

/* Clear the progress line (after success or failure). */
static void progress_end(struct progress *p)
{
    if (p->on && p->shown >= 0)
        fputs("\r\033[K", stderr); /* erase the line: what follows stands alone */
    p->shown = -1;
}

int progress_report(void *arg, enum hvguest_phase phase, uint64_t done, uint64_t total)
{
    struct progress *p = arg;

    if (phase == HVGUEST_PHASE_PAGES)
        progress_show(p, done, total);
    else
        progress_end(p);
    return domstream_interrupted();
}

/* ---- signals ------------------------------------------------------------- */

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NR_STOP_SIGNALS (sizeof(stop_signals) / sizeof(stop_signals[0]))
/* Failed writes: a closed pipe is -EPIPE, a file over ulimit -f -EFBIG. */
static const int ignored_signals[] = { SIGPIPE, SIGXFSZ };
#define NR_IGNORED_SIGNALS (sizeof(ignored_signals) / sizeof(ignored_signals[0]))
static struct sigaction saved_stop[NR_STOP_SIGNALS], saved_ignored[NR_IGNORED_SIGNALS];
static volatile sig_atomic_t stop_requested;

static void note_stop(int sig)
{
    stop_requested = sig;
}

static void signals_catch(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = note_stop;
    for (size_t i = 0; i < NR_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &sa, &saved_stop[i]);
    sa.sa_handler = SIG_IGN;
    for (size_t i = 0; i < NR_IGNORED_SIGNALS; i++)
        sigaction(ignored_signals[i], &sa, &saved_ignored[i]);
}

void domstream_end(void)
{
    for (size_t i = 0; i < NR_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &saved_stop[i], NULL);
    for (size_t i = 0; i < NR_IGNORED_SIGNALS; i++)
        sigaction(ignored_signals[i], &saved_ignored[i], NULL);
}

int domstream_interrupted(void)
{
    return stop_requested;
}

/* ---- the work ------------------------------------------------------------ */

void domstream_begin(struct progress *p, const char *what)
{
    progress_init(p, what);
    signals_catch();
}

int domstream_engine_done(struct progress *p, int rc, struct hvguest_status *st)
{
    int sig = domstream_interrupted();

    progress_end(p);
    if (rc == -EINTR && sig)
        snprintf(st->error, sizeof(st->error), "interrupted by signal %d (%s)", sig,
                 strsignal(sig));
    return rc;
}
