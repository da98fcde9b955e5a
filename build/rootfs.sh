#!/usr/bin/env bash
# Lay out PyInstaller's one-folder build as a root file system fragment for the image:
#   opt/elektromail/            the one-folder build
#   usr/local/bin/elektromail   a link to its executable
#   lib*/...                    the C library and loader it runs with, at the paths the loader searches
# PyInstaller leaves the C library (and the libraries its own bootloader links) to the system; the image
# has none (scratch) or a different one (Alpine's musl), so they are copied from the build machine.
#   build/rootfs.sh ONEDIR TREE
set -euo pipefail
onedir="$1"
tree="$2"
rm -rf "$tree"
mkdir -p "$tree/opt" "$tree/usr/local/bin"
cp -a "$onedir" "$tree/opt/elektromail"
ln -s /opt/elektromail/elektromail "$tree/usr/local/bin/elektromail"
internal="$tree/opt/elektromail/_internal"

# Every library an ELF file of the build resolves to outside the build (and the loader), and every
# library of the executable itself (the loader maps those before the bootloader runs).
needed() {
    local file
    while IFS= read -r -d '' file; do
        head -c 4 "$file" | grep -q ELF || continue
        ldd "$file" 2>/dev/null | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]*ld-linux/ { print $1 }' |
            while IFS= read -r lib; do
                if [ "$file" = "$tree/opt/elektromail/elektromail" ] || [ ! -e "$internal/$(basename "$lib")" ]; then
                    echo "$lib"
                fi
            done
    done < <(find "$tree/opt/elektromail" -type f -print0)
}
needed | sort -u | while IFS= read -r lib; do
    cp -L --parents "$lib" "$tree"
done
echo "rootfs: $(du -sh "$tree" | cut -f1) in $tree, with $(find "$tree" -path "$tree/opt" -prune -o -type f -print | wc -l) system libraries"
