/* hvd internal: a domain's console (guest console_io <-> attached clients). */
#ifndef HV_XEN_CONSOLE_H
#define HV_XEN_CONSOLE_H

struct domain;

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define CONSOLE_RING_SIZE   (64u * 1024u) /* output kept for late attachers */
#define CONSOLE_INPUT_SIZE  4096u
#define CONSOLE_MAX_CLIENTS 8u

struct console {
    pthread_mutex_t lock;
    char *out;         /* CONSOLE_RING_SIZE bytes */
    uint64_t out_prod; /* bytes ever written */
    char *in;          /* CONSOLE_INPUT_SIZE bytes of pending input */
    size_t in_len;
    int clients[CONSOLE_MAX_CLIENTS]; /* hvd's ends of attached sockets, -1 free */
    uint64_t dropped;                 /* bytes a slow client did not take */
    bool lock_ready;                  /* console_init() ran: teardown has work */
};

int console_init(struct domain *d);
void console_teardown(struct domain *d);
/* Guest output: append to the ring and forward to every client. */
void console_write(struct console *c, const char *buf, size_t len);
/* Guest input: take up to len pending bytes. */
size_t console_read_input(struct console *c, char *buf, size_t len);
/* New client: returns the client's end of a socketpair or -errno. */
int console_attach(struct domain *d, uint64_t *lost);
/* Save/restore: the ring's contents, oldest first, at most len bytes (the
 * newest); *lost counts older output.  copy_in replaces the ring. */
size_t console_copy_out(struct console *c, char *buf, size_t len, uint64_t *lost);
void console_copy_in(struct console *c, const char *buf, size_t len, uint64_t lost);
/* Called by the main loop when a client's socket is readable. */
void console_client_event(struct domain *d, int fd);

#endif
