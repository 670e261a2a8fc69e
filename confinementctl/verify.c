/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* confinementctl verify: the running systemd's units against their specs.
 *
 * verify compares each unit as systemd has loaded it with what the
 * generator writes for the spec in effect now. What to expect is read from
 * the rendered drop-in itself, setting by setting, so that verify follows
 * whatever the generator writes; a setting it cannot compare is skipped
 * (logged at debug level). Two questions, answered separately:
 *   - is the drop-in in /run/systemd/generator the one the spec gives now?
 *     (if not, the spec changed since the last daemon-reload)
 *   - does the loaded unit carry every setting of that drop-in? (if not,
 *     another unit setting overrides it, or the unit was loaded before) */

#include <assert.h>
#include <linux/capability.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <systemd/sd-bus.h>

#include "bus.h"
#include "ctl.h"
#include "dropin.h"
#include "log.h"
#include "macro.h"
#include "path-list.h"
#include "path-util.h"
#include "table.h"
#include "unit-escape.h"
#include "unit-file.h"

#define MS_REC_FLAG 16384ULL

/* verify's exit status: these bits ORed (EXIT_ERROR is 1). */
#define VERIFY_MISMATCH 2   /* a unit is not confined as its spec says, or its drop-in is outdated */
#define VERIFY_NO_SPEC 4    /* a unit is confined, but no spec confines it any more */
#define VERIFY_NOT_LOADED 8 /* a spec's unit (or no instance of a template) is loaded */
#define VERIFY_INVALID 16   /* a spec cannot be honoured: its unit is kept from starting */

#define WHITESPACE " \t"

/* --- what the drop-in says ------------------------------------------------- */

typedef struct Assignment {
        char *section, *key, *value;
} Assignment;

typedef struct Assignments {
        Assignment *items;
        size_t n;
} Assignments;

static void assignments_done(Assignments *a) {
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
        Assignment *x = reallocarray(a->items, a->n + 1, sizeof *x);

        if (!x)
                return -ENOMEM;
        a->items = x;
        x[a->n++] = (Assignment) { strdup(section), strdup(key), strdup(value) };
        if (!x[a->n - 1].section || !x[a->n - 1].key || !x[a->n - 1].value)
                return -ENOMEM;
        return 0;
}

static int parse_dropin(const char *name, const char *text, Assignments *ret) {
        _cleanup_fclose_ FILE *f = fmemopen((void *) text, strlen(text), "r");
        int r;

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
static int split_binds(const char *value, const char *unit, BusBind **binds, size_t *n) {
        const char *p = value;
        int r;

        while (p) {
                _cleanup_free_ char *src = NULL, *dst = NULL, *opts = NULL, *s = NULL, *d = NULL;
                char sep;
                bool ignore;
                BusBind *x;

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
                x = reallocarray(*binds, *n + 1, sizeof *x);
                if (!x)
                        return -ENOMEM;
                *binds = x;
                x[(*n)++] = (BusBind) { TAKE_PTR(s), TAKE_PTR(d), ignore,
                                        opts && strcmp(opts, "norbind") == 0 ? 0 : MS_REC_FLAG };
        }
        return 0;
}

static void binds_free(BusBind *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(b[i].source);
                free(b[i].dest);
        }
        free(b);
}

static bool bind_equal(const BusBind *a, const BusBind *b) {
        return strcmp(a->source, b->source) == 0 && strcmp(a->dest, b->dest) == 0 &&
               a->ignore_enoent == b->ignore_enoent;
}

static char *bind_to_string(const BusBind *b) {
        char *s;
        if (asprintf(&s, "%s%s%s%s", b->ignore_enoent ? "-" : "", b->source, strcmp(b->source, b->dest) ? ":" : "",
                     strcmp(b->source, b->dest) ? b->dest : "") < 0)
                return NULL;
        return s;
}

/* --- comparing ------------------------------------------------------------- */

typedef struct Report {
        char *unit;
        const char *spec;
        const char *state;
        const char *color;
        int bits;
        PathList differences;
        PathList notes;
} Report;

static void report_done(Report *r) {
        free(r->unit);
        path_list_done(&r->differences);
        path_list_done(&r->notes);
}

static int addf(PathList *l, const char *fmt, ...) _printf_(2, 3);
static int addf(PathList *l, const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

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
        return 0; /* compared as a whole (compare_binds()) */
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

static int compare_setting(const char *unit, const Assignment *a, const Props *props, Report *rep) {
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

static int compare_binds(const char *unit, const Assignments *a, const Props *props, const char *store_dir,
                         Report *rep) {
        static const char *const keys[] = { "BindPaths", "BindReadOnlyPaths" };
        int r = 0;

        for (size_t k = 0; k < ELEMENTSOF(keys) && r >= 0; k++) {
                const Prop *prop = props_get(props, keys[k]);
                BusBind *want = NULL;
                size_t n_want = 0;

                if (!prop)
                        continue;
                for (size_t i = 0; i < a->n && r >= 0; i++)
                        if (strcmp(a->items[i].key, keys[k]) == 0)
                                r = split_binds(a->items[i].value, unit, &want, &n_want);
                if (r == -EOPNOTSUPP || r == -EINVAL) {
                        log_debug("%s: %s= not compared.", unit, keys[k]);
                        r = 0;
                        binds_free(want, n_want);
                        continue;
                }

                for (size_t i = 0; i < n_want && r >= 0; i++) {
                        bool found = false;
                        for (size_t j = 0; j < prop->n_binds && !found; j++)
                                found = bind_equal(&want[i], &prop->binds[j]);
                        if (!found) {
                                _cleanup_free_ char *s = bind_to_string(&want[i]);
                                r = s ? addf(&rep->differences, "%s: %s is missing.", keys[k], s) : -ENOMEM;
                        }
                }
                /* Binds the spec does not name: from the closure of another spec
                 * version they are outdated; others come from the unit's own settings. */
                for (size_t j = 0; j < prop->n_binds && r >= 0; j++) {
                        const BusBind *b = &prop->binds[j];
                        _cleanup_free_ char *s = NULL;
                        bool found = false, stale;

                        for (size_t i = 0; i < n_want && !found; i++)
                                found = bind_equal(&want[i], b);
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
                binds_free(want, n_want);
        }
        return r;
}

/* How one entry's drop-in looks now and on disk, once per entry. */
typedef struct EntryCheck {
        bool done;
        int error;
        Resolved res;
        Rendered out;
        Assignments assignments;
        bool outdated;     /* the drop-in on disk is not what the spec gives now */
        char *outdated_why;
} EntryCheck;

static void entry_check_done(EntryCheck *c) {
        resolved_done(&c->res);
        rendered_done(&c->out);
        assignments_done(&c->assignments);
        free(c->outdated_why);
}

static int entry_check(Resolver *resolver, const SpecEntry *e, EntryCheck *c) {
        _cleanup_free_ char *disk = NULL;
        int r;

        if (c->done)
                return c->error;
        c->done = true;

        r = resolve_entry(resolver, e, true, &c->res);
        if (r >= 0)
                r = render_resolved(&c->res, &c->out);
        if (r >= 0 && c->out.dropin)
                r = parse_dropin(c->out.dropin_path, c->out.dropin, &c->assignments);
        if (r < 0)
                return c->error = r;
        if (!c->out.dropin)
                return 0;

        r = read_full_file(c->out.dropin_path, &disk);
        if (r == -ENOENT)
                r = asprintf(&c->outdated_why,
                             "%s does not exist: the spec is newer than the last daemon-reload (or "
                             "confinement-generator is not installed).",
                             c->out.dropin_path);
        else if (r < 0)
                r = asprintf(&c->outdated_why, "%s cannot be read: %s.", c->out.dropin_path, strerror(-r));
        else if (strcmp(disk, c->out.dropin) != 0)
                r = asprintf(&c->outdated_why, "%s is outdated: the spec changed since the last daemon-reload.",
                             c->out.dropin_path);
        else
                r = 0;
        if (r < 0)
                return c->error = log_oom();
        c->outdated = c->outdated_why;
        return 0;
}

static bool is_confined(const Props *props) {
        const Prop *root = props_get(props, "RootDirectory"), *asserts = props_get(props, "Asserts");

        if (root && root->scalar && path_startswith(root->scalar, CONFINEMENT_ROOT_DIR))
                return true;
        for (size_t i = 0; asserts && i < asserts->list.n; i++)
                if (strstr(asserts->list.items[i], FAIL_CLOSED_PATH))
                        return true;
        return false;
}

typedef struct Verify {
        sd_bus *bus;
        Resolver resolver;
        SpecEntries entries;
        EntryCheck *checks; /* by entry */
        LoadedUnits loaded;
        Report *reports;
        size_t n_reports;
        PathList seen; /* units already reported */
} Verify;

static void verify_done(Verify *v) {
        for (size_t i = 0; v->checks && i < v->entries.n; i++)
                entry_check_done(&v->checks[i]);
        free(v->checks);
        for (size_t i = 0; i < v->n_reports; i++)
                report_done(&v->reports[i]);
        free(v->reports);
        loaded_units_done(&v->loaded);
        spec_entries_done(&v->entries);
        resolver_done(&v->resolver);
        path_list_done(&v->seen);
        sd_bus_flush_close_unref(v->bus);
}

static Report *new_report(Verify *v, const char *unit, const SpecEntry *e) {
        Report *r = reallocarray(v->reports, v->n_reports + 1, sizeof *r);

        if (!r)
                return NULL;
        v->reports = r;
        r = &r[v->n_reports];
        *r = (Report) { .unit = strdup(unit), .spec = e ? e->path : NULL };
        if (!r->unit)
                return NULL;
        v->n_reports++;
        return r;
}

static bool seen(Verify *v, const char *unit) {
        for (size_t i = 0; i < v->seen.n; i++)
                if (strcmp(v->seen.items[i], unit) == 0)
                        return true;
        return false;
}

/* One unit: how systemd has it against what its spec gives. explicit: the
 * user named it (an unconfined unit without spec is then reported too). */
static int verify_unit(Verify *v, const char *unit, bool explicit) {
        const SpecEntry *e = spec_entries_find_for_unit(&v->entries, unit);
        const LoadedUnit *lu = loaded_find(&v->loaded, unit);
        bool loaded = lu && strcmp(lu->load_state, "loaded") == 0;
        _cleanup_(props_done) Props props = {};
        EntryCheck *c = NULL;
        Report *rep;
        int r;

        if (seen(v, unit))
                return 0;
        if (path_list_add(&v->seen, unit) < 0)
                return log_oom();

        if (e) {
                c = &v->checks[e - v->entries.entries];
                r = entry_check(&v->resolver, e, c);
                if (r < 0)
                        return r;
                if (c->res.state == ENTRY_MASKED)
                        c = NULL;
        }

        if (loaded) {
                r = get_unit_props(v->bus, lu->object, &props);
                if (r < 0)
                        return r;
        }

        if (!c) {
                /* No spec confines it: it must not look confined. */
                if (loaded && is_confined(&props)) {
                        rep = new_report(v, unit, e);
                        if (!rep)
                                return log_oom();
                        rep->state = "no-spec";
                        rep->color = ANSI_RED;
                        rep->bits |= VERIFY_NO_SPEC;
                        return addf(&rep->differences,
                                    "confined, but %s; run \"confinementctl reload\" (or \"systemctl "
                                    "daemon-reload\") and restart it.",
                                    e ? "its spec is masked" : "no spec confines it") < 0
                                       ? log_oom()
                                       : 0;
                }
                if (!explicit)
                        return 0;
                rep = new_report(v, unit, e);
                if (!rep)
                        return log_oom();
                rep->state = e ? "masked" : "unconfined";
                rep->color = ANSI_GREY;
                if (!loaded && addf(&rep->notes, "not loaded.") < 0)
                        return log_oom();
                return 0;
        }

        rep = new_report(v, unit, e);
        if (!rep)
                return log_oom();
        if (c->outdated) {
                rep->bits |= VERIFY_MISMATCH;
                if (addf(&rep->differences, "%s", c->outdated_why) < 0)
                        return log_oom();
        }
        if (c->res.state == ENTRY_INVALID) {
                rep->bits |= VERIFY_INVALID;
                if (addf(&rep->notes, "%s", c->res.reason ?: "the spec cannot be honoured") < 0)
                        return log_oom();
        }

        /* The mode's settings the unit sets itself stand: say which. */
        for (size_t i = 0; c->res.confinement && i < _MODE_SETTING_MAX; i++)
                if (c->res.confinement->unit_mode_settings[i] &&
                    addf(&rep->notes, "%s=%s is the unit's own (the mode's value is a default).",
                         mode_setting_to_string(i), c->res.confinement->unit_mode_settings[i]) < 0)
                        return log_oom();

        if (loaded) {
                const Prop *reload = props_get(&props, "NeedDaemonReload");
                size_t before = rep->differences.n;
                const char *store_dir = c->res.confinement ? c->res.confinement->store_dir : NULL;

                for (size_t i = 0; i < c->assignments.n; i++) {
                        r = compare_setting(unit, &c->assignments.items[i], &props, rep);
                        if (r < 0)
                                return log_oom();
                }
                r = compare_binds(unit, &c->assignments, &props, store_dir, rep);
                if (r < 0)
                        return log_oom();
                if (rep->differences.n > before)
                        rep->bits |= VERIFY_MISMATCH;
                if (reload && reload->scalar && strcmp(reload->scalar, "yes") == 0 &&
                    addf(&rep->notes, "its unit files changed since it was loaded (NeedDaemonReload=yes).") < 0)
                        return log_oom();
        } else {
                rep->bits |= VERIFY_NOT_LOADED;
                if (addf(&rep->notes, lu ? "not loaded (%s)." : "not loaded.", lu ? lu->load_state : "") < 0)
                        return log_oom();
        }

        if (rep->bits & VERIFY_INVALID)
                rep->state = "invalid", rep->color = ANSI_RED;
        else if (!loaded)
                rep->state = "not-loaded", rep->color = ANSI_GREY;
        else if (c->outdated)
                rep->state = "outdated", rep->color = ANSI_RED;
        else if (rep->bits & VERIFY_MISMATCH)
                rep->state = "differs", rep->color = ANSI_RED;
        else
                rep->state = "ok", rep->color = ANSI_GREEN;
        return 0;
}

/* Every loaded instance of template ("foo@.service") that its spec
 * confines; a report when there is none. */
static int verify_template(Verify *v, const char *template, const SpecEntry *e) {
        size_t prefix = strchr(template, '@') - template + 1;
        const char *suffix = strrchr(template, '.');
        bool any = false;
        int r;

        for (size_t i = 0; i < v->loaded.n; i++) {
                const char *name = v->loaded.items[i].name;
                size_t n = strlen(name);

                if (strncmp(name, template, prefix) != 0 || n <= prefix + strlen(suffix) ||
                    strcmp(name + n - strlen(suffix), suffix) != 0)
                        continue;
                if (spec_entries_find_for_unit(&v->entries, name) != e)
                        continue; /* an instance with a spec of its own */
                any = true;
                r = verify_unit(v, name, e == NULL);
                if (r < 0)
                        return r;
        }
        if (!any && e) {
                EntryCheck *c = &v->checks[e - v->entries.entries];
                Report *rep;

                r = entry_check(&v->resolver, e, c);
                if (r < 0)
                        return r;
                if (c->res.state == ENTRY_MASKED)
                        return 0;
                rep = new_report(v, template, e);
                if (!rep)
                        return log_oom();
                rep->bits |= VERIFY_NOT_LOADED;
                rep->state = c->res.state == ENTRY_INVALID ? "invalid" : "not-loaded";
                rep->color = c->res.state == ENTRY_INVALID ? ANSI_RED : ANSI_GREY;
                if (c->res.state == ENTRY_INVALID)
                        rep->bits |= VERIFY_INVALID;
                if (c->outdated) {
                        rep->bits |= VERIFY_MISMATCH;
                        if (addf(&rep->differences, "%s", c->outdated_why) < 0)
                                return log_oom();
                }
                if (addf(&rep->notes, "no instance is loaded.") < 0)
                        return log_oom();
        }
        return 0;
}

static int print_reports(const Verify *v, int status) {
        if (arg_json) {
                json_t *units = json_array();

                if (!units)
                        return log_oom();
                for (size_t i = 0; i < v->n_reports; i++) {
                        const Report *rep = &v->reports[i];
                        json_t *diff = json_array(), *notes = json_array(), *o;

                        for (size_t k = 0; diff && k < rep->differences.n; k++)
                                json_array_append_new(diff, json_string(rep->differences.items[k]));
                        for (size_t k = 0; notes && k < rep->notes.n; k++)
                                json_array_append_new(notes, json_string(rep->notes.items[k]));
                        o = json_pack("{s:s, s:o, s:s, s:i, s:o, s:o}", "unit", rep->unit, "spec",
                                      rep->spec ? json_string(rep->spec) : json_null(), "state", rep->state,
                                      "status", rep->bits, "differences", diff, "notes", notes);
                        if (!o || json_array_append_new(units, o) < 0) {
                                json_decref(units);
                                return log_oom();
                        }
                }
                return json_print_new(json_pack("{s:i, s:o}", "status", status, "units", units));
        }

        {
                static const char *const headers[] = { "UNIT", "STATE", "SPEC" };
                _cleanup_table_ Table *t = table_new(ELEMENTSOF(headers), headers);
                int r = 0;

                if (!t)
                        return log_oom();
                for (size_t i = 0; i < v->n_reports && r >= 0; i++) {
                        r = table_add(t, v->reports[i].unit, NULL);
                        if (r >= 0)
                                r = table_add(t, v->reports[i].state, v->reports[i].color);
                        if (r >= 0)
                                r = table_add(t, v->reports[i].spec, NULL);
                }
                if (r < 0)
                        return log_oom();
                if (v->n_reports > 0 && table_print(t, stdout, arg_legend) < 0)
                        return log_oom();
        }
        for (size_t i = 0; i < v->n_reports; i++) {
                const Report *rep = &v->reports[i];
                if (rep->differences.n == 0 && rep->notes.n == 0)
                        continue;
                printf("\n%s%s%s:\n", ansi(rep->color), rep->unit, ansi(ANSI_NORMAL));
                for (size_t k = 0; k < rep->differences.n; k++)
                        printf("  %s\n", rep->differences.items[k]);
                for (size_t k = 0; k < rep->notes.n; k++)
                        printf("  %snote:%s %s\n", ansi(ANSI_GREY), ansi(ANSI_NORMAL), rep->notes.items[k]);
        }
        if (arg_legend) {
                static const char *const states[] = { "ok", "differs", "outdated", "no-spec", "not-loaded",
                                                      "invalid", "unconfined", "masked" };
                bool first = true;

                printf("%s%zu unit%s verified", v->n_reports ? "\n" : "", v->n_reports, v->n_reports == 1 ? "" : "s");
                for (size_t s = 0; s < ELEMENTSOF(states); s++) {
                        size_t n = 0;
                        for (size_t i = 0; i < v->n_reports; i++)
                                n += strcmp(v->reports[i].state, states[s]) == 0;
                        if (n > 0) {
                                printf("%s %zu %s", first ? ":" : ",", n, states[s]);
                                first = false;
                        }
                }
                printf(".\n");
        }
        return 0;
}

int verb_verify(int argc, char *argv[]) {
        _cleanup_(verify_done) Verify v = {};
        int r, status = 0;

        if (load_entries(&v.entries) < 0 || ctl_resolver_init(&v.resolver) < 0)
                return EXIT_ERROR;
        v.checks = calloc(v.entries.n ?: 1, sizeof *v.checks);
        if (!v.checks)
                return log_oom(), EXIT_ERROR;
        if (bus_open(&v.bus) < 0 || list_services(v.bus, "*.service", &v.loaded) < 0)
                return EXIT_ERROR;

        if (argc == 0) {
                /* Every spec's units, then every other unit that looks confined. */
                for (size_t i = 0; i < v.entries.n; i++) {
                        const SpecEntry *e = &v.entries.entries[i];
                        _cleanup_free_ char *unit = NULL;
                        const char *why;

                        unit = spec_entry_unit(e, &why);
                        if (!unit)
                                continue; /* "confinementctl list" shows those */
                        if (strstr(unit, "@."))
                                r = verify_template(&v, unit, e);
                        else
                                r = verify_unit(&v, unit, false);
                        if (r < 0)
                                return EXIT_ERROR;
                        /* A masked spec's unit: only reported when confined. */
                }
                for (size_t i = 0; i < v.loaded.n; i++) {
                        r = verify_unit(&v, v.loaded.items[i].name, false);
                        if (r < 0)
                                return EXIT_ERROR;
                }
        } else
                for (int i = 0; i < argc; i++) {
                        _cleanup_free_ char *unit = NULL;

                        if (parse_unit_argument(argv[i], &unit) < 0)
                                return EXIT_ERROR;
                        if (strstr(unit, "@."))
                                r = verify_template(&v, unit, spec_entries_find_for_unit(&v.entries, unit));
                        else
                                r = verify_unit(&v, unit, true);
                        if (r < 0)
                                return EXIT_ERROR;
                }

        for (size_t i = 0; i < v.n_reports; i++)
                status |= v.reports[i].bits;
        if (print_reports(&v, status) < 0)
                return EXIT_ERROR;
        return status;
}
