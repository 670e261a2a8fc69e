/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <string.h>

#include "alloc-util.h"
#include "closure-layer.h"
#include "dropin.h"
#include "layer-generation.h"
#include "path-util.h"
#include "systemd-version.h"
#include "unit-escape.h"
#include "unit-file.h"
#include "unit-name.h"

static const char *const mode_descriptions[_CONFINEMENT_MODE_MAX] = {
        [CONFINEMENT_FULL_APIVFS] = "private /dev, /proc, /sys and /tmp in a user namespace",
        [CONFINEMENT_CHROOT_ONLY] = "the root alone: no /dev, /proc, /sys or /tmp",
        [CONFINEMENT_FULL] = "full-apivfs, and the strictest settings a common daemon still runs under",
};

/* NixOS's confinement module sets these seven on (full-apivfs, full) or
 * off (chroot-only), as defaults: the unit's own value stands. Off is
 * written explicitly, so that no default brings /dev or /proc in; on,
 * they are systemd's own settings, which "systemd-analyze security" sees
 * and which a newer systemd widens. */
static const ModeSetting mode_settings[] = {
        MODE_SETTING_MOUNT_API_VFS,         MODE_SETTING_PRIVATE_DEVICES,
        MODE_SETTING_PRIVATE_TMP,           MODE_SETTING_PRIVATE_USERS,
        MODE_SETTING_PROTECT_CONTROL_GROUPS, MODE_SETTING_PROTECT_KERNEL_MODULES,
        MODE_SETTING_PROTECT_KERNEL_TUNABLES,
};

/* What full-apivfs and full add to NixOS's settings; each line says why. */
static const char *const apivfs_extra_settings[][2] = {
        { "TemporaryFileSystem=/dev/shm:mode=1777,nosuid,nodev",
          "a /dev/shm of its own: PrivateDevices= binds the host's" },
        { "RestrictSUIDSGID=yes", "no setuid or setgid files created (a writable bind would carry them out)" },
        { "ProtectHome=yes", "no /home, /root or /run/user, should a bind bring one in" },
};

/* What "full" adds: the strictest settings a common daemon still runs
 * under. Each line says why a confined service can do without; a drop-in
 * of the unit's that sorts after this one overrides any of them. These
 * stand back where the unit sets its own: an allow list of ours would
 * widen the unit's own list (systemd merges them), or take the unit's
 * denials back; the unit's value of the others is no weaker. */
static const char *const full_unless_unit_sets[][3] = {
        { "SystemCallFilter", "SystemCallFilter=@system-service", "the system calls of common services, no others" },
        { "RestrictAddressFamilies", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
          "local, IP and netlink sockets only (no packet sockets)" },
        { "ProtectProc", "ProtectProc=invisible", "only its own processes in /proc" },
};

static const char *const full_settings[][2] = {
        { "NoNewPrivileges=yes", "no setuid or file capabilities gained by exec" },
        { "CapabilityBoundingSet=~CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_TIME "
          "CAP_SYS_BOOT CAP_SYS_PACCT CAP_SYS_TTY_CONFIG CAP_SYS_NICE CAP_SYS_RESOURCE CAP_NET_ADMIN "
          "CAP_NET_RAW CAP_NET_BROADCAST CAP_MAC_ADMIN CAP_MAC_OVERRIDE CAP_AUDIT_CONTROL CAP_AUDIT_READ "
          "CAP_AUDIT_WRITE CAP_SYSLOG CAP_MKNOD CAP_LINUX_IMMUTABLE CAP_IPC_LOCK CAP_SYS_CHROOT "
          "CAP_BLOCK_SUSPEND CAP_WAKE_ALARM CAP_LEASE CAP_BPF CAP_PERFMON CAP_CHECKPOINT_RESTORE "
          "CAP_SETPCAP CAP_SETFCAP",
          "no administration, tracing, raw devices, clock, network configuration or kernel interfaces" },
        { "SystemCallFilter=~@mount", "no mount system calls" },
        { "SystemCallArchitectures=native", "no system calls of other ABIs (x32, i386)" },
        { "LockPersonality=yes", "no change of execution domain" },
        { "RestrictNamespaces=yes", "no new namespaces" },
        { "ProtectKernelLogs=yes", "no kernel log" },
        { "ProtectClock=yes", "no setting the clock" },
        { "ProtectHostname=yes", "no changing the host name" },
        { "RestrictRealtime=yes", "no real-time scheduling" },
        { "ProcSubset=pid", "only process entries in /proc, no kernel tunables" },
        { "PrivateIPC=yes", "no System V IPC or POSIX message queues shared with the host" },
        { "RemoveIPC=yes", "no IPC objects of its user left behind" },
};

/* What "full" adds for a service that does not run as root. */
static const char *const full_unprivileged_settings[][2] = {
        { "SystemCallFilter=~@privileged @resources", "no system calls that need privileges or set limits" },
};
/* And for one that sets no capabilities of its own. */
static const char full_no_capabilities[] =
        "# Not root, no capabilities of its own: none at all.\n"
        "CapabilityBoundingSet=\n";

/* Whether the unit's own value of a boolean mode setting turns it off:
 * "PrivateUsers=" (empty) is systemd's default, no. "self", "identity"
 * and the like are user namespaces: not off. */
static bool unit_sets_off(const Confinement *c, ModeSetting s) {
        const char *own = c->unit_mode_settings[s];

        return own && (*own == '\0' || unit_parse_boolean(own) == 0);
}

/* Mode full where the unit's own PrivateUsers=no stands: the service is in
 * the host's user namespace, where /proc/PID/root of any process of its
 * user (of PID 1, for root) that /proc shows leads out of its root;
 * ProtectProc=invisible hides only other users' processes. A PID
 * namespace of its own (systemd 257) shows it none. With a user
 * namespace, the kernel refuses those roots already (no CAP_SYS_PTRACE in
 * the host's), and the service stays no init process (confinement.d(5)). */
static void write_private_pids(const Confinement *c, FILE *f) {
        static const char why[] =
                "# PrivateUsers=no (the unit's) leaves the roots of its user's other\n"
                "# processes, and root's /proc/1/root, reachable through /proc/PID/root;\n";

        if (!unit_sets_off(c, MODE_SETTING_PRIVATE_USERS))
                return;
        if (path_list_contains(&c->unit_keys, "PrivatePIDs")) {
                fputs("# PrivatePIDs= as the unit sets it.\n", f);
                return;
        }
        if (unit_sets_off(c, MODE_SETTING_MOUNT_API_VFS)) {
                fputs("# No PrivatePIDs=: with the unit's MountAPIVFS=no it has no /proc.\n", f);
                return;
        }
        fputs(why, f);
        if (c->unit_forking)
                fputs("# PrivatePIDs=yes would hide them, but systemd refuses it with Type=forking.\n", f);
        else if (c->systemd_version == 0)
                fputs("# the running systemd's version is unknown (confinement-generator(8)), so no\n"
                      "# PrivatePIDs= (systemd 257), which would hide them.\n",
                      f);
        else if (c->systemd_version < SYSTEMD_VERSION_PRIVATE_PIDS)
                fprintf(f, "# systemd %u has no PrivatePIDs= (257), which would hide them.\n", c->systemd_version);
        else
                fputs("# a PID namespace of its own hides them: /proc shows only its own\n"
                      "# processes. Its main process is their PID 1, to which the kernel\n"
                      "# delivers no signal it has no handler for, SIGTERM included\n"
                      "# (confinement.d(5)).\n"
                      "PrivatePIDs=yes\n",
                      f);
}

/* A value as a comment: no line breaks. */
static char *comment_safe(const char *value) {
        char *s = strdup(value);

        for (char *p = s; p && *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = ' ';
        return s;
}

static int write_word(FILE *f, const char *setting, const char *prefix, const char *word) {
        _cleanup_free_ char *e = unit_escape_word(word);

        if (!e)
                return -ENOMEM;
        fprintf(f, "%s=%s%s", setting, prefix, e);
        return 0;
}

/* Once per closure path: the line put together in one buffer (on the
 * stack unless the paths are long), escaped in place, written in one call. */
static int write_bind(FILE *f, const Bind *b) {
        static const char read_only[] = "BindReadOnlyPaths=", writable[] = "BindPaths=";
        _cleanup_free_ char *heap = NULL;
        char stack[1024], *line = stack, *t;
        /* "-", ":", "\n", and per path twice its length and two quotes */
        size_t need = sizeof read_only + 2 * (strlen(b->source) + strlen(b->target)) + 4 + 3;

        if (need > sizeof stack) {
                heap = malloc(need);
                if (!heap)
                        return -ENOMEM;
                line = heap;
        }
        t = b->kind == BIND_READ_ONLY ? mempcpy(line, read_only, sizeof read_only - 1)
                                      : mempcpy(line, writable, sizeof writable - 1);
        if (b->optional)
                *t++ = '-';
        t = unit_escape_word_into(t, b->source);
        if (!streq(b->source, b->target)) {
                *t++ = ':';
                t = unit_escape_word_into(t, b->target);
        }
        *t++ = '\n';
        fwrite_unlocked(line, 1, (size_t) (t - line), f);
        return 0;
}

static int write_header(FILE *f, const char *spec_file) {
        _cleanup_free_ char *file = strdup(spec_file);

        if (!file)
                return -ENOMEM;
        /* A comment ends at the line; spec file names have no line breaks
         * (they are unit names), but be sure. */
        for (char *p = file; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = '?';
        fprintf(f,
                "# Generated by confinement-generator from %s.\n"
                "# Edit the spec, not this file, then run \"systemctl daemon-reload\".\n",
                file);
        return 0;
}

int dropin_render(const Confinement *c, FILE *f) {
        _cleanup_free_ const char **names = NULL;
        _cleanup_free_ char *list = NULL;
        char id[CLOSURE_LAYER_ID_MAX], gen[CLOSURE_LAYER_ID_MAX];
        int n, r;

        assert(c);
        assert(f);

        n = closure_layer_of(c, &names, id);
        if (n <= 0)
                return n < 0 ? n : dropin_render_with_layer(c, NULL, f);
        list = closure_layer_list(names, (size_t) n);
        if (!list)
                return -ENOMEM;
        r = layer_generation_id(c->store_dir, &(LayerClosure) { id, list }, 1, gen);
        if (r < 0)
                return r;
        return dropin_render_with_layer(c, &(DropinLayer) { gen, id, (size_t) n }, f);
}

int dropin_render_with_layer(const Confinement *c, const DropinLayer *layer, FILE *f) {
        size_t n_view = 0;
        int r;

        assert(c);
        assert(!layer || (layer->gen && layer->id && layer->n_paths > 0));
        assert(f);

        r = write_header(f, c->spec_file);
        if (r < 0)
                return r;
        if (layer) {
                r = closure_layer_dropin_unit(layer->gen, f);
                if (r < 0)
                        return r;
        }

        if (c->view_dir) {
                fputs("\n[Unit]\n"
                      "# The read-only view of the store that closure paths are bound from.\n",
                      f);
                r = write_word(f, "RequiresMountsFor", "", c->view_dir);
                if (r < 0)
                        return r;
                fputc('\n', f);
        }

        fputs("\n[Service]\n"
              "# An empty root of its own for each unit and each instance, with a fresh\n"
              "# tmpfs on it: nothing but what is bound below is visible.\n"
              "RuntimeDirectory=confinement/%n\n"
              "RootDirectory=/run/confinement/%n\n"
              "# Read-only, as in NixOS: not even root writes its root, only what the\n"
              "# spec binds writable.\n"
              "TemporaryFileSystem=/:ro\n"
              "# systemd binds the root's directory, which it gives to the service's\n"
              "# user, into the service at its own path: read-only there. Where\n"
              "# ProtectSystem=strict (also implied by DynamicUser=yes) takes the place\n"
              "# of the tmpfs above, / is that directory, read-only too.\n"
              "BindReadOnlyPaths=/run/confinement/%n:/run/confinement/%n:norbind\n"
              "PrivateMounts=yes\n",
              f);

        fprintf(f, "# Mode %s: %s.\n", confinement_mode_to_string(c->mode), mode_descriptions[c->mode]);
        fputs("# The mode's settings below are defaults: the unit's own value of any of\n"
              "# them stands, as in NixOS.\n",
              f);
        for (size_t i = 0; i < ELEMENTSOF(mode_settings); i++) {
                const char *name = mode_setting_to_string(mode_settings[i]);
                const char *own = c->unit_mode_settings[mode_settings[i]];

                if (own) {
                        _cleanup_free_ char *comment = comment_safe(own);

                        if (!comment)
                                return -ENOMEM;
                        fprintf(f, "# %s=%s as the unit sets it.\n", name, comment);
                        continue;
                }
                fprintf(f, "%s=%s\n", name, c->mode == CONFINEMENT_CHROOT_ONLY ? "no" : "yes");
        }
        /* Host paths, without "+": systemd 252 binds the host's /tmp and
         * /var/tmp into a DynamicUser=yes service with PrivateTmp=no, and
         * this line is what keeps them out (the e2e matrix checks it). */
        if (c->unit_private_tmp == 0 || (c->unit_private_tmp < 0 && c->mode == CONFINEMENT_CHROOT_ONLY))
                fputs("# Without a private /tmp, no /tmp or /var/tmp of the host.\n"
                      "InaccessiblePaths=-/tmp -/var/tmp\n",
                      f);
        if (c->mode != CONFINEMENT_CHROOT_ONLY)
                for (size_t i = 0; i < ELEMENTSOF(apivfs_extra_settings); i++)
                        fprintf(f, "# %s\n%s\n", apivfs_extra_settings[i][1], apivfs_extra_settings[i][0]);
        if (c->mode == CONFINEMENT_FULL) {
                /* With our filter, not with the unit's own: that keeps its own action. */
                bool own_filter = path_list_contains(&c->unit_keys, "SystemCallFilter") ||
                                  path_list_contains(&c->unit_keys, "SystemCallErrorNumber");

                for (size_t i = 0; i < ELEMENTSOF(full_unless_unit_sets); i++)
                        if (path_list_contains(&c->unit_keys, full_unless_unit_sets[i][0]))
                                fprintf(f, "# %s= as the unit sets it.\n", full_unless_unit_sets[i][0]);
                        else
                                fprintf(f, "# %s\n%s\n", full_unless_unit_sets[i][2], full_unless_unit_sets[i][1]);
                write_private_pids(c, f);
                if (!own_filter)
                        fputs("# a call filtered out fails with EPERM instead of killing the service\n"
                              "SystemCallErrorNumber=EPERM\n",
                              f);
                for (size_t i = 0; i < ELEMENTSOF(full_settings); i++)
                        fprintf(f, "# %s\n%s\n", full_settings[i][1], full_settings[i][0]);
                if (!c->unit_runs_as_root) {
                        for (size_t i = 0; i < ELEMENTSOF(full_unprivileged_settings); i++)
                                fprintf(f, "# %s\n%s\n", full_unprivileged_settings[i][1],
                                        full_unprivileged_settings[i][0]);
                        if (!c->unit_sets_capabilities)
                                fputs(full_no_capabilities, f);
                }
        }

        for (size_t i = 0; i < c->n_binds; i++)
                n_view += c->binds[i].kind == BIND_FROM_VIEW;
        fprintf(f, "# The closure: %zu paths", c->n_closure_paths);
        if (c->view_dir)
                fprintf(f, "; %zu binds from the read-only view %s", n_view, c->view_dir);
        fputs(".\n", f);
        if (layer) {
                r = closure_layer_dropin_bind(layer->gen, layer->id, c->store_dir, layer->n_paths, f);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_binds; i++) {
                if (c->binds[i].kind == BIND_IN_LAYER)
                        continue;
                r = write_bind(f, &c->binds[i]);
                if (r < 0)
                        return r;
        }
        return ferror(f) ? -ENOMEM : 0;
}

/* The reason goes into the asserted path, so that "systemctl status" shows
 * it: it must stay a valid path (no "..", no component over NAME_MAX, no
 * control characters) or systemd would drop the line. The fixed second
 * assertion keeps the unit from starting even then. */
static char *reason_as_path(const char *reason) {
        static const size_t max = 200;
        char *s = malloc(max + 1), *t = s;

        if (!s)
                return NULL;
        for (const char *p = reason; *p;) {
                size_t n = utf8_sequence_length((const unsigned char *) p);
                unsigned char c = *p;

                /* Whole characters only: systemd drops a value that is not
                 * valid UTF-8. */
                if (n == 0)
                        c = '?';
                else if (n > 1) {
                        if ((size_t) (t - s) + n > max)
                                break;
                        memcpy(t, p, n);
                        t += n;
                        p += n;
                        continue;
                }
                if ((size_t) (t - s) >= max)
                        break;
                p++;
                if (c < 0x20 || c == 0x7f)
                        c = ' ';
                else if (c == '.' && (*p == '.' || t == s || t[-1] == '/'))
                        c = '_'; /* no "." or ".." components */
                else if (c == '/' && t > s && t[-1] == '/')
                        continue;
                *t++ = (char) c;
        }
        /* A trailing backslash would continue the line. */
        if (t > s && t[-1] == '\\')
                t[-1] = '_';
        *t = '\0';
        return s;
}

int dropin_render_fail_closed(const char *spec_file, const char *reason, FILE *f) {
        _cleanup_free_ char *path = NULL, *escaped = NULL, *file = NULL, *comment = NULL;
        int r;

        assert(spec_file);
        assert(f);

        reason = reason ?: "the spec cannot be honoured";
        path = reason_as_path(reason);
        comment = strdup(reason);
        if (!comment)
                return -ENOMEM;
        /* A comment ends at the line. */
        for (char *p = comment; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = ' ';
        if (!path)
                return -ENOMEM;
        escaped = unit_escape_specifiers(path);
        file = unit_escape_specifiers(spec_file);
        if (!escaped || !file)
                return -ENOMEM;

        r = write_header(f, spec_file);
        if (r < 0)
                return r;
        /* systemd checks the last assertion first and shows only the one
         * that failed: the one with the reason goes last, the fixed one
         * first keeps the unit from starting should systemd drop the other.
         * Description= shows in "systemctl status" even once the unit has
         * been unloaded. */
        fputs("# The spec cannot be honoured, so the unit must not start at all:\n"
              "# it would run unconfined. The reason, also in the journal:\n",
              f);
        fprintf(f,
                "# %s\n"
                "\n"
                "[Unit]\n"
                "Description=%%n, refused: its confinement spec %s cannot be honoured\n"
                "AssertPathExists=" FAIL_CLOSED_PATH "\n"
                "AssertPathExists=" FAIL_CLOSED_PATH ": %s\n",
                comment, file, escaped);
        return 0;
}

/* A growing buffer behind a FILE: open_memstream() zeroes and copies on
 * every growth, which for a drop-in of thousands of binds cost more than
 * rendering it. */
typedef struct RenderBuffer {
        char *data;
        size_t size, allocated;
} RenderBuffer;

static ssize_t render_buffer_write(void *cookie, const char *p, size_t n) {
        RenderBuffer *b = cookie;

        if (GREEDY_REALLOC(b->data, b->allocated, b->size + n + 1, (size_t) 64 * 1024) < 0) {
                errno = ENOMEM;
                return 0; /* fopencookie(3): 0 is an error */
        }
        memcpy(b->data + b->size, p, n);
        b->size += n;
        b->data[b->size] = '\0';
        return (ssize_t) n;
}

int render_to_string(Renderer render, const void *userdata, char **ret, size_t *ret_size) {
        RenderBuffer b = {};
        FILE *f;
        int r;

        assert(render);
        assert(ret);

        f = fopencookie(&b, "w", (cookie_io_functions_t) { .write = render_buffer_write });
        if (!f)
                return -ENOMEM;
        r = render(f, userdata);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r >= 0 && !b.data && !(b.data = strdup("")))
                r = -ENOMEM;
        if (r < 0) {
                free(b.data);
                return r;
        }
        if (ret_size)
                *ret_size = b.size;
        *ret = b.data;
        return 0;
}

char *store_view_mount_name(const char *store_dir) {
        _cleanup_free_ char *view = store_view_path(store_dir);

        assert(store_dir);

        if (!view)
                return NULL;
        return unit_name_from_path(view, ".mount");
}

int store_view_mount_render(const char *store_dir, FILE *f) {
        _cleanup_free_ char *view = store_view_path(store_dir);

        assert(store_dir);
        assert(f);

        if (!view)
                return -ENOMEM;
        /* storeDir holds only characters that need no escaping (spec.c). */
        fprintf(f,
                "# Generated by confinement-generator.\n"
                "# One read-only view of %1$s: confined services bind their closure\n"
                "# from it with BindPaths=, which is linear in the number of paths where\n"
                "# BindReadOnlyPaths= is quadratic, and read-only all the same.\n"
                "\n"
                "[Unit]\n"
                "Description=Read-only view of %1$s for confined services\n"
                "DefaultDependencies=no\n"
                "Conflicts=umount.target\n"
                "Before=umount.target\n"
                "\n"
                "[Mount]\n"
                "What=%1$s\n"
                "Where=%2$s\n"
                "Type=none\n"
                "Options=bind,ro\n",
                store_dir, view);
        return 0;
}

int dropin_render_guard(const char *unit, const char *spec_file, FILE *f) {
        _cleanup_free_ char *e_unit = NULL, *file = NULL;

        assert(unit);
        assert(spec_file);
        assert(f);

        e_unit = unit_escape_specifiers(unit);
        file = comment_safe(spec_file);
        if (!e_unit || !file)
                return -ENOMEM;
        fprintf(f,
                "# Installed with the confinement spec %1$s, and to be removed with it.\n"
                "# %2$s starts only when confinement-generator wrote its drop-in at the last\n"
                "# \"systemctl daemon-reload\": systemd empties " GENERATOR_OUTPUT_DIR " at every\n"
                "# reload, and the generator writes the drop-in that refuses the start first,\n"
                "# the confinement in its place once complete. When it could write nothing\n"
                "# (a full /run), %2$s would run unconfined: this keeps it from starting.\n"
                "# See confinement.d(5).\n"
                "\n"
                "[Unit]\n"
                "AssertPathExists=" GENERATOR_OUTPUT_DIR "/%3$s.d/" DROPIN_NAME "\n",
                file, unit, e_unit);
        return ferror(f) ? -ENOMEM : 0;
}
