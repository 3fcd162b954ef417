# SPDX-License-Identifier: GPL-2.0-or-later
# Cross-building evc for arm64 (a small router) with Debian's cross compiler and the :arm64
# -dev packages of multiarch (scripts/cross-arm64.sh installs them). Unit tests run through
# qemu-user: ctest prefixes each test executable with CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(EVC_CROSS_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${EVC_CROSS_TRIPLET}-gcc)
# Multiarch: the arm64 libraries live in /usr/lib/aarch64-linux-gnu, their headers mostly in
# /usr/include (shared with amd64) and /usr/include/aarch64-linux-gnu; the cross gcc searches
# both. pkg-config must read only the arm64 .pc files.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${EVC_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(CMAKE_FIND_ROOT_PATH /usr/${EVC_CROSS_TRIPLET} /usr/lib/${EVC_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# OpenSSL's FindOpenSSL looks for the arm64 libcrypto here
set(OPENSSL_ROOT_DIR /usr/lib/${EVC_CROSS_TRIPLET})
set(OPENSSL_CRYPTO_LIBRARY /usr/lib/${EVC_CROSS_TRIPLET}/libcrypto.so)
set(OPENSSL_INCLUDE_DIR /usr/include)

# qemu-aarch64 finds the arm64 dynamic loader that libc6:arm64 installs in /lib
find_program(EVC_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(EVC_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${EVC_QEMU_AARCH64})
endif()
