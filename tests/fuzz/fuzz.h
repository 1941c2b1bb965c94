/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_FUZZ_H
#define POSHTIBAN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * The entry point every harness defines: libFuzzer calls it for each input,
 * replay.c for each corpus file (bench/README.md, "fuzz").
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
