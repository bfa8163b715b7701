/*
 * libhvcfg internals: the key table, the parser state the front ends
 * share, and the helpers for messages and values.
 *
 * Each front end (xl.c, json_in.c, xml.c) turns its syntax into (key,
 * value) pairs and hands them to cfg_apply_key() (keys.c), which holds
 * all the validation, so the three formats accept and reject the same
 * things; the writer (write.c) walks the same key table.
 */
#ifndef HVCFG_PRIVATE_H
#define HVCFG_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>
#include "hvcfg.h"

#define HVCFG_EXPORT __attribute__((visibility("default")))

/* Largest memory size in MiB whose size in bytes still fits 64 bits. */
#define MEMORY_MAX_MIB (UINT64_MAX >> 20)
/* Values quoted in messages are cut to this many bytes. */
#define SHOW_MAX 40

enum cfg_key {
    KEY_NAME,
    KEY_MEMORY,
    KEY_MAXMEM,
    KEY_VCPUS,
    KEY_KERNEL,
    KEY_CMDLINE,
    KEY_ON_POWEROFF,
    KEY_ON_REBOOT,
    KEY_ON_CRASH,
    KEY_UUID,
    KEY_RESTART_LIMIT,
    KEY_RESTART_INTERVAL,
    KEY_COUNT
};

enum value_kind { VALUE_NUMBER, VALUE_STRING, VALUE_LIST, VALUE_OTHER };

/* Where a key sits in a libvirt-style XML document. */
enum xml_place {
    XML_NONE,   /* not in XML (an alias) */
    XML_DOMAIN, /* <domain><ELEMENT> */
    XML_MEMORY, /* <domain><ELEMENT unit='KiB|MiB|GiB'>, a size */
    XML_OS,     /* <domain><os><ELEMENT> */
};

/* Whether a config must give a key. */
enum key_need {
    KEY_OPTIONAL,
    KEY_REQUIRED,
    KEY_REQUIRED_TO_BOOT, /* optional with HVCFG_PARSE_RESTORE */
};

/* One spelling of a key: the one table every front end and the writer use. */
struct cfg_key_def {
    const char *name; /* in xl.cfg and JSON */
    enum cfg_key key;
    enum value_kind kind; /* VALUE_NUMBER or VALUE_STRING */
    enum key_need need;
    bool alias;      /* another name for a key: read, never written */
    const char *xml; /* the XML element (NULL with XML_NONE) */
    enum xml_place where;
};

extern const struct cfg_key_def cfg_keys[];
extern const size_t cfg_key_count;

enum cfg_format { FORMAT_XL, FORMAT_JSON, FORMAT_XML };

/* One value as a front end found it. */
struct cfg_value {
    enum value_kind kind;
    const char *text; /* NUMBER: its source text; STRING: the decoded, NUL-terminated bytes;
                         OTHER: what it is ("a boolean") */
    size_t len;       /* bytes in text */
};

struct parser {
    const char *file; /* for messages */
    const char *dir;  /* NULL: leave a relative kernel path alone */
    unsigned flags;   /* HVCFG_PARSE_* */
    enum cfg_format format;
    unsigned line; /* line of the setting being handled; 0: none */
    bool seen[KEY_COUNT];
    unsigned seen_line[KEY_COUNT];
    const char *seen_as[KEY_COUNT]; /* the name the key was first given under */
    struct hvcfg_domain *cfg;
    char *err;
    size_t errlen;
};

/* message.c */
const char *cfg_show(char out[SHOW_MAX + 4], const char *s, size_t len);
const char *cfg_describe_byte(char out[16], int c);
int cfg_vfail(struct parser *p, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
int cfg_fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cfg_key_fail(struct parser *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* yajl and libxml2 messages span several lines: keep the first. */
void cfg_first_line(char *msg);

/* values.c: each reports a bad value with cfg_key_fail() and returns -EINVAL. */
int cfg_expect_kind(struct parser *p, const char *key, const struct cfg_value *v,
                    enum value_kind kind);
/* Parse -?(decimal | 0x hex) from exactly len bytes.  Returns 0, -EINVAL
 * (not such a number), -ERANGE (does not fit 64 bits) or -EDOM (negative). */
int cfg_parse_u64(const char *s, size_t len, uint64_t *out);
int cfg_number_fail(struct parser *p, const char *key, const char *text, size_t len, int why,
                    uint64_t min, uint64_t max);
int cfg_get_number(struct parser *p, const char *key, const struct cfg_value *v, uint64_t min,
                   uint64_t max, uint64_t *out);
int cfg_get_u32(struct parser *p, const char *key, const struct cfg_value *v, uint32_t min,
                uint32_t max, uint32_t *out);
int cfg_get_string(struct parser *p, const char *key, const struct cfg_value *v, char *field,
                   size_t size);

/* keys.c */
const struct cfg_key_def *cfg_lookup_key(const char *s, size_t len);
int cfg_unknown_key(struct parser *p, const char *s, size_t len);
int cfg_apply_key(struct parser *p, enum cfg_key key, const char *name, const struct cfg_value *v);
int cfg_finish(struct parser *p);

/* The front ends: each parses a whole document and ends with cfg_finish(). */
int cfg_parse_xl(struct parser *p, const char *s, size_t len);
int cfg_parse_json(struct parser *p, const char *s, size_t len);
int cfg_parse_xml(struct parser *p, const char *s, size_t len);

/* gen.c: a yajl generator that remembers its first failure, so that a
 * caller can emit a whole document and check once at the end. */
struct json_gen {
    yajl_gen g;
    yajl_gen_status status;
};
int gen_begin(struct json_gen *j, bool beautify);
void gen_note(struct json_gen *j, yajl_gen_status st);
void gen_string(struct json_gen *j, const char *s);
void gen_str(struct json_gen *j, const char *key, const char *val);
void gen_strn(struct json_gen *j, const char *key, const char *val, size_t max);
void gen_u64(struct json_gen *j, const char *key, uint64_t val);
void gen_bool(struct json_gen *j, const char *key, bool val);
/* The document as a malloc'd string in *out; frees the generator. */
int gen_end(struct json_gen *j, char **out);

#endif
