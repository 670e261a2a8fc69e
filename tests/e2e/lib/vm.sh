# shellcheck shell=bash
# The VM lane of the e2e suite (run.sh --vm): the same cases, in a qemu
# machine that boots the suite's own Debian kernel and initramfs, with the
# real systemd as PID 1 on cgroup v2.  Source this file after rootfs.sh.
#
# On the host:
#   vm_base_ensure SUITE     prints the cached VM root of SUITE
#                            ($CONFINEMENT_ROOTFS_CACHE/vmrootfs-SUITE-KEY, vm_base_path): a copy
#                            of rootfs-SUITE with the suite's kernel
#                            (linux-image-amd64), its initramfs, udev, procps
#                            and attr installed by apt in systemd-nspawn (no
#                            boot); built once per machine, ~2 min, ~700 MB
#   vm_instance SUITE DIR    DIR/root, a writable instance of it (an overlay)
#   vm_stage ROOT CHECKOUT SUITE GUEST-GENERATOR CASE...
#                            puts into ROOT what the cases need besides the
#                            rootfs: the host's /nix (store and database), the
#                            tests of CHECKOUT at its path, the fixtures and
#                            the runner unit that runs run.sh --in-vm with
#                            these cases at the end of the boot and powers off
#   vm_image ROOT IMAGE      an ext4 disk image of ROOT (mkfs.ext4 -d)
#   vm_accel KERNEL INITRD   kvm when a quick boot (to the kernel's panic for
#                            want of an init, 15 s at most) shows that KVM
#                            runs this kernel, else tcg; $VM_ACCEL (kvm, tcg)
#                            decides instead when set
#   vm_run IMAGE KERNEL INITRD ACCEL OUTPUT CONSOLE
#                            boots IMAGE (2 CPUs, $VM_MEMORY MB, no network)
#                            and waits until the machine powers off; the
#                            runner's output (the PASS and FAIL lines) goes to
#                            OUTPUT through a virtio-serial port and is shown
#                            as it comes; killed after $VM_RUN_TIMEOUT s, or
#                            a minute after the runner's last line
#   vm_fetch IMAGE PATH DIR  copies PATH out of the (stopped) machine's image
#                            into DIR (debugfs rdump: no mount)
#
# In the machine (run.sh --in-vm):
#   vm_guest_machine         defines cexec and cpath for the machine the suite
#                            runs on: cexec runs CMD with the time limit,
#                            cpath is PATH itself
#   vm_guest_kernel_line     "kernel V; cgroup2; overlayfs: ..." (the
#                            overlayfs defaults, whether a mount with
#                            redirect_dir=follow,metacopy=on works, whether
#                            tmpfs takes trusted.* xattrs)

: "${VM_MEMORY:=1536}"
: "${VM_RUN_TIMEOUT:=1800}"
: "${VM_PACKAGES:=linux-image-amd64 initramfs-tools udev procps kmod attr}"
VM_GUEST_DIR=/var/lib/e2e-vm

# vm_base_path SUITE: where the cached VM root of SUITE is: named after the
# rootfs it copies (vmrootfs-SUITE-KEY), so that a changed package list of
# the rootfs makes a new one
vm_base_path() {
        local rootfs
        rootfs=$(rootfs_path "${1:?suite}")
        echo "$CONFINEMENT_ROOTFS_CACHE/vm${rootfs##*/}"
}

vm_base_ensure() {
        local suite=${1:?suite} base dir tmp name
        dir=$(vm_base_path "$suite")
        name=${dir##*/}
        tmp=$dir.tmp
        if [[ -d $dir ]]; then
                echo "$dir"
                return 0
        fi
        base=$(rootfs_ensure "$suite") || return 1
        (
                exec 8>"$CONFINEMENT_ROOTFS_CACHE/.$name.lock"
                flock 8
                [[ -d $dir ]] && exit 0
                echo "vm_base_ensure: $VM_PACKAGES into a copy of $base" >&2
                rm -rf "$tmp"
                cp -a --reflink=auto "$base" "$tmp"
                printf '/dev/vda / ext4 rw 0 0\n' > "$tmp/etc/fstab"
                echo e2e-vm > "$tmp/etc/hostname"
                # shellcheck disable=SC2086 # a list of packages
                if ! systemd-nspawn -q --register=no --keep-unit -D "$tmp" --pipe \
                        /bin/sh -c "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $VM_PACKAGES && apt-get clean" \
                        < /dev/null > "$CONFINEMENT_ROOTFS_CACHE/$name.log" 2>&1; then
                        echo "vm_base_ensure: apt failed, see $CONFINEMENT_ROOTFS_CACHE/$name.log" >&2
                        tail -n 5 "$CONFINEMENT_ROOTFS_CACHE/$name.log" >&2
                        exit 1
                fi
                rm -rf "$tmp/var/lib/apt/lists/"*
                if ! compgen -G "$tmp/boot/vmlinuz-*" > /dev/null || ! compgen -G "$tmp/boot/initrd.img-*" > /dev/null; then
                        echo "vm_base_ensure: no kernel or initramfs in $tmp/boot" >&2
                        exit 1
                fi
                mv -T "$tmp" "$dir"
        ) || return 1
        echo "$dir"
}

# vm_kernel BASE: the kernel image of BASE (the newest, if several)
vm_kernel() {
        find "${1:?base}/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1
}

# vm_initrd BASE: the initramfs that goes with vm_kernel
vm_initrd() {
        local k
        k=$(vm_kernel "$1")
        echo "$1/boot/initrd.img-${k##*/vmlinuz-}"
}

vm_instance() {
        local base
        base=$(vm_base_ensure "${1:?suite}") || return 1
        rootfs_instance_of "$base" "${2:?directory}"
}

vm_stage() {
        local root=${1:?root} repo=${2:?checkout} suite=${3:?suite} gen=${4:?generator}
        local c args='' fixtures=${E2E_FIXTURES:?} v env=''
        shift 4
        mkdir -p "$root/nix" "$root$repo" "$root$fixtures" "$root/usr/lib/e2e-vm" "$root$VM_GUEST_DIR"
        cp -a /nix/. "$root/nix/"
        cp -a "$repo/tests" "$root$repo/"
        cp -a "$fixtures/." "$root$fixtures/"
        for c in "$@"; do
                args+=" --case $c"
        done
        for v in E2E_FIXTURES E2E_CASE_TIMEOUT E2E_BIND_METHOD E2E_REASON_MAX; do
                [[ -n ${!v:-} ]] && env+="Environment=$v=${!v}"$'\n'
        done
        cat > "$root/usr/lib/e2e-vm/runner" <<EOF
#!/bin/sh
# the e2e suite in this machine (tests/e2e/lib/vm.sh); its output goes to
# the host through the virtio-serial port e2e
port=/dev/virtio-ports/e2e
i=0
while [ ! -e \$port ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
exec > \$port 2>&1
$repo/tests/e2e/run.sh --in-vm --suite $suite --generator $gen$args
echo "vm runner: run.sh exited with \$?"
sync
EOF
        chmod 755 "$root/usr/lib/e2e-vm/runner"
        cat > "$root/etc/systemd/system/e2e-vm-runner.service" <<EOF
[Unit]
Description=e2e suite (tests/e2e/run.sh --in-vm)
After=multi-user.target
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=simple
${env}ExecStart=/usr/lib/e2e-vm/runner
[Install]
WantedBy=multi-user.target
EOF
        mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
        ln -sf ../e2e-vm-runner.service "$root/etc/systemd/system/multi-user.target.wants/e2e-vm-runner.service"
}

vm_image() {
        local root=${1:?root} image=${2:?image} mb
        mb=$(du -sm --apparent-size "$root" | awk '{ print $1 }')
        # room for the journal, the results and what the cases write
        mkfs.ext4 -q -F -L e2e-root -d "$root" "$image" "$((mb * 5 / 4 + 512))M"
}

vm_accel() {
        local kernel=${1:?kernel} initrd=${2:?initrd} out
        case ${VM_ACCEL:-} in
        kvm | tcg) echo "$VM_ACCEL"; return 0 ;;
        '') ;;
        *) echo "vm_accel: VM_ACCEL=$VM_ACCEL: expected kvm or tcg" >&2; return 1 ;;
        esac
        if [[ ! -w /dev/kvm ]]; then
                echo tcg
                return 0
        fi
        out=$(timeout -k 2 15 qemu-system-x86_64 -accel kvm -cpu host -m 256 -display none \
                -monitor none -serial stdio -nic none -no-reboot -kernel "$kernel" -initrd "$initrd" \
                -append "console=ttyS0 panic=-1 rdinit=/e2e-no-init init=/e2e-no-init" < /dev/null 2>&1 || true)
        if grep -q 'Kernel panic' <<< "$out"; then
                echo kvm
        else
                echo tcg
        fi
}

vm_run() {
        local image=${1:?image} kernel=${2:?kernel} initrd=${3:?initrd} accel=${4:?accel}
        local output=${5:?output} console=${6:?console} qemu_pid tail_pid i rc=0 cpu=${VM_CPU:-max} done=0
        [[ $accel == kvm ]] && cpu=host
        [[ $accel == tcg ]] && accel=tcg,thread=multi
        : > "$output"
        qemu-system-x86_64 -machine q35 -accel "$accel" -cpu "$cpu" -smp 2 -m "$VM_MEMORY" \
                -display none -vga none -monitor none -serial "file:$console" -nic none -no-reboot \
                -kernel "$kernel" -initrd "$initrd" \
                -append "root=/dev/vda rw console=ttyS0 init=/lib/systemd/systemd panic=-1 systemd.show_status=0" \
                -drive "file=$image,if=virtio,format=raw,cache=unsafe" \
                -device virtio-serial-pci -chardev "file,id=e2e,path=$output" \
                -device virtserialport,chardev=e2e,name=e2e < /dev/null > "$console.qemu" 2>&1 &
        qemu_pid=$!
        tail -n +1 -f --pid="$qemu_pid" "$output" | grep --line-buffered -Ev '^[0-9]+ passed, [0-9]+ failed$' &
        tail_pid=$!
        for ((i = 0; i < VM_RUN_TIMEOUT * 10; i++)); do
                kill -0 "$qemu_pid" 2>/dev/null || break
                # the runner is done: a minute to power off
                if ((!done)) && grep -q '^vm runner: ' "$output"; then
                        done=1
                        ((i >= VM_RUN_TIMEOUT * 10 - 600)) || i=$((VM_RUN_TIMEOUT * 10 - 600))
                fi
                sleep 0.1
        done
        if kill -0 "$qemu_pid" 2>/dev/null; then
                echo "vm_run: the machine did not power off after ${VM_RUN_TIMEOUT}s, killing it" >&2
                kill -KILL "$qemu_pid" 2>/dev/null || true
                rc=1
        fi
        wait "$qemu_pid" 2>/dev/null || rc=1
        wait "$tail_pid" 2>/dev/null || true
        return "$rc"
}

vm_fetch() {
        local image=${1:?image} path=${2:?path} dir=${3:?directory}
        mkdir -p "$dir"
        debugfs -R "rdump $path $dir" "$image" > /dev/null 2>&1
}

vm_guest_machine() {
        # shellcheck disable=SC2317 # called by the cases
        cexec() {
                timeout -k 5 "$CEXEC_TIMEOUT" "$@"
        }
        # shellcheck disable=SC2317 # called by the cases
        cpath() {
                echo "$1"
        }
}

vm_guest_kernel_line() {
        local p v opts='' mnt tmpfs_xattr=no mount_ok=no cg=v1
        modprobe overlay 2>/dev/null || true
        for p in redirect_dir metacopy index xino_auto; do
                v=$(cat "/sys/module/overlay/parameters/$p" 2>/dev/null || echo '?')
                opts+=" $p=$v"
        done
        mnt=$(mktemp -d)
        if mount -t tmpfs e2e-probe "$mnt" 2>/dev/null; then
                mkdir -p "$mnt/l1/d" "$mnt/l2" "$mnt/m"
                setfattr -n trusted.e2e -v 1 "$mnt/l1/d" 2>/dev/null && tmpfs_xattr=yes
                if mount -t overlay overlay -o "ro,lowerdir=$mnt/l1:$mnt/l2,redirect_dir=follow,metacopy=on" "$mnt/m" 2>/dev/null; then
                        mount_ok=yes
                        umount "$mnt/m"
                fi
                umount "$mnt"
        fi
        rmdir "$mnt"
        [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]] && cg=v2
        echo "kernel $(uname -r); cgroup $cg; overlayfs defaults:$opts; redirect_dir=follow,metacopy=on mount: $mount_ok; trusted.* xattr on tmpfs: $tmpfs_xattr"
}
