/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The running systemd over D-Bus: the connection, the services it has in
 * memory and their properties, read generically (GetAll). */

#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "alloc-util.h"
#include "bus.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "systemd-version.h"

int bus_log_error(int r, const sd_bus_error *error, const char *what) {
        assert(what);

        if (error && sd_bus_error_is_set(error))
                return log_error_errno(r, "%s: %s", what, error->message ?: error->name);
        return log_error_errno(r, "%s: %m", what);
}

/* As systemctl: the system bus, or, for root without a bus daemon,
 * systemd's private socket. */
int bus_open(sd_bus **ret) {
        _cleanup_bus_ sd_bus *bus = NULL;
        int r;

        assert(ret);

        r = sd_bus_open_system(&bus);
        if (r >= 0) {
                *ret = TAKE_PTR(bus);
                return 0;
        }
        if (geteuid() == 0) {
                int k;
                sd_bus_unref(bus);
                bus = NULL;
                k = sd_bus_new(&bus);
                if (k >= 0)
                        k = sd_bus_set_address(bus, "unix:path=/run/systemd/private");
                if (k >= 0)
                        k = sd_bus_start(bus);
                if (k >= 0) {
                        *ret = TAKE_PTR(bus);
                        return 0;
                }
        }
        return log_error_errno(r, "Cannot connect to the system bus (is systemd running?): %m");
}

unsigned bus_systemd_version(void) {
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *version = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_debug_errno(r, "No system bus to ask systemd's version: %m"), 0;
        r = sd_bus_get_property_string(bus, SYSTEMD_DEST, SYSTEMD_PATH, MANAGER_IFACE, "Version", &error, &version);
        if (r < 0)
                return log_debug_errno(r, "Cannot ask systemd's version: %s", error.message ?: strerror(-r)), 0;
        /* "252.39-1~deb12u1", "systemd 262 (262.1-1)" on older ones */
        return systemd_version_parse(strncmp(version, "systemd ", 8) == 0 ? version + 8 : version);
}

/* --- properties ------------------------------------------------------------ */

void bus_binds_done(BusBinds *b) {
        assert(b);

        for (size_t i = 0; i < b->n; i++) {
                free(b->items[i].source);
                free(b->items[i].dest);
        }
        free(b->items);
        *b = (BusBinds) {};
}

int bus_binds_append(BusBinds *b, char *source, char *dest, bool ignore_enoent, uint64_t flags) {
        assert(b);

        if (!source || !dest || GREEDY_REALLOC(b->items, b->allocated, b->n + 1, 16) < 0) {
                free(source);
                free(dest);
                return -ENOMEM;
        }
        b->items[b->n++] = (BusBind) { source, dest, ignore_enoent, flags };
        return 0;
}

void props_done(Props *p) {
        assert(p);

        for (size_t i = 0; i < p->n; i++) {
                free(p->items[i].name);
                free(p->items[i].scalar);
                path_list_done(&p->items[i].list);
                bus_binds_done(&p->items[i].binds);
        }
        free(p->items);
        *p = (Props) {};
}

const Prop *props_get(const Props *p, const char *name) {
        assert(p);
        assert(name);

        for (size_t i = 0; i < p->n; i++)
                if (streq(p->items[i].name, name))
                        return &p->items[i];
        return NULL;
}

static int read_strv_into(sd_bus_message *m, PathList *l) {
        _cleanup_strv_free_ char **v = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &v);
        if (r < 0)
                return r;
        for (char **s = v; s && *s; s++) {
                r = path_list_add(l, *s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_value(sd_bus_message *m, const char *sig, Prop *p) {
        int r;

        if (strlen(sig) == 1 && strchr("sobtuixyqn", sig[0])) {
                union {
                        const char *s;
                        int b;
                        uint64_t t;
                        uint32_t u;
                        int32_t i;
                        int64_t x;
                        uint8_t y;
                        uint16_t q;
                        int16_t n;
                } v;
                char buf[32];

                r = sd_bus_message_read_basic(m, sig[0], &v);
                if (r < 0)
                        return r;
                switch (sig[0]) {
                case 's':
                case 'o': p->scalar = strdup(v.s); break;
                case 'b': p->scalar = strdup(v.b ? "yes" : "no"); p->is_bool = true; break;
                case 't': (void) snprintf(buf, sizeof buf, "%" PRIu64, v.t); p->scalar = strdup(buf); break;
                case 'u': (void) snprintf(buf, sizeof buf, "%" PRIu32, v.u); p->scalar = strdup(buf); break;
                case 'i': (void) snprintf(buf, sizeof buf, "%" PRIi32, v.i); p->scalar = strdup(buf); break;
                case 'x': (void) snprintf(buf, sizeof buf, "%" PRIi64, v.x); p->scalar = strdup(buf); break;
                case 'y': (void) snprintf(buf, sizeof buf, "%u", v.y); p->scalar = strdup(buf); break;
                case 'q': (void) snprintf(buf, sizeof buf, "%u", v.q); p->scalar = strdup(buf); break;
                default: (void) snprintf(buf, sizeof buf, "%d", v.n); p->scalar = strdup(buf); break;
                }
                return p->scalar ? 0 : -ENOMEM;
        }
        if (streq(sig, "as")) {
                p->is_list = true;
                return read_strv_into(m, &p->list);
        }
        if (streq(sig, "a(ssbt)")) {
                const char *s, *d;
                int b;
                uint64_t t;

                r = sd_bus_message_enter_container(m, 'a', "(ssbt)");
                if (r < 0)
                        return r;
                while ((r = sd_bus_message_read(m, "(ssbt)", &s, &d, &b, &t)) > 0) {
                        r = bus_binds_append(&p->binds, strdup(s), strdup(d), b, t);
                        if (r < 0)
                                return r;
                }
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }
        if (streq(sig, "a(ss)")) {
                const char *a, *b;

                p->is_list = true;
                r = sd_bus_message_enter_container(m, 'a', "(ss)");
                if (r < 0)
                        return r;
                while ((r = sd_bus_message_read(m, "(ss)", &a, &b)) > 0) {
                        char *s;
                        if (asprintf(&s, "%s:%s", a, b) < 0 || path_list_consume(&p->list, s) < 0)
                                return -ENOMEM;
                }
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }
        if (streq(sig, "a(sbbsi)")) {
                const char *type, *param;
                int trigger, negate;
                int32_t state;

                p->is_list = true;
                r = sd_bus_message_enter_container(m, 'a', "(sbbsi)");
                if (r < 0)
                        return r;
                while ((r = sd_bus_message_read(m, "(sbbsi)", &type, &trigger, &negate, &param, &state)) > 0) {
                        char *s;
                        if (asprintf(&s, "%s=%s%s%s", type, trigger ? "|" : "", negate ? "!" : "", param) < 0 ||
                            path_list_consume(&p->list, s) < 0)
                                return -ENOMEM;
                }
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }
        if (streq(sig, "(bas)")) {
                int b;

                p->is_list = true;
                r = sd_bus_message_enter_container(m, 'r', "bas");
                if (r >= 0)
                        r = sd_bus_message_read(m, "b", &b);
                if (r >= 0)
                        r = read_strv_into(m, &p->list);
                if (r < 0)
                        return r;
                p->flag = b;
                return sd_bus_message_exit_container(m);
        }
        return sd_bus_message_skip(m, sig);
}

/* Every property of one interface of object, appended to props. */
static int get_all(sd_bus *bus, const char *object, const char *iface, Props *props) {
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_bus_message_ sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, SYSTEMD_DEST, object, "org.freedesktop.DBus.Properties", "GetAll", &error,
                               &reply, "s", iface);
        if (r < 0)
                return bus_log_error(r, &error, "Cannot read unit properties");
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                goto fail;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *name, *contents;
                char type;
                Prop *p;

                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        goto fail;
                r = sd_bus_message_peek_type(reply, &type, &contents);
                if (r < 0)
                        goto fail;
                r = sd_bus_message_enter_container(reply, 'v', contents);
                if (r < 0)
                        goto fail;
                if (GREEDY_REALLOC(props->items, props->allocated, props->n + 1, 32) < 0)
                        return log_oom();
                p = &props->items[props->n++];
                *p = (Prop) { .name = strdup(name) };
                if (!p->name)
                        return log_oom();
                r = read_value(reply, contents, p);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0)
                        goto fail;
                r = sd_bus_message_exit_container(reply);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        goto fail;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r >= 0)
                return 0;
fail:
        return log_error_errno(r, "Cannot parse the properties of %s: %m", object);
}

int get_unit_props(sd_bus *bus, const char *object, Props *props) {
        int r;

        assert(bus);
        assert(object);
        assert(props);

        r = get_all(bus, object, "org.freedesktop.systemd1.Unit", props);
        if (r >= 0)
                r = get_all(bus, object, "org.freedesktop.systemd1.Service", props);
        return r;
}

/* --- loaded units ---------------------------------------------------------- */

void loaded_units_done(LoadedUnits *l) {
        assert(l);

        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].name);
                free(l->items[i].object);
                free(l->items[i].load_state);
                free(l->items[i].active_state);
        }
        free(l->items);
        *l = (LoadedUnits) {};
}

const LoadedUnit *loaded_find(const LoadedUnits *l, const char *name) {
        assert(l);
        assert(name);

        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].name, name))
                        return &l->items[i];
        return NULL;
}

/* Every service unit systemd has in memory, loaded or not found. */
int list_services(sd_bus *bus, const char *pattern, LoadedUnits *ret) {
        _cleanup_bus_error_ sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_bus_message_ sd_bus_message *m = NULL, *reply = NULL;
        const char *name, *desc, *load, *active, *sub, *following, *object, *job_type, *job_object;
        uint32_t job_id;
        int r;

        assert(bus);
        assert(pattern);
        assert(ret);

        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, MANAGER_IFACE,
                                           "ListUnitsByPatterns");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char *[]) { NULL });
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char *[]) { (char *) pattern, NULL });
        if (r < 0)
                return log_oom();
        r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0)
                return bus_log_error(r, &error, "Cannot list units");
        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r < 0)
                return log_error_errno(r, "Cannot parse the unit list: %m");
        while ((r = sd_bus_message_read(reply, "(ssssssouso)", &name, &desc, &load, &active, &sub, &following,
                                        &object, &job_id, &job_type, &job_object)) > 0) {
                LoadedUnit *u;

                if (GREEDY_REALLOC(ret->items, ret->allocated, ret->n + 1, 64) < 0)
                        return log_oom();
                u = ret->items;
                u[ret->n++] = (LoadedUnit) { strdup(name), strdup(object), strdup(load), strdup(active) };
                if (!u[ret->n - 1].name || !u[ret->n - 1].object || !u[ret->n - 1].load_state ||
                    !u[ret->n - 1].active_state)
                        return log_oom();
        }
        if (r < 0)
                return log_error_errno(r, "Cannot parse the unit list: %m");
        return 0;
}

