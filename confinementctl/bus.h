/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What confinementctl asks the running systemd (bus.c). */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "macro.h"
#include "path-list.h"

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"

/* sd-bus.h defines the cleanup helpers (_SD_DEFINE_POINTER_CLEANUP_FUNC). */
#define _cleanup_bus_ _cleanup_(sd_bus_flush_close_unrefp)
#define _cleanup_bus_message_ _cleanup_(sd_bus_message_unrefp)
#define _cleanup_bus_error_ _cleanup_(sd_bus_error_free)

typedef struct BusBind {
        char *source, *dest;
        bool ignore_enoent;
        uint64_t flags;
} BusBind;

typedef struct BusBinds {
        BusBind *items;
        size_t n, allocated;
} BusBinds;

void bus_binds_done(BusBinds *b);
/* Appends a bind, taking source and dest (NULL: -ENOMEM, and nothing
 * added). */
int bus_binds_append(BusBinds *b, char *source, char *dest, bool ignore_enoent, uint64_t flags);

typedef struct Prop {
        char *name;
        char *scalar; /* strings; booleans as "yes"/"no"; numbers in decimal */
        bool is_bool;
        bool is_list;
        PathList list;  /* as; a(ss) as "A:B"; a(sbbsi) as "Type=[|][!]param"; (bas) */
        bool flag;      /* (bas): an allow list */
        BusBinds binds; /* a(ssbt) */
} Prop;

typedef struct Props {
        Prop *items;
        size_t n, allocated;
} Props;

typedef struct LoadedUnit {
        char *name, *object, *load_state, *active_state;
} LoadedUnit;

typedef struct LoadedUnits {
        LoadedUnit *items;
        size_t n, allocated;
} LoadedUnits;

/* Logs what failed, with the bus error's message when there is one. */
int bus_log_error(int r, const sd_bus_error *error, const char *what);

/* As systemctl: the system bus, or, for root without a bus daemon,
 * systemd's private socket. Logged. */
int bus_open(sd_bus **ret);

/* The running manager's Version, as the generator would find it in PID
 * 1's mappings (systemd-version.h), for who may not read them: 0 when
 * there is no bus or no answer (logged at debug level). */
unsigned bus_systemd_version(void);

void props_done(Props *p);
const Prop *props_get(const Props *p, const char *name);
/* Every property of the Unit and Service interfaces of a unit object. */
int get_unit_props(sd_bus *bus, const char *object, Props *props);

void loaded_units_done(LoadedUnits *l);
const LoadedUnit *loaded_find(const LoadedUnits *l, const char *name);
/* Every unit matching pattern systemd has in memory, loaded or not found. */
int list_services(sd_bus *bus, const char *pattern, LoadedUnits *ret);
