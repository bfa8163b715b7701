/*
 * libhvcfg: the libvirt-style XML front end (libxml2).  <domain type='hv'>
 * holds one element per key (see the key table in keys.c), kernel and
 * cmdline inside <os>; sizes carry a unit (KiB by default).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "private.h"

static const char *xml_name(const xmlNode *n)
{
    return (const char *)n->name;
}

/* A problem at node n: "FILE:LINE: message". */
__attribute__((format(printf, 3, 4))) static int xml_fail(struct parser *p, const xmlNode *n,
                                                          const char *fmt, ...)
{
    long line = xmlGetLineNo(n);
    p->line = line > 0 ? (unsigned)line : 0;
    va_list ap;
    va_start(ap, fmt);
    int rc = cfg_vfail(p, fmt, ap);
    va_end(ap);
    return rc;
}

/* Blank text and comments may sit between elements; nothing else may. */
static bool xml_is_ignorable(const xmlNode *n)
{
    if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
        return true;
    return n->type == XML_TEXT_NODE && xmlIsBlankNode(n);
}

/* The text of a leaf element, trimmed; *out is malloc'd. */
static int xml_text(struct parser *p, const xmlNode *el, char **out, size_t *outlen)
{
    size_t len = 0;
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            len += strlen((const char *)c->content);
        else if (c->type == XML_ENTITY_REF_NODE)
            return xml_fail(p, el, "<%s>: entity references are not supported", xml_name(el));
        else if (c->type == XML_ELEMENT_NODE)
            return xml_fail(p, c, "<%s> may not contain elements", xml_name(el));
    }
    char *buf = malloc(len + 1);
    if (!buf)
        return -ENOMEM;
    size_t n = 0;
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            size_t l = strlen((const char *)c->content);
            memcpy(buf + n, c->content, l);
            n += l;
        }
    }
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    size_t lead = strspn(buf, " \t\r\n");
    memmove(buf, buf + lead, n - lead + 1);
    *out = buf;
    *outlen = n - lead;
    return 0;
}

/* Turn "<memory unit='U'>N</memory>" into MiB, written to mib_text. */
static int xml_memory_mib(struct parser *p, const xmlNode *el, const char *text, size_t len,
                          char mib_text[32])
{
    uint64_t n;
    int rc = cfg_parse_u64(text, len, &n);
    if (rc)
        return cfg_number_fail(p, xml_name(el), text, len, rc, 1, MEMORY_MAX_MIB);
    xmlChar *unit = xmlGetProp(el, (const xmlChar *)"unit");
    const char *u = unit ? (const char *)unit : "KiB";
    if (strcmp(u, "KiB") == 0) {
        if (n % 1024)
            rc = cfg_key_fail(p, xml_name(el), "%" PRIu64 " KiB is not a whole number of MiB", n);
        n /= 1024;
    } else if (strcmp(u, "GiB") == 0) {
        if (n > MEMORY_MAX_MIB / 1024)
            rc = cfg_key_fail(p, xml_name(el), "%" PRIu64 " GiB is too large", n);
        n *= 1024;
    } else if (strcmp(u, "MiB") != 0) {
        char shown[SHOW_MAX + 4];
        rc = cfg_key_fail(p, xml_name(el), "unknown unit '%s' (use KiB, MiB or GiB)",
                          cfg_show(shown, u, strlen(u)));
    }
    xmlFree(unit);
    snprintf(mib_text, 32, "%" PRIu64, n);
    return rc;
}

static int xml_leaf(struct parser *p, const xmlNode *el, const struct cfg_key_def *k)
{
    char *text = NULL;
    size_t len = 0;
    int rc = xml_text(p, el, &text, &len);
    if (rc)
        return rc;
    long line = xmlGetLineNo(el);
    p->line = line > 0 ? (unsigned)line : 0;
    struct cfg_value v = { k->kind, text, len };
    char mib[32];
    if (k->where == XML_MEMORY) {
        rc = xml_memory_mib(p, el, text, len, mib);
        v = (struct cfg_value){ VALUE_NUMBER, mib, strlen(mib) };
    }
    if (rc == 0)
        rc = cfg_apply_key(p, k->key, k->xml, &v);
    free(text);
    return rc;
}

/* The key an element names: under <os> (in_os) or directly under <domain>. */
static const struct cfg_key_def *xml_lookup(const char *name, bool in_os)
{
    for (size_t i = 0; i < cfg_key_count; i++) {
        const struct cfg_key_def *k = &cfg_keys[i];
        if (k->where == XML_NONE || (k->where == XML_OS) != in_os)
            continue;
        if (strcmp(name, k->xml) == 0)
            return k;
    }
    return NULL;
}

static int xml_children(struct parser *p, const xmlNode *parent, bool in_os);

static int xml_element(struct parser *p, const xmlNode *el, bool in_os)
{
    if (!in_os && strcmp(xml_name(el), "os") == 0)
        return xml_children(p, el, true);
    const struct cfg_key_def *k = xml_lookup(xml_name(el), in_os);
    if (k)
        return xml_leaf(p, el, k);
    char shown[SHOW_MAX + 4];
    return xml_fail(p, el, "unknown element <%s>",
                    cfg_show(shown, xml_name(el), strlen(xml_name(el))));
}

static int xml_children(struct parser *p, const xmlNode *parent, bool in_os)
{
    for (const xmlNode *c = parent->children; c; c = c->next) {
        int rc;
        if (c->type == XML_ELEMENT_NODE)
            rc = xml_element(p, c, in_os);
        else if (xml_is_ignorable(c))
            rc = 0;
        else
            rc = xml_fail(p, c, "unexpected content in <%s>", xml_name(parent));
        if (rc)
            return rc;
    }
    return 0;
}

static int xml_domain(struct parser *p, const xmlNode *root)
{
    if (strcmp(xml_name(root), "domain") != 0)
        return xml_fail(p, root, "expected <domain> as the root element, found <%s>",
                        xml_name(root));
    xmlChar *type = xmlGetProp(root, (const xmlChar *)"type");
    int rc = 0;
    if (type && strcmp((const char *)type, "hv") != 0) {
        char shown[SHOW_MAX + 4];
        rc = xml_fail(p, root, "domain type '%s' is not supported (use 'hv')",
                      cfg_show(shown, (const char *)type, strlen((const char *)type)));
    }
    xmlFree(type);
    if (rc == 0)
        rc = xml_children(p, root, false);
    if (rc)
        return rc;
    /* libvirt's <memory> is the maximum; <currentMemory> defaults to it. */
    if (!p->seen[KEY_MEMORY] && p->seen[KEY_MAXMEM]) {
        p->cfg->memory_mib = p->cfg->maxmem_mib;
        p->seen[KEY_MEMORY] = true;
        p->seen_as[KEY_MEMORY] = "currentMemory";
    }
    return cfg_finish(p);
}

int cfg_parse_xml(struct parser *p, const char *s, size_t len)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return -ENOMEM;
    /* No XML_PARSE_NOENT or DTDLOAD: entities stay unexpanded and nothing external is read. */
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, s, (int)len, p->file, NULL, options);
    int rc;
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char msg[256];
        snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "parse error");
        cfg_first_line(msg);
        p->line = e && e->line > 0 ? (unsigned)e->line : 0;
        rc = cfg_fail(p, "invalid XML: %s", msg);
    } else {
        const xmlNode *root = xmlDocGetRootElement(doc);
        rc = root ? xml_domain(p, root) : cfg_fail(p, "invalid XML: no root element");
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}
