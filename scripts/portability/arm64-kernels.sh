#!/usr/bin/env bash
# Compiles the kernel modules (KernelCore and the three KernelsAVX512 / KernelsAVX2 /
# KernelsPortable modules) for aarch64-unknown-linux-gnu on an x86-64 Linux machine, with the
# flags Package.swift gives them on arm64 (-Ounchecked, no -target-cpu), and reports how the
# portable module's multiply-adds compiled (NEON fmla, no libm fma calls).
#
# The toolchain ships the standard library for x86-64 only; its textual interface is re-targeted
# to aarch64 in a scratch directory (two Float80 bodies that call x86-only shims are replaced by
# builtins; nothing else changes). The rest of the package (Foundation, Glibc, OpenBLAS) needs an
# aarch64 sysroot and is not checked here. Usage: bash scripts/portability/arm64-kernels.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
swift_bin=$(dirname "$(command -v swiftc)")
lib=$(dirname "$swift_bin")/lib/swift/linux
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target=aarch64-unknown-linux-gnu
for m in Swift _Concurrency _StringProcessing SwiftOnoneSupport; do
  [ -d "$lib/$m.swiftmodule" ] || continue
  mkdir -p "$work/$m.swiftmodule"
  sed "s/x86_64-unknown-linux-gnu/$target/g" "$lib/$m.swiftmodule/x86_64-unknown-linux-gnu.swiftinterface" \
    > "$work/$m.swiftmodule/$target.swiftinterface"
done
sed -i 's/self = _stdlib_remainderl(self, other)/_value = Builtin.frem_FPIEEE80(self._value, other._value)/;
        s/self = _stdlib_squareRootl(self)/_value = Builtin.int_sqrt_FPIEEE80(self._value)/' \
  "$work/Swift.swiftmodule/$target.swiftinterface"
swiftc -target $target -I "$work" -parse-as-library -module-name KernelCore -O -Ounchecked -wmo \
  -emit-module -emit-module-path "$work/KernelCore.swiftmodule" -c -o "$work/KernelCore.o" \
  $(find Sources/KernelCore -name '*.swift' | sort)
for m in KernelsPortable KernelsAVX2 KernelsAVX512; do
  swiftc -target $target -I "$work" -parse-as-library -module-name $m -O -Ounchecked -wmo -c \
    -o "$work/$m.o" Sources/$m/*.swift
  echo "$m: compiled for $target ($(stat -c %s "$work/$m.o") bytes)"
done
objdump=$swift_bin/llvm-objdump
if [ -x "$objdump" ]; then
  echo "KernelsPortable on $target: $("$objdump" -d "$work/KernelsPortable.o" | grep -c fmla) fmla instructions," \
       "$("$objdump" -dr "$work/KernelsPortable.o" | grep -cE 'bl\s.*\bfmaf?\b' || true) calls to fma"
fi
