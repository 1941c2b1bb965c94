/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_COMPRESS_INTERNAL_H
#define POSHTIBAN_CORE_COMPRESS_INTERNAL_H

/*
 * What the parts of compress (compress.c, compress-fanout.c,
 * compress-unpack.c) share; nothing outside them includes this.
 */

/* The bytes read, compressed or unpacked in one step. */
#define PT_COMPRESS_CHUNK (256 * 1024)

#endif
