/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl verify: what the drop-in says, read back setting by
 * setting, against the unit as systemd has loaded it: a table of
 * comparers, one per setting that needs more than a plain value compare. */

#include <assert.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc-util.h"
#include "closure-layer.h"
#include "dropin.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "unit-escape.h"
#include "unit-file.h"
#include "verify-compare.h"

#define MS_REC_FLAG 16384ULL

#define WHITESPACE " \t"

/* --- what the drop-in says ------------------------------------------------- */

void assignments_done(Assignments *a) {
        assert(a);

        for (size_t i = 0; i < a->n; i++) {
                free(a->items[i].section);
                free(a->items[i].key);
                free(a->items[i].value);
        }
        free(a->items);
        *a = (Assignments) {};
}

static int collect(const char *section, const char *key, const char *value, unsigned line, void *userdata) {
        Assignments *a = userdata;
        Assignment *x;

        if (GREEDY_REALLOC(a->items, a->allocated, a->n + 1, 16) < 0)
                return -ENOMEM;
        x = a->items;
        x[a->n++] = (Assignment) { strdup(section), strdup(key), strdup(value) };
        if (!x[a->n - 1].section || !x[a->n - 1].key || !x[a->n - 1].value)
                return -ENOMEM;
        return 0;
}

int parse_dropin(const char *name, const char *text, Assignments *ret) {
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        assert(name);
        assert(text);
        assert(ret);

        f = fmemopen((void *) text, strlen(text), "r");
        if (!f)
                return log_oom();
        r = unit_file_parse(f, name, collect, ret);
        if (r < 0)
                return log_error_errno(r, "Cannot read back %s: %m", name);
        return 0;
}

/* Specifiers as systemd expands them for unit: %n, %N, %p, %i and %%;
 * -EOPNOTSUPP for any other, which is then not compared. */
static int expand(const char *s, const char *unit, char **ret) {
        const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
        size_t n = 0;
        FILE *f;
        char *buf = NULL;
        int r = 0;

        f = open_memstream(&buf, &n);
        if (!f)
                return -ENOMEM;
        for (; *s && r >= 0; s++) {
                if (*s != '%') {
                        fputc(*s, f);
                        continue;
                }
                switch (*++s) {
                case '%': fputc('%', f); break;
                case 'n': fputs(unit, f); break;
                case 'N': fprintf(f, "%.*s", (int) (dot - unit), unit); break;
                case 'p': fprintf(f, "%.*s", (int) ((at ?: dot) - unit), unit); break;
                case 'i':
                        if (at)
                                fprintf(f, "%.*s", (int) (dot - at - 1), at + 1);
                        break;
                default: r = -EOPNOTSUPP; s--; break;
                }
                if (*s == '\0')
                        break;
        }
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}

/* The words of a list setting, unquoted and expanded. */
static int split_words(const char *value, const char *unit, PathList *out) {
        const char *p = value;
        int r;

        while (p) {
                _cleanup_free_ char *w = NULL;
                char *e = NULL, sep;

                p += strspn(p, WHITESPACE);
                if (*p == '\0')
                        break;
                r = unit_extract_word(&p, WHITESPACE, &w, &sep);
                if (r < 0)
                        return r;
                r = expand(w, unit, &e);
                if (r < 0)
                        return r;
                r = path_list_consume(out, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "[-]SOURCE[:TARGET[:OPTIONS]]", as systemd's config_parse_bind_paths(). */
static int split_binds(const char *value, const char *unit, BusBinds *binds) {
        const char *p = value;
        int r;

        while (p) {
                _cleanup_free_ char *src = NULL, *dst = NULL, *opts = NULL, *s = NULL, *d = NULL;
                char sep;
                bool ignore;
                p += strspn(p, WHITESPACE);
                if (*p == '\0')
                        break;
                r = unit_extract_word(&p, ":" WHITESPACE, &src, &sep);
                if (r >= 0 && sep == ':')
                        r = unit_extract_word(&p, ":" WHITESPACE, &dst, &sep);
                if (r >= 0 && sep == ':')
                        r = unit_extract_word(&p, WHITESPACE, &opts, &sep);
                if (r < 0)
                        return r;
                ignore = src[0] == '-';
                r = expand(src + ignore, unit, &s);
                if (r >= 0)
                        r = expand(dst ?: src + ignore, unit, &d);
                if (r < 0)
                        return r;
                r = bus_binds_append(binds, TAKE_PTR(s), TAKE_PTR(d), ignore,
                                     opts && streq(opts, "norbind") ? 0 : MS_REC_FLAG);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A bind of the closure's directory of another generation of the same
 * closures shows the same paths (closure_layer_same_but_generation()). */
static bool bind_equal(const BusBind *a, const BusBind *b) {
        return closure_layer_same_but_generation(a->source, b->source) && streq(a->dest, b->dest) &&
               a->ignore_enoent == b->ignore_enoent;
}

static char *bind_to_string(const BusBind *b) {
        char *s;
        if (asprintf(&s, "%s%s%s%s", b->ignore_enoent ? "-" : "", b->source, !streq(b->source, b->dest) ? ":" : "",
                     !streq(b->source, b->dest) ? b->dest : "") < 0)
                return NULL;
        return s;
}

/* --- comparing ------------------------------------------------------------- */

void report_done(Report *r) {
        assert(r);

        free(r->unit);
        path_list_done(&r->differences);
        path_list_done(&r->notes);
}

int addf(PathList *l, const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        assert(l);
        assert(fmt);

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return path_list_consume(l, r < 0 ? NULL : s);
}

static const struct {
        const char *name;
        int value;
} capabilities[] = {
#define CAP(x) { #x, x }
        CAP(CAP_CHOWN), CAP(CAP_DAC_OVERRIDE), CAP(CAP_DAC_READ_SEARCH), CAP(CAP_FOWNER), CAP(CAP_FSETID),
        CAP(CAP_KILL), CAP(CAP_SETGID), CAP(CAP_SETUID), CAP(CAP_SETPCAP), CAP(CAP_LINUX_IMMUTABLE),
        CAP(CAP_NET_BIND_SERVICE), CAP(CAP_NET_BROADCAST), CAP(CAP_NET_ADMIN), CAP(CAP_NET_RAW),
        CAP(CAP_IPC_LOCK), CAP(CAP_IPC_OWNER), CAP(CAP_SYS_MODULE), CAP(CAP_SYS_RAWIO), CAP(CAP_SYS_CHROOT),
        CAP(CAP_SYS_PTRACE), CAP(CAP_SYS_PACCT), CAP(CAP_SYS_ADMIN), CAP(CAP_SYS_BOOT), CAP(CAP_SYS_NICE),
        CAP(CAP_SYS_RESOURCE), CAP(CAP_SYS_TIME), CAP(CAP_SYS_TTY_CONFIG), CAP(CAP_MKNOD), CAP(CAP_LEASE),
        CAP(CAP_AUDIT_WRITE), CAP(CAP_AUDIT_CONTROL), CAP(CAP_SETFCAP), CAP(CAP_MAC_OVERRIDE),
        CAP(CAP_MAC_ADMIN), CAP(CAP_SYSLOG), CAP(CAP_WAKE_ALARM), CAP(CAP_BLOCK_SUSPEND),
#undef CAP
};

/* Whether the unit's list l holds s. */
static bool list_has(const PathList *l, const char *s) {
        assert(l);
        assert(s);

        for (size_t k = 0; k < l->n; k++)
                if (streq(l->items[k], s))
                        return true;
        return false;
}

/* One drop-in setting against the unit as systemd has loaded it. */
typedef struct Compare {
        const char *unit;
        const char *key, *value; /* the drop-in's assignment */
        const Prop *prop;        /* the unit's property named key; NULL when it has none */
        const Props *props;      /* all of the unit's properties */
        Report *rep;             /* where differences and notes go */
} Compare;

/* A comparer returns 0, a negative errno (-ENOMEM), or COMPARE_AS_VALUE when
 * the value is none it knows: then it is compared as a plain value. */
#define COMPARE_AS_VALUE 1

static int compare_skip(const Compare *c) {
        assert(c);
        return 0; /* compared as a whole (verify_compare_binds()) */
}

/* AssertPathExists=, ConditionPathExists=: an entry of the unit's Asserts or
 * Conditions. */
static int compare_condition(const Compare *c) {
        const Prop *conds = props_get(c->props, c->key[0] == 'A' ? "Asserts" : "Conditions");
        _cleanup_free_ char *want = NULL, *entry = NULL;

        if (!conds || expand(c->value, c->unit, &want) < 0) {
                log_debug("%s: %s=%s not compared.", c->unit, c->key, c->value);
                return 0;
        }
        if (asprintf(&entry, "%s=%s", c->key, want) < 0)
                return -ENOMEM;
        if (!list_has(&conds->list, entry))
                return addf(&c->rep->differences, "%s is missing.", entry);
        return 0;
}

/* Settings whose value is a list of words systemd keeps as strings: is the
 * unit's own list missing one of the words of the value? */
static int compare_words(const Compare *c) {
        _cleanup_(path_list_done) PathList words = {};
        int r;

        assert(c);

        r = split_words(c->value, c->unit, &words);
        if (r == -EOPNOTSUPP || r == -EINVAL) {
                log_debug("%s: %s=%s not compared.", c->unit, c->key, c->value);
                return 0;
        }
        if (r < 0)
                return r;
        for (size_t i = 0; i < words.n; i++)
                if (!list_has(&c->prop->list, words.items[i]) &&
                    addf(&c->rep->differences, "%s: %s is missing.", c->key, words.items[i]) < 0)
                        return -ENOMEM;
        return 0;
}

/* Every path of the drop-in's, as "PATH:OPTIONS" (systemd adds the ':'). */
static int compare_tmpfs(const Compare *c) {
        _cleanup_(path_list_done) PathList words = {};
        int r;

        assert(c);

        r = split_words(c->value, c->unit, &words);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        for (size_t i = 0; i < words.n; i++) {
                _cleanup_free_ char *entry = NULL;

                if (asprintf(&entry, strchr(words.items[i], ':') ? "%s" : "%s:", words.items[i]) < 0)
                        return -ENOMEM;
                if (!list_has(&c->prop->list, entry) &&
                    addf(&c->rep->differences, "TemporaryFileSystem: %s is missing.", words.items[i]) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* "" (no capabilities at all) or "~CAP..." (none of these): the bus gives
 * the set as a number. */
static int compare_capabilities(const Compare *c) {
        _cleanup_(path_list_done) PathList words = {};
        uint64_t set;
        int r;

        assert(c);

        set = strtoull(c->prop->scalar, NULL, 10);
        if (c->value[0] == '\0') {
                if (set != 0)
                        return addf(&c->rep->differences,
                                    "CapabilityBoundingSet: keeps capabilities, the spec wants none.");
                return 0;
        }
        if (c->value[0] != '~')
                return COMPARE_AS_VALUE;
        r = split_words(c->value + 1, c->unit, &words);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        for (size_t i = 0; i < words.n; i++)
                for (size_t k = 0; k < ELEMENTSOF(capabilities); k++)
                        if (strcasecmp(words.items[i], capabilities[k].name) == 0 &&
                            (set & (UINT64_C(1) << capabilities[k].value)) &&
                            addf(&c->rep->differences, "CapabilityBoundingSet: keeps %s.", capabilities[k].name) < 0)
                                return -ENOMEM;
        return 0;
}

static int compare_syscall_filter(const Compare *c) {
        /* A deny list holding the system calls of each group the drop-in
         * denies (a few of each, enough to tell). */
        static const struct {
                const char *value;
                const char *calls[4];
        } denied[] = {
                { "~@mount", { "mount", "umount2", "pivot_root" } },
                { "~@module", { "init_module", "finit_module", "delete_module" } },
                { "~_sysctl", { "_sysctl" } },
                { "~@privileged @resources", { "swapon", "reboot", "setrlimit" } },
        };
        const Prop *prop;

        assert(c);

        prop = c->prop;
        /* full's allow list: an allow list it must be, with the calls of
         * common services. */
        if (streq(c->value, "@system-service")) {
                if (!prop->flag || !list_has(&prop->list, "openat"))
                        return addf(&c->rep->differences, "SystemCallFilter: is no allow list of @system-service.");
                return 0;
        }
        for (size_t d = 0; d < ELEMENTSOF(denied); d++) {
                if (!streq(c->value, denied[d].value))
                        continue;
                /* The unit's own allow list, if it has one, loses the calls
                 * instead: then they must be absent from it. */
                for (size_t i = 0; i < ELEMENTSOF(denied[d].calls) && denied[d].calls[i]; i++)
                        if (list_has(&prop->list, denied[d].calls[i]) == prop->flag)
                                return addf(&c->rep->differences, "SystemCallFilter: %s is allowed.",
                                            denied[d].calls[i]);
                return 0;
        }
        log_debug("%s: SystemCallFilter=%s not compared.", c->unit, c->value);
        return 0;
}

/* An allow list holding exactly the drop-in's families. */
static int compare_address_families(const Compare *c) {
        _cleanup_(path_list_done) PathList words = {};
        int r;

        assert(c);

        r = split_words(c->value, c->unit, &words);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if (!c->prop->flag)
                return addf(&c->rep->differences, "RestrictAddressFamilies: is no allow list.");
        for (size_t k = 0; k < c->prop->list.n; k++)
                if (!list_has(&words, c->prop->list.items[k]) &&
                    addf(&c->rep->differences, "RestrictAddressFamilies: allows %s.", c->prop->list.items[k]) < 0)
                        return -ENOMEM;
        return 0;
}

/* yes or no: the bus gives the namespaces allowed, none with yes, all
 * without a restriction. */
static int compare_namespaces(const Compare *c) {
        int b;
        bool restricted;

        assert(c);

        b = unit_parse_boolean(c->value);
        if (b < 0)
                return COMPARE_AS_VALUE;
        restricted = streq(c->prop->scalar, "0");
        if (restricted != (b > 0))
                return addf(&c->rep->differences, "RestrictNamespaces: is %s, the spec wants %s.",
                            restricted ? "yes" : "no", c->value);
        return 0;
}

/* The bus gives the number, the drop-in the name. */
static int compare_errno(const Compare *c) {
        const char *name;

        assert(c);

        name = strerrorname_np((int) strtol(c->prop->scalar, NULL, 10));
        if (!name || !streq(name, c->value))
                return addf(&c->rep->differences, "%s: is %s, the spec wants %s.", c->key, name ?: c->prop->scalar,
                            c->value);
        return 0;
}

/* Any other setting: a boolean, or a string the drop-in may write with
 * specifiers. */
static int compare_value(const Compare *c) {
        const Prop *prop;
        _cleanup_free_ char *want = NULL;
        int b, r;

        assert(c);

        prop = c->prop;
        if (!prop->scalar) {
                log_debug("%s: %s= is no plain value, not compared.", c->unit, c->key);
                return 0;
        }
        if (prop->is_bool) {
                bool have = streq(prop->scalar, "yes");

                b = unit_parse_boolean(c->value);
                if (b < 0 || have == (b > 0))
                        return 0;
                /* Other settings imply some (DynamicUser=yes implies PrivateTmp=yes, ...):
                 * more protection than the drop-in asks for is noted, not refused. */
                if (have)
                        return addf(&c->rep->notes, "%s: is yes, the drop-in says no (implied by another setting?).",
                                    c->key);
                return addf(&c->rep->differences, "%s: is no, the spec wants yes.", c->key);
        }
        r = expand(c->value, c->unit, &want);
        if (r == -EOPNOTSUPP) {
                log_debug("%s: %s=%s not compared.", c->unit, c->key, c->value);
                return 0;
        }
        if (r < 0)
                return r;
        if (!streq(prop->scalar, want))
                return addf(&c->rep->differences, "%s: is \"%s\", the spec wants \"%s\".", c->key, prop->scalar,
                            want);
        return 0;
}

/* What a comparer needs of the unit's property; with anything else the
 * setting is compared as a plain value (compare_value()). */
typedef enum PropShape {
        PROP_ANY,    /* nothing: the comparer runs even when the unit has no such property */
        PROP_LIST,   /* a list */
        PROP_SCALAR, /* a plain value */
} PropShape;

typedef struct Comparer {
        const char *key;
        PropShape shape;
        int (*compare)(const Compare *c);
} Comparer;

static const Comparer comparers[] = {
        { "BindPaths",               PROP_ANY,    compare_skip },
        { "BindReadOnlyPaths",       PROP_ANY,    compare_skip },
        { "AssertPathExists",        PROP_ANY,    compare_condition },
        { "ConditionPathExists",     PROP_ANY,    compare_condition },
        { "RequiresMountsFor",       PROP_LIST,   compare_words },
        { "RuntimeDirectory",        PROP_LIST,   compare_words },
        { "InaccessiblePaths",       PROP_LIST,   compare_words },
        { "ReadOnlyPaths",           PROP_LIST,   compare_words },
        { "ReadWritePaths",          PROP_LIST,   compare_words },
        { "SystemCallArchitectures", PROP_LIST,   compare_words },
        { "TemporaryFileSystem",     PROP_LIST,   compare_tmpfs },
        { "CapabilityBoundingSet",   PROP_SCALAR, compare_capabilities },
        { "SystemCallFilter",        PROP_LIST,   compare_syscall_filter },
        { "RestrictAddressFamilies", PROP_LIST,   compare_address_families },
        { "RestrictNamespaces",      PROP_SCALAR, compare_namespaces },
        { "SystemCallErrorNumber",   PROP_SCALAR, compare_errno },
};

static const Comparer *comparer_find(const char *key) {
        assert(key);

        for (size_t i = 0; i < ELEMENTSOF(comparers); i++)
                if (streq(key, comparers[i].key))
                        return &comparers[i];
        return NULL;
}

int verify_compare_setting(const char *unit, const Assignment *a, const Props *props, Report *rep) {
        const Compare c = {
                .unit = unit,
                .key = a->key,
                .value = a->value,
                .prop = props_get(props, a->key),
                .props = props,
                .rep = rep,
        };
        const Comparer *cmp = comparer_find(c.key);
        int r;

        assert(unit);
        assert(rep);

        if (cmp && cmp->shape == PROP_ANY)
                return cmp->compare(&c);
        if (!c.prop) {
                log_debug("%s: %s= has no property of that name, not compared.", unit, c.key);
                return 0;
        }
        if (cmp && (cmp->shape == PROP_LIST ? c.prop->is_list : c.prop->scalar != NULL)) {
                r = cmp->compare(&c);
                if (r != COMPARE_AS_VALUE)
                        return r;
        }
        return compare_value(&c);
}

int verify_compare_binds(const char *unit, const Assignments *a, const Props *props, const char *store_dir,
                         Report *rep) {
        static const char *const keys[] = { "BindPaths", "BindReadOnlyPaths" };
        int r = 0;

        assert(unit);
        assert(a);
        assert(props);
        assert(rep);

        for (size_t k = 0; k < ELEMENTSOF(keys) && r >= 0; k++) {
                const Prop *prop = props_get(props, keys[k]);
                BusBinds want = {};

                if (!prop)
                        continue;
                for (size_t i = 0; i < a->n && r >= 0; i++)
                        if (streq(a->items[i].key, keys[k]))
                                r = split_binds(a->items[i].value, unit, &want);
                if (r == -EOPNOTSUPP || r == -EINVAL) {
                        log_debug("%s: %s= not compared.", unit, keys[k]);
                        r = 0;
                        bus_binds_done(&want);
                        continue;
                }

                for (size_t i = 0; i < want.n && r >= 0; i++) {
                        bool found = false;
                        for (size_t j = 0; j < prop->binds.n && !found; j++)
                                found = bind_equal(&want.items[i], &prop->binds.items[j]);
                        if (!found) {
                                _cleanup_free_ char *s = bind_to_string(&want.items[i]);
                                r = s ? addf(&rep->differences, "%s: %s is missing.", keys[k], s) : -ENOMEM;
                        }
                }
                /* Binds the spec does not name: from the closure of another spec
                 * version they are outdated; others come from the unit's own settings. */
                for (size_t j = 0; j < prop->binds.n && r >= 0; j++) {
                        const BusBind *b = &prop->binds.items[j];
                        _cleanup_free_ char *s = NULL;
                        bool found = false, stale;

                        for (size_t i = 0; i < want.n && !found; i++)
                                found = bind_equal(&want.items[i], b);
                        if (found)
                                continue;
                        s = bind_to_string(b);
                        if (!s) {
                                r = -ENOMEM;
                                break;
                        }
                        stale = path_startswith(b->source, STORE_VIEW_DIR) ||
                                (store_dir && path_startswith(b->dest, store_dir));
                        r = addf(stale ? &rep->differences : &rep->notes, "%s: %s is %s.", keys[k], s,
                                 stale ? "bound, but not in the spec's closure"
                                       : "bound by the unit's own settings, not by the spec");
                }
                bus_binds_done(&want);
        }
        return r;
}
