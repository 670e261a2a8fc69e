/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

#include "path-trust.h"
#include "path-util.h"
#include "read-file.h"
#include "spec.h"

static const char *const mode_names[_CONFINEMENT_MODE_MAX] = {
        [CONFINEMENT_FULL_APIVFS] = "full-apivfs",
        [CONFINEMENT_CHROOT_ONLY] = "chroot-only",
        [CONFINEMENT_FULL] = "full",
};

static const char *const bind_method_names[_BIND_METHOD_MAX] = {
        [BIND_METHOD_VIEW] = "view",
        [BIND_METHOD_READ_ONLY] = "read-only",
        [BIND_METHOD_OVERLAY] = "overlay",
};

static const char *const unit_roots_names[_UNIT_ROOTS_MAX] = {
        [UNIT_ROOTS_NONE] = "none",
        [UNIT_ROOTS_EXEC] = "exec",
        [UNIT_ROOTS_FULL] = "full",
};

const char *unit_roots_to_string(UnitRoots r) {
        return r >= 0 && r < _UNIT_ROOTS_MAX ? unit_roots_names[r] : NULL;
}

bool spec_names_roots(const Spec *s) {
        return s->n_packages > 0 || s->unit_roots != UNIT_ROOTS_NONE;
}

const char *confinement_mode_to_string(ConfinementMode m) {
        return m >= 0 && m < _CONFINEMENT_MODE_MAX ? mode_names[m] : NULL;
}

const char *bind_method_to_string(BindMethod m) {
        return m >= 0 && m < _BIND_METHOD_MAX ? bind_method_names[m] : NULL;
}

static void extra_binds_free(ExtraBind *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(b[i].source);
                free(b[i].target);
        }
        free(b);
}

Spec *spec_free(Spec *s) {
        if (!s)
                return NULL;
        free(s->file);
        for (size_t i = 0; i < s->n_closure_infos; i++)
                free(s->closure_infos[i]);
        free(s->closure_infos);
        for (size_t i = 0; i < s->n_packages; i++)
                free(s->packages[i]);
        free(s->packages);
        free(s->bin_sh);
        extra_binds_free(s->bind_read_only, s->n_bind_read_only);
        extra_binds_free(s->bind_writable, s->n_bind_writable);
        free(s->store_dir);
        free(s);
        return NULL;
}

static const char *json_type_name(const json_t *v) {
        switch (json_typeof(v)) {
        case JSON_OBJECT: return "an object";
        case JSON_ARRAY: return "an array";
        case JSON_STRING: return "a string";
        case JSON_INTEGER: return "an integer";
        case JSON_REAL: return "a number";
        case JSON_TRUE:
        case JSON_FALSE: return "a boolean";
        case JSON_NULL: return "null";
        }
        return "a value";
}

/* A string naming an absolute, normalized path without control characters. */
static int parse_path(const char *file, const char *key, json_t *v, char **ret, Diag *d) {
        const char *s, *why;
        char *p;

        if (!json_is_string(v))
                return diag_error(d, 0, file, key, "expected a path (a string), got %s.", json_type_name(v));
        s = json_string_value(v);
        if (strlen(s) != json_string_length(v))
                return diag_error(d, 0, file, key, "expected a path, got a string with a NUL byte.");
        if (path_check_safe(s, &why) < 0)
                return diag_error(d, 0, file, key,
                                  "expected an absolute, normalized path without control characters, "
                                  "got \"%s\": %s.", s, why);
        p = strdup(s);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* One key of the spec being parsed: the file, the key's name and value,
 * and where its problems go. */
typedef struct Key {
        const char *file, *name;
        json_t *value;
        Diag *d;
} Key;

/* The names of an enum's values, by value, and what a message expects. */
typedef struct EnumKind {
        const char *const *names;
        size_t n;
        const char *expected;
} EnumKind;

static int parse_enum(const Key *k, const EnumKind *kind, int *ret) {
        json_t *v = k->value;

        if (!json_is_string(v))
                return diag_error(k->d, 0, k->file, k->name, "expected %s, got %s.", kind->expected,
                                  json_type_name(v));
        for (size_t i = 0; i < kind->n; i++)
                if (streq(json_string_value(v), kind->names[i])) {
                        *ret = (int) i;
                        return 0;
                }
        return diag_error(k->d, 0, k->file, k->name, "expected %s, got \"%s\".", kind->expected,
                          json_string_value(v));
}

/* A path or a list of paths; with allow_single false, only a list. */
static int parse_path_list(const Key *k, bool allow_single, char ***ret, size_t *ret_n) {
        const char *file = k->file, *key = k->name;
        json_t *v = k->value;
        Diag *d = k->d;
        size_t n = json_is_array(v) ? json_array_size(v) : 1;
        char subkey[64];
        int r;

        if (!json_is_array(v) && !(allow_single && json_is_string(v)))
                return diag_error(d, 0, file, key, "expected %s, got %s.",
                                  allow_single ? "a path or a list of paths" : "a list of paths", json_type_name(v));

        *ret = calloc(n ?: 1, sizeof(char *));
        if (!*ret)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (json_is_array(v))
                        (void) snprintf(subkey, sizeof subkey, "%s[%zu]", key, i);
                else
                        (void) snprintf(subkey, sizeof subkey, "%s", key);
                r = parse_path(file, subkey, json_is_array(v) ? json_array_get(v, i) : v, &(*ret)[i], d);
                if (r < 0)
                        return r;
                (*ret_n)++;
        }
        return 0;
}

static int parse_extra_bind(const char *file, const char *key, json_t *v, ExtraBind *b, Diag *d) {
        char subkey[96];
        const char *k;
        json_t *value;
        int r;

        if (json_is_string(v)) {
                r = parse_path(file, key, v, &b->source, d);
                if (r < 0)
                        return r;
                assert(b->source);
                b->target = strdup(b->source);
                return b->target ? 0 : -ENOMEM;
        }
        if (!json_is_object(v))
                return diag_error(d, 0, file, key,
                                  "expected a path or an object {\"source\", \"target\", \"optional\"}, got %s.",
                                  json_type_name(v));

        json_object_foreach(v, k, value) {
                (void) snprintf(subkey, sizeof subkey, "%s.%s", key, k);
                if (streq(k, "source"))
                        r = parse_path(file, subkey, value, &b->source, d);
                else if (streq(k, "target"))
                        r = parse_path(file, subkey, value, &b->target, d);
                else if (streq(k, "optional")) {
                        if (!json_is_boolean(value))
                                return diag_error(d, 0, file, subkey, "expected true or false, got %s.",
                                                  json_type_name(value));
                        b->optional = json_is_true(value);
                        r = 0;
                } else
                        return diag_error(d, 0, file, subkey,
                                          "unknown key; expected \"source\", \"target\" or \"optional\".");
                if (r < 0)
                        return r;
        }
        if (!b->source)
                return diag_error(d, 0, file, key, "expected an object with a \"source\" path, got none.");
        if (!b->target) {
                b->target = strdup(b->source);
                if (!b->target)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_extra_binds(const Key *k, ExtraBind **ret, size_t *ret_n) {
        const char *file = k->file, *key = k->name;
        json_t *v = k->value;
        Diag *d = k->d;
        char subkey[64];
        int r;

        if (!json_is_array(v))
                return diag_error(d, 0, file, key, "expected a list, got %s.", json_type_name(v));
        *ret = calloc(json_array_size(v) ?: 1, sizeof(ExtraBind));
        if (!*ret)
                return -ENOMEM;
        for (size_t i = 0; i < json_array_size(v); i++) {
                (void) snprintf(subkey, sizeof subkey, "%s[%zu]", key, i);
                /* Counted first, so that spec_free() releases a half-parsed entry. */
                (*ret_n)++;
                r = parse_extra_bind(file, subkey, json_array_get(v, i), &(*ret)[i], d);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Only characters that need no quoting anywhere (Where=, RequiresMountsFor=,
 * mount unit names stay readable): a store directory is a plain path. */
static int parse_store_dir(const char *file, json_t *v, char **ret, Diag *d) {
        int r;

        r = parse_path(file, "storeDir", v, ret, d);
        if (r < 0)
                return r;
        assert(*ret);
        if (streq(*ret, "/"))
                return diag_error(d, 0, file, "storeDir", "expected a store directory, got \"/\".");
        if ((*ret)[strspn(*ret, "/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-")] != '\0')
                return diag_error(d, 0, file, "storeDir",
                                  "expected a path of letters, digits and \"/._+-\", got \"%s\".", *ret);
        return 0;
}

/* A list of need names (needs.h), each at most once, "-NAME" for one
 * whose missing sources are skipped. */
static int parse_needs(const Key *k, NeedSet *ret) {
        char subkey[64];
        json_t *v = k->value;

        if (!json_is_array(v))
                return diag_error(k->d, 0, k->file, k->name, "expected a list of needs (%s), got %s.",
                                  need_names_expected(), json_type_name(v));
        for (size_t i = 0; i < json_array_size(v); i++) {
                json_t *e = json_array_get(v, i);
                const char *name;
                bool optional;
                int id;

                (void) snprintf(subkey, sizeof subkey, "%s[%zu]", k->name, i);
                if (!json_is_string(e))
                        return diag_error(k->d, 0, k->file, subkey, "expected a need (%s), got %s.",
                                          need_names_expected(), json_type_name(e));
                name = json_string_value(e);
                optional = name[0] == '-';
                id = strlen(name) == json_string_length(e) ? need_from_string(name + optional) : -EINVAL;
                if (id < 0)
                        return diag_error(k->d, 0, k->file, subkey,
                                          "expected a need (%s, optional with a leading \"-\"), got \"%s\".",
                                          need_names_expected(), name);
                if (ret->mask & (1u << id))
                        return diag_error(k->d, 0, k->file, subkey, "need \"%s\" is named twice.",
                                          need_to_string(id));
                ret->mask |= 1u << id;
                if (optional)
                        ret->optional_mask |= 1u << id;
        }
        return 0;
}

/* The deepest nesting of arrays and objects, strings skipped; so that a
 * hostile file is refused before the parser recurses into it. */
static size_t json_depth(const char *text, size_t size) {
        size_t depth = 0, max = 0;
        bool in_string = false;

        for (size_t i = 0; i < size; i++) {
                char c = text[i];

                if (in_string) {
                        if (c == '\\')
                                i++;
                        else if (c == '"')
                                in_string = false;
                } else if (c == '"')
                        in_string = true;
                else if (c == '[' || c == '{') {
                        if (++depth > max)
                                max = depth;
                } else if ((c == ']' || c == '}') && depth > 0)
                        depth--;
        }
        return max;
}

static const EnumKind mode_kind = {
        mode_names, _CONFINEMENT_MODE_MAX, "\"full-apivfs\", \"chroot-only\" or \"full\""
};
static const EnumKind unit_roots_kind = { unit_roots_names, _UNIT_ROOTS_MAX, "\"none\", \"exec\" or \"full\"" };
static const EnumKind bind_method_kind = {
        bind_method_names, _BIND_METHOD_MAX, "\"overlay\", \"view\" or \"read-only\""
};

int spec_parse(const char *file, const char *text, size_t size, Spec **ret, Diag *d) {
        json_auto_t *root = NULL;
        _cleanup_spec_ Spec *s = NULL;
        bool have_closure_info = false;
        json_error_t error;
        const char *key;
        json_t *value;
        int r, e = 0;

        assert(file);
        assert(text);
        assert(ret);

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->file = strdup(file);
        if (!s->file)
                return -ENOMEM;
        s->bind_method = SPEC_DEFAULT_BIND_METHOD;

        if (json_depth(text, size) > SPEC_DEPTH_MAX)
                return diag_error(d, 0, file, NULL, "expected a spec, got JSON nested deeper than %d levels.",
                                  SPEC_DEPTH_MAX);
        root = json_loadb(text, size, JSON_REJECT_DUPLICATES, &error);
        if (!root)
                return diag_error(d, 0, file, NULL, "line %d, column %d: invalid JSON: %s.", error.line,
                                  error.column, error.text);
        if (!json_is_object(root))
                return diag_error(d, 0, file, NULL, "expected a JSON object, got %s.", json_type_name(root));

        json_object_foreach(root, key, value) {
                const Key k = { file, key, value, d };

                if (streq(key, "version")) {
                        if (!json_is_integer(value) || json_integer_value(value) != 1)
                                return diag_error(d, 0, file, key, "expected 1 (the only format version).");
                        r = 0;
                } else if (streq(key, "mode")) {
                        r = parse_enum(&k, &mode_kind, &e);
                        s->mode = e;
                } else if (streq(key, "closureInfo")) {
                        r = parse_path_list(&k, true, &s->closure_infos, &s->n_closure_infos);
                        if (r >= 0 && s->n_closure_infos == 0)
                                r = diag_error(d, 0, file, key, "expected at least one path, got an empty list.");
                        have_closure_info = true;
                } else if (streq(key, "packages"))
                        r = parse_path_list(&k, false, &s->packages, &s->n_packages);
                else if (streq(key, "unitRoots")) {
                        r = parse_enum(&k, &unit_roots_kind, &e);
                        s->unit_roots = e;
                } else if (streq(key, "binSh"))
                        r = json_is_null(value) ? 0 : parse_path(file, key, value, &s->bin_sh, d);
                else if (streq(key, "bindReadOnlyPaths"))
                        r = parse_extra_binds(&k, &s->bind_read_only, &s->n_bind_read_only);
                else if (streq(key, "bindPaths"))
                        r = parse_extra_binds(&k, &s->bind_writable, &s->n_bind_writable);
                else if (streq(key, "storeDir"))
                        r = parse_store_dir(file, value, &s->store_dir, d);
                else if (streq(key, "bindMethod")) {
                        r = parse_enum(&k, &bind_method_kind, &e);
                        s->bind_method = e;
                } else if (streq(key, "allowFullPrivilegeCommands")) {
                        if (!json_is_boolean(value))
                                return diag_error(d, 0, file, key, "expected true or false, got %s.",
                                                  json_type_name(value));
                        s->allow_full_privilege_commands = json_is_true(value);
                        r = 0;
                } else if (streq(key, "needs"))
                        r = parse_needs(&k, &s->needs);
                else
                        r = diag_error(d, 0, file, key,
                                       "unknown key; expected one of \"version\", \"mode\", \"closureInfo\", "
                                       "\"binSh\", \"bindReadOnlyPaths\", \"bindPaths\", \"storeDir\", "
                                       "\"bindMethod\", \"packages\", \"unitRoots\", "
                                       "\"allowFullPrivilegeCommands\", \"needs\".");
                if (r < 0)
                        return r;
        }

        if (!have_closure_info)
                return diag_error(d, 0, file, "closureInfo",
                                  "missing; expected the path of a closureInfo output (or a list of them).");
        if (!s->store_dir) {
                s->store_dir = strdup(SPEC_DEFAULT_STORE_DIR);
                if (!s->store_dir)
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(s);
        return 0;
}

int spec_load(Root *root, const char *file, Spec **ret, Diag *d) {
        _cleanup_free_ char *buf = NULL, *distrust = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        size_t size = 0;
        int r;

        assert(root);
        assert(file);
        assert(ret);

        r = path_check_trusted(root, file, &distrust);
        if (r == -EPERM)
                return diag_error(d, r, file, NULL, "refusing a spec an unprivileged user could change: %s.",
                                  distrust);
        if (r == -ENOMEM)
                return r;

        r = open_regular_file(root, file, &f);
        if (r == -EBADFD)
                return diag_error(d, r, file, NULL, "expected a regular file.");
        if (r < 0)
                return diag_error(d, r, file, NULL, "cannot open: %m.");

        buf = malloc(SPEC_FILE_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        /* Read to EOF, whatever the size said: the file may change under us. */
        size = fread(buf, 1, SPEC_FILE_SIZE_MAX + 1, f);
        if (ferror(f))
                return diag_error(d, EIO, file, NULL, "cannot read: %m.");
        if (size > SPEC_FILE_SIZE_MAX)
                return diag_error(d, EFBIG, file, NULL, "expected at most %zu bytes.", SPEC_FILE_SIZE_MAX);

        return spec_parse(file, buf, size, ret, d);
}
