/* libhvcfg: the JSON front end (yajl's tree parser): one object of keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>
#include "private.h"

/* yajl_tree_free recurses once per nesting level: refuse deep documents. */
#define JSON_MAX_DEPTH 32

static bool json_nesting_ok(const char *s, size_t len)
{
    unsigned depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > JSON_MAX_DEPTH)
                return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return true;
}

static void json_to_value(yajl_val j, struct cfg_value *v)
{
    if (YAJL_IS_STRING(j)) {
        *v = (struct cfg_value){ VALUE_STRING, j->u.string, strlen(j->u.string) };
    } else if (YAJL_IS_NUMBER(j)) {
        *v = (struct cfg_value){ VALUE_NUMBER, j->u.number.r, strlen(j->u.number.r) };
    } else if (YAJL_IS_ARRAY(j)) {
        *v = (struct cfg_value){ VALUE_LIST, "a list", 0 };
    } else if (YAJL_IS_OBJECT(j)) {
        *v = (struct cfg_value){ VALUE_OTHER, "an object", 0 };
    } else if (YAJL_IS_NULL(j)) {
        *v = (struct cfg_value){ VALUE_OTHER, "null", 0 };
    } else {
        *v = (struct cfg_value){ VALUE_OTHER, "a boolean", 0 };
    }
}

/* root is an object: the format was chosen because the text starts with '{'. */
static int json_object(struct parser *p, yajl_val root)
{
    for (size_t i = 0; i < root->u.object.len; i++) {
        const char *name = root->u.object.keys[i];
        const struct cfg_key_def *k = cfg_lookup_key(name, strlen(name));
        if (!k)
            return cfg_unknown_key(p, name, strlen(name));
        struct cfg_value v;
        json_to_value(root->u.object.values[i], &v);
        int rc = cfg_apply_key(p, k->key, k->name, &v);
        if (rc)
            return rc;
    }
    return cfg_finish(p);
}

int cfg_parse_json(struct parser *p, const char *s, size_t len)
{
    if (!json_nesting_ok(s, len))
        return cfg_fail(p, "invalid JSON: nested deeper than %d levels", JSON_MAX_DEPTH);
    /* yajl_tree_parse wants a NUL-terminated string; the text has no NUL (checked). */
    char *copy = strndup(s, len);
    if (!copy)
        return -ENOMEM;
    char msg[256] = "";
    yajl_val root = yajl_tree_parse(copy, msg, sizeof msg);
    free(copy);
    if (!root) {
        cfg_first_line(msg);
        return cfg_fail(p, "invalid JSON: %s", msg[0] ? msg : "parse error");
    }
    int rc = json_object(p, root);
    yajl_tree_free(root);
    return rc;
}
