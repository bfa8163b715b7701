/*
 * mig_relay PORT HOST:TPORT MODE: a TCP relay between hvcli migrate (which
 * connects to 127.0.0.1:PORT... or any address of the namespace) and the
 * receiver at HOST:TPORT that reads the migration stream as it passes
 * (docs/specs/save-stream.md, sections 13 and 14) and breaks it on purpose:
 *   pass     relay everything
 *   round0   cut the connection 1 MiB into round 0's records
 *   round1   cut it 4 KiB into the round after round 0
 *   final    cut it 64 octets into the final round
 *   ready    pass the receiver's READY on, then cut at once (before GO)
 *   version  rewrite the stream's version to 99 on the way
 * Prints "listening" when ready, then "cut MODE at octet N" or "passed";
 * exits 1 if the stream ended before the point MODE cuts at.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum stage { HELLO, IMAGE, DOMAIN, CONFIG, RECORD_HEADER, RECORD_BODY, AFTER_END };

struct parser {
    enum stage stage;
    uint8_t hdr[32];
    uint64_t need, got;  /* octets of the current piece */
    uint32_t type;       /* of the record whose body is passing */
    uint64_t at;         /* forward octets so far */
    uint64_t cut_at;     /* cut before this octet (0: not decided) */
    int rounds_ended;
};

static const char *mode;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void begin(struct parser *p, enum stage s, uint64_t need)
{
    p->stage = s;
    p->need = need;
    p->got = 0;
}

static void records_begin(struct parser *p)
{
    if (!strcmp(mode, "round0"))
        p->cut_at = p->at + (1u << 20);
    begin(p, RECORD_HEADER, 8);
}

/* A record passed: where MODE cuts after it, and what comes next. */
static void record_done(struct parser *p)
{
    if (p->type == 0xB && p->rounds_ended++ == 0 && !strcmp(mode, "round1"))
        p->cut_at = p->at + 4096;
    if (p->type == 0xC && !strcmp(mode, "final"))
        p->cut_at = p->at + 64;
    if (p->type == 1)
        begin(p, AFTER_END, UINT64_MAX);
    else
        begin(p, RECORD_HEADER, 8);
}

/* A piece ended: decide what comes next. */
static void piece_done(struct parser *p)
{
    switch (p->stage) {
    case HELLO:
        begin(p, IMAGE, 24);
        break;
    case IMAGE:
        begin(p, DOMAIN, 32);
        break;
    case DOMAIN:
        begin(p, CONFIG, (le32(p->hdr + 24) + 7ull) & ~7ull);
        if (!p->need)
            records_begin(p);
        break;
    case CONFIG:
        records_begin(p);
        break;
    case RECORD_HEADER:
        p->type = le32(p->hdr);
        begin(p, RECORD_BODY, (le32(p->hdr + 4) + 7ull) & ~7ull);
        if (!p->need)
            record_done(p);
        break;
    case RECORD_BODY:
        record_done(p);
        break;
    case AFTER_END:
        break;
    }
}

/* Pass one forward octet through the parser (version: rewritten). */
static void parse_octet(struct parser *p, uint8_t *o)
{
    if (p->stage == IMAGE && p->got >= 8 && p->got < 12 && !strcmp(mode, "version"))
        *o = p->got == 11 ? 99 : 0; /* big-endian u32 */
    if (p->got < sizeof(p->hdr))
        p->hdr[p->got] = *o;
    p->got++;
    p->at++;
    if (p->got == p->need)
        piece_done(p);
}

static int connect_to(const char *hostport)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
    int fd;

    if (!colon || (size_t)(colon - hostport) >= sizeof(host))
        return -1;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
        return -1;
    fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static int listen_on(const char *port)
{
    struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(port)) };
    int one = 1, fd = socket(AF_INET6, SOCK_STREAM, 0);

    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
        return -1;
    return fd;
}

static bool write_all(int fd, const uint8_t *b, size_t n)
{
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w <= 0)
            return false;
        b += w;
        n -= (size_t)w;
    }
    return true;
}

/* Forward what the sender sent, up to the cut.  false: cut (or gone). */
static bool forward(struct parser *p, int from, int to)
{
    uint8_t buf[65536];
    ssize_t n = read(from, buf, sizeof(buf));
    size_t pass = 0;

    if (n <= 0)
        return false;
    for (; pass < (size_t)n; pass++) {
        if (p->cut_at && p->at >= p->cut_at)
            break;
        parse_octet(p, &buf[pass]);
    }
    if (!write_all(to, buf, pass))
        return false;
    if (pass < (size_t)n || (p->cut_at && p->at >= p->cut_at)) {
        printf("cut %s at octet %llu\n", mode, (unsigned long long)p->at);
        return false;
    }
    return true;
}

/* The receiver's messages go back; in mode ready, the cut follows READY. */
static bool backward(int from, int to, bool *cut)
{
    uint8_t buf[4096];
    ssize_t n = read(from, buf, sizeof(buf));

    if (n <= 0 || !write_all(to, buf, (size_t)n))
        return false;
    /* READY is the receiver's only message of 24 octets (16 + 8) whose type is 3. */
    if (!strcmp(mode, "ready") && n >= 8 && le32(buf + 4) == 3) {
        printf("cut ready at the receiver's READY\n");
        *cut = true;
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    struct parser p = { .stage = HELLO, .need = 80 };
    bool cut = false, going = true;

    if (argc != 4)
        return fprintf(stderr, "usage: mig_relay PORT HOST:PORT MODE\n"), 2;
    mode = argv[3];
    setvbuf(stdout, NULL, _IONBF, 0);
    int lfd = listen_on(argv[1]);
    if (lfd < 0)
        return perror("mig_relay: listen"), 1;
    printf("listening\n");
    int a = accept(lfd, NULL, NULL), b = connect_to(argv[2]);
    if (a < 0 || b < 0)
        return perror("mig_relay: connect"), 1;
    while (going) {
        struct pollfd fds[2] = { { .fd = a, .events = POLLIN }, { .fd = b, .events = POLLIN } };
        if (poll(fds, 2, -1) < 0)
            break;
        if (fds[0].revents)
            going = forward(&p, a, b), cut |= !going && p.cut_at && p.at >= p.cut_at;
        if (going && fds[1].revents)
            going = backward(b, a, &cut);
    }
    shutdown(a, SHUT_RDWR);
    shutdown(b, SHUT_RDWR);
    close(a);
    close(b);
    if (!cut && strcmp(mode, "pass") && strcmp(mode, "version")) {
        printf("no cut: the stream ended first (at octet %llu)\n", (unsigned long long)p.at);
        return 1;
    }
    if (!cut)
        printf("passed %llu octets\n", (unsigned long long)p.at);
    return 0;
}
